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

/** Every measurement a run can make: the one list a new mode is added to. */
export const RUN_MODES = ["performance", "accuracy", "energy"] as const;
export type RunMode = (typeof RUN_MODES)[number];

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
  resume?: { runId: number; mode: RunMode; workload: string; firmwareSha256: string | null; windows: WindowMeasurement[]; inferences: InferenceMeasurement[] };
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
  /** The modes were not asked for but defaulted: energy the device cannot give is noted with the run, not failed. */
  modesDefaulted?: boolean;
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
        results.push(tag(failedRun(opts, workload, "energy", noModel)));
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
  let firmware: FirmwareImage | undefined;
  let connection: BoardConnection | undefined;
  let meter: EnergyMeter | undefined;
  let stage = "build";
  try {
    firmware = await buildFirmware(firmwareSpec(workload, board, "performance"), (l) => progress.log(`  ${l}`));
    progress.log(`  firmware ${firmware.sha256.slice(0, 12)}: flash ${firmware.sizes.flash} B, ram ${firmware.sizes.ram} B, kernels ${firmware.kernels}`);
    stage = "flash and connect";
    ({ connection, meter } = await connectWithMeter(opts, firmware, "performance", withEnergy));
    stage = "check the device";
    checkDevice(connection, firmware, workload);
  } catch (err) {
    // Nothing was measured, but the failure is stored for every mode asked for: a nightly sees its infrastructure fail.
    const error = `${stage}: ${(err as Error).message}`;
    progress.log(`  ✗ ${error}`);
    const failed = modes.map((mode) => failedRun(opts, workload, mode, error, firmware, connection));
    await connection?.close();
    await meter?.end().catch(() => undefined);
    return failed;
  }
  try {
    // Energy the device cannot give (no timestamp pin on request) does not stop what it can: latency and accuracy are
    // measured, and the energy is noted with the performance run (defaulted modes) or stored as failed (asked for).
    let energyRefusal: string | undefined;
    if (meter && connection.identity.caps?.pins !== true) {
      energyRefusal = `${connection.identity.name || "the device"} cannot pulse its timestamp pin in performance mode (no pins in its caps): measure energy with --energy-flow mlperf`;
      await meter.end().catch(() => undefined);
      meter = undefined;
      progress.log(`  ✗ energy: ${energyRefusal}`);
    }
    // Performance windows carry the energy when both were asked for; energy alone gets windows of its own.
    const plan = modes.filter((m) => !(m === "energy" && modes.includes("performance")));
    if (energyRefusal && !plan.includes("energy") && !opts.modesDefaulted) plan.push("energy");
    for (const mode of plan) {
      const result = energyRefusal && mode === "energy"
        ? failedRun(opts, workload, "energy", energyRefusal, firmware, connection)
        : await runMode(opts, workload, mode, firmware, connection, meter && mode !== "accuracy" ? { flow: "direct", meter } : undefined,
          mode === "performance" && energyRefusal && opts.modesDefaulted ? { energyNotMeasured: energyRefusal } : undefined);
      results.push(result);
      if (result.status !== "completed" && !(energyRefusal && mode === "energy")) break; // the board is in an unknown state: stop this workload here
    }
  } finally {
    await connection.close();
    await meter?.end().catch((err: Error) => progress.log(`  closing the power monitor: ${err.message}`));
  }
  return results;
}

/** What a results vector holds: one value per class, or the anomaly score. */
function expectedOutputs(workload: SuiteWorkload): number {
  return workload.task === "anomaly" ? 1 : workload.labels.length;
}

/**
 * Before anything is measured: the device must run the model this workload measures (its `m-model-[...]`), and, where
 * it reports a build id (tinyrig firmware), the firmware that was built. Either mismatch is refused by name: what
 * would be stored is the firmware and model the run names, not what answered.
 */
export function checkDevice(connection: BoardConnection, firmware: FirmwareImage, workload: SuiteWorkload): void {
  const id = connection.identity;
  if (id.model && id.model !== workload.mlperfModelId) {
    throw new Error(`the device reports model ${id.model} (m-model-[${id.model}]); ${named(workload)} needs ${workload.mlperfModelId}: other firmware is on the board${connection.flash.tool === "manual" ? " (flashed by hand: flash this workload's firmware)" : ""}`);
  }
  const built = (firmware as { buildId?: string }).buildId;
  const reported = reportedBuildId(connection);
  if (reported && built && reported !== built) {
    throw new Error(`the device reports firmware build ${reported}; tinyrig built ${built} (${firmware.sha256.slice(0, 12)}): the board runs other firmware than the one this run would be stored with${connection.flash.tool === "manual" ? " (flashed by hand: flash the image just built)" : ""}`);
  }
}

/** The build id tinyrig firmware reports in its caps (`build=<16 hex>`); undefined for firmware that reports none. */
function reportedBuildId(connection: BoardConnection): string | undefined {
  const caps = connection.identity.caps as (NonNullable<typeof connection.identity.caps> & { buildId?: string }) | undefined;
  return caps?.buildId ?? caps?.raw.build;
}

/** What the run can say of the firmware that answered: confirmed by the device, or only what tinyrig did. */
export function firmwareProvenance(connection: BoardConnection, firmware: FirmwareImage | undefined): string {
  const reported = reportedBuildId(connection);
  const built = (firmware as { buildId?: string } | undefined)?.buildId;
  const who = `${connection.identity.name || "?"} ${connection.identity.profile || "?"}`.trim();
  if (reported && built) return `device reports build ${reported}, as built`;
  if (reported) return `device reports build ${reported}`;
  if (connection.flash.tool === "manual") return `unconfirmed: flashed by hand, not by tinyrig; the device says ${who}, no build id`;
  return `flashed by ${connection.flash.tool}; the device says ${who}, no build id`;
}

function provenanceOf(connection: BoardConnection, firmware: FirmwareImage | undefined): NonNullable<RunStart["provenance"]> {
  return { console: connection.consoleKind.description, flasher: connection.flash.tool, deviceBuildId: reportedBuildId(connection), firmware: firmwareProvenance(connection, firmware) };
}

/** A run that failed before it measured anything, stored with its error (and whatever is known of firmware and device). */
function failedRun(opts: SuiteOptions, workload: SuiteWorkload, mode: RunMode, error: string, firmware?: FirmwareImage, connection?: BoardConnection): SuiteResult {
  const { board, store } = opts;
  const runId = store.startRun({ mode, board, workload, firmware, connection, settings: { boardFile: board.file, limit: opts.limit ?? null }, simulated: board.kind === "emulated" || connection?.consoleKind.kind === "emulator", provenance: connection && provenanceOf(connection, firmware) });
  store.failRun(runId, error, "failed");
  return { workload: workload.id, mode, runId, status: "failed", error };
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
  notes?: Record<string, unknown>,
): Promise<SuiteResult> {
  const { store, progress, board } = opts;
  const windowed = mode !== "accuracy";
  // Everything a resume needs to measure the same way again (harness/run/resume.ts reads it back).
  const settings: Record<string, unknown> = windowed
    ? { windows: opts.performance.windows, minWindowSeconds: opts.performance.minWindowSeconds, iterations: opts.performance.iterations ?? "calibrated to minWindowSeconds", warmup: opts.performance.warmup ?? workload.performance.warmup }
    : { inputs: Math.min(workload.dataset.inputs.length, opts.limit ?? Infinity), limit: opts.limit ?? null, hostReference: Boolean(workload.hostReference) };
  settings.boardFile = board.file;
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
    runId = resume ? resume.runId : store.startRun({ mode, board, workload, firmware, connection, settings, simulated: board.kind === "emulated" || connection.consoleKind.kind === "emulator", modelled: meter?.kind === "modelled", provenance: provenanceOf(connection, firmware) });
    if (resume) progress.log(`  resuming run ${runId}: ${resume.windows.length} windows and ${resume.inferences.length} inferences already stored`);
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
        { windows: opts.performance.windows, warmup: settings.warmup as number, iterations: opts.performance.iterations, minWindowSeconds: opts.performance.minWindowSeconds, inputBytes: workload.inputBytes, previous: resume?.windows, outputs: expectedOutputs(workload) },
        watch,
      );
      progress.stop();
      if (watch?.phases && energy?.flow === "direct") await ctx.guard(connection.session.setPins("off"));
      store.finishRun(id, { ...summary, ...notes });
      return { workload: workload.id, mode, runId: id, status: "completed", ...(mode === "performance" ? { performance: summary } : {}), ...(meter ? { energy: summary } : {}) };
    }
    progress.start(label, ctx.inputs.length, "inputs");
    const summary = await runAccuracy(ctx, { task: workload.task, inputBytes: workload.inputBytes, hostReference: workload.hostReference, previous: resume?.inferences, outputs: expectedOutputs(workload) });
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
  let firmware: FirmwareImage | undefined;
  let connection: BoardConnection | undefined;
  let meter: EnergyMeter | undefined;
  let stage = "build";
  try {
    firmware = await buildFirmware(firmwareSpec(workload, board, "energy"), (l) => progress.log(`  ${l}`));
    stage = "flash and connect";
    ({ connection, meter } = await connectWithMeter(opts, firmware, "energy", true));
    stage = "check the device";
    checkDevice(connection, firmware, workload);
  } catch (err) {
    const error = `${stage}: ${(err as Error).message}`;
    progress.log(`  ✗ ${error}`);
    const failed = failedRun(opts, workload, "energy", error, firmware, connection);
    await connection?.close();
    await meter?.end().catch(() => undefined);
    return failed;
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
