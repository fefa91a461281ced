// Resuming a run: what it measured with, read back from the store. A resumed run keeps its settings: the same board
// (its stored YAML, wherever the file is now), workload, variant, mode, dataset (checked by hash), windows, window
// length, iterations and input limit. Only interrupted and failed runs of windows or inferences resume; energy windows
// do not (a monitor's edges cannot be picked up mid-run).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadBoardFile, parseBoardText } from "../boards/load.ts";
import type { BoardDefinition } from "../boards/schema.ts";
import type { InferenceMeasurement, WindowMeasurement } from "../modes/types.ts";
import { datasetDirOf } from "../store/dataset-source.ts";
import type { ResultStore, RunRow } from "../store/store.ts";
import { loadWorkload } from "../workloads/registry.ts";
import type { ResumeState, RunMode, SuiteWorkload } from "./types.ts";
import { modelSuiteWorkload, suiteWorkload } from "./workload-adapter.ts";
import { modelWorkload } from "../workloads/model-workload.ts";
import { INPUT_TRANSFORMS, type InputTransform } from "../build/firmware.ts";
import { EXIT, TinyrigError } from "../errors.ts";
import { loadPrebuiltFirmware, PrebuiltFirmwareError, type PrebuiltFirmware } from "../build/prebuilt.ts";

const inputTransformOf = (v: unknown): InputTransform | undefined => ((INPUT_TRANSFORMS as readonly unknown[]).includes(v) ? (v as InputTransform) : undefined);

export class ResumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResumeError";
  }
}

export interface RestoredRun {
  run: RunRow;
  board: BoardDefinition;
  /** Whether `--board X` names this run's board (by name or by its file). */
  boardMatches(given: string): boolean;
  workload: SuiteWorkload;
  mode: RunMode;
  /** The imported dataset folder; undefined: the committed test set. */
  datasetDir?: string;
  performance: { windows: number; minWindowSeconds: number };
  /** `given`: fixed by --iterations; `measured`: what the stored windows ran (calibrated before the interruption). */
  iterations: { given?: number; measured?: number };
  limit?: number;
  resume: ResumeState;
  /** The prebuilt image the run ran (`--firmware`), checked to hash as the run stored it; undefined: tinyrig's build. */
  firmware?: PrebuiltFirmware;
}

/** `firmware`: the prebuilt image named on the command line (`--firmware`), instead of the file the run stored. */
export function restoreRun(store: ResultStore, runId: number, opts: { firmware?: string } = {}): RestoredRun {
  const run = store.getRun(runId);
  if (!run) throw new ResumeError(`no run ${runId} in ${store.file}`);
  if (run.status === "completed") throw new ResumeError(`run ${runId} is completed; only interrupted or failed runs can be resumed`);
  if (run.status === "running") throw new ResumeError(`run ${runId} is running (pid ${run.ownerPid} on ${run.ownerHost}): it cannot be resumed twice at once`);
  if (run.mode === "energy" || run.settings.meter !== undefined)
    throw new ResumeError(`run ${runId} measured energy: energy windows are not resumable, start a new run`);
  const s = run.settings;
  const board = storedBoard(store, run);
  const datasetDir = datasetDirOf(run.datasetSource);
  // a user's model (--model) is found again by the file and input transform it was run with
  const modelFile = typeof s.modelFile === "string" ? s.modelFile : undefined;
  const workload = modelFile
    ? modelSuiteWorkload(modelWorkload(modelFile, datasetDir ?? ".", { transform: inputTransformOf(s.inputTransform) }))
    : suiteWorkload(loadWorkload(run.workload), datasetDir, run.variant ?? undefined);
  if (workload.dataset.sha256 !== run.datasetSha256) {
    throw new ResumeError(
      `run ${runId} measured dataset ${run.datasetSha256?.slice(0, 12)} (${datasetDir ?? "the committed test set"}), which now hashes ` +
        `${workload.dataset.sha256.slice(0, 12)}: a resumed run needs the inputs it started with; start a new run`,
    );
  }
  const firmware = storedPrebuilt(run, board, opts.firmware);
  const windows: WindowMeasurement[] = store.windows(runId).map((w) => ({
    index: w.index,
    inputIndex: w.inputIndex,
    iterations: w.iterations,
    warmup: w.warmup,
    t0Us: w.t0Us,
    t1Us: w.t1Us,
    latencyUs: w.latencyUs,
    throughput: w.throughput,
  }));
  const inferences: InferenceMeasurement[] = store.inferences(runId).map(({ runId: _, ...i }) => i);
  const number = (v: unknown) => (typeof v === "number" ? v : undefined);
  // Runs stored before `limit` was a setting recorded the inputs they were to measure.
  const inputs = number(s.inputs);
  const limit = number(s.limit) ?? (run.mode === "accuracy" && inputs !== undefined && inputs < workload.dataset.inputs.length ? inputs : undefined);
  const given = number(s.iterations);
  return {
    run,
    board,
    boardMatches: (b) => b === board.name || path.resolve(b) === board.file || path.basename(b).replace(/\.ya?ml$/, "") === board.name,
    workload,
    mode: run.mode,
    datasetDir,
    performance: { windows: number(s.windows) ?? 5, minWindowSeconds: number(s.minWindowSeconds) ?? 10 },
    iterations: { given, measured: given ?? windows[0]?.iterations },
    limit,
    resume: { runId, mode: run.mode, workload: run.workload, firmwareSha256: run.firmwareSha256, windows, inferences },
    firmware,
  };
}

/**
 * The prebuilt image a run ran (`settings.firmwareFile`), from that file or the one `given`: it must hash as the run
 * stored it, whatever its name, or the resumed run would mix two images' figures.
 */
function storedPrebuilt(run: RunRow, board: BoardDefinition, given: string | undefined): PrebuiltFirmware | undefined {
  const stored = typeof run.settings.firmwareFile === "string" ? run.settings.firmwareFile : undefined;
  // refused as bad usage (exit 2), before any work: the image given, or the one in the stored file's place
  const refuse = (message: string) => new TinyrigError(message, EXIT.usage);
  if (stored === undefined) {
    if (given !== undefined) throw refuse(`run ${run.id} ran the firmware tinyrig built; a resumed run keeps it: leave out --firmware ${given}`);
    return undefined;
  }
  const file = given ?? stored;
  let firmware: PrebuiltFirmware;
  try {
    firmware = loadPrebuiltFirmware(file, board);
  } catch (err) {
    if (err instanceof PrebuiltFirmwareError) throw refuse(`run ${run.id} ran the prebuilt image ${stored}: ${err.message}`);
    throw err;
  }
  if (firmware.sha256 !== run.firmwareSha256) {
    throw refuse(
      `run ${run.id} ran the prebuilt image ${stored} (sha256 ${run.firmwareSha256?.slice(0, 12) ?? "unknown"}); ${file} is ${firmware.sha256.slice(0, 12)}, another image: a resumed run needs the image it started with; start a new run`,
    );
  }
  return firmware;
}

/** The board exactly as the run stored it: its file where that is unchanged, else the stored YAML itself. */
function storedBoard(store: ResultStore, run: RunRow): BoardDefinition {
  const text = store.boardText(run.id);
  const file = typeof run.settings.boardFile === "string" ? run.settings.boardFile : undefined;
  if (file && existsSync(file) && readFileSync(file, "utf8") === text) return loadBoardFile(file);
  return parseBoardText(text, file ?? path.join(`(board stored with run ${run.id})`, `${run.board}.yaml`));
}
