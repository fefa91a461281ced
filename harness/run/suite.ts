// The run loop: for each workload, build the firmware, bring the board up, run each mode, and hand every
// measurement to the store as it arrives. A failure ends that run (stored as failed, with the error), the board
// is torn down, and the next workload starts from a fresh flash.
import type { BoardDefinition } from "../boards/schema.ts";
import { lockBoard } from "../boards/lock.ts";
import { buildFirmware, type FirmwareImage, type InputTransform } from "../build/firmware.ts";
import { runAccuracy, type AccuracySummary } from "../modes/accuracy.ts";
import { runPerformance, type PerformanceSummary, type WindowEnergy } from "../modes/performance.ts";
import type { EnergyWindowMeasurement, InferenceMeasurement, ModeInput, RunSink, WindowMeasurement } from "../modes/types.ts";
import { ModelledMeter } from "../power/modelled.ts";
import { openPowerMonitor } from "../power/index.ts";
import type { EnergyMeter, EnergyTrace } from "../power/types.ts";
import type { EnergySource } from "../store/store.ts";
import { connectBoard, raceExit, type BoardConnection } from "./connect.ts";
import type { Progress } from "./progress.ts";

export type RunMode = "performance" | "accuracy" | "energy";

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
  firmware: FirmwareImage;
  connection: BoardConnection;
  settings: Record<string, unknown>;
  /** True when the board is emulated: nothing in the run was measured on hardware. */
  simulated: boolean;
  /** True when energy figures come from a power model, not a monitor. */
  modelled?: boolean;
}

/** What the run loop needs of the store (harness/store provides it). */
export interface SuiteStore {
  startRun(start: RunStart): number;
  /** Marks a stored run running again (resume), owned by this process. */
  reopenRun(runId: number): void;
  window(runId: number, w: WindowMeasurement | EnergyWindowMeasurement, source?: EnergySource): void;
  inference(runId: number, i: InferenceMeasurement): void;
  finishRun(runId: number, summary: Record<string, unknown>): void;
  /** A window's raw monitor samples (optional, compressed by the store). */
  trace(runId: number, window: number, trace: EnergyTrace): void;
  failRun(runId: number, error: string, status: "failed" | "interrupted"): void;
}

export interface SuiteOptions {
  board: BoardDefinition;
  workloads: SuiteWorkload[];
  modes: RunMode[];
  store: SuiteStore;
  performance: { windows: number; minWindowSeconds: number; iterations?: number; warmup?: number };
  /** Accuracy mode: only the first N inputs (a quick check); undefined: all of them. */
  limit?: number;
  progress: Progress;
  signal?: AbortSignal;
  /** Continue a stored run that was interrupted: its id and what it already holds. */
  resume?: { runId: number; mode: RunMode; workload: string; firmwareSha256: string | null; windowsDone: Set<number>; inferences: InferenceMeasurement[] };
  /** Every line to and from the device, for --trace. */
  trace?: (direction: "tx" | "rx", line: string) => void;
  /**
   * How energy is measured. `auto`: alongside latency, in the same windows, wherever the host reaches the device
   * directly (emulated boards; physical boards without an interface board); MLPerf's separate energy-mode firmware
   * run otherwise. `mlperf`: always the separate energy-mode run.
   */
  energyFlow?: "auto" | "mlperf";
  /** Keep each energy window's raw monitor samples, compressed, referenced from the run. */
  rawTraces?: boolean;
}

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

export async function runSuite(opts: SuiteOptions): Promise<SuiteResult[]> {
  const { board, progress } = opts;
  // A physical board is one device: one run at a time. Each emulated run starts its own machine, so runs on an
  // emulated board do not contend for anything.
  const lock = board.kind === "physical" ? await lockBoard(board, `tinyrig run ${opts.workloads.map((w) => w.id).join(",")}`) : undefined;
  if (lock?.tookOverFrom) {
    progress.log(`locked ${board.name} (${lock.device.label}); its previous holder, pid ${lock.tookOverFrom.pid} on ${lock.tookOverFrom.host}, ended without releasing it`);
  }
  // An emulated board's energy comes from its power model: without one there is nothing to build and boot for.
  const noModel = opts.modes.includes("energy") && board.kind === "emulated" && !board.powerModel
    ? `${board.file}: no powerModel, so energy on this emulated board cannot be modelled (the board file says why)`
    : undefined;
  const energyAlongside = opts.modes.includes("energy") && !noModel && measuresEnergyAlongside(board, opts.energyFlow ?? "auto");
  const results: SuiteResult[] = [];
  try {
    for (const workload of opts.workloads) {
      const direct = opts.modes.filter((m) => m !== "energy" || energyAlongside);
      const tag = (r: SuiteResult): SuiteResult => (workload.variant ? { ...r, variant: workload.variant } : r);
      if (direct.length) results.push(...(await runWorkload(opts, workload, direct)).map(tag));
      if (noModel) {
        progress.log(`  ✗ ${named(workload)} energy: ${noModel}`);
        results.push(tag({ workload: workload.id, mode: "energy", status: "failed", error: noModel }));
      } else if (opts.modes.includes("energy") && !energyAlongside && !opts.signal?.aborted) results.push(tag(await runEnergyWorkload(opts, workload)));
      if (opts.signal?.aborted) break;
    }
  } finally {
    lock?.release();
  }
  return results;
}

/**
 * Energy can be measured in the same windows as latency when the host talks to the device directly while the monitor
 * samples: always on an emulated board; on a physical one with a power monitor and no interface board in between.
 */
function measuresEnergyAlongside(board: BoardDefinition, flow: "auto" | "mlperf"): boolean {
  if (flow === "mlperf") return false;
  return board.kind === "emulated" || (board.powerMonitor !== undefined && board.interfaceBoard === undefined);
}

/** The console's line rate as the firmware sets it (the emulated ports program 115200 8N1). */
function consoleBaud(board: BoardDefinition, mode: "performance" | "energy"): number {
  if (board.kind === "emulated") return 115200;
  if (mode === "energy" && board.interfaceBoard) return board.console.serial?.baud.energy ?? 9600;
  return board.console.serial?.baud.performance ?? 115200;
}

async function runWorkload(opts: SuiteOptions, workload: SuiteWorkload, modes: RunMode[]): Promise<SuiteResult[]> {
  const { board, progress } = opts;
  const results: SuiteResult[] = [];
  const withEnergy = modes.includes("energy");
  progress.log(`\n== ${named(workload)} on ${board.name}${board.kind === "emulated" ? " (emulated)" : ""}${withEnergy ? ", energy measured in the same windows" : ""}`);
  let firmware: FirmwareImage;
  let connection: BoardConnection;
  let meter: EnergyMeter | undefined;
  try {
    firmware = await buildFirmware(firmwareSpec(workload, board, "performance"), (l) => progress.log(`  ${l}`));
    progress.log(`  firmware ${firmware.sha256.slice(0, 12)}: flash ${firmware.sizes.flash} B, ram ${firmware.sizes.ram} B, kernels ${firmware.kernels}`);
    ({ connection, meter } = await connectWithMeter(opts, firmware, "performance", withEnergy));
  } catch (err) {
    // Nothing was measured: no run row, but the failure is reported for every mode asked for.
    const error = (err as Error).message;
    progress.log(`  ✗ ${error}`);
    return modes.map((mode) => ({ workload: workload.id, mode, status: "failed" as const, error }));
  }
  try {
    // Performance windows carry the energy when both were asked for; energy alone gets windows of its own.
    const plan = modes.filter((m) => !(m === "energy" && modes.includes("performance")));
    for (const mode of plan) {
      const result = await runMode(opts, workload, mode, firmware, connection, meter && mode !== "accuracy" ? { flow: "direct", meter } : undefined);
      results.push(result);
      if (result.status !== "completed") break; // the board is in an unknown state: stop this workload here
    }
  } finally {
    await connection.close();
    await meter?.end().catch((err: Error) => progress.log(`  closing the power monitor: ${err.message}`));
  }
  return results;
}

/**
 * Flash and connect, with the power monitor where energy is measured. A physical board's monitor may be what powers
 * it (LPM01A, PPK2 in source mode, Otii), so it is opened and started first; the emulator's modelled monitor watches
 * the QEMU the connection starts. Edges from the boot are forgotten where each run's windows begin.
 */
async function connectWithMeter(opts: SuiteOptions, firmware: FirmwareImage, mode: "performance" | "energy", withEnergy: boolean): Promise<{ connection: BoardConnection; meter?: EnergyMeter }> {
  const { board, progress } = opts;
  let meter: EnergyMeter | undefined;
  if (withEnergy && board.kind === "physical") {
    meter = await openPowerMonitor(board);
    try {
      await meter.begin();
    } catch (err) {
      await meter.end().catch(() => undefined);
      throw err;
    }
    progress.log(`  power monitor: ${meter.identity}`);
  }
  let connection: BoardConnection;
  try {
    connection = await connectBoard(board, firmware, {
      mode,
      log: (l) => progress.log(`  ${l}`),
      trace: opts.trace,
      signal: opts.signal,
      observeTimestampPin: withEnergy && board.kind === "emulated",
    });
  } catch (err) {
    await meter?.end().catch(() => undefined);
    throw err;
  }
  if (withEnergy && board.kind === "emulated") {
    try {
      meter = openModelledMeter(board, connection);
      await meter.begin();
    } catch (err) {
      await connection.close();
      throw err;
    }
  }
  return { connection, meter };
}

function firmwareSpec(workload: SuiteWorkload, board: BoardDefinition, timestampMode: "performance" | "energy") {
  return {
    board,
    modelId: workload.mlperfModelId,
    modelPath: workload.modelPath,
    modelKind: workload.modelKind,
    inputBytes: workload.inputBytes,
    transform: workload.transform,
    timestampMode,
    resultsMse: workload.task === "anomaly",
  };
}

/**
 * One run: a performance or accuracy run, or an energy run. `energy`: a monitor watches the windows, either alongside
 * the device's timer (`direct`) or on energy-mode firmware that prints none (`mlperf`).
 */
async function runMode(
  opts: SuiteOptions,
  workload: SuiteWorkload,
  mode: RunMode,
  firmware: FirmwareImage,
  connection: BoardConnection,
  energy?: { flow: "direct" | "mlperf"; meter: EnergyMeter },
): Promise<SuiteResult> {
  const { store, progress, board } = opts;
  const windowed = mode !== "accuracy";
  const settings: Record<string, unknown> = windowed
    ? { windows: opts.performance.windows, minWindowSeconds: opts.performance.minWindowSeconds, iterations: opts.performance.iterations ?? "calibrated to minWindowSeconds", warmup: opts.performance.warmup ?? workload.performance.warmup }
    : { inputs: Math.min(workload.dataset.inputs.length, opts.limit ?? Infinity), hostReference: Boolean(workload.hostReference) };
  const resume = opts.resume?.mode === mode && opts.resume.workload === workload.id ? opts.resume : undefined;
  if (resume && energy) {
    const error = `run ${resume.runId} measured energy: energy windows are not resumable, start a new run`;
    progress.log(`  ✗ ${error}`);
    return { workload: workload.id, mode, status: "failed", error };
  }
  if (resume && resume.firmwareSha256 !== firmware.sha256) {
    const error = `run ${resume.runId} was made with firmware ${resume.firmwareSha256?.slice(0, 12)}; this build is ${firmware.sha256.slice(0, 12)}: start a new run instead`;
    progress.log(`  ✗ ${error}`);
    return { workload: workload.id, mode, status: "failed", error };
  }
  const meter = energy?.meter;
  let runId: number | undefined;
  const label = `${named(workload)} ${mode}${energy && mode === "performance" ? "+energy" : ""}`;
  try {
    if (energy) {
      settings.meter = energy.meter.identity;
      settings.energyFlow = energy.flow;
    }
    runId = resume ? resume.runId : store.startRun({ mode, board, workload, firmware, connection, settings, simulated: board.kind === "emulated", modelled: meter?.kind === "modelled" });
    if (resume) {
      store.reopenRun(runId);
      progress.log(`  resuming run ${runId}: ${resume.windowsDone.size} windows and ${resume.inferences.length} inferences already stored`);
    }
    const id = runId;
    const source: EnergySource | undefined = meter && { monitor: meter.identity, voltageV: meter.voltageV, sampleRateHz: meter.sampleRateHz, kind: meter.kind };
    const ctx = {
      session: connection.session,
      inputs: windowed ? workload.dataset.inputs.slice(0, opts.performance.windows) : workload.dataset.inputs.slice(0, opts.limit),
      sink: { window: (w: WindowMeasurement | EnergyWindowMeasurement) => store.window(id, w, source), inference: (i: InferenceMeasurement) => store.inference(id, i) } satisfies RunSink,
      log: (l: string) => progress.log(`  ${l}`),
      progress: (done: number) => progress.update(done),
      guard: <T>(step: Promise<T>) => raceExit(step, connection.console),
      signal: opts.signal,
    };
    if (windowed) {
      let watch: WindowEnergy | undefined;
      if (energy) {
        const meter = energy.meter;
        const phases = connection.identity.caps?.pins === true;
        if (phases) await ctx.guard(connection.session.setPins("phases"));
        else if (energy.flow === "direct") throw new Error(`${connection.identity.name} cannot pulse its timestamp pin in performance mode (no pins in its caps): measure energy with --energy-flow mlperf`);
        meter.discardEdges();
        watch = {
          meter,
          phases,
          deviceTimer: energy.flow === "direct",
          consoleBaud: consoleBaud(board, energy.flow === "direct" ? "performance" : "energy"),
          onTrace: opts.rawTraces ? (w, t) => store.trace(id, w, t) : undefined,
        };
      }
      progress.start(label, opts.performance.windows, "windows");
      const summary = await runPerformance(
        ctx,
        { windows: opts.performance.windows, warmup: settings.warmup as number, iterations: opts.performance.iterations, minWindowSeconds: opts.performance.minWindowSeconds, inputBytes: workload.inputBytes, done: resume?.windowsDone },
        watch,
      );
      progress.stop();
      if (watch?.phases && energy?.flow === "direct") await ctx.guard(connection.session.setPins("off"));
      store.finishRun(id, { ...summary });
      return { workload: workload.id, mode, runId: id, status: "completed", ...(mode === "performance" ? { performance: summary } : {}), ...(meter ? { energy: summary } : {}) };
    }
    progress.start(label, ctx.inputs.length, "inputs");
    const summary = await runAccuracy(ctx, { task: workload.task, inputBytes: workload.inputBytes, hostReference: workload.hostReference, previous: resume?.inferences });
    progress.stop();
    store.finishRun(id, { ...summary, target: workload.target });
    return { workload: workload.id, mode, runId: id, status: "completed", accuracy: summary };
  } catch (err) {
    progress.stop();
    const interrupted = opts.signal?.aborted ?? false;
    // interrupted: the signal is the cause, whatever the step it cut short said (the emulator it stopped, ...)
    const error = interrupted && opts.signal!.reason instanceof Error ? opts.signal!.reason.message : (err as Error).message;
    if (runId !== undefined) store.failRun(runId, error, interrupted ? "interrupted" : "failed");
    progress.log(`  ✗ ${mode}: ${error}`);
    return { workload: workload.id, mode, runId, status: interrupted ? "interrupted" : "failed", error };
  }
}

/** MLPerf's energy set-up: energy-mode firmware (timestamp pin, no timestamps printed), the DUT behind the interface
 * board where there is one, a power monitor timing and integrating each window. */
async function runEnergyWorkload(opts: SuiteOptions, workload: SuiteWorkload): Promise<SuiteResult> {
  const { board, progress } = opts;
  progress.log(`\n== ${named(workload)} on ${board.name}: energy, MLPerf's set-up${board.kind === "emulated" ? " (modelled)" : ""}`);
  let firmware: FirmwareImage;
  let connection: BoardConnection;
  let meter: EnergyMeter | undefined;
  try {
    firmware = await buildFirmware(firmwareSpec(workload, board, "energy"), (l) => progress.log(`  ${l}`));
    ({ connection, meter } = await connectWithMeter(opts, firmware, "energy", true));
  } catch (err) {
    const error = (err as Error).message;
    progress.log(`  ✗ ${error}`);
    return { workload: workload.id, mode: "energy", status: "failed", error };
  }
  try {
    return await runMode(opts, workload, "energy", firmware, connection, { flow: "mlperf", meter: meter! });
  } finally {
    await connection.close();
    await meter?.end().catch((err: Error) => progress.log(`  closing the power monitor: ${err.message}`));
  }
}

/** A workload as the log names it: `vibration`, or `vibration/student-int8` for a variant. */
function named(w: SuiteWorkload): string {
  return w.variant ? `${w.id}/${w.variant}` : w.id;
}

/** The emulated board's modelled monitor, on the pin log of the QEMU the connection started. */
function openModelledMeter(board: BoardDefinition, connection: BoardConnection): EnergyMeter {
  if (!connection.console?.pinLog) throw new Error(`${board.file}: the emulator was started without its timestamp-pin plugin`);
  return new ModelledMeter(board, connection.console.pinLog);
}
