// Vega-Lite specs for the report's charts, built from stored runs. Each returns undefined when there is no data.
import type { TopLevelSpec } from "vega-lite";
import type { ParetoPoint } from "./pareto.ts";
import type { TrendPoint } from "./trend.ts";

export interface LatencyPoint {
  workload: string;
  board: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  emulated: boolean;
}

export interface AccuracyPoint {
  workload: string;
  board: string;
  metric: string;
  value: number;
  target: number;
}

export interface EnergyPoint {
  workload: string;
  board: string;
  /** Median energy per inference, µJ. */
  uj: number;
  kind: "measured" | "modelled";
}

/** One phase of a fresh input's energy: load (input transfer), pre, inference, post. */
export interface PhasePoint {
  workload: string;
  board: string;
  phase: string;
  uj: number;
  kind: "measured" | "modelled";
}

export interface HistoryPoint {
  run: number;
  startedAt: string;
  series: string;
  medianMs: number;
}

const base = { $schema: "https://vega.github.io/schema/vega-lite/v5.json", background: "white", config: { font: "sans-serif" } } as const;

export function latencyChart(points: LatencyPoint[]): TopLevelSpec | undefined {
  if (!points.length) return undefined;
  const data = points.map((p) => ({ ...p, label: `${p.board}${p.emulated ? " (emulated)" : ""}` }));
  return {
    ...base,
    title: "Latency per inference (median of windows; bar = window spread)",
    data: { values: data },
    width: 520,
    height: 30 * data.length + 20,
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          y: { field: "workload", type: "nominal", title: null },
          yOffset: { field: "label" },
          x: { field: "medianMs", type: "quantitative", title: "ms per inference" },
          color: { field: "label", type: "nominal", title: "board", legend: { labelLimit: 400 } },
          tooltip: [{ field: "medianMs", format: ".3f" }],
        },
      },
      {
        mark: { type: "rule", color: "black" },
        encoding: {
          y: { field: "workload", type: "nominal" },
          yOffset: { field: "label" },
          x: { field: "minMs", type: "quantitative" },
          x2: { field: "maxMs" },
        },
      },
    ],
  } as TopLevelSpec;
}

export function accuracyChart(points: AccuracyPoint[]): TopLevelSpec | undefined {
  if (!points.length) return undefined;
  return {
    ...base,
    title: "Accuracy on the device against the quality target (tick)",
    data: { values: points },
    width: 520,
    height: 30 * points.length + 20,
    layer: [
      {
        mark: "bar",
        encoding: {
          y: { field: "workload", type: "nominal", title: null },
          yOffset: { field: "board" },
          x: { field: "value", type: "quantitative", title: "top-1 / AUC", scale: { domain: [0, 1] } },
          color: { field: "board", type: "nominal" },
        },
      },
      {
        mark: { type: "tick", color: "crimson", thickness: 2 },
        encoding: { y: { field: "workload", type: "nominal" }, x: { field: "target", type: "quantitative" } },
      },
    ],
  } as TopLevelSpec;
}

export function energyChart(points: EnergyPoint[]): TopLevelSpec | undefined {
  if (!points.length) return undefined;
  const data = points.map((p) => ({ ...p, label: `${p.board} (${p.kind})` }));
  return {
    ...base,
    title: "Energy per inference (median of windows; modelled where marked)",
    data: { values: data },
    width: 520,
    height: 30 * data.length + 20,
    mark: "bar",
    encoding: {
      y: { field: "workload", type: "nominal", title: null },
      yOffset: { field: "label" },
      x: { field: "uj", type: "quantitative", title: "µJ per inference" },
      color: { field: "label", type: "nominal", title: "board", legend: { labelLimit: 400 } },
      tooltip: [{ field: "uj", format: ".3f" }],
    },
  } as TopLevelSpec;
}

/** What one inference of a fresh input costs, split by phase: shares of the whole, absolute µJ in the tooltips. */
export function phaseChart(points: PhasePoint[]): TopLevelSpec | undefined {
  if (!points.length) return undefined;
  const order = ["load", "pre", "inference", "post"];
  const data = points.map((p) => ({ ...p, label: `${p.workload} / ${p.board} (${p.kind})`, order: order.indexOf(p.phase) }));
  return {
    ...base,
    title: "Energy of one inference on a fresh input, by phase (share; load = input transfer over the console)",
    data: { values: data },
    width: 520,
    height: 30 * new Set(data.map((d) => d.label)).size + 20,
    mark: "bar",
    encoding: {
      y: { field: "label", type: "nominal", title: null, axis: { labelLimit: 400 } },
      x: { field: "uj", type: "quantitative", title: "share of the energy", stack: "normalize", axis: { format: "%" } },
      color: { field: "phase", type: "nominal", scale: { domain: order }, title: "phase" },
      order: { field: "order", type: "quantitative" },
      tooltip: [{ field: "phase" }, { field: "uj", format: ".3f", title: "µJ" }],
    },
  } as TopLevelSpec;
}

/** The trend view: per board / workload, each campaign's value; a red cross where the gate finds a regression. */
export function trendChart(points: TrendPoint[]): TopLevelSpec | undefined {
  if (!points.length) return undefined;
  const data = points.map((p) => ({ ...p, regressed: p.regressions.length > 0 ? "regression" : p.validity === "headline" ? "judged" : p.validity }));
  return {
    ...base,
    title: "Trend across campaigns (x: regression against the campaign before, by the gate's rules)",
    data: { values: data },
    facet: { row: { field: "measure", type: "nominal", title: null, header: { labelAngle: 0, labelAlign: "left", labelFontWeight: "bold" } } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 520,
      height: 180,
      layer: [
        {
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "campaign", type: "ordinal", sort: { field: "order" }, title: "campaign" },
            y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
            color: { field: "series", type: "nominal", title: "board / workload", legend: { labelLimit: 400 } },
          },
        },
        {
          transform: [{ filter: "datum.regressed === 'regression'" }],
          mark: { type: "point", shape: "cross", size: 220, color: "crimson", filled: true },
          encoding: {
            x: { field: "campaign", type: "ordinal", sort: { field: "order" } },
            y: { field: "value", type: "quantitative" },
            tooltip: [{ field: "series" }, { field: "campaign" }, { field: "regressions" }],
          },
        },
      ],
    },
  } as TopLevelSpec;
}

export function historyChart(points: HistoryPoint[]): TopLevelSpec | undefined {
  if (points.length < 1) return undefined;
  return {
    ...base,
    title: "Latency history across runs",
    data: { values: points },
    width: 520,
    height: 220,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "run", type: "ordinal", title: "run" },
      y: { field: "medianMs", type: "quantitative", title: "ms per inference" },
      color: { field: "series", type: "nominal", title: "board / workload", legend: { labelLimit: 400 } },
    },
  } as TopLevelSpec;
}

/**
 * Accuracy against cost per workload (rows) and cost measure (columns: MACs, model bytes, latency on each board where
 * runs exist); filled points and the step line are the Pareto front. Scales are per cell (log cost).
 */
export function paretoChart(points: ParetoPoint[]): TopLevelSpec | undefined {
  if (!points.length) return undefined;
  const front = { field: "front", equal: true };
  return {
    ...base,
    title: "Accuracy against cost of each workload's models (host: manifest; device: latest runs); filled + line = Pareto front",
    data: { values: points },
    facet: {
      row: { field: "workload", type: "nominal", title: null, header: { labelAngle: 0, labelAlign: "left", labelFontWeight: "bold" } },
      column: { field: "measure", type: "nominal", title: null, header: { labelLimit: 400 } },
    },
    spec: {
      width: 230,
      height: 150,
      layer: [
        {
          transform: [{ filter: front }],
          mark: { type: "line", interpolate: "step-after", color: "#888", strokeDash: [4, 3] },
          encoding: {
            x: { field: "cost", type: "quantitative" },
            y: { field: "accuracy", type: "quantitative" },
            detail: { field: "source" },
            order: { field: "cost", type: "quantitative" },
          },
        },
        {
          mark: { type: "point", size: 70, strokeWidth: 2 },
          encoding: {
            x: { field: "cost", type: "quantitative", scale: { type: "log" }, title: "cost (log)" },
            y: { field: "accuracy", type: "quantitative", scale: { zero: false }, title: "top-1 / AUC" },
            color: { field: "model", type: "nominal", title: "model" },
            shape: { field: "source", type: "nominal", title: "measured on", legend: { labelLimit: 300 } },
            fill: { condition: { test: "datum.front", field: "model", type: "nominal" }, value: "transparent" },
            tooltip: [
              { field: "workload" },
              { field: "model" },
              { field: "measure" },
              { field: "cost", format: ",.3~f" },
              { field: "accuracy", format: ".4f" },
              { field: "metric" },
              { field: "source" },
              { field: "accuracyFrom" },
              { field: "front" },
            ],
          },
        },
        {
          mark: { type: "text", align: "left", dx: 6, dy: -6, fontSize: 9 },
          encoding: { x: { field: "cost", type: "quantitative" }, y: { field: "accuracy", type: "quantitative" }, text: { field: "model" } },
        },
      ],
    },
    resolve: { scale: { x: "independent", y: "independent" } },
  } as TopLevelSpec;
}
