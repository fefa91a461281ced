// Scoring a stream as MLPerf Tiny's runner does (streaming_ww_utils.calc_detection_stats; streaming-wakeword.md §8):
//   1. for each truth window in file order, every detection in [start, end + tpExtension] is removed; the window is a
//      true positive if there was at least one, a false negative otherwise;
//   2. the remaining detections, in time order, are debounced: each survivor deletes every later one in
//      (t, t + debounce]; the survivors are false positives (a run of positives counts one per started second).
// MLPerf's README gives end + 1 s; its code adds the suppression delay twice (end + 2 s, quirk Q1): tpExtensionS says
// which, and is stored with every result. Duty cycle, throughput and modelled energy over the whole stream are here
// too: pure functions of what the device reported.

export interface ScoringRules {
  /** Seconds after a window's end during which a detection still counts for it (MLPerf README 1, code 2). */
  tpExtensionS: number;
  /** Seconds after a surviving false positive within which later detections are dropped (MLPerf: 1). */
  debounceS: number;
}

export const MLPERF_README_RULES: ScoringRules = { tpExtensionS: 1, debounceS: 1 };

export type DetectionVerdict =
  | { kind: "tp"; window: number }
  | { kind: "fp" }
  /** Dropped by the debounce after the false positive at `after` (index in the detections). */
  | { kind: "debounced"; after: number };

export interface StreamScore {
  truePositives: number;
  falseNegatives: number;
  falsePositives: number;
  /** false positives per hour of stream */
  falseAcceptsPerHour: number;
  /** Per truth window: the detections that counted for it (indices), empty for a miss. */
  windows: { start: number; end: number; detections: number[] }[];
  /** Per detection (same order as given). */
  verdicts: DetectionVerdict[];
  rules: ScoringRules;
}

/** `detections`: seconds from the stream's start; `windows`: [start, end] seconds, in file order. */
export function scoreDetections(
  detections: readonly number[],
  windows: readonly (readonly [number, number])[],
  lengthS: number,
  rules: ScoringRules = MLPERF_README_RULES,
): StreamScore {
  for (const t of detections) if (!Number.isFinite(t)) throw new Error(`detection time ${t} is not a number`);
  if (!(lengthS > 0)) throw new Error(`stream length ${lengthS} s is not positive`);
  const verdicts: (DetectionVerdict | undefined)[] = detections.map(() => undefined);
  // a tiny tolerance so a detection printed in whole milliseconds on a window's edge stays on it
  const eps = 1e-9;
  const scored = windows.map(([start, end], w) => {
    const hits: number[] = [];
    detections.forEach((t, i) => {
      if (verdicts[i] === undefined && t >= start - eps && t <= end + rules.tpExtensionS + eps) {
        verdicts[i] = { kind: "tp", window: w };
        hits.push(i);
      }
    });
    return { start, end, detections: hits };
  });
  const rest = detections
    .map((t, i) => ({ t, i }))
    .filter(({ i }) => verdicts[i] === undefined)
    .sort((a, b) => a.t - b.t || a.i - b.i);
  let fp = 0;
  let last: { t: number; i: number } | undefined;
  for (const d of rest) {
    if (last && d.t > last.t + eps && d.t <= last.t + rules.debounceS + eps) {
      verdicts[d.i] = { kind: "debounced", after: last.i };
    } else if (last && Math.abs(d.t - last.t) <= eps) {
      verdicts[d.i] = { kind: "debounced", after: last.i }; // the same instant twice
    } else {
      verdicts[d.i] = { kind: "fp" };
      fp++;
      last = d;
    }
  }
  const tp = scored.filter((w) => w.detections.length > 0).length;
  return {
    truePositives: tp,
    falseNegatives: windows.length - tp,
    falsePositives: fp,
    falseAcceptsPerHour: fp / (lengthS / 3600),
    windows: scored,
    verdicts: verdicts as DetectionVerdict[],
    rules,
  };
}

/** MLPerf's pass mark: FP <= 8 and FN <= 8 (of 50 on the long stream). */
export function meetsTarget(s: StreamScore, target: { maxFalsePositives: number; maxFalseNegatives: number }): boolean {
  return s.falsePositives <= target.maxFalsePositives && s.falseNegatives <= target.maxFalseNegatives;
}

/** F1 as MLPerf's submission checker computes it: 2TP / (2TP + FP + FN). */
export function f1(s: StreamScore): number {
  const d = 2 * s.truePositives + s.falsePositives + s.falseNegatives;
  return d === 0 ? 0 : (2 * s.truePositives) / d;
}

export interface ProcessingTimes {
  hops: number;
  /** Sum, least and most of the per-hop processing time (features + model + detection), microseconds. */
  totalUs: number;
  minUs: number;
  maxUs: number;
  /** The audio time one hop covers (32 ms at 512 samples and 16 kHz). */
  periodUs: number;
}

export interface DutyCycle {
  /** processing time / stream time, over every hop (not MLPerf's first 100 frames, quirk Q2) */
  dutyCycle: number;
  meanProcessingUs: number;
  /** 1 / mean processing time: the hops per second the device could process (MLPerf's "estimated throughput"). */
  throughputPerS: number;
  periodUs: number;
  /** Any hop slower than the period: a real device would have dropped audio. */
  overruns: boolean;
}

export function dutyCycle(p: ProcessingTimes): DutyCycle {
  if (p.hops <= 0) throw new Error("no hop was processed");
  const mean = p.totalUs / p.hops;
  return {
    dutyCycle: p.totalUs / (p.hops * p.periodUs),
    meanProcessingUs: mean,
    throughputPerS: 1e6 / mean,
    periodUs: p.periodUs,
    overruns: p.maxUs > p.periodUs,
  };
}

export interface PowerModel {
  voltageV: number;
  activeCurrentA: number;
  idleCurrentA?: number;
}

export interface StreamEnergy {
  energyUj: number;
  powerMw: number;
  durationUs: number;
  /** The idle current used: the board file's, or the active one where it has none (an upper bound). */
  idleCurrentA: number;
  idleFromBoard: boolean;
}

/**
 * Modelled energy of a stream on an emulated board: the power model's active current while processing, its idle
 * current for the rest of the stream's time (the active current where the board file gives no idle figure, as
 * harness/power/modelled.ts does).
 */
export function modelledStreamEnergy(p: ProcessingTimes, model: PowerModel): StreamEnergy {
  const durationUs = p.hops * p.periodUs;
  const busyUs = Math.min(p.totalUs, durationUs);
  const idleA = model.idleCurrentA ?? model.activeCurrentA;
  const energyUj = model.voltageV * (idleA * durationUs + (model.activeCurrentA - idleA) * busyUs);
  return { energyUj, powerMw: (energyUj / durationUs) * 1000, durationUs, idleCurrentA: idleA, idleFromBoard: model.idleCurrentA !== undefined };
}
