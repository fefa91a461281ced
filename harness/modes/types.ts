// What the run modes need and produce. Modes talk to a protocol session and hand every measurement to a sink
// (the store, in a real run) the moment it exists, so a run killed mid-way keeps what it measured.
import type { DutSession } from "../protocol/session.ts";

/**
 * Every measurement a run can make: the one list a new mode is added to. The CLI's --mode choices, the RunMode type,
 * the store's validation and its SQL CHECK all derive from it.
 */
export const RUN_MODES = ["performance", "accuracy", "energy"] as const;
export type RunMode = (typeof RUN_MODES)[number];

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
