// One check per metric: a baseline run and a candidate run of the same board x workload x variant x mode, measured
// the same way (compare.ts makes sure), judged by the rules. Pure: what a run measured in, a verdict out.
import { median } from "../modes/stats.ts";
import type { GateRules } from "./rules.ts";
import { mannWhitneyU, mcNemar } from "./statistics.ts";

export type Metric = "latency" | "energy" | "memory" | "accuracy" | "bit-exact" | "detection" | "duty-cycle";

/**
 * pass: no regression by the rules; regression: measured worse; infrastructure: nothing to judge (the candidate did
 * not run, failed before it measured, or is not comparable); new: no baseline to compare with.
 */
export type Outcome = "pass" | "regression" | "infrastructure" | "new";

export interface MetricVerdict {
  metric: Metric;
  outcome: Outcome;
  baseline: string;
  candidate: string;
  /** Why, in a sentence: the delta and the test that decided. */
  reason: string;
}

/** What the checks read of a stored run. */
export interface MeasuredRun {
  /** Device time on an emulator under -icount (virtual time), not a physical clock. */
  emulated: boolean;
  /** -icount shift: one instruction = 2^shift virtual ns (emulated boards whose board file says so). */
  icountShift?: number;
  windows: { latencyUs: number; iterations: number; energyPerInferenceUj: number | null }[];
  energyKind: "measured" | "modelled" | null;
  /** Per input, as stored (classification: predicted vs label). */
  inferences: { inputIndex: number; label: number; predicted?: number }[];
  accuracy?: { metric: "top1" | "auc"; value: number };
  bitExact?: { matched: number; compared: number };
  memory: { flash: number | null; ram: number | null; arena: number | null };
  /** A scored stream (sww01): what was streamed and how it was scored, and the score. */
  stream?: {
    name: string;
    wavSha256: string;
    rules: { tpExtensionS: number; debounceS: number };
    truePositives: number;
    falseNegatives: number;
    falsePositives: number;
    dutyCycle: number;
  };
}

/** The metrics a run of this mode carries (what a baseline promises a candidate is judged on). */
export function metricsOf(mode: string, run: MeasuredRun): Metric[] {
  const energy = run.windows.some((w) => w.energyPerInferenceUj !== null);
  if (run.stream) return ["detection", "duty-cycle", "memory"];
  if (mode === "accuracy") return run.bitExact && run.bitExact.compared > 0 ? ["accuracy", "bit-exact"] : ["accuracy"];
  if (mode === "energy") return ["energy", "memory"];
  return energy ? ["latency", "energy", "memory"] : ["latency", "memory"];
}

export function checkMetric(metric: Metric, base: MeasuredRun, cand: MeasuredRun, rules: GateRules): MetricVerdict {
  switch (metric) {
    case "latency":
      return checkLatency(base, cand, rules);
    case "energy":
      return checkEnergy(base, cand, rules);
    case "memory":
      return checkMemory(base, cand, rules);
    case "accuracy":
      return checkAccuracy(base, cand, rules);
    case "bit-exact":
      return checkBitExact(base, cand, rules);
    case "detection":
      return checkDetection(base, cand, rules);
    case "duty-cycle":
      return checkDutyCycle(base, cand, rules);
  }
}

/** Why two stream runs were not scored the same way (another stream, other audio, other scoring rules); undefined: they were. */
function streamsDiffer(b: NonNullable<MeasuredRun["stream"]>, c: NonNullable<MeasuredRun["stream"]>): string | undefined {
  if (b.name !== c.name || b.wavSha256 !== c.wavSha256)
    return `other stream (baseline ${b.name} ${b.wavSha256.slice(0, 12)}, candidate ${c.name} ${c.wavSha256.slice(0, 12)})`;
  if (b.rules.tpExtensionS !== c.rules.tpExtensionS || b.rules.debounceS !== c.rules.debounceS)
    return `scored otherwise (baseline +${b.rules.tpExtensionS} s / debounce ${b.rules.debounceS} s, candidate +${c.rules.tpExtensionS} s / ${c.rules.debounceS} s)`;
  return undefined;
}

/** Misses and false accepts on the same stream: more of either than the rules tolerate is a regression. */
export function checkDetection(base: MeasuredRun, cand: MeasuredRun, rules: GateRules): MetricVerdict {
  const show = (r: MeasuredRun) => (r.stream ? `TP ${r.stream.truePositives} FN ${r.stream.falseNegatives} FP ${r.stream.falsePositives}` : "-");
  const verdict = (outcome: Outcome, reason: string): MetricVerdict => ({ metric: "detection", outcome, baseline: show(base), candidate: show(cand), reason });
  const b = base.stream;
  const c = cand.stream;
  if (!b || !c) return verdict("infrastructure", "no stream score stored on one side");
  const differs = streamsDiffer(b, c);
  if (differs) return verdict("infrastructure", `not comparable: ${differs}`);
  const moreMisses = c.falseNegatives - b.falseNegatives;
  const moreFalse = c.falsePositives - b.falsePositives;
  const { maxMoreMisses, maxMoreFalseAccepts } = rules.stream;
  const what = `FN ${signed(moreMisses)}, FP ${signed(moreFalse)}`;
  const worse = [
    moreMisses > maxMoreMisses ? `${moreMisses} more missed wake word${moreMisses === 1 ? "" : "s"} (tolerated ${maxMoreMisses})` : "",
    moreFalse > maxMoreFalseAccepts ? `${moreFalse} more false accept${moreFalse === 1 ? "" : "s"} (tolerated ${maxMoreFalseAccepts})` : "",
  ].filter(Boolean);
  if (worse.length) return verdict("regression", `${worse.join("; ")} on stream ${c.name}`);
  return verdict("pass", `${what} on stream ${c.name}`);
}

/** The share of each hop's time spent processing: growth beyond the rules' tolerance is a regression. */
export function checkDutyCycle(base: MeasuredRun, cand: MeasuredRun, rules: GateRules): MetricVerdict {
  const show = (r: MeasuredRun) => (r.stream ? `${(r.stream.dutyCycle * 100).toFixed(3)}%` : "-");
  const verdict = (outcome: Outcome, reason: string): MetricVerdict => ({ metric: "duty-cycle", outcome, baseline: show(base), candidate: show(cand), reason });
  const b = base.stream;
  const c = cand.stream;
  if (!b || !c || !Number.isFinite(b.dutyCycle) || !Number.isFinite(c.dutyCycle) || b.dutyCycle <= 0)
    return verdict("infrastructure", "no duty cycle stored on one side");
  const differs = streamsDiffer(b, c);
  if (differs) return verdict("infrastructure", `not comparable: ${differs}`);
  const growth = c.dutyCycle / b.dutyCycle - 1;
  const max = rules.stream.dutyCycleMaxIncrease;
  if (growth > max) return verdict("regression", `duty cycle ${pct(growth)} (tolerated ${pct(max)})${cand.emulated ? ", virtual time: the code changed" : ""}`);
  return verdict("pass", `duty cycle ${pct(growth)}`);
}

const pct = (x: number) => (x !== 0 && Math.abs(x) < 5e-5 ? `${x > 0 ? "+" : "-"}<0.01%` : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)}%`);
const ms = (us: number) => `${(us / 1000).toFixed(4)} ms`;
const signed = (x: number, digits = 0) => {
  const v = x === 0 ? 0 : x; // no "-0"
  return `${v >= 0 ? "+" : ""}${v.toLocaleString("en-US", { maximumFractionDigits: digits })}`;
};

export function checkLatency(base: MeasuredRun, cand: MeasuredRun, rules: GateRules): MetricVerdict {
  const b = base.windows.map((w) => w.latencyUs);
  const c = cand.windows.map((w) => w.latencyUs);
  const verdict = (outcome: Outcome, reason: string): MetricVerdict => ({
    metric: "latency",
    outcome,
    baseline: ms(median(b)),
    candidate: ms(median(c)),
    reason,
  });
  if (!b.length || !c.length) return verdict("infrastructure", `no windows (baseline ${b.length}, candidate ${c.length})`);
  const bm = median(b);
  const cm = median(c);
  const delta = cm - bm;
  const rel = delta / bm;
  if (base.emulated !== cand.emulated) return verdict("infrastructure", "one run is emulated, the other physical: not comparable");
  if (base.emulated) {
    // A window is timed in whole device microseconds: a difference below one tick spread over its inferences is not measured.
    const resolution = 1 / Math.min(...base.windows.map((w) => w.iterations), ...cand.windows.map((w) => w.iterations));
    const shift = base.icountShift !== undefined && base.icountShift === cand.icountShift ? base.icountShift : undefined;
    const instructions = shift === undefined ? "" : `${signed((delta * 1000) / 2 ** shift, 1)} instructions/inference, `;
    const change = `${instructions}${signed(delta, 3)} us/inference (${pct(rel)}) in virtual time`;
    if (Math.abs(delta) <= resolution)
      return verdict("pass", `unchanged in virtual time (emulated, deterministic; within the timer's ${resolution.toPrecision(2)} us/inference)`);
    if (delta > 0 || rules.latency.emulated.failOn === "any")
      return verdict("regression", `${change}: an emulator under -icount repeats exactly, so any change is the code's`);
    return verdict("pass", `faster: ${change}`);
  }
  if (b.length < 2 || c.length < 2) return verdict("infrastructure", `the test needs at least 2 windows a side (baseline ${b.length}, candidate ${c.length})`);
  const { statistic, pValue } = mannWhitneyU(c, b);
  const { alpha, maxIncrease } = rules.latency.physical;
  const test = `Mann-Whitney U ${statistic}, p = ${pValue.toPrecision(3)}`;
  if (pValue < alpha && rel > maxIncrease) return verdict("regression", `median ${pct(rel)} (more than ${pct(maxIncrease)}), ${test} < ${alpha}`);
  if (pValue >= alpha) return verdict("pass", `median ${pct(rel)}; no significant change (${test} >= ${alpha})`);
  return verdict("pass", `median ${pct(rel)}, within ${pct(maxIncrease)} (${test})`);
}

export function checkEnergy(base: MeasuredRun, cand: MeasuredRun, rules: GateRules): MetricVerdict {
  const of = (r: MeasuredRun) => r.windows.map((w) => w.energyPerInferenceUj).filter((e): e is number => e !== null);
  const b = of(base);
  const c = of(cand);
  const kind = (r: MeasuredRun) => (r.energyKind === "modelled" ? " (modelled)" : "");
  const uj = (xs: number[]) => (xs.length ? `${median(xs).toFixed(3)} uJ${kind(xs === b ? base : cand)}` : "-");
  const verdict = (outcome: Outcome, reason: string): MetricVerdict => ({ metric: "energy", outcome, baseline: uj(b), candidate: uj(c), reason });
  if (!b.length || !c.length) return verdict("infrastructure", `no energy windows (baseline ${b.length}, candidate ${c.length})`);
  if (base.energyKind !== cand.energyKind)
    return verdict("infrastructure", `baseline energy is ${base.energyKind}, candidate ${cand.energyKind}: not comparable`);
  const rel = (median(c) - median(b)) / median(b);
  const max = rules.energy.maxIncrease;
  return rel > max
    ? verdict("regression", `median per inference ${pct(rel)} (more than ${pct(max)})`)
    : verdict("pass", `median per inference ${pct(rel)} (within ${pct(max)})`);
}

export function checkMemory(base: MeasuredRun, cand: MeasuredRun, rules: GateRules): MetricVerdict {
  const parts = (["flash", "ram", "arena"] as const).filter((k) => base.memory[k] !== null && cand.memory[k] !== null);
  const show = (r: MeasuredRun) => parts.map((k) => `${k} ${r.memory[k]} B`).join(", ") || "-";
  const grown: string[] = [];
  const deltas: string[] = [];
  for (const k of parts) {
    const b = base.memory[k]!;
    const rel = b === 0 ? (cand.memory[k]! > 0 ? Infinity : 0) : (cand.memory[k]! - b) / b;
    deltas.push(`${k} ${signed(cand.memory[k]! - b)} B (${pct(rel)})`);
    if (rel > rules.memory[k]) grown.push(`${k} ${pct(rel)} (more than ${pct(rules.memory[k])})`);
  }
  const verdict = (outcome: Outcome, reason: string): MetricVerdict => ({ metric: "memory", outcome, baseline: show(base), candidate: show(cand), reason });
  if (!parts.length) return verdict("pass", "no sizes stored on both sides: nothing to compare");
  return grown.length ? verdict("regression", `grew: ${grown.join("; ")}`) : verdict("pass", deltas.join("; "));
}

export function checkAccuracy(base: MeasuredRun, cand: MeasuredRun, rules: GateRules): MetricVerdict {
  const show = (r: MeasuredRun) =>
    r.accuracy ? (r.accuracy.metric === "top1" ? `top-1 ${(r.accuracy.value * 100).toFixed(2)}%` : `AUC ${r.accuracy.value.toFixed(4)}`) : "-";
  const verdict = (outcome: Outcome, reason: string): MetricVerdict => ({ metric: "accuracy", outcome, baseline: show(base), candidate: show(cand), reason });
  const ba = base.accuracy;
  const ca = cand.accuracy;
  if (!ba || !ca || !Number.isFinite(ba.value) || !Number.isFinite(ca.value)) return verdict("infrastructure", "no accuracy stored on one side");
  if (ba.metric !== ca.metric) return verdict("infrastructure", `baseline measured ${ba.metric}, candidate ${ca.metric}: not comparable`);
  const drop = ba.value - ca.value;
  const { alpha, maxDrop } = rules.accuracy;
  const dropText = ba.metric === "top1" ? `${(drop * 100).toFixed(2)} points` : drop.toFixed(4);
  if (ba.metric === "auc") {
    // an anomaly score has no per-input right or wrong: the threshold alone decides
    return drop > maxDrop
      ? verdict("regression", `AUC dropped ${dropText} (more than ${maxDrop})`)
      : verdict("pass", `AUC change ${signed(-drop, 4)} (within ${maxDrop})`);
  }
  const candidate = new Map(cand.inferences.map((i) => [i.inputIndex, i]));
  if (base.inferences.length !== cand.inferences.length || base.inferences.some((i) => !candidate.has(i.inputIndex))) {
    return verdict(
      "infrastructure",
      `the runs classified different inputs (${base.inferences.length} and ${cand.inferences.length}): McNemar's test needs the same ones`,
    );
  }
  let lost = 0;
  let gained = 0;
  for (const b of base.inferences) {
    const c = candidate.get(b.inputIndex)!;
    const wasRight = b.predicted === b.label;
    const isRight = c.predicted === c.label;
    if (wasRight && !isRight) lost++;
    if (!wasRight && isRight) gained++;
  }
  const { pValue } = mcNemar(lost, gained);
  const test = `McNemar exact p = ${pValue.toPrecision(3)} (${lost} inputs lost, ${gained} gained of ${base.inferences.length})`;
  if (drop > maxDrop && pValue < alpha) return verdict("regression", `top-1 dropped ${dropText} (more than ${(maxDrop * 100).toFixed(2)}), ${test} < ${alpha}`);
  if (drop > maxDrop) return verdict("pass", `top-1 dropped ${dropText}, not significant: ${test} >= ${alpha}`);
  return verdict("pass", `top-1 change ${signed(-drop * 100, 2)} points (${test})`);
}

export function checkBitExact(base: MeasuredRun, cand: MeasuredRun, rules: GateRules): MetricVerdict {
  const show = (r: MeasuredRun) => (r.bitExact ? `${r.bitExact.matched}/${r.bitExact.compared}` : "-");
  const verdict = (outcome: Outcome, reason: string): MetricVerdict => ({ metric: "bit-exact", outcome, baseline: show(base), candidate: show(cand), reason });
  const b = base.bitExact;
  const c = cand.bitExact;
  const wasExact = b !== undefined && b.compared > 0 && b.matched === b.compared;
  if (rules.accuracy.bitExact === "ignore" || !wasExact)
    return verdict("pass", wasExact ? "not checked (rules: bitExact ignore)" : "the baseline was not bit-exact: nothing to keep");
  if (!c || c.compared === 0) return verdict("infrastructure", "the candidate compared no output with the host reference");
  return c.matched === c.compared
    ? verdict("pass", "still bit-exact with the host reference")
    : verdict("regression", `bit-exact with the host reference on ${c.matched} of ${c.compared} inputs (was all ${b!.compared})`);
}
