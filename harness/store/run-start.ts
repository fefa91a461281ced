// What the store takes when a run starts and while it measures: only the fields it records, so the store depends on
// nothing above it (the run loop's workload, firmware image and connection satisfy these shapes as they are).
import type { BoardDefinition } from "../boards/schema.ts";
import type { EnergyWindowMeasurement, InferenceMeasurement, RunMode, WindowMeasurement } from "../modes/types.ts";
import type { EnergyTrace } from "../power/types.ts";
import type { DutIdentity } from "../protocol/session.ts";

/** The workload measured, as the store records it (harness/run's SuiteWorkload is one). */
export interface StoredWorkload {
  id: string;
  /** The manifest variant measured instead of the main model; undefined: the main model. */
  variant?: string;
  manifestSha256: string;
  modelSha256: string;
  modelBytes: number;
  params?: number;
  macs?: number;
  dataset: { sha256: string; source: string; inputs: { length: number } };
}

/** The firmware image, as the store records it (harness/build's FirmwareImage is one). */
export interface StoredFirmware {
  sha256: string;
  bytes: number;
  sizes: { flash: number; ram: number };
  toolchain: string;
  kernels: string;
  timestampMode: "performance" | "energy";
  config: Record<string, string>;
}

export interface RunStart {
  mode: RunMode;
  board: Pick<BoardDefinition, "name" | "fileSha256" | "text" | "kind" | "file">;
  workload: StoredWorkload;
  /** Undefined when the build failed; `connection` when flashing or connecting did (a failed run is stored all the same). */
  firmware?: StoredFirmware;
  connection?: { identity: DutIdentity };
  settings: Record<string, unknown>;
  /** True when the board is emulated: nothing in the run was measured on hardware. */
  simulated: boolean;
  /** True when energy figures come from a power model, not a monitor. */
  modelled?: boolean;
  /** What is known of where the figures come from (harness/run/execute.ts firmwareProvenance). */
  provenance?: { console: string; flasher: string; deviceBuildId?: string; firmware: string };
}

/** Who measured (or modelled) a window's energy. */
export interface EnergySource {
  monitor: string;
  sampleRateHz?: number;
  voltageV?: number;
  kind: "measured" | "modelled";
}

/** What the run loop needs of the store (ResultStore is one). */
export interface SuiteStore {
  startRun(start: RunStart): number;
  window(runId: number, w: WindowMeasurement | EnergyWindowMeasurement, source?: EnergySource): void;
  inference(runId: number, i: InferenceMeasurement): void;
  finishRun(runId: number, summary: Record<string, unknown>): void;
  /** A window's raw monitor samples (optional, compressed by the store). */
  trace(runId: number, window: number, trace: EnergyTrace): void;
  failRun(runId: number, error: string, status: "failed" | "interrupted"): void;
}
