// Which stored runs are headline results. A headline is measured the way MLPerf Tiny's rules say for its mode, over
// the full test set, on the committed dataset or one the workload's manifest declares; anything else is partial
// (fewer inputs or windows, short windows) or exploratory (another dataset), and never shown as the headline. Classified from what the run stored (its settings,
// summary and dataset), so a run keeps its class wherever it is read: report, summaries and exports.
import type { RunMode } from "../modes/types.ts";

import { describeDatasetSource, isHeadlineDataset } from "./dataset-source.ts";

export type ValidityClass = "headline" | "partial" | "exploratory" | "not a result";

export interface Validity {
  class: ValidityClass;
  /** Why it is not a headline (empty for a headline). */
  reasons: string[];
}

/** What classification reads of a stored run. */
export interface ClassifiedRun {
  mode: string;
  status: string;
  summary: Record<string, unknown> | null;
  datasetSource: string | null;
  datasetCount: number | null;
}

/** MLPerf Tiny's performance and energy rule: the median of 5 windows, each at least 10 s. */
export const HEADLINE_WINDOWS = 5;
export const HEADLINE_WINDOW_SECONDS = 10;

/** Per mode, what keeps a completed run from being a headline. A new mode adds its rule here (the type asks for one). */
const MODE_RULES: Record<RunMode, (summary: Record<string, unknown>, run: ClassifiedRun) => string[]> = {
  performance: windowRule,
  energy: windowRule,
  accuracy: (s, run) => {
    const count = num(s.count);
    return run.datasetCount !== null && count < run.datasetCount ? [`${count} of ${run.datasetCount} inputs`] : [];
  },
};

function windowRule(s: Record<string, unknown>): string[] {
  const reasons: string[] = [];
  const windows = num(s.windows);
  if (!(windows >= HEADLINE_WINDOWS)) reasons.push(`${windows} windows (a headline needs ${HEADLINE_WINDOWS})`);
  // Every window lasts its iterations times its latency (latency = window time / iterations): the shortest is the
  // smallest latency's.
  const shortestS = (num(s.minLatencyUs) * num(s.iterations)) / 1e6;
  if (!(shortestS >= HEADLINE_WINDOW_SECONDS)) reasons.push(`shortest window ${shortestS.toFixed(2)} s (a headline needs ${HEADLINE_WINDOW_SECONDS} s)`);
  return reasons;
}

export function classifyRun(run: ClassifiedRun): Validity {
  if (run.status !== "completed" || !run.summary) return { class: "not a result", reasons: [`run ${run.status}`] };
  const rule = (MODE_RULES as Record<string, (typeof MODE_RULES)[RunMode] | undefined>)[run.mode];
  const reasons = rule ? rule(run.summary, run) : [`no headline rule for mode ${run.mode}`];
  if (!isHeadlineDataset(run.datasetSource)) {
    return {
      class: "exploratory",
      reasons: [`dataset ${describeDatasetSource(run.datasetSource)} (a headline uses the committed test set or one its manifest declares)`, ...reasons],
    };
  }
  return reasons.length ? { class: "partial", reasons } : { class: "headline", reasons: [] };
}

function num(v: unknown): number {
  return typeof v === "number" ? v : Number.NaN;
}
