// The executor: carries out one board's part of a run plan (harness/run/plan.ts). For each workload, each session step
// brings the board up (harness/run/board-session.ts), runs its measurements in order and hands every measurement to
// the store as it arrives. A failure ends that session (stored as failed, with the error), the board is torn down, and
// the next step starts from a fresh flash. Nothing here decides what to measure: the plan did.
import type { BoardDefinition } from "../boards/schema.ts";
import path from "node:path";
import type { FirmwareImage } from "../build/firmware.ts";
import { isPrebuilt, PREBUILT_SETTING } from "../build/prebuilt.ts";
import { runAccuracy } from "../modes/accuracy.ts";
import { runPerformance, type WindowEnergy } from "../modes/performance.ts";
import { MODES, type EnergyWindowMeasurement, type InferenceMeasurement, type RunMode, type RunSink, type WindowMeasurement } from "../modes/types.ts";
import type { EnergyMeter } from "../power/types.ts";
import type { EnergySource } from "../store/store.ts";
import { BoardSession, BringUpError, reportedBuildId, type DeviceUp } from "./board-session.ts";
import { raceExit, type BoardConnection } from "./connect.ts";
import { named, type BoardPlan, type RunOptions, type SessionStep } from "./plan.ts";
import type { Progress } from "./progress.ts";
import type { RunStart, SuiteResult, SuiteStore, SuiteWorkload } from "./types.ts";

/** What the executor needs besides the plan: where results go, where the log goes, what stops it. */
export interface ExecuteContext {
  store: SuiteStore;
  progress: Progress;
  signal?: AbortSignal;
  /** Every line to and from the device, for --trace. */
  trace?: (direction: "tx" | "rx", line: string) => void;
}

/** One board's plan carried out: a result per measurement, in the plan's order (stored runs carry their id). */
export async function executeBoardPlan(plan: BoardPlan, options: RunOptions, ctx: ExecuteContext): Promise<SuiteResult[]> {
  const { board } = plan;
  const session = await BoardSession.open(board, plan.lock, `tinyrig run ${plan.workloads.map((w) => w.workload.id).join(",")}`, {
    ...ctx,
    inputFile: options.inputChannel === "file",
    prebuilt: options.firmware,
  });
  const exec = { ...ctx, board, options };
  const results: SuiteResult[] = [];
  try {
    for (const { workload, steps } of plan.workloads) {
      const tag = (r: SuiteResult): SuiteResult => (workload.variant ? { ...r, variant: workload.variant } : r);
      for (const step of steps) {
        if (step.kind === "refused") {
          ctx.progress.log(`  ✗ ${named(workload)} ${step.mode}: ${step.error}`);
          results.push(tag(failedRun(exec, workload, step.mode, step.error)));
        } else if (step.firmware === "performance" || !ctx.signal?.aborted) {
          results.push(...(await runSession(exec, session, workload, step)).map(tag));
        }
      }
      if (ctx.signal?.aborted) break;
    }
  } finally {
    session.close();
  }
  return results;
}

type Exec = ExecuteContext & { board: BoardDefinition; options: RunOptions };

/** The console's line rate as the firmware sets it (the emulated ports program 115200 8N1). */
function consoleBaud(board: BoardDefinition, firmware: "performance" | "energy"): number {
  if (board.kind === "emulated") return 115200;
  if (firmware === "energy" && board.interfaceBoard) return board.console.serial?.baud.energy ?? 9600;
  return board.console.serial?.baud.performance ?? 115200;
}

/** One bring-up and the measurements made on it. */
async function runSession(exec: Exec, session: BoardSession, workload: SuiteWorkload, step: SessionStep): Promise<SuiteResult[]> {
  const { board, progress } = exec;
  const emulated = board.kind === "emulated";
  progress.log(
    step.firmware === "energy"
      ? `\n== ${named(workload)} on ${board.name}: energy, MLPerf's set-up${emulated ? " (modelled)" : ""}`
      : `\n== ${named(workload)} on ${board.name}${emulated ? " (emulated)" : ""}${step.meter !== "none" ? ", energy measured in the same windows" : ""}`,
  );
  let up: DeviceUp;
  try {
    up = await session.bringUp(workload, step);
  } catch (err) {
    if (!(err instanceof BringUpError)) throw err;
    // Nothing was measured, but the failure is stored for every measurement planned: a nightly sees its infrastructure fail.
    progress.log(`  ✗ ${err.message}`);
    return step.measurements.map((m) => failedRun(exec, workload, m.mode, err.message, err.firmware, err.connection));
  }
  const results: SuiteResult[] = [];
  try {
    // Energy the device cannot give alongside latency (no timestamp pin on request) does not stop what it can: latency
    // and accuracy are measured, and the energy is noted with the performance run or stored as failed (step.withoutPins).
    let withoutPins: string | undefined;
    if (step.firmware === "performance" && up.meter && up.connection.identity.caps?.pins !== true) {
      withoutPins = noPinsMessage(up.connection, up.firmware);
      await up.dropMeter();
      progress.log(`  ✗ energy: ${withoutPins}`);
    }
    // Energy carried by the performance windows stores no run of its own; it is run last, where it fails if it must.
    const ordered = [
      ...step.measurements.filter((m) => m.energy.source !== "performance-windows"),
      ...step.measurements.filter((m) => m.energy.source === "performance-windows"),
    ];
    for (const m of ordered) {
      let result: SuiteResult;
      if (withoutPins && m.mode === "energy") {
        if (m.energy.source === "performance-windows" && step.withoutPins === "note") continue;
        result = failedRun(exec, workload, "energy", withoutPins, up.firmware, up.connection);
      } else if (m.energy.source === "performance-windows") continue;
      else {
        const energy = "flow" in m.energy && up.meter ? { flow: m.energy.flow, meter: up.meter } : undefined;
        const notes = m.mode === "performance" && withoutPins && step.withoutPins === "note" ? { energyNotMeasured: withoutPins } : undefined;
        result = await runMeasurement(exec, workload, m.mode, up.firmware, up.connection, energy, notes);
      }
      results.push(result);
      if (result.status !== "completed" && !(withoutPins && m.mode === "energy")) break; // the board is in an unknown state: stop this session here
    }
  } finally {
    await up.close();
  }
  return results;
}

/** Why energy cannot be measured alongside latency on this device: it does not pulse its timestamp pin on request. */
function noPinsMessage(connection: BoardConnection, firmware: FirmwareImage): string {
  const who = connection.identity.name || "the device";
  if (isPrebuilt(firmware))
    return `${who} (prebuilt image ${path.basename(firmware.prebuilt.file)}) cannot pulse its timestamp pin in performance mode (no pins in its caps: it speaks MLPerf's protocol only), so its energy cannot be modelled in the latency windows (MLPerf's energy-mode build of it can be: --firmware ENERGY-ELF --mode energy --energy-flow mlperf)`;
  return `${who} cannot pulse its timestamp pin in performance mode (no pins in its caps): measure energy with --energy-flow mlperf`;
}

/** What a results vector holds: one value per class, or the anomaly score. */
function expectedOutputs(workload: SuiteWorkload): number {
  return workload.task === "anomaly" ? 1 : workload.labels.length;
}

/** What the run can say of the firmware that answered: confirmed by the device, or only what tinyrig did. */
export function firmwareProvenance(connection: BoardConnection, firmware: FirmwareImage | undefined): string {
  const reported = reportedBuildId(connection);
  const built = firmware?.buildId;
  const who = `${connection.identity.name || "?"} ${connection.identity.profile || "?"}`.trim();
  if (isPrebuilt(firmware))
    return `prebuilt image ${firmware.prebuilt.file} (sha256 ${firmware.sha256.slice(0, 12)}), run as given, not built by tinyrig; the device says ${who}${reported ? `, reports build ${reported}` : ", no build id"}`;
  if (reported && built) return `device reports build ${reported}, as built`;
  if (reported) return `device reports build ${reported}`;
  if (connection.loaded.by === "manual") return `unconfirmed: flashed by hand, not by tinyrig; the device says ${who}, no build id`;
  const how = connection.console ? `loaded by the emulator (${connection.loaded.by})` : `flashed by ${connection.loaded.by}`;
  return `${how}; the device says ${who}, no build id`;
}

function provenanceOf(connection: BoardConnection, firmware: FirmwareImage | undefined): NonNullable<RunStart["provenance"]> {
  return {
    console: connection.consoleKind.description,
    flasher: connection.loaded.by,
    deviceBuildId: reportedBuildId(connection),
    firmware: firmwareProvenance(connection, firmware),
  };
}

/** Settings a resume finds the model and the firmware by: a user's model file (--model), a prebuilt image (--firmware). */
function whatRan(workload: SuiteWorkload, options: RunOptions): Record<string, unknown> {
  return {
    ...(workload.modelFile ? { modelFile: workload.modelFile, inputTransform: workload.transform } : {}),
    ...(options.firmware ? { firmware: PREBUILT_SETTING, firmwareFile: options.firmware.prebuilt.file } : {}),
  };
}

/** A run that failed before it measured anything, stored with its error (and whatever is known of firmware and device). */
function failedRun(exec: Exec, workload: SuiteWorkload, mode: RunMode, error: string, firmware?: FirmwareImage, connection?: BoardConnection): SuiteResult {
  const { board, store, options } = exec;
  const runId = store.startRun({
    mode,
    board,
    workload,
    firmware,
    connection,
    settings: { boardFile: board.file, limit: options.limit ?? null, ...whatRan(workload, options) },
    simulated: board.kind === "emulated" || connection?.consoleKind.kind === "emulator",
    provenance: connection && provenanceOf(connection, firmware),
  });
  store.failRun(runId, error, "failed");
  return { workload: workload.id, mode, runId, status: "failed", error };
}

/**
 * One run: a performance or accuracy run, or an energy run. With `energy`, a meter watches the windows, either
 * alongside the device's timer (`direct`) or on energy-mode firmware that prints none (`mlperf`).
 */
async function runMeasurement(
  exec: Exec,
  workload: SuiteWorkload,
  mode: RunMode,
  firmware: FirmwareImage,
  connection: BoardConnection,
  energy: { flow: "direct" | "mlperf"; meter: EnergyMeter } | undefined,
  notes?: Record<string, unknown>,
): Promise<SuiteResult> {
  const { store, progress, board, options } = exec;
  const windowed = MODES[mode].measures === "windows";
  // Everything a resume needs to measure the same way again (harness/run/resume.ts reads it back).
  const settings: Record<string, unknown> = windowed
    ? {
        windows: options.performance.windows,
        minWindowSeconds: options.performance.minWindowSeconds,
        iterations: options.performance.iterations ?? "calibrated to minWindowSeconds",
        warmup: options.performance.warmup ?? workload.performance.warmup,
      }
    : {
        inputs: Math.min(workload.dataset.inputs.length, options.limit ?? Infinity),
        limit: options.limit ?? null,
        hostReference: Boolean(workload.hostReference),
      };
  settings.boardFile = board.file;
  Object.assign(settings, whatRan(workload, options));
  if (options.inputChannel === "file") settings.inputChannel = "file (QEMU semihosting)";
  const resume = options.resume?.mode === mode && options.resume.workload === workload.id ? options.resume : undefined;
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
    runId = resume
      ? resume.runId
      : store.startRun({
          mode,
          board,
          workload,
          firmware,
          connection,
          settings,
          simulated: board.kind === "emulated" || connection.consoleKind.kind === "emulator",
          modelled: meter?.kind === "modelled",
          provenance: provenanceOf(connection, firmware),
        });
    if (resume) progress.log(`  resuming run ${runId}: ${resume.windows.length} windows and ${resume.inferences.length} inferences already stored`);
    const id = runId;
    const source: EnergySource | undefined = meter && { monitor: meter.identity, voltageV: meter.voltageV, sampleRateHz: meter.sampleRateHz, kind: meter.kind };
    const ctx = {
      session: connection.session,
      inputs: windowed ? workload.dataset.inputs.slice(0, options.performance.windows) : workload.dataset.inputs.slice(0, options.limit),
      sink: {
        window: (w: WindowMeasurement | EnergyWindowMeasurement) => store.window(id, w, source),
        inference: (i: InferenceMeasurement) => store.inference(id, i),
      } satisfies RunSink,
      log: (l: string) => progress.log(`  ${l}`),
      progress: (done: number) => progress.update(done),
      guard: <T>(step: Promise<T>) => raceExit(step, connection.console),
      signal: exec.signal,
    };
    if (windowed) {
      let watch: WindowEnergy | undefined;
      if (energy) {
        const phases = connection.identity.caps?.pins === true;
        if (phases) await ctx.guard(connection.session.setPins("phases"));
        else if (energy.flow === "direct") throw new Error(noPinsMessage(connection, firmware));
        energy.meter.discardEdges();
        watch = {
          meter: energy.meter,
          phases,
          deviceTimer: energy.flow === "direct",
          consoleBaud: consoleBaud(board, energy.flow === "direct" ? "performance" : "energy"),
          onTrace: options.rawTraces ? (w, t) => store.trace(id, w, t) : undefined,
        };
      }
      progress.start(label, options.performance.windows, "windows");
      const summary = await runPerformance(
        ctx,
        {
          windows: options.performance.windows,
          warmup: settings.warmup as number,
          iterations: options.performance.iterations,
          minWindowSeconds: options.performance.minWindowSeconds,
          inputBytes: workload.inputBytes,
          previous: resume?.windows,
          outputs: expectedOutputs(workload),
        },
        watch,
      );
      progress.stop();
      if (watch?.phases && energy?.flow === "direct") await ctx.guard(connection.session.setPins("off"));
      store.finishRun(id, { ...summary, ...notes });
      return {
        workload: workload.id,
        mode,
        runId: id,
        status: "completed",
        ...(MODES[mode].figure === "latency" ? { performance: summary } : {}),
        ...(meter ? { energy: summary } : {}),
      };
    }
    progress.start(label, ctx.inputs.length, "inputs");
    const summary = await runAccuracy(ctx, {
      task: workload.task,
      inputBytes: workload.inputBytes,
      hostReference: workload.hostReference,
      hostOutputs: workload.hostOutputs,
      previous: resume?.inferences,
      outputs: expectedOutputs(workload),
    });
    progress.stop();
    store.finishRun(id, workload.target ? { ...summary, target: workload.target } : { ...summary });
    return { workload: workload.id, mode, runId: id, status: "completed", accuracy: summary };
  } catch (err) {
    progress.stop();
    const interrupted = exec.signal?.aborted ?? false;
    // interrupted: the signal is the cause, whatever the step it cut short said (the emulator it stopped, ...)
    const error = interrupted && exec.signal!.reason instanceof Error ? exec.signal!.reason.message : (err as Error).message;
    if (runId !== undefined) store.failRun(runId, error, interrupted ? "interrupted" : "failed");
    progress.log(`  ✗ ${mode}: ${error}`);
    return { workload: workload.id, mode, runId, status: interrupted ? "interrupted" : "failed", error };
  }
}
