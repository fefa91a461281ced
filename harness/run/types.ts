// What the run loop exchanges with the stages around it: the workload it measures (from harness/workloads), what it
// hands the store, and what it returns per measurement. Types only.
import type { BoardDefinition } from "../boards/schema.ts";
import type { FirmwareImage, InputTransform } from "../build/firmware.ts";
import type { AccuracySummary } from "../modes/accuracy.ts";
import type { PerformanceSummary } from "../modes/performance.ts";
import type { EnergyWindowMeasurement, InferenceMeasurement, ModeInput, RunMode, WindowMeasurement } from "../modes/types.ts";
import type { EnergyTrace } from "../power/types.ts";
import type { EnergySource } from "../store/store.ts";
import type { BoardConnection } from "./connect.ts";

export { RUN_MODES, type RunMode } from "../modes/types.ts";

/** What the run loop needs to know of a workload (harness/workloads provides it). */
export interface SuiteWorkload {
  id: string;
  /** The manifest variant measured instead of the main model (stored with the run); undefined: the main model. */
  variant?: string;
  /** `classical`: modelPath is a C source (a classical model compiled to C), built with MODEL_KIND=classical. */
  modelKind?: "tflite" | "classical";
  mlperfModelId: string;
  task: "classification" | "anomaly";
  manifestSha256: string;
  modelPath: string;
  modelSha256: string;
  modelBytes: number;
  params?: number;
  macs?: number;
  inputBytes: number;
  transform: InputTransform;
  labels: string[];
  target: { metric: "top1" | "auc"; value: number };
  performance: { iterations?: number; warmup: number };
  dataset: { sha256: string; source: string; inputs: ModeInput[] };
  /** Host reference: the raw output the int8 model gives for these input bytes. */
  hostReference?: (input: Uint8Array) => Uint8Array;
}

export interface RunStart {
  mode: RunMode;
  board: BoardDefinition;
  workload: SuiteWorkload;
  /** Undefined when the build failed; `connection` when flashing or connecting did (a failed run is stored all the same). */
  firmware?: FirmwareImage;
  connection?: BoardConnection;
  settings: Record<string, unknown>;
  /** True when the board is emulated: nothing in the run was measured on hardware. */
  simulated: boolean;
  /** True when energy figures come from a power model, not a monitor. */
  modelled?: boolean;
  /** What is known of where the figures come from (see firmwareProvenance). */
  provenance?: { console: string; flasher: string; deviceBuildId?: string; firmware: string };
}

/** What the run loop needs of the store (harness/store provides it). */
export interface SuiteStore {
  startRun(start: RunStart): number;
  window(runId: number, w: WindowMeasurement | EnergyWindowMeasurement, source?: EnergySource): void;
  inference(runId: number, i: InferenceMeasurement): void;
  finishRun(runId: number, summary: Record<string, unknown>): void;
  /** A window's raw monitor samples (optional, compressed by the store). */
  trace(runId: number, window: number, trace: EnergyTrace): void;
  failRun(runId: number, error: string, status: "failed" | "interrupted"): void;
}

/** A stored run to continue: its id and what it already holds (harness/run/resume.ts reads it back). */
export interface ResumeState {
  runId: number;
  mode: RunMode;
  workload: string;
  firmwareSha256: string | null;
  windows: WindowMeasurement[];
  inferences: InferenceMeasurement[];
}

/** One measurement's outcome, stored or not. */
export interface SuiteResult {
  workload: string;
  /** Set when a variant of the workload's model was measured. */
  variant?: string;
  mode: RunMode;
  runId?: number;
  status: "completed" | "failed" | "interrupted";
  error?: string;
  performance?: PerformanceSummary;
  accuracy?: AccuracySummary;
  /** Energy runs, and performance runs whose windows a power monitor watched as well. */
  energy?: PerformanceSummary;
}
