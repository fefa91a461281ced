// Which stored runs are headline results. A headline is measured the way MLPerf Tiny's rules say for its mode, over
// the full test set, on the committed dataset or one the workload's manifest declares; anything else is partial
// (fewer inputs or windows, short windows) or exploratory (another dataset), and never shown as the headline. Classified from what the run stored (its settings,
// summary and dataset), so a run keeps its class wherever it is read: report, summaries and exports.
import { modeDefinition } from "../modes/types.ts";

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

export function classifyRun(run: ClassifiedRun): Validity {
  if (run.status !== "completed" || !run.summary) return { class: "not a result", reasons: [`run ${run.status}`] };
  const rule = modeDefinition(run.mode)?.headline;
  const reasons = rule ? rule(run.summary, run) : [`no headline rule for mode ${run.mode}`];
  if (!isHeadlineDataset(run.datasetSource)) {
    return {
      class: "exploratory",
      reasons: [`dataset ${describeDatasetSource(run.datasetSource)} (a headline uses the committed test set or one its manifest declares)`, ...reasons],
    };
  }
  return reasons.length ? { class: "partial", reasons } : { class: "headline", reasons: [] };
}
