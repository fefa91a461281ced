// Accuracy against cost for every model of each workload (the main int8 model and its variants): host figures from
// the manifests (accuracy, MACs or the classical model's operation count, model bytes) and, where runs exist, the
// latest on-device latency with the device's accuracy. Each group's Pareto front is marked: no other model of that
// workload is at most as costly and at least as accurate, and strictly better in one of the two.
import type { RunRow } from "../store/store.ts";
import { variantAccuracy } from "../workloads/manifest.ts";
import type { Workload } from "../workloads/registry.ts";

export interface ParetoPoint {
  workload: string;
  /** "model (int8)" for the main model, else the variant id. */
  model: string;
  /** The cost axis: "MACs (ops for classical)", "model bytes", or "ms per inference on <board>". */
  measure: string;
  cost: number;
  accuracy: number;
  metric: string;
  /** "host (manifest)" or "device: <board>". */
  source: string;
  /** Where the accuracy came from for device points: the device's accuracy run, or the manifest when none exists. */
  accuracyFrom: string;
  front: boolean;
}

const MAIN = "model (int8)";
const num = (v: unknown) => (typeof v === "number" ? v : Number.NaN);

export function paretoPoints(workloads: Workload[], latest: RunRow[]): ParetoPoint[] {
  const points: Omit<ParetoPoint, "front">[] = [];
  for (const w of workloads) {
    const m = w.manifest;
    const models = [
      { model: MAIN, variant: null as string | null, macs: m.model.macs, bytes: m.model.bytes, accuracy: m.quality?.int8 ?? Number.NaN },
      ...m.variants.map((v) => ({ model: v.id, variant: v.id, macs: v.macs, bytes: v.bytes, accuracy: variantAccuracy(v) ?? Number.NaN })),
    ];
    const metric = m.metric.name;
    for (const x of models) {
      if (!Number.isFinite(x.accuracy)) continue;
      const host = { workload: w.id, model: x.model, accuracy: x.accuracy, metric, source: "host (manifest)", accuracyFrom: "host" };
      points.push({ ...host, measure: "MACs (ops for classical)", cost: x.macs });
      points.push({ ...host, measure: "model bytes", cost: x.bytes });
    }
    for (const perf of newest(latest.filter((r) => r.workload === w.id && r.mode === "performance" && r.summary))) {
      const x = models.find((mm) => mm.variant === perf.variant);
      if (!x) continue; // a variant this manifest no longer has
      const acc = newest(
        latest.filter((r) => r.mode === "accuracy" && r.summary && r.workload === w.id && r.variant === perf.variant && r.board === perf.board),
      )[0];
      const board = `${perf.board}${perf.boardKind === "emulated" || perf.simulated ? " (emulated)" : ""}${perf.validity.class === "headline" ? "" : ` [${perf.validity.class}]`}`;
      points.push({
        workload: w.id,
        model: x.model,
        metric,
        measure: `ms per inference on ${board}`,
        cost: num(perf.summary!.medianLatencyUs) / 1000,
        accuracy: acc ? num(acc.summary!.value) : x.accuracy,
        source: `device: ${board}`,
        accuracyFrom: acc ? `device run ${acc.id}` : "host (no accuracy run on this board)",
      });
    }
  }
  return markFront(points.filter((p) => Number.isFinite(p.cost) && p.cost > 0 && Number.isFinite(p.accuracy)));
}

/** The newest run per (board, workload, variant): the store's latest runs are per workload row, which a manifest change renews. */
function newest(runs: RunRow[]): RunRow[] {
  const best = new Map<string, RunRow>();
  for (const r of runs) {
    const k = `${r.board}\0${r.workload}\0${r.variant ?? ""}`;
    if ((best.get(k)?.id ?? -1) < r.id) best.set(k, r);
  }
  return [...best.values()];
}

/** Marks the Pareto front of each (workload, measure, source) group: lower cost and higher accuracy are better. */
export function markFront<P extends Pick<ParetoPoint, "workload" | "measure" | "source" | "cost" | "accuracy">>(points: P[]): (P & { front: boolean })[] {
  const key = (p: P) => `${p.workload}\0${p.measure}\0${p.source}`;
  return points.map((p) => ({
    ...p,
    front: !points.some((q) => q !== p && key(q) === key(p) && q.cost <= p.cost && q.accuracy >= p.accuracy && (q.cost < p.cost || q.accuracy > p.accuracy)),
  }));
}
