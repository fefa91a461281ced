// What the run modes need and produce. Modes talk to a protocol session and hand every measurement to a sink
// (the store, in a real run) the moment it exists, so a run killed mid-way keeps what it measured.
import type { DutSession } from "../protocol/session.ts";

/** MLPerf Tiny's performance and energy rule: the median of 5 windows, each at least 10 s. */
export const HEADLINE_WINDOWS = 5;
export const HEADLINE_WINDOW_SECONDS = 10;

/** What a mode measures over: timed windows of repeated inferences (runPerformance), or each input once (runAccuracy). */
export type Measures = "windows" | "inputs";

/** What keeps a completed run of a mode from being a headline (none: it is one), read off what the run stored. */
export type HeadlineRule = (summary: Record<string, unknown>, run: { datasetCount: number | null }) => string[];

export interface ModeDefinition {
  /** `--mode` help. */
  describe: string;
  measures: Measures;
  /** The run's leading figure: latency (ms per inference), energy per inference, or the accuracy metric. */
  figure: "latency" | "energy" | "accuracy";
  headline: HeadlineRule;
}

const num = (v: unknown) => (typeof v === "number" ? v : Number.NaN);

/** Performance and energy: enough windows, each long enough. */
const windowRule: HeadlineRule = (s) => {
  const reasons: string[] = [];
  const windows = num(s.windows);
  if (!(windows >= HEADLINE_WINDOWS)) reasons.push(`${windows} windows (a headline needs ${HEADLINE_WINDOWS})`);
  // the shortest window's own device time; runs stored before it was summarised: its latency x the iterations
  const shortestS = (s.minWindowUs !== undefined ? num(s.minWindowUs) : num(s.minLatencyUs) * num(s.iterations)) / 1e6;
  if (!(shortestS >= HEADLINE_WINDOW_SECONDS)) reasons.push(`shortest window ${shortestS.toFixed(2)} s (a headline needs ${HEADLINE_WINDOW_SECONDS} s)`);
  return reasons;
};

/**
 * Every measurement a run can make: the one place a new mode is added. The CLI's --mode choices, the RunMode type, the
 * store's validation, the executor's choice of runner (by `measures`), the headline rule and the figure printed all
 * read it; the run table keeps the mode as text (no SQL CHECK since schema 10), so a new mode needs no migration.
 */
export const MODES = {
  performance: { describe: "latency: median of timed windows", measures: "windows", figure: "latency", headline: windowRule },
  accuracy: {
    describe: "every test input once: top-1 or AUC, bit-exactness against the host",
    measures: "inputs",
    figure: "accuracy",
    headline: (s, run) => {
      // a stream's score is its accuracy (sww01): a headline scores the workload's whole scored stream
      if (s.metric === "sww") return s.scoredStream === true ? [] : [`stream ${String(s.stream)}: not the workload's scored stream`];
      const count = num(s.count);
      if (!(count > 0)) return ["no inputs counted"];
      return run.datasetCount !== null && count < run.datasetCount ? [`${count} of ${run.datasetCount} inputs`] : [];
    },
  },
  energy: { describe: "energy per inference over timed windows", measures: "windows", figure: "energy", headline: windowRule },
} as const satisfies Record<string, ModeDefinition>;

export type RunMode = keyof typeof MODES;
export const RUN_MODES = Object.keys(MODES) as RunMode[];

/** A mode's definition; undefined for a name this tinyrig does not know (a run stored by a newer one). */
export function modeDefinition(mode: string): ModeDefinition | undefined {
  return Object.hasOwn(MODES, mode) ? MODES[mode as RunMode] : undefined;
}

/** One test input as a mode sees it (from a workload's dataset). */
export interface ModeInput {
  index: number;
  file: string;
  label: number;
  bytes(): Uint8Array;
  /** AD: the file is sent as sliding windows of `bytes`, `stride` apart. */
  window?: { bytes: number; stride: number };
}

export interface WindowMeasurement {
  index: number;
  inputIndex: number;
  iterations: number;
  warmup: number;
  t0Us: number;
  t1Us: number;
  latencyUs: number;
  throughput: number;
}

/** A window measured by a power monitor: t0/t1 and latency come from the monitor's edges, not the device's timer. */
export interface EnergyWindowMeasurement extends WindowMeasurement {
  energyUj: number;
  energyPerInferenceUj: number;
  phasesUj?: Record<string, number>;
}

export interface InferenceMeasurement {
  inputIndex: number;
  file: string;
  label: number;
  /** The int8 output tensor as the device produced it (tinyrig firmware), for bit-exact checks. */
  rawOutput?: Uint8Array;
  outputs: number[];
  /** Classification: the winning class's value; anomaly detection: the clip's anomaly score. */
  score: number;
  predicted?: number;
  /** undefined when no host reference was available for the comparison. */
  equalsHostReference?: boolean;
  latencyUs?: number;
}

export interface RunSink {
  window(w: WindowMeasurement | EnergyWindowMeasurement): void;
  inference(i: InferenceMeasurement): void;
}

export interface ModeContext {
  session: DutSession;
  inputs: ModeInput[];
  sink: RunSink;
  log(line: string): void;
  progress?(done: number, total: number, what: string): void;
  /** Guards every device step (the emulator dying under us aborts at once). */
  guard<T>(step: Promise<T>): Promise<T>;
  signal?: AbortSignal;
}

export class ModeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModeError";
  }
}
