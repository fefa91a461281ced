// Vega-Lite specs of the site's charts, rendered to SVG at build time (harness/report/render.ts): no charting code runs
// in the reader's browser. Every point says in its legend what it is: measured, emulated (virtual time), modelled
// energy, or published elsewhere.
import type { TopLevelSpec } from "vega-lite";

export interface ParetoChartPoint {
  label: string;
  cost: number;
  accuracy: number;
  /** What the figure is: "physical, measured", "emulated (QEMU), virtual time; modelled energy", "published, not measured here". */
  kind: string;
  front: boolean;
}

const base = {
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  background: "white",
  config: { font: "sans-serif", axis: { labelFontSize: 12, titleFontSize: 12 }, legend: { labelFontSize: 12, titleFontSize: 12 }, title: { fontSize: 14 } },
} as const;

/** Accuracy against one cost, one chart: filled points on the dashed step line are the Pareto front. */
export function paretoChart(title: string, costTitle: string, points: ParetoChartPoint[]): TopLevelSpec | undefined {
  if (!points.length) return undefined;
  const costs = points.map((p) => p.cost);
  const log = Math.max(...costs) / Math.min(...costs) > 50;
  const x = {
    field: "cost",
    type: "quantitative",
    title: `${costTitle}${log ? " (log scale)" : ""}`,
    scale: log ? { type: "log" } : { zero: false },
    axis: { format: "~s" },
  };
  const y = { field: "accuracy", type: "quantitative", title: "accuracy (top-1 or AUC)", scale: { zero: false } };
  return {
    ...base,
    title: { text: title, subtitle: "lower cost and higher accuracy are better; filled = on the Pareto front" },
    data: { values: points.map((p) => ({ ...p, front: p.front ? "on the front" : "dominated" })) },
    width: 560,
    height: 320,
    layer: [
      {
        transform: [{ filter: "datum.front === 'on the front'" }],
        mark: { type: "line", interpolate: "step-after", color: "#888", strokeDash: [4, 3] },
        encoding: { x, y, order: { field: "cost", type: "quantitative" } },
      },
      {
        mark: { type: "point", size: 90, strokeWidth: 2 },
        encoding: {
          x,
          y,
          color: { field: "kind", type: "nominal", title: "figure", legend: { orient: "bottom", direction: "vertical", labelLimit: 600 } },
          fill: { condition: { test: "datum.front === 'on the front'", field: "kind", type: "nominal" }, value: "white" },
          tooltip: [{ field: "label" }, { field: "cost", format: ",.4~f" }, { field: "accuracy", format: ".4f" }, { field: "kind" }, { field: "front" }],
        },
      },
      { mark: { type: "text", align: "left", dx: 8, dy: -8, fontSize: 11 }, encoding: { x, y, text: { field: "label" } } },
    ],
  } as TopLevelSpec;
}

export interface TrendChartPoint {
  system: string;
  campaign: string;
  order: number;
  ms: number;
  validity: string;
}

export function trendChart(title: string, points: TrendChartPoint[]): TopLevelSpec | undefined {
  if (!points.length) return undefined;
  return {
    ...base,
    title: {
      text: title,
      subtitle: [
        "ms per inference, median of the run's windows; emulated series are virtual time",
        "filled circle: a headline run; hollow square: partial; hollow triangle: exploratory",
      ],
    },
    data: { values: points },
    width: 560,
    height: 280,
    encoding: {
      x: { field: "campaign", type: "ordinal", sort: { field: "order" }, title: "campaign (oldest first)", axis: { labelAngle: -40, labelLimit: 160 } },
      y: { field: "ms", type: "quantitative", title: "ms per inference", scale: { zero: false } },
      color: { field: "system", type: "nominal", title: "system", legend: { orient: "bottom", direction: "vertical", labelLimit: 600 } },
    },
    layer: [
      { mark: { type: "line" } },
      {
        // a run that is not a headline (a short nightly) keeps its place in the line, drawn as a hollow square
        mark: { type: "point", size: 70, strokeWidth: 2 },
        encoding: {
          shape: {
            field: "validity",
            type: "nominal",
            legend: null,
            scale: { domain: ["headline", "partial", "exploratory"], range: ["circle", "square", "triangle-up"] },
          },
          fill: { condition: { test: "datum.validity === 'headline'", field: "system", type: "nominal" }, value: "white" },
          tooltip: [{ field: "system" }, { field: "campaign" }, { field: "ms", format: ".3f" }, { field: "validity" }],
        },
      },
    ],
  } as TopLevelSpec;
}
