// `tinyrig report`: reports/index.html plus one SVG (and its Vega-Lite spec) per chart, from the result store.
// Static HTML, no scripts, no external resources; anything emulated or modelled says so.
import { formatRunFigure } from "../store/summary.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TopLevelSpec } from "vega-lite";
import type { ResultStore, RunRow } from "../store/store.ts";
import { accuracyChart, energyChart, historyChart, latencyChart, paretoChart, phaseChart, trendChart, type HistoryPoint, type PhasePoint } from "./charts.ts";
import { campaignTrend, type TrendPoint } from "./trend.ts";
import { paretoPoints } from "./pareto.ts";
import { listWorkloads, type Workload } from "../workloads/registry.ts";
import { renderSvg } from "./render.ts";
import { loadConfig } from "../config.ts";
import { streamTimelineChart } from "./stream-timeline.ts";
import { streamResult } from "../store/streams.ts";

export interface ReportOptions {
  store: ResultStore;
  outDir?: string;
  /** Whose manifests the Pareto chart reads (default: the reference workloads). */
  workloads?: Workload[];
}

/** Text for HTML: markup characters (and both quotes, for attribute values) escaped. */
export const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const num = (v: unknown) => (typeof v === "number" ? v : Number.NaN);

export async function writeReport({ store, outDir = loadConfig().reports.value, workloads }: ReportOptions): Promise<string> {
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `${path.resolve(outDir)}: cannot write the report there (${code}${code === "EEXIST" || code === "ENOTDIR" ? ": a file is in the way, name a folder" : ""})`,
    );
  }
  // Per board, workload and mode: the headline run where there is one. Where there is none, the newest run stands in,
  // marked partial or exploratory in every chart and table; a newer partial run never replaces a headline.
  const headlines = store.headlineRuns();
  const sameTarget = (a: RunRow, b: RunRow) => a.board === b.board && a.workload === b.workload && a.variant === b.variant && a.mode === b.mode;
  const newest = store.latestRuns();
  const latest = newest.map((r) => headlines.find((h) => sameTarget(h, r)) ?? r);
  const others = newest.filter((r) => !latest.includes(r));
  const perf = latest.filter((r) => r.mode === "performance" && r.summary);
  const streams = latest.filter((r) => r.summary?.metric === "sww");
  const acc = latest.filter((r) => r.mode === "accuracy" && r.summary && r.summary.metric !== "sww");
  const energy = latestWithEnergy(latest);
  const trend = campaignTrend(store);

  const charts: { name: string; spec: TopLevelSpec | undefined }[] = [
    {
      name: "latency",
      spec: latencyChart(
        perf.map((r) => ({
          workload: named(r),
          board: `${r.board}${validityMark(r)}`,
          emulated: r.boardKind === "emulated" || r.simulated,
          medianMs: num(r.summary!.medianLatencyUs) / 1000,
          minMs: num(r.summary!.minLatencyUs) / 1000,
          maxMs: num(r.summary!.maxLatencyUs) / 1000,
        })),
      ),
    },
    {
      name: "accuracy",
      spec: accuracyChart(
        acc.map((r) => ({
          workload: named(r),
          board: boardLabel(r),
          metric: String(r.summary!.metric),
          value: num(r.summary!.value),
          target: num((r.summary!.target as { value?: number } | undefined)?.value),
        })),
      ),
    },
    {
      name: "energy",
      spec: energyChart(
        energy.map((r) => ({
          workload: named(r),
          board: boardLabel(r),
          uj: num(r.summary!.medianEnergyPerInferenceUj),
          kind: r.modelled ? ("modelled" as const) : ("measured" as const),
        })),
      ),
    },
    { name: "energy-phases", spec: phaseChart(energy.flatMap((r) => phasePoints(r))) },
    { name: "latency-history", spec: historyChart(history(store)) },
    { name: "trend", spec: trendChart(trend) },
    { name: "pareto", spec: paretoChart(paretoPoints(workloads ?? listWorkloads(), latest)) },
    // streaming wake word: each stream's detections against its truth windows
    ...streams.flatMap((r) => {
      const s = streamResult(store, r.id);
      return s
        ? [
            {
              name: `stream-${r.id}`,
              spec: streamTimelineChart(`${named(r)} on ${r.board}: stream ${s.row.stream}, run ${r.id}`, s.row, s.detections, r.boardKind === "emulated"),
            },
          ]
        : [];
    }),
  ];
  const rendered: { name: string; title: string }[] = [];
  for (const c of charts) {
    if (!c.spec) continue;
    writeFileSync(path.join(outDir, `${c.name}.vl.json`), JSON.stringify(c.spec, null, 2));
    writeFileSync(path.join(outDir, `${c.name}.svg`), await renderSvg(c.spec));
    rendered.push({ name: c.name, title: chartTitle(c.spec as { title?: unknown }) ?? c.name });
  }
  const anyEmulated = latest.some((r) => r.boardKind === "emulated");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tinyrig report</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:90%}th{background:#f3f3f3}.note{background:#fff6d6;padding:8px;border:1px solid #e6d58a}figure img{max-width:100%;height:auto}code{font-size:90%}</style>
</head><body>
<h1>tinyrig report</h1>
<p>Generated ${esc(new Date().toISOString())} from <code>${esc(store.file)}</code>: per board, workload and mode, the latest headline run (the full test set, 5 windows of at least 10 s, the committed dataset), or where there is none the latest run, marked <b>[partial]</b> or <b>[exploratory]</b> wherever it appears. Newer runs that are not headlines never replace one: they are listed last.</p>
${anyEmulated ? `<p class="note">Rows marked <b>emulated</b> ran on a QEMU board under <code>-icount</code>: latency is virtual time (instructions x a fixed period), deterministic but not a measurement of silicon. Energy marked <b>modelled</b> comes from the board file's power model, never from a meter.</p>` : ""}
${rendered.map((c) => `<figure><img src="${c.name}.svg" alt="${esc(c.title)}"><figcaption><a href="${c.name}.vl.json">Vega-Lite spec</a></figcaption></figure>`).join("\n")}
${trendTable(trend)}
<h2>Latest runs</h2>
${runTable(latest)}
${others.length ? `<h2>Newer runs that are not headline results</h2>\n${runTable(others)}` : ""}
</body></html>
`;
  const index = path.join(outDir, "index.html");
  writeFileSync(index, html);
  return index;
}

/** Runs that measured energy (energy runs, and performance runs a monitor watched): the latest per board and workload. */
function latestWithEnergy(latest: RunRow[]): RunRow[] {
  const best = new Map<string, RunRow>();
  for (const r of latest) {
    if (typeof r.summary?.medianEnergyPerInferenceUj !== "number") continue;
    const key = `${r.board}\0${named(r)}`;
    if ((best.get(key)?.id ?? -1) < r.id) best.set(key, r);
  }
  return [...best.values()];
}

/** A run's board as every chart names it: emulated boards (and emulators reached as a serial port) say so. */
export function boardLabel(r: RunRow): string {
  return `${r.board}${r.boardKind === "emulated" || r.simulated ? " (emulated)" : ""}${validityMark(r)}`;
}

/** ` [partial]` or ` [exploratory]` after anything that is not a headline result. */
export function validityMark(r: RunRow): string {
  return r.validity.class === "headline" ? "" : ` [${r.validity.class}]`;
}

/** A run's workload as the report names it: `vibration`, or `vibration/forest` for a variant of its model. */
export function named(r: RunRow): string {
  return r.variant ? `${r.workload}/${r.variant}` : r.workload;
}

function phasePoints(r: RunRow): PhasePoint[] {
  const phases = r.summary!.phasesUj as Record<string, number> | undefined;
  if (!phases) return [];
  const kind = r.modelled ? "modelled" : "measured";
  return Object.entries(phases).map(([phase, uj]) => ({ workload: named(r), board: boardLabel(r), phase, uj, kind }));
}

function history(store: ResultStore): HistoryPoint[] {
  return store
    .listRuns({ mode: "performance", status: "completed" })
    .filter((r) => r.summary)
    .map((r) => ({ run: r.id, startedAt: r.startedAt, series: `${boardLabel(r)} / ${named(r)}`, medianMs: num(r.summary!.medianLatencyUs) / 1000 }))
    .reverse();
}

/** The regressions the trend view marks, each with the gate's reason. */
function trendTable(points: TrendPoint[]): string {
  const marked = points.filter((p) => p.regressions.length);
  if (!points.length) return "";
  if (!marked.length) return "<p>Trend across campaigns: no regression between consecutive campaigns by the gate's rules.</p>";
  const rows = marked
    .map((p) => `<tr><td>${esc(p.campaign)}</td><td>${esc(p.series)}</td><td>run ${p.run}</td><td>${p.regressions.map(esc).join("<br>")}</td></tr>`)
    .join("\n");
  return `<h2>Regressions across campaigns</h2>\n<table><tr><th>campaign</th><th>board / workload</th><th>run</th><th>regressed (against the campaign before)</th></tr>\n${rows}\n</table>`;
}

function runTable(runs: RunRow[]): string {
  if (!runs.length) return "<p>No completed runs yet.</p>";
  const rows = runs
    .map(
      (r) =>
        `<tr><td>${r.id}</td><td>${esc(named(r))}</td><td>${esc(r.board)}${r.boardKind === "emulated" || r.simulated ? " <i>(emulated)</i>" : ""}</td><td>${r.mode}</td><td>${esc(formatRunFigure(r))}${r.validity.class === "headline" ? "" : ` <b>[${esc(r.validity.class)}: ${esc(r.validity.reasons.join("; "))}]</b>`}</td>` +
        `<td><code>${esc(r.firmwareSha256?.slice(0, 12) ?? "-")}</code></td><td><code>${esc(r.datasetSha256?.slice(0, 12) ?? "-")}</code></td>` +
        `<td>${esc(r.toolchain ?? "-")}</td><td>${esc(r.kernels ?? "-")}</td><td>${esc(r.tinyrigVersion)}</td><td>${esc(r.startedAt)}</td></tr>`,
    )
    .join("\n");
  return `<table><tr><th>run</th><th>workload</th><th>board</th><th>mode</th><th>result</th><th>firmware</th><th>dataset</th><th>toolchain</th><th>kernels</th><th>tinyrig</th><th>started</th></tr>\n${rows}\n</table>`;
}

/** A spec's title as text: Vega-Lite takes a string or an object with `text` (the stream timeline has a subtitle). */
function chartTitle(spec: { title?: unknown }): string | undefined {
  const t = spec.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && "text" in t) return String((t as { text: unknown }).text);
  return undefined;
}
