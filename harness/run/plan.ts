// The run plan: everything one `tinyrig run` will do, decided up front from the resolved options, before anything is
// built: boards x workloads (variants are workloads of their own) x measurements, and for each measurement how its
// energy is obtained. planRun is pure (no I/O): the executor (harness/run/execute.ts) carries the plan out, and a
// test can check every energy decision without a board.
import type { BoardDefinition } from "../boards/schema.ts";
import type { PrebuiltFirmware } from "../build/prebuilt.ts";
import type { RunMode } from "../modes/types.ts";
import type { ResumeState, SuiteWorkload } from "./types.ts";

/** The options a plan is made from, as the command line resolved them. */
export interface RunOptions {
  /** The measurements asked for; undefined: each board's defaults (see defaultModes). */
  modes?: readonly RunMode[];
  /**
   * How energy is measured. `auto`: alongside latency, in the same windows, wherever the host reaches the device
   * directly (emulated boards; physical boards without an interface board); MLPerf's separate energy-mode firmware
   * run otherwise. `mlperf`: always the separate energy-mode run.
   */
  energyFlow: "auto" | "mlperf";
  performance: { windows: number; minWindowSeconds: number; iterations?: number; warmup?: number };
  /** Accuracy mode: only the first N inputs (a quick check); undefined: all of them. */
  limit?: number;
  /** Keep each energy window's raw monitor samples, compressed, referenced from the run. */
  rawTraces?: boolean;
  /** Continue a stored run that was interrupted. */
  resume?: ResumeState;
  /** How inputs reach the device: over its console (`line`, the default) or, on an emulated Arm board in accuracy mode,
   * through a host file the firmware reads by QEMU's semihosting (`file`: the whole test sets in CI). */
  inputChannel?: "line" | "file";
  /** `--firmware ELF`: this image runs instead of tinyrig's build (an emulated board; one image, so one workload). */
  firmware?: PrebuiltFirmware;
}

/** Where a window's energy comes from: the board's power model, its power monitor, or nowhere. */
export type EnergyMeterKind = "modelled" | "monitor";

/**
 * How one measurement obtains its energy.
 * - `none`: it measures none (accuracy; performance without energy).
 * - `modelled` / `monitor`: a meter watches this run's windows, in the same windows as the device's timer (`direct`)
 *   or on MLPerf's energy-mode firmware that prints no timestamps (`mlperf`).
 * - `performance-windows`: the energy mode rides on the performance run's windows, so it stores no run of its own
 *   (unless the device cannot pulse its timestamp pin and energy was asked for: then a failed energy run says so).
 */
export type EnergyHow = { source: "none" } | { source: EnergyMeterKind; flow: "direct" | "mlperf" } | { source: "performance-windows" };

export interface Measurement {
  mode: RunMode;
  energy: EnergyHow;
}

/** One bring-up of the board (a firmware build, a flash, a connection, maybe a meter) and what is measured on it. */
export interface SessionStep {
  kind: "session";
  /** Which firmware: timestamps printed (`performance`), or MLPerf's energy mode (the pin only). */
  firmware: "performance" | "energy";
  /** The meter opened with the board; `none`: no energy in this session. */
  meter: EnergyMeterKind | "none";
  /** In the order asked for. */
  measurements: Measurement[];
  /**
   * When the device turns out unable to pulse its timestamp pin (known only once it answers), the energy this session
   * was to measure alongside latency: `note`d with the performance run (modes defaulted) or stored as a `fail`ed
   * energy run (asked for).
   */
  withoutPins: "note" | "fail";
}

/** A measurement refused before anything is built: stored as a failed run with this error. */
export interface RefusedStep {
  kind: "refused";
  mode: RunMode;
  error: string;
}

export type WorkloadStep = SessionStep | RefusedStep;

export interface WorkloadPlan {
  workload: SuiteWorkload;
  steps: WorkloadStep[];
}

export interface BoardPlan {
  board: BoardDefinition;
  /** A physical board is one device: locked for the whole run. Each emulated run starts its own machine. */
  lock: boolean;
  modes: RunMode[];
  /** No --mode given: energy is measured only where the device can; where it cannot, that is noted, not failed. */
  modesDefaulted: boolean;
  workloads: WorkloadPlan[];
}

export interface RunPlan {
  options: RunOptions;
  boards: BoardPlan[];
}

export function planRun(options: RunOptions, boards: readonly BoardDefinition[], workloads: readonly SuiteWorkload[]): RunPlan {
  return { options, boards: boards.map((board) => planBoard(options, board, workloads)) };
}

/** Latency and accuracy always; energy too where it costs nothing more: a power model or a power monitor is there. */
export function defaultModes(board: BoardDefinition): RunMode[] {
  const energy = board.kind === "emulated" ? board.powerModel !== undefined : board.powerMonitor !== undefined;
  return energy ? ["performance", "accuracy", "energy"] : ["performance", "accuracy"];
}

function planBoard(options: RunOptions, board: BoardDefinition, workloads: readonly SuiteWorkload[]): BoardPlan {
  const modesDefaulted = options.modes === undefined;
  const modes = options.modes ? [...options.modes] : defaultModes(board);
  const energy = modes.includes("energy");
  const meter: EnergyMeterKind = board.kind === "emulated" ? "modelled" : "monitor";
  // An emulated board's energy comes from its power model: without one there is nothing to build and boot for.
  const noModel =
    energy && board.kind === "emulated" && !board.powerModel
      ? `${board.file}: no powerModel, so energy on this emulated board cannot be modelled (the board file says why)`
      : undefined;
  const alongside = energy && !noModel && measuresEnergyAlongside(board, options.energyFlow);
  const direct = modes.filter((m) => m !== "energy" || alongside);
  const energyOf = (mode: RunMode): EnergyHow => {
    if (mode === "accuracy" || !alongside) return { source: "none" };
    // performance windows carry the energy when both were asked for; energy alone gets windows of its own
    if (mode === "energy" && modes.includes("performance")) return { source: "performance-windows" };
    return { source: meter, flow: "direct" };
  };
  const steps: WorkloadStep[] = [];
  if (direct.length) {
    steps.push({
      kind: "session",
      firmware: "performance",
      meter: alongside ? meter : "none",
      measurements: direct.map((mode) => ({ mode, energy: energyOf(mode) })),
      withoutPins: modesDefaulted ? "note" : "fail",
    });
  }
  if (noModel) steps.push({ kind: "refused", mode: "energy", error: noModel });
  else if (energy && !alongside) {
    // MLPerf's energy set-up: energy-mode firmware, the DUT behind the interface board where there is one
    steps.push({
      kind: "session",
      firmware: "energy",
      meter,
      measurements: [{ mode: "energy", energy: { source: meter, flow: "mlperf" } }],
      withoutPins: "fail",
    });
  }
  return { board, lock: board.kind === "physical", modes, modesDefaulted, workloads: workloads.map((workload) => ({ workload, steps })) };
}

/**
 * Energy can be measured in the same windows as latency when the host talks to the device directly while the monitor
 * samples: always on an emulated board; on a physical one with a power monitor and no interface board in between.
 */
function measuresEnergyAlongside(board: BoardDefinition, flow: "auto" | "mlperf"): boolean {
  if (flow === "mlperf") return false;
  return board.kind === "emulated" || (board.powerMonitor !== undefined && board.interfaceBoard === undefined);
}

/** A workload as the log names it: `vibration`, or `vibration/student-int8` for a variant. */
export function named(w: SuiteWorkload): string {
  return w.variant ? `${w.id}/${w.variant}` : w.id;
}
