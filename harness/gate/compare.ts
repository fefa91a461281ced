// The regression gate: baseline runs against candidate runs, cell by cell (board x workload x variant x mode), each
// metric judged by the rules (checks.ts). Only comparable runs are judged: the same dataset, valid results, measured
// the same way. A candidate that failed before it measured, or that is missing where a baseline stands, is an
// infrastructure failure, never a regression; a regression is only ever a measured difference.
import { EXIT } from "../errors.ts";
import type { RunRow } from "../store/store.ts";
import { checkMetric, metricsOf, type MeasuredRun, type MetricVerdict, type Outcome } from "./checks.ts";
import type { GateRules } from "./rules.ts";

/** Runs to compare and how to read what each measured. */
export interface RunSource {
  /** What it is, for messages: a bundle's file, a database and campaign. */
  label: string;
  runs: RunRow[];
  measured(run: RunRow): MeasuredRun;
}

export interface CellKey {
  board: string;
  workload: string;
  variant: string | null;
  mode: string;
}

export interface CellReport extends CellKey {
  baselineRun?: RunRow;
  candidateRun?: RunRow;
  verdicts: MetricVerdict[];
}

export interface GateReport {
  baseline: string;
  candidate: string;
  cells: CellReport[];
  /** 0 pass, 1 regression, 3 infrastructure failure (a regression wins: it is a fact about the code; the failures still show). */
  exitCode: 0 | 1 | 3;
  counts: Record<Outcome, number>;
  /** Runs left out, with why (a failed or partial baseline run, ...). */
  notes: string[];
}

export interface GateOptions {
  rules: GateRules;
  /** Partial runs (fewer or shorter windows, fewer inputs) may be baselines and candidates, when both were measured the same way. */
  allowPartial?: boolean;
  /** Judge only these boards' cells. */
  boards?: string[];
  /** Judge only the cells of the candidate's own boards and workloads (`run --gate`: the run judges what it measured). */
  candidateScope?: boolean;
}

export const cellId = (c: CellKey): string => `${c.board}\0${c.workload}\0${c.variant ?? ""}\0${c.mode}`;
export const workloadName = (c: Pick<CellKey, "workload" | "variant">): string => (c.variant ? `${c.workload}/${c.variant}` : c.workload);

/** What must be equal for two windowed (or two accuracy) runs to be measured the same way. */
const MEASURED_THE_SAME_WAY = ["windows", "minWindowSeconds", "iterations", "warmup", "inputs", "limit"];

/** Why a run cannot be a baseline or a judged candidate; undefined: it can. */
export function ineligible(run: RunRow, allowPartial: boolean): string | undefined {
  if (run.status !== "completed") return `run ${run.status}${run.error ? `: ${firstLine(run.error)}` : ""}`;
  const v = run.validity;
  if (v.class === "headline") return undefined;
  if (v.class === "not a result") return `not a result (${v.reasons.join("; ")})`;
  return allowPartial ? undefined : `${v.class} (${v.reasons.join("; ")}); --allow-partial compares runs measured the same way`;
}

/** Why two runs of one cell are not comparable; undefined: they are. */
export function notComparable(base: RunRow, cand: RunRow): string | undefined {
  if (base.datasetSha256 !== cand.datasetSha256)
    return `other dataset (baseline ${base.datasetSha256?.slice(0, 12) ?? "none"}, candidate ${cand.datasetSha256?.slice(0, 12) ?? "none"})`;
  if (base.validity.class === "headline" && cand.validity.class === "headline") return undefined;
  const differs = MEASURED_THE_SAME_WAY.filter((k) => JSON.stringify(base.settings[k]) !== JSON.stringify(cand.settings[k]));
  return differs.length
    ? `a partial run measured otherwise than its baseline (${differs.map((k) => `${k} ${JSON.stringify(base.settings[k])} -> ${JSON.stringify(cand.settings[k])}`).join(", ")})`
    : undefined;
}

/** Per cell, the newest eligible baseline run (the ineligible ones noted). */
function baselineCells(source: RunSource, opts: GateOptions, notes: string[]): Map<string, RunRow> {
  const cells = new Map<string, RunRow>();
  for (const run of [...source.runs].sort((a, b) => b.id - a.id)) {
    const why = ineligible(run, opts.allowPartial ?? false);
    if (why) {
      notes.push(`baseline run ${run.uuid.slice(0, 8)} (${run.board} ${workloadName(run)} ${run.mode}) left out: ${why}`);
      continue;
    }
    if (!cells.has(cellId(run))) cells.set(cellId(run), run);
  }
  return cells;
}

/** Per cell, the newest completed candidate run, or the newest run at all where none completed. */
function candidateCells(source: RunSource): Map<string, RunRow> {
  const cells = new Map<string, RunRow>();
  for (const run of [...source.runs].filter((r) => r.status !== "running").sort((a, b) => b.id - a.id)) {
    const held = cells.get(cellId(run));
    if (!held || (held.status !== "completed" && run.status === "completed")) cells.set(cellId(run), run);
  }
  return cells;
}

export function compareRuns(baseline: RunSource, candidate: RunSource, opts: GateOptions): GateReport {
  const notes: string[] = [];
  const base = baselineCells(baseline, opts, notes);
  const cand = candidateCells(candidate);
  const targets = new Set([...cand.values()].map((r) => `${r.board}\0${r.workload}\0${r.variant ?? ""}`));
  const inScope = (c: CellKey) =>
    (!opts.boards || opts.boards.includes(c.board)) && (!opts.candidateScope || targets.has(`${c.board}\0${c.workload}\0${c.variant ?? ""}`));
  const cells: CellReport[] = [];
  for (const [id, b] of base) {
    if (!inScope(b)) continue;
    const key: CellKey = { board: b.board, workload: b.workload, variant: b.variant, mode: b.mode };
    const c = cand.get(id);
    const bm = baseline.measured(b);
    const metrics = metricsOf(b.mode, bm);
    const all = (outcome: Outcome, reason: string): MetricVerdict[] =>
      metrics.map((metric) => ({ metric, outcome, baseline: `run ${b.uuid.slice(0, 8)}`, candidate: c ? `run ${c.uuid.slice(0, 8)}` : "-", reason }));
    if (!c) {
      cells.push({
        ...key,
        baselineRun: b,
        verdicts: all("infrastructure", `no candidate run in ${candidate.label} (board unreachable, or its job did not run)`),
      });
      continue;
    }
    const why =
      c.status !== "completed"
        ? `candidate run ${c.status}: ${firstLine(c.error ?? "no error stored")}`
        : (ineligible(c, opts.allowPartial ?? false) ?? notComparable(b, c));
    if (why) {
      cells.push({ ...key, baselineRun: b, candidateRun: c, verdicts: all("infrastructure", why) });
      continue;
    }
    const cm = candidate.measured(c);
    cells.push({ ...key, baselineRun: b, candidateRun: c, verdicts: metrics.map((m) => checkMetric(m, bm, cm, opts.rules)) });
  }
  // candidate cells without a baseline: new (shown, not judged), or an infrastructure failure when the run failed
  for (const [id, c] of cand) {
    if (base.has(id) || !inScope(c)) continue;
    const failed = c.status !== "completed";
    cells.push({
      board: c.board,
      workload: c.workload,
      variant: c.variant,
      mode: c.mode,
      candidateRun: c,
      verdicts: [
        {
          metric: c.mode === "accuracy" ? "accuracy" : c.mode === "energy" ? "energy" : "latency",
          outcome: failed ? "infrastructure" : "new",
          baseline: "-",
          candidate: failed ? c.status : "measured",
          reason: failed ? `candidate run ${c.status}: ${firstLine(c.error ?? "no error stored")}` : "no baseline for this cell",
        },
      ],
    });
  }
  cells.sort((x, y) => x.board.localeCompare(y.board) || workloadName(x).localeCompare(workloadName(y)) || x.mode.localeCompare(y.mode));
  const counts: Record<Outcome, number> = { pass: 0, regression: 0, infrastructure: 0, new: 0 };
  for (const cell of cells) for (const v of cell.verdicts) counts[v.outcome]++;
  const exitCode = counts.regression ? EXIT.failure : counts.infrastructure ? EXIT.infrastructure : EXIT.ok;
  return { baseline: baseline.label, candidate: candidate.label, cells, exitCode, counts, notes };
}

function firstLine(text: string): string {
  return text.split("\n")[0]!;
}
