// `tinyrig run` (and `tinyrig suite`): build, flash, run, store; print a summary; optionally write the report.
import type { Argv } from "yargs";
import { DEFAULT_BOARD, findBoard } from "../boards/load.ts";
import type { BoardDefinition } from "../boards/schema.ts";
import { createProgress } from "../run/progress.ts";
import { runSuite, type RunMode, type SuiteOptions, type SuiteResult } from "../run/suite.ts";
import { suiteWorkload } from "../run/workload-adapter.ts";
import { DEFAULT_DB, ResultStore } from "../store/store.ts";
import { listWorkloads, loadWorkload } from "../workloads/registry.ts";
import { selectBoardModels } from "../workloads/variants.ts";
import { writeReport } from "../report/report.ts";
import { runStreamingWorkloads, streamSummaryLine } from "../streaming/command.ts";
import { isStreamingWorkload } from "../streaming/workload.ts";

interface RunArgs {
  board: string;
  workload: string[];
  variant?: string[];
  mode?: string[];
  db: string;
  windows: number;
  "min-window-seconds": number;
  iterations?: number;
  dataset?: string;
  limit?: number;
  resume?: number;
  "energy-flow": "auto" | "mlperf";
  "raw-traces": boolean;
  report: boolean;
  json: boolean;
  trace: boolean;
  stream?: string;
  "tp-extension"?: number;
}

export function runCommands(cli: Argv): void {
  const options = (y: Argv) =>
    y
      .option("board", { type: "string", default: DEFAULT_BOARD, describe: "board name or YAML file" })
      .option("workload", { type: "string", array: true, default: ["all"], describe: "workload ids, or all" })
      .option("variant", { type: "string", array: true, describe: "measure model variants instead of the main model: variant ids (tinyrig workloads list shows them), model (the main one), or all" })
      .option("mode", { type: "string", array: true, describe: "performance, accuracy, energy, or all (default: performance and accuracy, with energy where the board can measure or model it)" })
      .option("db", { type: "string", default: DEFAULT_DB, describe: "result database" })
      .option("windows", { type: "number", default: 5, describe: "performance windows (MLPerf: 5, median reported)" })
      .option("min-window-seconds", { type: "number", default: 10, describe: "device time per performance window" })
      .option("iterations", { type: "number", describe: "fixed inferences per window (default: scaled to --min-window-seconds)" })
      .option("dataset", { type: "string", describe: "a folder in MLPerf Tiny's dataset layout to use instead of the committed test set" })
      .option("limit", { type: "number", describe: "accuracy mode: only the first N inputs" })
      .option("resume", { type: "number", describe: "continue an interrupted or failed run (its board, workload and mode)" })
      .option("energy-flow", { choices: ["auto", "mlperf"] as const, default: "auto" as const, describe: "auto: energy in the same windows as latency where the host reaches the device directly; mlperf: MLPerf's separate energy-mode firmware run" })
      .option("raw-traces", { type: "boolean", default: false, describe: "keep each energy window's raw monitor samples (compressed, beside the database)" })
      .option("report", { type: "boolean", default: false, describe: "write reports/index.html afterwards" })
      .option("json", { type: "boolean", default: false, describe: "print the summary as JSON" })
      .option("trace", { type: "boolean", default: false, describe: "print every protocol line" })
      .option("stream", { type: "string", describe: "streaming workloads: the stream to score (default long)" })
      .option("tp-extension", { type: "number", describe: "streaming workloads: seconds after a wake word's end a detection still counts (MLPerf's README 1, its code 2)" });
  cli.command("run", "benchmark workloads on a board and store the results", options, async (args) => {
    process.exitCode = await run(args as unknown as RunArgs);
  });
  cli.command("suite", "the full reference suite on the default emulated board, stored, with the report", options, async (args) => {
    process.exitCode = await run({ ...(args as unknown as RunArgs), report: true });
  });
}

async function run(args: RunArgs): Promise<number> {
  const store = ResultStore.open(args.db);
  const abandoned = store.markInterrupted();
  let resume: SuiteOptions["resume"];
  if (args.resume !== undefined) {
    const r = store.getRun(args.resume);
    if (!r) throw new Error(`no run ${args.resume} in ${store.file}`);
    if (r.status === "completed" || r.status === "running") throw new Error(`run ${r.id} is ${r.status}; only interrupted or failed runs can be resumed`);
    if (r.mode === "energy" || r.settings.meter !== undefined) throw new Error(`run ${r.id} measured energy: energy windows are not resumable, start a new run`);
    args = { ...args, board: r.board, workload: [r.workload], variant: r.variant ? [r.variant] : undefined, mode: [r.mode] };
    const windows = store.windows(r.id);
    resume = { runId: r.id, mode: r.mode, workload: r.workload, firmwareSha256: r.firmwareSha256, windowsDone: new Set(windows.map((w) => w.index)), inferences: store.inferences(r.id) };
  }
  const board = findBoard(args.board);
  const modes = (args.mode === undefined ? defaultModes(board) : args.mode.includes("all") ? ["performance", "accuracy", "energy"] : args.mode) as RunMode[];
  for (const m of modes) if (!["performance", "accuracy", "energy"].includes(m)) throw new Error(`--mode ${m}: not one of performance, accuracy, energy, all`);
  // streaming workloads (workloads/<id>/streaming.yaml) run as a stream of their own (harness/streaming)
  const streamIds = args.workload.filter((id) => id !== "all" && isStreamingWorkload(id));
  if (streamIds.length) {
    const progress = createProgress();
    const streams = await runStreamingWorkloads({ ids: streamIds, board, store, progress, stream: args.stream, tpExtensionS: args["tp-extension"] });
    for (const { id, stored } of streams) console.log(`${id}  stream  ${stored.runId ?? "-"}  ${stored.status}  ${streamSummaryLine(stored)}`);
    if (streamIds.length === args.workload.length) {
      console.error(`results stored in ${store.file}`);
      store.close();
      return streams.every((s) => s.stored.status === "completed") ? 0 : 1;
    }
    args = { ...args, workload: args.workload.filter((id) => !streamIds.includes(id)) };
  }
  const selected = args.workload.includes("all") ? listWorkloads() : args.workload.map((id) => loadWorkload(id));
  const variants = args.variant;
  const workloads = variants === undefined
    ? selected.map((w) => suiteWorkload(w, args.dataset))
    // every named variant is checked (the float32 reference refused, unknown ids named) before anything is built
    : selected.map((w) => [w, selectBoardModels(w, variants)] as const).flatMap(([w, ids]) => {
      const hostOnly = variants.includes("all") ? w.manifest.variants.filter((v) => v.kind === "float32").map((v) => v.id) : [];
      if (hostOnly.length) console.error(`${w.id}: ${hostOnly.join(", ")} left out (host only: no board runs a float32 model)`);
      return ids.map((id) => suiteWorkload(w, args.dataset, id));
    });
  const progress = createProgress();
  if (abandoned.length) progress.log(`marked runs ${abandoned.join(", ")} interrupted (their process is gone)`);
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error("interrupted by signal"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let results: SuiteResult[];
  try {
    results = await runSuite({
      board,
      workloads,
      modes,
      store,
      performance: { windows: args.windows, minWindowSeconds: args["min-window-seconds"], iterations: args.iterations },
      limit: args.limit,
      resume,
      progress,
      signal: abort.signal,
      trace: args.trace ? (d, l) => progress.log(`${d === "tx" ? ">" : "<"} ${l}`) : undefined,
      energyFlow: args["energy-flow"],
      rawTraces: args["raw-traces"],
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  printSummary(results, board.kind === "emulated", args.json);
  console.error(`results stored in ${store.file}`);
  if (args.report) {
    const out = await writeReport({ store });
    console.error(`report written to ${out}`);
  }
  store.close();
  return results.every((r) => r.status === "completed") ? 0 : 1;
}

/** Latency and accuracy always; energy too where it costs nothing more: a power model or a power monitor is there. */
function defaultModes(board: BoardDefinition): RunMode[] {
  const energy = board.kind === "emulated" ? board.powerModel !== undefined : board.powerMonitor !== undefined;
  return energy ? ["performance", "accuracy", "energy"] : ["performance", "accuracy"];
}

function printSummary(results: SuiteResult[], emulated: boolean, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const rows = results.map((r) => {
    let figure = "";
    if (r.performance) figure = `${(r.performance.medianLatencyUs / 1000).toFixed(3)} ms/inference (median of ${r.performance.windows} windows, ${r.performance.iterations} each)`;
    if (r.accuracy) {
      const a = r.accuracy;
      figure = `${a.metric} ${(a.value * (a.metric === "top1" ? 100 : 1)).toFixed(a.metric === "top1" ? 2 : 4)}${a.metric === "top1" ? "%" : ""} over ${a.count}; bit-exact with host ${a.bitExact.matched}/${a.bitExact.compared}`;
    }
    if (r.energy?.medianEnergyPerInferenceUj !== undefined) {
      const e = r.energy;
      const phases = e.phasesUj ? `; per fresh input: load ${e.phasesUj.load.toFixed(1)}, pre ${e.phasesUj.pre.toFixed(1)}, post ${e.phasesUj.post.toFixed(1)} uJ` : "";
      const energy = `${e.medianEnergyPerInferenceUj!.toFixed(3)} uJ/inference${e.energyKind === "modelled" ? " (modelled)" : ""}${phases}`;
      figure = r.performance ? `${figure}; ${energy}` : `${energy} (median of ${e.windows} windows)`;
    }
    // the first line of an error: a build's tool output stays in the stored run, not in the table
    return [r.variant ? `${r.workload}/${r.variant}` : r.workload, r.mode, r.runId === undefined ? "-" : String(r.runId), r.status, r.error?.split("\n")[0] ?? figure];
  });
  const header = ["workload", "mode", "run", "status", emulated ? "result (emulated board: virtual time)" : "result"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}
