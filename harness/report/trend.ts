// The report's trend view: per board x workload, each campaign's latency and accuracy, every campaign judged against
// the one before it by the regression gate's rules (harness/gate/), so a regression shows where it came in. Only what
// the gate would judge is marked: completed, valid runs of the same dataset measured the same way.
import { checkMetric, metricsOf } from "../gate/checks.ts";
import { ineligible, notComparable, workloadName } from "../gate/compare.ts";
import { DEFAULT_GATE_RULES, type GateRules } from "../gate/rules.ts";
import { measuredRun } from "../gate/sources.ts";
import type { ResultStore, RunRow } from "../store/store.ts";

export interface TrendPoint {
  campaign: string;
  /** The campaign's place in time (0: the oldest). */
  order: number;
  /** board / workload, with "(emulated)" where it is. */
  series: string;
  measure: "latency (ms per inference)" | "accuracy";
  value: number;
  /** Not a headline result: partial or exploratory (never judged). */
  validity: string;
  /** The metrics the gate found regressed against the campaign before, with why; empty: none. */
  regressions: string[];
  run: number;
}

/** `modes`: the measurements to follow (default: latency and accuracy). */
export function campaignTrend(store: ResultStore, rules: GateRules = DEFAULT_GATE_RULES, modes: readonly string[] = ["performance", "accuracy"]): TrendPoint[] {
  const campaigns = store.campaigns().reverse(); // oldest first
  if (campaigns.length < 2) return [];
  const points: TrendPoint[] = [];
  /** The last judged run of each cell so far: what the next campaign is compared with. */
  const previous = new Map<string, RunRow>();
  campaigns.forEach((campaign, order) => {
    const newest = new Map<string, RunRow>();
    for (const r of store.listRuns({ campaign, status: "completed" })) {
      const key = `${r.board}\0${r.workload}\0${r.variant ?? ""}\0${r.mode}`;
      if (modes.includes(r.mode) && !newest.has(key)) newest.set(key, r); // listRuns: newest first
    }
    for (const [key, run] of newest) {
      const value = run.mode === "performance" ? Number(run.summary?.medianLatencyUs) / 1000 : Number(run.summary?.value);
      if (!Number.isFinite(value)) continue;
      const regressions: string[] = [];
      const before = previous.get(key);
      const eligible = ineligible(run, false) === undefined;
      if (before && eligible && notComparable(before, run) === undefined) {
        const base = measuredRun(store, before);
        const cand = measuredRun(store, run);
        for (const metric of metricsOf(run.mode, base)) {
          const v = checkMetric(metric, base, cand, rules);
          if (v.outcome === "regression") regressions.push(`${metric}: ${v.reason} (against campaign ${before.campaign})`);
        }
      }
      if (eligible) previous.set(key, run);
      points.push({
        campaign,
        order,
        run: run.id,
        value,
        regressions,
        series: `${run.board}${run.boardKind === "emulated" || run.simulated ? " (emulated)" : ""} / ${workloadName(run)}`,
        measure: run.mode === "performance" ? "latency (ms per inference)" : "accuracy",
        validity: run.validity.class === "headline" ? "headline" : run.validity.class,
      });
    }
  });
  return points;
}
