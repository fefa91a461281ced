// `tinyrig run` (and `tinyrig suite`): resolve the options, plan the run (harness/run/plan.ts), carry it out (one board
// here; several: a worker process per board, harness/run/workers.ts), print a summary, then the after-run steps
// (the report), which take the stored runs per board (BoardOutcome).
import { formatRunFigure } from "../store/summary.ts";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { defaultBoard, findBoard } from "../boards/load.ts";
import type { BoardDefinition } from "../boards/schema.ts";
import { BOARD_GROUPS, selectBoards } from "../boards/select.ts";
import { MODES, RUN_MODES, type RunMode } from "../modes/types.ts";
import { executeBoardPlan } from "../run/execute.ts";
import { defaultModes, planRun, type RunOptions } from "../run/plan.ts";
import { loadPrebuiltFirmware, PrebuiltFirmwareError, type PrebuiltFirmware } from "../build/prebuilt.ts";
import { createProgress } from "../run/progress.ts";
import { interrupted, watchRunSignals } from "../run/signals.ts";
import type { SuiteResult, SuiteWorkload } from "../run/types.ts";
import { BOARD_WORKER_ENV, longestFirst, outcomeOf, runBoardWorkers, type BoardOutcome, type WorkerMessage } from "../run/workers.ts";
import { restoreRun } from "../run/resume.ts";
import { modelSuiteWorkload, suiteWorkload } from "../run/workload-adapter.ts";
import { INPUT_TRANSFORMS, type InputTransform } from "../build/firmware.ts";
import { ModelWorkloadError, modelWorkload } from "../workloads/model-workload.ts";
import { ResultStore } from "../store/store.ts";
import { loadConfig } from "../config.ts";
import { listWorkloads, loadWorkload } from "../workloads/registry.ts";
import { selectBoardModels } from "../workloads/variants.ts";
import { checkFlasherSection } from "./boards.ts";
import { campaignId, positiveInteger, positiveNumber, UsageError } from "./usage.ts";
import { EXIT } from "../errors.ts";
import { runStreamingWorkloads, streamSummaryLine } from "../streaming/command.ts";
import { isStreamingWorkload, listStreamingWorkloads, loadStreamingWorkload } from "../streaming/workload.ts";
import { StreamModelError, userStreamModel } from "../streaming/stream-model.ts";
import { withSemihosting } from "../emulator/semihosting.ts";
import { physicalStreamRefusal } from "../streaming/physical.ts";
import { afterRunOptions, prepareAfterRun, type AfterRunOptions } from "../gate/after-run.ts";

interface RunArgs extends AfterRunOptions {
  board?: string[];
  jobs?: number;
  workload?: string[];
  variant?: string[];
  mode?: string[];
  db: string;
  windows?: number;
  "min-window-seconds"?: number;
  iterations?: number;
  dataset?: string;
  model?: string;
  firmware?: string;
  "input-transform"?: InputTransform;
  "input-bytes"?: number;
  "input-channel"?: "line" | "file";
  limit?: number;
  resume?: number;
  campaign?: string;
  "energy-flow"?: "auto" | "mlperf";
  "raw-traces": boolean;
  report: boolean;
  /** Also write the leaderboard site to <reports>/site (tinyrig suite). */
  site?: boolean;
  json: boolean;
  trace: boolean;
  stream?: string;
  "tp-extension"?: number;
  "allow-partial"?: boolean;
}

/** What a run measures when nothing says otherwise (MLPerf Tiny's performance rule: 5 windows of at least 10 s). */
const DEFAULTS = { workload: ["all"], windows: 5, minWindowSeconds: 10, energyFlow: "auto" as const };

export function runCommands(cli: Argv): void {
  // Options a resumed run takes from its stored settings have no yargs default: given or not is what counts.
  const options = (y: Argv) =>
    afterRunOptions(y)
      .option("board", {
        type: "string",
        array: true,
        describe: `board names or YAML files, or ${BOARD_GROUPS.join(" / ")} (every emulated board; every physical board plugged in); several run at once, each in a worker of its own (default ${defaultBoard()})`,
      })
      .option("jobs", {
        type: "string",
        coerce: positiveInteger("--jobs"),
        describe: `several boards: how many run at once (default: the host's cores, ${availableParallelism()})`,
      })
      .option("workload", { type: "string", array: true, describe: "workload ids, or all (default all)" })
      .option("variant", {
        type: "string",
        array: true,
        describe: "measure model variants instead of the main model: variant ids (tinyrig workloads list shows them), model (the main one), or all",
      })
      .option("mode", {
        type: "string",
        array: true,
        choices: [...RUN_MODES, "all"],
        describe: `measurements: ${RUN_MODES.map((m) => `${m} (${MODES[m].describe})`).join("; ")}. Default: performance and accuracy, with energy where the board can measure or model it`,
      })
      .option("db", { type: "string", default: loadConfig().db.value, describe: "result database" })
      .option("windows", {
        type: "string",
        coerce: positiveInteger("--windows"),
        describe: `performance windows (default ${DEFAULTS.windows}; MLPerf: 5, median reported)`,
      })
      .option("min-window-seconds", {
        type: "string",
        coerce: positiveNumber("--min-window-seconds"),
        describe: `device time per performance window (default ${DEFAULTS.minWindowSeconds})`,
      })
      .option("iterations", {
        type: "string",
        coerce: positiveInteger("--iterations"),
        describe: "fixed inferences per window (default: scaled to --min-window-seconds)",
      })
      .option("dataset", { type: "string", describe: "a folder in MLPerf Tiny's dataset layout to use instead of the committed test set" })
      .option("model", {
        type: "string",
        describe:
          "your own .tflite instead of a workload (with --dataset): its input and class count are read off the model; with a streaming --workload, your model (e.g. MLPerf's sww01) plays that workload's stream",
      })
      .option("firmware", {
        type: "string",
        describe:
          "a prebuilt firmware ELF that speaks MLPerf Tiny's protocol (MLPerf's reference firmware, a TFLite Micro build), run as given on an emulated board instead of tinyrig's build, with one --workload or --model; its sha256 is stored as what ran",
      })
      .option("input-transform", {
        choices: INPUT_TRANSFORMS,
        describe: "--model: how the dataset's files become the model's input (default: as the input tensor takes them)",
      })
      .option("input-channel", {
        choices: ["line", "file"] as const,
        describe:
          "how inputs reach the device: over its console (line, default), or on an emulated Arm board in accuracy mode through a host file its firmware reads by QEMU's semihosting (file: many times faster; the run records it)",
      })
      .option("input-bytes", { type: "string", coerce: positiveInteger("--input-bytes"), describe: "--model: bytes per input file, checked against the model" })
      .option("limit", {
        type: "string",
        coerce: positiveInteger("--limit"),
        describe: "accuracy mode: only the first N inputs (a partial run, never a headline result)",
      })
      .option("resume", { type: "string", coerce: positiveInteger("--resume"), describe: "continue an interrupted or failed run with its stored settings" })
      .option("campaign", {
        type: "string",
        coerce: campaignId,
        describe: "the campaign these runs belong to (one nightly = one campaign, e.g. the CI run id); default: none",
      })
      .option("energy-flow", {
        choices: ["auto", "mlperf"] as const,
        describe:
          "auto (default): energy in the same windows as latency where the host reaches the device directly; mlperf: MLPerf's separate energy-mode firmware run",
      })
      .option("raw-traces", { type: "boolean", default: false, describe: "keep each energy window's raw monitor samples (compressed, beside the database)" })
      .option("report", { type: "boolean", default: false, describe: "write reports/index.html afterwards" })
      .option("json", { type: "boolean", default: false, describe: "print the summary as JSON" })
      .option("trace", { type: "boolean", default: false, describe: "print every protocol line" })
      .option("stream", { type: "string", describe: "streaming workloads: the stream to score (default long)" })
      .option("tp-extension", {
        type: "string",
        coerce: positiveNumber("--tp-extension"),
        describe: "streaming workloads: seconds after a wake word's end a detection still counts (MLPerf's README 1, its code 2)",
      });
  cli.command("run", describeCommand("run"), options, async (args) => {
    process.exitCode = await run(args as unknown as RunArgs);
  });
  cli.command("suite", describeCommand("suite"), options, async (args) => {
    process.exitCode = await run({ ...(args as unknown as RunArgs), report: true, site: true });
  });
}

async function run(args: RunArgs): Promise<number> {
  prepareAfterRun({ ...args, allowPartial: args["allow-partial"] }); // a bad --rules file: a usage error before any work
  if (args.board && (args.board.length > 1 || args.board.some((b) => (BOARD_GROUPS as readonly string[]).includes(b)))) return runBoards(args);
  const boardName = args.board?.[0];
  // Streaming workloads (workloads/<id>/streaming.yaml) run as streams of their own (harness/streaming), before the
  // clip workloads named with them; `all` (the default) includes them on a board that can play a stream, and says so
  // where it cannot.
  const streamIds = streamingWorkloadsOf(args, boardName);
  let streamsCompleted = true;
  const streamRunIds: number[] = [];
  if (streamIds.length) {
    if (args.firmware !== undefined)
      throw new UsageError(`--firmware: streaming workloads (${streamIds.join(", ")}) run tinyrig's stream engine, which a prebuilt image is not`);
    if (args.resume !== undefined) throw new UsageError(`--resume: streaming runs (${streamIds.join(", ")}) cannot be resumed; start a new run`);
    const board = checkFlasherSection(findBoard(boardName ?? defaultBoard()));
    const unsupported = streamOnBoardRefusal(board, args.model);
    if (unsupported) throw new UsageError(`--workload ${streamIds.join(" ")}: board ${board.name} cannot play a stream (${unsupported})`);
    if (args.model !== undefined) {
      // a user's streaming model (e.g. MLPerf's sww01 .tflite) in place of one streaming workload's own
      if (streamIds.length !== 1 || args.workload!.length !== 1)
        throw new UsageError(`--model with a streaming workload plays one workload's streams: give exactly one --workload (got ${args.workload!.join(" ")})`);
      try {
        userStreamModel(loadStreamingWorkload(streamIds[0]!), args.model);
      } catch (err) {
        if (err instanceof StreamModelError) throw new UsageError(`--model ${err.message}`);
        throw err;
      }
    }
    const store = ResultStore.open(args.db);
    try {
      const streams = await runStreamingWorkloads({
        ids: streamIds,
        board,
        store,
        progress: createProgress(),
        stream: args.stream,
        tpExtensionS: args["tp-extension"],
        modelFile: args.model,
      });
      // --json: stdout is the clip runs' JSON alone, so the stream lines go to stderr
      const say = args.json ? console.error : console.log;
      for (const { id, stored } of streams) say(`${id}  stream  ${stored.runId ?? "-"}  ${stored.status}  ${streamSummaryLine(stored)}`);
      streamsCompleted = streams.every((x) => x.stored.status === "completed");
      for (const { stored } of streams) if (stored.runId !== undefined) streamRunIds.push(stored.runId);
      console.error(`results stored in ${store.file}`);
    } catch (err) {
      store.close();
      throw err;
    }
    const clipIds = (args.workload ?? DEFAULTS.workload).filter((id) => !streamIds.includes(id));
    if (!clipIds.length) {
      // only streams: the report (suite) and the after-run steps on the stream runs
      const status = streamsCompleted ? "completed" : "failed";
      return afterRun([{ board: board.name, file: board.file, status, runIds: streamRunIds, results: [] }], args, store);
    }
    store.close();
    args = { ...args, workload: clipIds };
  }
  // Everything typed is checked before the database is opened or anything is built; a resumed run takes its settings
  // from the database, so it opens that first (and must find it).
  let request: RunRequest;
  let store: ResultStore;
  let abandoned: number[];
  if (args.resume === undefined) {
    request = freshRequest(args, boardName);
    store = ResultStore.open(args.db);
    abandoned = store.markInterrupted();
    store.campaign = args.campaign ?? null;
  } else {
    store = ResultStore.open(args.db, { mustExist: true });
    abandoned = store.markInterrupted(); // a run whose process died (killed) is interrupted, so resumable
    request = resumedRequest(store, args.resume, args, boardName);
  }
  const { board, workloads, options } = request;
  if (options.resume) {
    try {
      store.claimForResume(options.resume.runId);
    } catch (err) {
      store.close();
      throw err;
    }
  }
  const progress = createProgress();
  if (abandoned.length) progress.log(`marked runs ${abandoned.join(", ")} interrupted (their process is gone)`);
  const signals = watchRunSignals((l) => progress.log(l));
  const plan = planRun(options, [board], workloads);
  let results: SuiteResult[];
  try {
    results = await executeBoardPlan(plan.boards[0]!, plan.options, {
      store,
      progress,
      signal: signals.signal,
      trace: args.trace ? (d, l) => progress.log(`${d === "tx" ? ">" : "<"} ${l}`) : undefined,
    });
  } finally {
    signals.runStored();
  }
  await reportToParent(results);
  printSummary(results, board.kind === "emulated", args.json, store);
  const stored = results.filter((r) => r.runId !== undefined).map((r) => r.runId!);
  if (stored.length) console.error(`results stored in ${store.file} (run${stored.length > 1 ? "s" : ""} ${stored.join(", ")})`);
  else console.error(`nothing stored in ${store.file}`);
  if (signals.exitCode !== undefined) return interrupted(signals, results, store);
  const outcome = outcomeOf(board, results, streamsCompleted && results.every((r) => r.status === "completed"));
  return afterRun([{ ...outcome, runIds: [...streamRunIds, ...outcome.runIds] }], args, store);
}

/**
 * The streaming workloads a run plays: those named, and with `all` every streaming workload, on a fresh run of one
 * board that can play a stream (an emulated Arm board: the audio comes through QEMU's semihosting). Where `all` cannot
 * include them, it says so on stderr rather than leave them out silently.
 */
function streamingWorkloadsOf(args: RunArgs, boardName: string | undefined): string[] {
  const named = (args.workload ?? []).filter((id) => id !== "all" && isStreamingWorkload(id));
  // --model alone runs the user's model, and --resume the stored run's workload: neither is a run of all
  const implicit = args.workload === undefined && (args.model !== undefined || args.resume !== undefined);
  if (!(args.workload ?? DEFAULTS.workload).includes("all") || implicit) return named;
  const all = listStreamingWorkloads().map((w) => w.id);
  const why =
    args.resume !== undefined
      ? "a resumed run keeps the workloads it started with"
      : args.firmware !== undefined
        ? "--firmware runs the image given"
        : args.model !== undefined
          ? "--model runs the model given"
          : args.variant !== undefined
            ? "--variant measures clip models' variants"
            : streamOnBoardRefusal(findBoard(boardName ?? defaultBoard()), undefined);
  if (why) {
    if (all.length) console.error(`${all.join(", ")}: not in this run of all (${why})`);
    return named;
  }
  return [...new Set([...named, ...all])];
}

/** Why this run cannot play a stream on the board (undefined: it can). A physical board's DUT runs its owner's sww01
 * firmware, whose model tinyrig cannot read off the device: the run names it (--model), and says so where it is stored. */
function streamOnBoardRefusal(board: BoardDefinition, modelFile: string | undefined): string | undefined {
  const why = streamingUnsupported(board);
  if (why || board.kind !== "physical" || modelFile !== undefined) return why;
  return "its DUT runs its own sww01 firmware: name the .tflite that firmware runs with --model (tinyrig cannot read it off the device)";
}

/** Why a board cannot play a stream (undefined: it can): an emulated one through QEMU's semihosting, a physical one
 * through MLPerf's enhanced interface board. */
function streamingUnsupported(board: BoardDefinition): string | undefined {
  if (board.kind === "physical") return physicalStreamRefusal(board);
  try {
    withSemihosting(board);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * What runs once every board is done, on the runs each stored (`outcomes`): the report. Steps that judge the runs
 * (a regression gate, a JUnit file) belong here too. Closes the store; gives the exit code: 0 only if every board
 * completed every measurement.
 */
async function afterRun(outcomes: BoardOutcome[], args: RunArgs, store: ResultStore): Promise<number> {
  if (args.report) {
    // the rendering stack (vega) loads only for reports
    const { writeReport } = await import("../report/report.ts");
    const out = await writeReport({ store });
    console.error(`report written to ${out}`);
    if (args.site) {
      const { writeSite } = await import("../site/publish.ts");
      const site = await writeSite({ store, outDir: path.join(path.dirname(out), "site") });
      console.error(`site written to ${site.index} (tinyrig publish DIR writes it anywhere)`);
    }
  }
  store.close();
  const judged = await prepareAfterRun({ ...args, allowPartial: args["allow-partial"] })?.(
    args.db,
    outcomes.flatMap((o) => o.runIds),
  );
  return judged ?? (outcomes.every((o) => o.status === "completed") ? EXIT.ok : EXIT.failure);
}

/** A board worker (harness/run/workers.ts) sends its results to the tinyrig that started it. */
async function reportToParent(results: SuiteResult[]): Promise<void> {
  if (process.env[BOARD_WORKER_ENV] === undefined || !process.send) return;
  const message: WorkerMessage = { kind: "tinyrig-board-results", results };
  await new Promise<void>((resolve) => process.send!(message, undefined, {}, () => resolve()));
  process.disconnect?.();
}

/**
 * Several boards (`--board a b c`, `emulated`, `attached`): every name, board file, workload and variant is checked
 * here, the database is created (or migrated) once, then each board runs in a worker process of its own, `--jobs` at
 * a time. A summary line per board; exit 0 only if every board completed.
 */
async function runBoards(args: RunArgs): Promise<number> {
  if (args.resume !== undefined) throw new UsageError(`--resume continues one run on its own board: leave out --board ${args.board!.join(" ")}`);
  if (args.firmware !== undefined)
    throw new UsageError(`--firmware ${args.firmware} is one image for one board: leave out --board ${args.board!.join(" ")} or name one board`);
  let boards: BoardDefinition[];
  try {
    boards = (await selectBoards(args.board!)).map((b) => checkFlasherSection(b));
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError(`--board: ${(err as Error).message}`);
  }
  if (!boards.length) throw new UsageError(`--board ${args.board!.join(" ")}: no board selected (attached: no physical board's console is plugged in)`);
  // workloads, variants, modes (the same for every board): refused here, named, before any work
  const request = freshRequest(args, boards[0]!.file);
  const jobs = args.jobs ?? availableParallelism();
  const store = ResultStore.open(args.db);
  const abandoned = store.markInterrupted();
  if (abandoned.length) console.error(`marked runs ${abandoned.join(", ")} interrupted (their process is gone)`);
  // Longest first, from how long these measurements took on each board before (this database's history).
  const measured = new Set(request.workloads.map((w) => w.id));
  const modes = request.options.modes;
  // each board's newest completed runs only: the latest of each measurement is among them, and start-up reads no more
  const history = boards
    .flatMap((b) => store.listRuns({ board: b.name, status: "completed", limit: 200 }))
    .filter((r) => measured.has(r.workload) && (!modes || modes.includes(r.mode)));
  const { order, expectedSeconds } = longestFirst(boards, history);
  const expected = (i: number) => (expectedSeconds[i] === undefined ? "" : ` (~${expectedSeconds[i]!.toFixed(0)} s)`);
  console.error(
    `${boards.length} boards, ${Math.min(jobs, boards.length)} at a time, longest first: ${order.map((i) => `${boards[i]!.name}${expected(i)}`).join(", ")}`,
  );
  const signals = watchRunSignals((l) => console.error(l));
  let outcomes: BoardOutcome[];
  try {
    outcomes = await runBoardWorkers({
      boards,
      order,
      args: workerArgs(args),
      jobs,
      stdout: (l) => (args.json ? undefined : console.log(l)),
      stderr: (l) => console.error(l),
      signal: signals.signal,
    });
  } finally {
    signals.runStored();
  }
  printBoardSummary(outcomes, args.json);
  if (signals.exitCode !== undefined) {
    console.error(`tinyrig: interrupted by ${signals.received}: what each board measured before it is stored as interrupted in ${store.file}`);
    store.close();
    return signals.exitCode;
  }
  return afterRun(outcomes, args, store);
}

/** A board worker's command line: this run's options (the report is written once, here), for one board. */
function workerArgs(args: RunArgs): string[] {
  const out = ["run", "--db", path.resolve(args.db)];
  const list = (flag: string, v: string[] | undefined) => v?.length && out.push(flag, ...v);
  const one = (flag: string, v: string | number | undefined) => v !== undefined && out.push(flag, String(v));
  const flag = (name: string, on: boolean) => on && out.push(name);
  list("--workload", args.workload);
  list("--variant", args.variant);
  list("--mode", args.mode);
  one("--windows", args.windows);
  one("--min-window-seconds", args["min-window-seconds"]);
  one("--iterations", args.iterations);
  one("--dataset", args.dataset && path.resolve(args.dataset));
  one("--model", args.model && path.resolve(args.model));
  one("--input-transform", args["input-transform"]);
  one("--input-bytes", args["input-bytes"]);
  one("--input-channel", args["input-channel"]);
  one("--limit", args.limit);
  one("--campaign", args.campaign);
  one("--energy-flow", args["energy-flow"]);
  one("--stream", args.stream);
  one("--tp-extension", args["tp-extension"]);
  // workload folders named on the command line reach each worker the same way (the environment's, by inheritance)
  const workloads = loadConfig().workloads;
  if (workloads.source === "option --workloads") for (const dir of workloads.value) out.push("--workloads", dir);
  flag("--raw-traces", args["raw-traces"]);
  flag("--trace", args.trace);
  return out;
}

function printBoardSummary(outcomes: BoardOutcome[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify(outcomes, null, 2));
    return;
  }
  const rows = outcomes.map((o) => {
    const done = o.results.filter((r) => r.status === "completed").length;
    const firstError = o.error ?? o.results.find((r) => r.error)?.error?.split("\n")[0];
    const result = `${done} of ${o.results.length} measurements completed${o.status === "completed" ? "" : firstError ? `: ${firstError}` : ""}`;
    return [o.board, o.status, o.runIds.length ? o.runIds.join(",") : "-", result];
  });
  const header = ["board", "status", "runs", "result"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/** What one `tinyrig run` on one board measures, resolved before anything is built (planRun makes the plan of it). */
interface RunRequest {
  board: BoardDefinition;
  workloads: SuiteWorkload[];
  options: RunOptions;
}

function freshRequest(args: RunArgs, boardName: string | undefined): RunRequest {
  const board = checkFlasherSection(findBoard(boardName ?? defaultBoard()));
  if (args["input-channel"] === "file") {
    // semihosting is an emulator's; the file channel is tested on Arm only; and only accuracy has no line time to measure
    if (board.kind !== "emulated" || board.cpu.arch !== "arm") {
      throw new UsageError(
        `--input-channel file: ${board.name} is ${board.kind === "emulated" ? `an emulated ${board.cpu.arch} board` : "a physical board"}; the file channel is QEMU's semihosting on emulated Arm boards`,
      );
    }
    if (args.mode === undefined || args.mode.some((m) => m !== "accuracy")) {
      throw new UsageError("--input-channel file goes with --mode accuracy (performance and energy windows also time and model the input's line transfer)");
    }
  }
  // no --mode: each board's defaults (run/plan.ts defaultModes)
  let modes = args.mode === undefined ? undefined : args.mode.includes("all") ? [...RUN_MODES] : (args.mode as RunMode[]);
  let firmware: PrebuiltFirmware | undefined;
  if (args.firmware !== undefined) ({ firmware, modes } = prebuiltFirmware(args, board, modes));
  if (args.model !== undefined) return { board, workloads: [userModel(args)], options: runOptions(args, modes, firmware) };
  if (args["input-transform"] !== undefined || args["input-bytes"] !== undefined) throw new UsageError(`--input-transform and --input-bytes go with --model`);
  const workloadIds = args.workload ?? DEFAULTS.workload;
  const selected = workloadIds.includes("all") ? listWorkloads() : workloadIds.map((id) => loadWorkload(id));
  const variants = args.variant;
  const workloads =
    variants === undefined
      ? selected.map((w) => suiteWorkload(w, args.dataset))
      : // every named variant is checked (the float32 reference refused, unknown ids named) before anything is built
        selected
          .map((w) => [w, selectBoardModels(w, variants)] as const)
          .flatMap(([w, ids]) => {
            const hostOnly = variants.includes("all") ? w.manifest.variants.filter((v) => v.kind === "float32").map((v) => v.id) : [];
            if (hostOnly.length) console.error(`${w.id}: ${hostOnly.join(", ")} left out (host only: no board runs a float32 model)`);
            return ids.map((id) => suiteWorkload(w, args.dataset, id));
          });
  return { board, workloads, options: runOptions(args, modes, firmware) };
}

/**
 * `--firmware ELF`: checked before any work (usage errors naming the file): an emulated board, an ELF for its CPU, one
 * workload or --model (the image holds one model), and energy only where the emulator's energy model can count the
 * image's instructions (the idle-loop symbols it leaves out); with the modes defaulted, energy is left out instead.
 */
function prebuiltFirmware(args: RunArgs, board: BoardDefinition, modes: RunMode[] | undefined): { firmware: PrebuiltFirmware; modes: RunMode[] | undefined } {
  const given = `--firmware ${args.firmware}`;
  if (board.kind !== "emulated")
    throw new UsageError(
      `${given}: ${board.name} is a physical board; a prebuilt image runs on an emulated board (on hardware: flash it yourself, with the board's manual flasher)`,
    );
  if (args.model === undefined) {
    if (args.workload === undefined || args.workload.includes("all") || args.workload.length !== 1)
      throw new UsageError(`${given}: the image holds one model; name its workload (--workload ID, one) or the model (--model X.tflite --dataset DIR)`);
    if (args.variant !== undefined) throw new UsageError(`${given}: the image holds its own model; leave out --variant`);
  }
  // MLPerf's energy flow needs MLPerf's energy-mode image (its timestamps are pin pulses, it prints none), which then
  // times nothing else: with a prebuilt image, that image is the energy-mode one and energy is all it measures
  if (args["energy-flow"] === "mlperf" && (modes === undefined || modes.length !== 1 || modes[0] !== "energy"))
    throw new UsageError(
      `${given} --energy-flow mlperf: the image must be MLPerf's energy-mode build (EE_CFG_ENERGY_MODE=1), which prints no timestamps, so energy is the only mode it runs: add --mode energy alone (latency and accuracy: run a performance-mode build separately)`,
    );
  let firmware: PrebuiltFirmware;
  try {
    firmware = loadPrebuiltFirmware(args.firmware!, board);
  } catch (err) {
    throw err instanceof PrebuiltFirmwareError ? new UsageError(`--firmware: ${err.message}`) : err;
  }
  const missing = firmware.prebuilt.missingIdleSymbols;
  const noEnergy =
    missing.length === 0
      ? undefined
      : `energy on the emulated ${board.name} is modelled from the instructions the firmware runs between its timestamp pin's edges, leaving out its idle loop; ${args.firmware} has no ${missing.join(" or ")} symbol to find that loop by, so its energy cannot be modelled`;
  if (noEnergy && modes?.includes("energy")) throw new UsageError(`${given}: ${noEnergy}: leave out --mode energy`);
  if (noEnergy && modes === undefined && defaultModes(board).includes("energy")) {
    console.error(`tinyrig: ${noEnergy}; measuring latency and accuracy only`);
    modes = defaultModes(board).filter((m) => m !== "energy");
  }
  return { firmware, modes };
}

function runOptions(args: RunArgs, modes: RunMode[] | undefined, firmware?: PrebuiltFirmware): RunOptions {
  return {
    firmware,
    modes,
    performance: {
      windows: args.windows ?? DEFAULTS.windows,
      minWindowSeconds: args["min-window-seconds"] ?? DEFAULTS.minWindowSeconds,
      iterations: args.iterations,
    },
    limit: args.limit,
    energyFlow: args["energy-flow"] ?? DEFAULTS.energyFlow,
    rawTraces: args["raw-traces"],
    inputChannel: args["input-channel"] ?? "line",
  };
}

/** `--model X.tflite --dataset DIR`: the model is the workload (workloads/model-workload.ts); checked before any work. */
function userModel(args: RunArgs): SuiteWorkload {
  if (args.workload !== undefined || args.variant !== undefined)
    throw new UsageError(`--model runs the model given; leave out ${args.workload !== undefined ? "--workload" : "--variant"}`);
  if (args.dataset === undefined)
    throw new UsageError(`--model ${args.model} needs --dataset: a folder of inputs in MLPerf Tiny's layout (y_labels.csv beside the files)`);
  try {
    return modelSuiteWorkload(modelWorkload(args.model!, args.dataset, { transform: args["input-transform"], inputBytes: args["input-bytes"] }));
  } catch (err) {
    throw err instanceof ModelWorkloadError ? new UsageError(`--model: ${err.message}`) : err;
  }
}

/**
 * A resumed run measures exactly as it started: board (its stored YAML), workload, variant, mode, dataset, windows,
 * window length, iterations and input limit all come from the database. An option that says otherwise is refused,
 * named; one that says the same is accepted.
 */
function resumedRequest(store: ResultStore, runId: number, args: RunArgs, boardName: string | undefined): RunRequest {
  const r = restoreRun(store, runId, { firmware: args.firmware });
  const conflicts: string[] = [];
  /** An option given that does not say what the run stored: named with the stored value. */
  const check = (option: string, given: unknown, same: boolean, stored: string) => {
    if (given !== undefined && !same) conflicts.push(`--${option} ${Array.isArray(given) ? given.join(" ") : String(given)} (run ${runId}: ${stored})`);
  };
  const one = (v: string[] | undefined) => (v?.length === 1 ? v[0] : undefined);
  check("board", boardName, boardName !== undefined && r.boardMatches(boardName), r.board.name);
  check("workload", args.workload, one(args.workload) === r.workload.id, r.workload.id);
  check(
    "variant",
    args.variant,
    (one(args.variant) === "model" ? undefined : one(args.variant)) === r.workload.variant && args.variant?.length === 1,
    r.workload.variant ?? "model",
  );
  check("mode", args.mode, one(args.mode) === r.mode, r.mode);
  check(
    "model",
    args.model,
    args.model !== undefined && path.resolve(args.model) === r.workload.modelFile,
    r.workload.modelFile ?? `workload ${r.workload.id}`,
  );
  check(
    "dataset",
    args.dataset,
    args.dataset !== undefined && path.resolve(args.dataset) === (r.datasetDir && path.resolve(r.datasetDir)),
    r.datasetDir ?? "the committed test set",
  );
  check("windows", args.windows, args.windows === r.performance.windows, `${r.performance.windows} windows`);
  check("min-window-seconds", args["min-window-seconds"], args["min-window-seconds"] === r.performance.minWindowSeconds, `${r.performance.minWindowSeconds} s`);
  check("iterations", args.iterations, args.iterations === r.iterations.given, r.iterations.given === undefined ? "calibrated" : String(r.iterations.given));
  check("limit", args.limit, args.limit === r.limit, r.limit === undefined ? "every input" : String(r.limit));
  check("energy-flow", args["energy-flow"], false, "no energy measured");
  check("campaign", args.campaign, args.campaign === r.run.campaign, r.run.campaign ?? "no campaign");
  if (conflicts.length) {
    throw new UsageError(`a resumed run keeps the settings it was started with; leave out: ${conflicts.join("; ")}`);
  }
  return {
    board: r.board,
    workloads: [r.workload],
    options: {
      modes: [r.mode],
      performance: { ...r.performance, iterations: r.iterations.measured },
      limit: r.limit,
      energyFlow: DEFAULTS.energyFlow,
      rawTraces: args["raw-traces"],
      resume: r.resume,
      firmware: r.firmware,
      // the channel the inputs came by (it changes no figure, only how the bytes travelled)
      inputChannel: String(r.run.settings.inputChannel ?? "").startsWith("file") ? "file" : "line",
    },
  };
}

function printSummary(results: SuiteResult[], emulated: boolean, json: boolean, store: ResultStore): void {
  // Each stored run's validity (harness/store/validity.ts): a partial or exploratory figure says so beside it.
  const validity = (r: SuiteResult) => (r.runId === undefined ? undefined : store.getRun(r.runId)?.validity);
  if (json) {
    console.log(
      JSON.stringify(
        results.map((r) => ({ ...r, validity: validity(r) })),
        null,
        2,
      ),
    );
    return;
  }
  const rows = results.map((r) => {
    const v = validity(r);
    const mark = r.status === "completed" && v && v.class !== "headline" ? ` [${v.class}: ${v.reasons.join("; ")}]` : "";
    // the stored run, printed as the report prints it (store/summary.ts)
    const stored = r.runId === undefined ? undefined : store.getRun(r.runId);
    const figure = stored ? formatRunFigure(stored) : "";
    // the first line of an error: a build's tool output stays in the stored run, not in the table
    return [
      r.variant ? `${r.workload}/${r.variant}` : r.workload,
      r.mode,
      r.runId === undefined ? "-" : String(r.runId),
      r.status,
      r.error?.split("\n")[0] ?? `${figure}${mark}`,
    ];
  });
  const header = ["workload", "mode", "run", "status", emulated ? "result (emulated board: virtual time)" : "result"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}
