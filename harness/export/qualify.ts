// Which stored runs may go into an MLPerf Tiny submission, and why the others may not. One place for the rules, from
// MLPerf Tiny's run rules and its submission checker (../shared/reference/mlperf-submission.md, dut-protocol.md).
// The window rule is the headline rule of harness/store/validity.ts (its constants); the rest is MLPerf's own: main
// model only, a declared dataset allowed, emulated results only when asked for.
import { describeDatasetSource, isHeadlineDataset } from "../store/dataset-source.ts";
import type { RunRow } from "../store/store.ts";
import { HEADLINE_WINDOWS, HEADLINE_WINDOW_SECONDS } from "../modes/types.ts";

export type Division = "closed" | "open";
export type Round = "v1.3" | "v1.4";
export const DIVISIONS: readonly Division[] = ["closed", "open"];
export const ROUNDS: readonly Round[] = ["v1.3", "v1.4"];

/** An MLPerf Tiny benchmark: its folder name in a submission and its closed-division accuracy target. */
export interface MlperfBenchmark {
  folder: "ad" | "ic" | "kws" | "vww";
  metric: "auc" | "top1";
  /** Closed division: the accuracy must be at least this (AUC as a fraction, top-1 as a fraction of 1). */
  target: number;
  /** Rounds whose checker knows the folder. */
  rounds: readonly Round[];
}

/** By the runner's model id (a workload manifest's mlperfModelId). Streaming sww01: MLPERF_STREAM_BENCHMARKS. */
export const MLPERF_BENCHMARKS: Readonly<Record<string, MlperfBenchmark>> = {
  ad01: { folder: "ad", metric: "auc", target: 0.85, rounds: ROUNDS },
  ic01: { folder: "ic", metric: "top1", target: 0.85, rounds: ROUNDS },
  kws01: { folder: "kws", metric: "top1", target: 0.9, rounds: ROUNDS },
  vww01: { folder: "vww", metric: "top1", target: 0.8, rounds: ROUNDS },
};

/** A streaming benchmark: scored on one long stream (TP/FN/FP), not on windows of clips. */
export interface MlperfStreamBenchmark {
  folder: "sww";
  /** The checker's TP + FN: the wake words of MLPerf's long test stream. */
  wakeWords: number;
  /** Closed division: at most this many false positives and false negatives. */
  maxFalsePositives: number;
  maxFalseNegatives: number;
  rounds: readonly Round[];
}

export const MLPERF_STREAM_BENCHMARKS: Readonly<Record<string, MlperfStreamBenchmark>> = {
  sww01: { folder: "sww", wakeWords: 50, maxFalsePositives: 8, maxFalseNegatives: 8, rounds: ROUNDS },
};

/** What a stream run's stored score says (harness/store/streams.ts's row, the fields the rules read). */
export interface StoredStreamScore {
  stream: string;
  wavSha256: string;
  truePositives: number;
  falseNegatives: number;
  falsePositives: number;
}

/** The workload's scored stream as its manifest commits it (name and WAV sha256). */
export interface CommittedStream {
  name: string;
  sha256: string;
}

/**
 * Why one stored stream run cannot be submitted (empty: it can): a completed run whose stored score is of the
 * workload's scored stream as committed (its WAV's sha256), every wake word of it scored, emulation only when asked
 * for, and in the closed division MLPerf's FP/FN limits.
 */
export function streamRunRules(
  run: RunRow,
  score: StoredStreamScore | undefined,
  benchmark: MlperfStreamBenchmark,
  committed: CommittedStream | undefined,
  opts: QualifyOptions,
): string[] {
  if (run.status !== "completed" || !run.summary) return [`run ${run.status}`];
  if (!score) return ["no stream result stored"];
  const reasons: string[] = [];
  if (run.variant !== null) reasons.push(`model variant ${run.variant} (a submission measures the workload's main model)`);
  if (!committed) reasons.push("the workload's manifest commits no scored stream");
  else if (score.stream !== committed.name) reasons.push(`stream ${score.stream} (the scored stream is ${committed.name})`);
  else if (score.wavSha256 !== committed.sha256)
    reasons.push(`stream ${score.stream} has sha256 ${score.wavSha256.slice(0, 12)}, the committed one ${committed.sha256.slice(0, 12)}`);
  if (run.datasetSha256 !== score.wavSha256) reasons.push("the run's dataset is not the scored stream's WAV");
  const windows = score.truePositives + score.falseNegatives;
  if (windows !== benchmark.wakeWords) reasons.push(`TP + FN = ${windows} (MLPerf's checker needs the ${benchmark.wakeWords} wake words of its long test)`);
  const { emulated, modelled } = emulation(run);
  if (!opts.allowEmulated && (emulated || modelled)) {
    reasons.push(`${[emulated ? "emulated (virtual time)" : "", modelled ? "modelled energy" : ""].filter(Boolean).join(", ")}: needs --allow-emulated`);
  }
  if (opts.division === "closed") {
    if (score.falsePositives > benchmark.maxFalsePositives)
      reasons.push(`${score.falsePositives} false positives (the closed division allows ${benchmark.maxFalsePositives})`);
    if (score.falseNegatives > benchmark.maxFalseNegatives)
      reasons.push(`${score.falseNegatives} false negatives (the closed division allows ${benchmark.maxFalseNegatives})`);
    // post-processing must match the reference in the closed division: MLPerf's firmware detects on every hop above 115
    const d = run.settings.detect as { class?: number; aboveInt8?: number; minHops?: number } | undefined;
    if (!d) reasons.push("the run recorded no detection rule (the closed division needs MLPerf's: output[0] > 115 on a hop)");
    else if (d.class !== 0 || d.aboveInt8 !== 115 || (d.minHops ?? 1) !== 1)
      reasons.push(
        `detection rule output[${d.class}] > ${d.aboveInt8} on ${d.minHops ?? 1} hop(s) in a row is not MLPerf's reference (output[0] > 115 on a hop): open division only`,
      );
  }
  return reasons;
}

/** MLPerf Tiny's performance and energy rule (the median of 5 windows, each at least 10 s): the headline rule. */
export const MLPERF_WINDOWS = HEADLINE_WINDOWS;
export const MLPERF_WINDOW_SECONDS = HEADLINE_WINDOW_SECONDS;

export interface QualifyOptions {
  division: Division;
  allowEmulated: boolean;
}

/** Emulated, simulated or modelled: what a run's figures are, for the refusal and the system notes. */
export function emulation(run: RunRow): { emulated: boolean; modelled: boolean } {
  return { emulated: run.boardKind === "emulated" || run.simulated, modelled: run.modelled };
}

/** Why one stored run cannot be submitted (empty: it can), whatever the division's accuracy target. */
export function runRules(run: RunRow, windowSeconds: number[], opts: QualifyOptions): string[] {
  const reasons: string[] = [];
  if (run.status !== "completed" || !run.summary) return [`run ${run.status}`];
  if (run.variant !== null) reasons.push(`model variant ${run.variant} (a submission measures the workload's main model)`);
  if (!run.datasetSource || !run.datasetSha256) reasons.push("no dataset recorded");
  else if (!isHeadlineDataset(run.datasetSource))
    reasons.push(`dataset ${describeDatasetSource(run.datasetSource)} (neither the committed test set nor one its manifest declares)`);
  const { emulated, modelled } = emulation(run);
  if (!opts.allowEmulated && (emulated || modelled)) {
    reasons.push(`${[emulated ? "emulated (virtual time)" : "", modelled ? "modelled energy" : ""].filter(Boolean).join(", ")}: needs --allow-emulated`);
  }
  if (run.mode === "accuracy") {
    const count = num(run.summary.count);
    if (run.datasetCount === null || !(count >= run.datasetCount)) reasons.push(`${count} of ${run.datasetCount ?? "?"} inputs (the full test set is needed)`);
    if (!Number.isFinite(num(run.summary.value))) reasons.push("no accuracy figure");
  } else {
    // The windows as stored, not the settings asked for: a window's device time is t1 - t0.
    if (windowSeconds.length < MLPERF_WINDOWS) reasons.push(`${windowSeconds.length} windows (MLPerf needs ${MLPERF_WINDOWS})`);
    const shortest = Math.min(...windowSeconds);
    if (windowSeconds.length && !(shortest >= MLPERF_WINDOW_SECONDS))
      reasons.push(`shortest window ${shortest.toFixed(2)} s (MLPerf needs ${MLPERF_WINDOW_SECONDS} s)`);
    if (!Number.isFinite(num(run.summary.medianThroughput))) reasons.push("no median throughput");
    if (run.mode === "energy" && !Number.isFinite(num(run.summary.medianEnergyPerInferenceUj))) reasons.push("no median energy per inference");
  }
  return reasons;
}

/** The closed division's accuracy target, checked on the measured figure (not the file's rounded one). */
export function accuracyRule(benchmark: MlperfBenchmark, value: number, division: Division): string[] {
  if (division !== "closed") return [];
  return value >= benchmark.target
    ? []
    : [`accuracy ${formatMetric(benchmark, value)} is under the closed division's target ${formatMetric(benchmark, benchmark.target)}`];
}

export function formatMetric(b: MlperfBenchmark, value: number): string {
  return b.metric === "auc" ? `AUC ${value.toFixed(4)}` : `top-1 ${(value * 100).toFixed(2)}%`;
}

function num(v: unknown): number {
  return typeof v === "number" ? v : Number.NaN;
}
