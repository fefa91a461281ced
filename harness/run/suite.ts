// The run loop: for each workload, build the firmware, bring the board up, run each mode, and hand every
// measurement to the store as it arrives. A failure ends that run (stored as failed, with the error), the board
// is torn down, and the next workload starts from a fresh flash.
import type { BoardDefinition } from "../boards/schema.ts";
import { lockBoard } from "../boards/lock.ts";
import { buildFirmware, type FirmwareImage, type InputTransform } from "../build/firmware.ts";
import { runAccuracy, type AccuracySummary } from "../modes/accuracy.ts";
import { runPerformance, type PerformanceSummary } from "../modes/performance.ts";
import type { EnergyWindowMeasurement, InferenceMeasurement, ModeInput, ModeContext, RunSink, WindowMeasurement } from "../modes/types.ts";
import { runEnergy, type EnergySummary } from "../modes/energy.ts";
import { ModelledMeter } from "../power/modelled.ts";
import { openPowerMonitor } from "../power/index.ts";
import type { EnergyMeter } from "../power/types.ts";
import type { EnergySource } from "../store/store.ts";
import { connectBoard, raceExit, type BoardConnection } from "./connect.ts";
import type { Progress } from "./progress.ts";

export type RunMode = "performance" | "accuracy" | "energy";

/** What the run loop needs to know of a workload (harness/workloads provides it). */
export interface SuiteWorkload {
  id: string;
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
}

export interface SuiteResult {
  workload: string;
  mode: RunMode;
  runId?: number;
  status: "completed" | "failed" | "interrupted";
  error?: string;
  performance?: PerformanceSummary;
  accuracy?: AccuracySummary;
  energy?: EnergySummary;
}

export async function runSuite(opts: SuiteOptions): Promise<SuiteResult[]> {
  const { board, progress } = opts;
  // A physical board is one device: one run at a time. Each emulated run starts its own machine, so runs on an
  // emulated board do not contend for anything.
  const lock = board.kind === "physical" ? lockBoard(board.name, `tinyrig run ${opts.workloads.map((w) => w.id).join(",")}`) : undefined;
  if (lock?.tookOverFrom) {
    progress.log(`took over a stale lock on ${board.name} (pid ${lock.tookOverFrom.pid} on ${lock.tookOverFrom.host} is gone)`);
  }
  const results: SuiteResult[] = [];
  try {
    for (const workload of opts.workloads) {
      const modes = opts.modes.filter((m) => m !== "energy");
      if (modes.length) results.push(...(await runWorkload(opts, workload, modes)));
      if (opts.modes.includes("energy") && !opts.signal?.aborted) results.push(await runEnergyWorkload(opts, workload));
      if (opts.signal?.aborted) break;
    }
  } finally {
    lock?.release();
  }
  return results;
}

async function runWorkload(opts: SuiteOptions, workload: SuiteWorkload, modes: RunMode[]): Promise<SuiteResult[]> {
  const { board, progress } = opts;
  const results: SuiteResult[] = [];
  progress.log(`\n== ${workload.id} on ${board.name}${board.kind === "emulated" ? " (emulated)" : ""}`);
  let firmware: FirmwareImage;
  let connection: BoardConnection;
  try {
    firmware = await buildFirmware(
      {
        board,
        modelId: workload.mlperfModelId,
        modelPath: workload.modelPath,
        inputBytes: workload.inputBytes,
        transform: workload.transform,
        timestampMode: "performance",
        resultsMse: workload.task === "anomaly",
      },
      (l) => progress.log(`  ${l}`),
    );
    progress.log(`  firmware ${firmware.sha256.slice(0, 12)}: flash ${firmware.sizes.flash} B, ram ${firmware.sizes.ram} B, kernels ${firmware.kernels}`);
    connection = await connectBoard(board, firmware, { mode: "performance", log: (l) => progress.log(`  ${l}`), trace: opts.trace, signal: opts.signal });
  } catch (err) {
    // Nothing was measured: no run row, but the failure is reported for every mode asked for.
    const error = (err as Error).message;
    progress.log(`  ✗ ${error}`);
    return modes.map((mode) => ({ workload: workload.id, mode, status: "failed" as const, error }));
  }
  try {
    for (const mode of modes) {
      const result = await runMode(opts, workload, mode, firmware, connection);
      results.push(result);
      if (result.status !== "completed") break; // the board is in an unknown state: stop this workload here
    }
  } finally {
    await connection.close();
  }
  return results;
}

async function runMode(
  opts: SuiteOptions,
  workload: SuiteWorkload,
  mode: RunMode,
  firmware: FirmwareImage,
  connection: BoardConnection,
): Promise<SuiteResult> {
  const { store, progress, board } = opts;
  const settings =
    mode === "performance"
      ? { windows: opts.performance.windows, minWindowSeconds: opts.performance.minWindowSeconds, iterations: opts.performance.iterations ?? workload.performance.iterations, warmup: opts.performance.warmup ?? workload.performance.warmup }
      : { inputs: Math.min(workload.dataset.inputs.length, opts.limit ?? Infinity), hostReference: Boolean(workload.hostReference) };
  const resume = opts.resume?.mode === mode && opts.resume.workload === workload.id ? opts.resume : undefined;
  if (resume && resume.firmwareSha256 !== firmware.sha256) {
    const error = `run ${resume.runId} was made with firmware ${resume.firmwareSha256?.slice(0, 12)}; this build is ${firmware.sha256.slice(0, 12)}: start a new run instead`;
    progress.log(`  ✗ ${error}`);
    return { workload: workload.id, mode, status: "failed", error };
  }
  const runId = resume ? resume.runId : store.startRun({ mode, board, workload, firmware, connection, settings, simulated: board.kind === "emulated" });
  if (resume) {
    store.reopenRun(runId);
    progress.log(`  resuming run ${runId}: ${resume.windowsDone.size} windows and ${resume.inferences.length} inferences already stored`);
  }
  const sink: RunSink = {
    window: (w) => store.window(runId, w),
    inference: (i) => store.inference(runId, i),
  };
  const ctx = {
    session: connection.session,
    inputs: mode === "performance" ? workload.dataset.inputs.slice(0, opts.performance.windows) : workload.dataset.inputs.slice(0, opts.limit),
    sink,
    log: (l: string) => progress.log(`  ${l}`),
    progress: (done: number, total: number) => progress.update(done),
    guard: <T>(step: Promise<T>) => raceExit(step, connection.console),
    signal: opts.signal,
  };
  try {
    if (mode === "performance") {
      progress.start(`${workload.id} performance`, opts.performance.windows, "windows");
      const summary = await runPerformance(ctx, {
        windows: opts.performance.windows,
        warmup: settings.warmup as number,
        iterations: opts.performance.iterations,
        minWindowSeconds: opts.performance.minWindowSeconds,
        inputBytes: workload.inputBytes,
        done: resume?.windowsDone,
      });
      progress.stop();
      store.finishRun(runId, { ...summary });
      return { workload: workload.id, mode, runId, status: "completed", performance: summary };
    }
    progress.start(`${workload.id} accuracy`, ctx.inputs.length, "inputs");
    const summary = await runAccuracy(ctx, { task: workload.task, inputBytes: workload.inputBytes, hostReference: workload.hostReference, previous: resume?.inferences });
    progress.stop();
    store.finishRun(runId, { ...summary, target: workload.target });
    return { workload: workload.id, mode, runId, status: "completed", accuracy: summary };
  } catch (err) {
    progress.stop();
    const interrupted = opts.signal?.aborted ?? false;
    const error = (err as Error).message;
    store.failRun(runId, error, interrupted ? "interrupted" : "failed");
    progress.log(`  ✗ ${mode}: ${error}`);
    return { workload: workload.id, mode, runId, status: interrupted ? "interrupted" : "failed", error };
  }
}

/** Energy mode: energy-mode firmware (timestamp pin, no timestamps printed), a power monitor, MLPerf's windows. */
async function runEnergyWorkload(opts: SuiteOptions, workload: SuiteWorkload): Promise<SuiteResult> {
  const { board, progress, store } = opts;
  progress.log(`\n== ${workload.id} on ${board.name}: energy${board.kind === "emulated" ? " (modelled)" : ""}`);
  let firmware: FirmwareImage;
  let connection: BoardConnection;
  let meter: EnergyMeter;
  try {
    firmware = await buildFirmware(
      { board, modelId: workload.mlperfModelId, modelPath: workload.modelPath, inputBytes: workload.inputBytes, transform: workload.transform, timestampMode: "energy", resultsMse: workload.task === "anomaly" },
      (l) => progress.log(`  ${l}`),
    );
    connection = await connectBoard(board, firmware, { mode: "energy", log: (l) => progress.log(`  ${l}`), trace: opts.trace, signal: opts.signal, observeTimestampPin: board.kind === "emulated" });
  } catch (err) {
    const error = (err as Error).message;
    progress.log(`  ✗ ${error}`);
    return { workload: workload.id, mode: "energy", status: "failed", error };
  }
  try {
    meter = await openMeter(board, connection);
  } catch (err) {
    await connection.close();
    const error = (err as Error).message;
    progress.log(`  ✗ ${error}`);
    return { workload: workload.id, mode: "energy", status: "failed", error };
  }
  const settings = { windows: opts.performance.windows, minWindowSeconds: opts.performance.minWindowSeconds, iterations: opts.performance.iterations, warmup: opts.performance.warmup ?? workload.performance.warmup, meter: meter.identity };
  const runId = store.startRun({ mode: "energy", board, workload, firmware, connection, settings, simulated: board.kind === "emulated", modelled: meter.kind === "modelled" });
  const source: EnergySource = { monitor: meter.identity, voltageV: meter.voltageV, sampleRateHz: meter.sampleRateHz, kind: meter.kind };
  const ctx: ModeContext = {
    session: connection.session,
    inputs: workload.dataset.inputs.slice(0, opts.performance.windows),
    sink: { window: (w) => store.window(runId, w, source), inference: (i) => store.inference(runId, i) },
    log: (l) => progress.log(`  ${l}`),
    progress: (done) => progress.update(done),
    guard: (step) => raceExit(step, connection.console),
    signal: opts.signal,
  };
  try {
    progress.start(`${workload.id} energy`, opts.performance.windows, "windows");
    const summary = await runEnergy(ctx, meter, { windows: opts.performance.windows, warmup: settings.warmup, iterations: opts.performance.iterations, minWindowSeconds: opts.performance.minWindowSeconds, inputBytes: workload.inputBytes });
    progress.stop();
    store.finishRun(runId, { ...summary });
    return { workload: workload.id, mode: "energy", runId, status: "completed", energy: summary };
  } catch (err) {
    progress.stop();
    const interrupted = opts.signal?.aborted ?? false;
    const error = (err as Error).message;
    store.failRun(runId, error, interrupted ? "interrupted" : "failed");
    progress.log(`  ✗ energy: ${error}`);
    return { workload: workload.id, mode: "energy", runId, status: interrupted ? "interrupted" : "failed", error };
  } finally {
    await meter.end();
    await connection.close();
  }
}

/** The board's power monitor: the emulator's modelled one, or the physical monitor its board file names. */
async function openMeter(board: BoardDefinition, connection: BoardConnection): Promise<EnergyMeter> {
  if (connection.console?.pinLog) return new ModelledMeter(board, connection.console.pinLog);
  return openPowerMonitor(board);
}
