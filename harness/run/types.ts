// What the run loop exchanges with the stages around it: the workload it measures (from harness/workloads), what it
// returns per measurement, and (from harness/store/run-start.ts) what it hands the store. Types only.
import type { InputTransform } from "../build/firmware.ts";
import type { AccuracySummary } from "../modes/accuracy.ts";
import type { PerformanceSummary } from "../modes/performance.ts";
import type { InferenceMeasurement, ModeInput, RunMode, WindowMeasurement } from "../modes/types.ts";

export { RUN_MODES, type RunMode } from "../modes/types.ts";
export type { RunStart, SuiteStore } from "../store/run-start.ts";

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
  /** The quality the workload's author aims at; absent for a user's model (`--model`), which has none. */
  target?: { metric: "top1" | "auc"; value: number };
  /** A user's model file (`--model`): recorded with the run, so a resume finds it again. */
  modelFile?: string;
  performance: { iterations?: number; warmup: number };
  dataset: { sha256: string; source: string; inputs: ModeInput[] };
  /** Host reference: the raw output the int8 model gives for these input bytes. */
  hostReference?: (input: Uint8Array) => Uint8Array;
  /** The values a device prints for a raw output (dequantised): what firmware without raw output is compared on. */
  hostOutputs?: (raw: Uint8Array) => number[];
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
