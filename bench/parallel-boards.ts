// Many boards on one host (issue 12), printed:
//   npx tsx bench/parallel-boards.ts [--workload vibration] [--windows 3] [--min-window-seconds 1] [--jobs 2] [--entry built|sources]
// Each emulated board alone (`tinyrig run --board X`), then all of them at once (`tinyrig run --board emulated
// --jobs N`): wall time of each, and each board's device-timed latency (the performance run's windows, virtual time
// under -icount), which must be identical alone and together. Goal: the wall time of all boards together within 1.3x
// of (sum of the single-board wall times / cores). Firmware is built first (a priming run), so no figure includes a
// build. The single runs and the run of all boards share one database (campaigns `alone` and `together`), as a lab's
// database keeps last night's runs: the run of all boards starts the longest first from that history. CPU seconds
// (user + system, tinyrig and every process under it) come from /usr/bin/time where it is installed: a single board
// keeps more than one core busy (QEMU and tinyrig), which sum / cores does not count.
// The command is the npm package's (`--entry built`, the default: `npm run build`, then bin/tinyrig.js, as a runner
// with tinyrig installed runs it; each worker process starts in ~0.4 s) or the checkout's (`--entry sources`:
// bin/tinyrig-dev.js through tsx, ~0.75 s a process), said in the first line.
// Heavy: every emulated board runs twice; the figures depend on the machine's load, printed beside them.
import { execa } from "execa";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { listBoardFiles, loadBoardFile } from "../harness/boards/load.ts";
import { ResultStore } from "../harness/store/store.ts";

const { values } = parseArgs({
  options: {
    workload: { type: "string", default: "vibration" },
    windows: { type: "string", default: "3" },
    "min-window-seconds": { type: "string", default: "1" },
    jobs: { type: "string", default: String(availableParallelism()) },
    entry: { type: "string", default: "built" },
  },
});
if (values.entry !== "built" && values.entry !== "sources") {
  console.error(`--entry ${values.entry}: built or sources`);
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, "..");
const entry = values.entry === "built" ? "bin/tinyrig.js" : "bin/tinyrig-dev.js";
if (values.entry === "built") await execa("npm", ["run", "build"], { cwd: root });
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-bench-boards-"));
const boards = listBoardFiles()
  .map((f) => loadBoardFile(f))
  .filter((b) => b.kind === "emulated")
  .map((b) => b.name);
const cores = availableParallelism();
const jobs = Number(values.jobs);
const measure = ["--workload", values.workload, "--mode", "performance", "--windows", values.windows, "--min-window-seconds", values["min-window-seconds"]];

const TIME = "/usr/bin/time";
let timed = 0;

/** Wall seconds, and CPU seconds (user + system of tinyrig and everything it waited for) where /usr/bin/time is installed. */
async function tinyrig(args: string[]): Promise<{ seconds: number; cpu?: number }> {
  const cli = ["node", path.join(root, entry), ...args];
  const cpuFile = path.join(dir, `cpu-${timed++}.txt`);
  const [file, ...argv] = existsSync(TIME) ? [TIME, "-f", "%U %S", "-o", cpuFile, ...cli] : cli;
  const t0 = performance.now();
  const r = await execa(file!, argv, { cwd: root, reject: false, all: true });
  const seconds = (performance.now() - t0) / 1000;
  if (r.exitCode !== 0) throw new Error(`tinyrig ${args.join(" ")} exited ${r.exitCode}:\n${r.all?.slice(-3000)}`);
  if (!existsSync(cpuFile)) return { seconds };
  const [user, system] = readFileSync(cpuFile, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
  return { seconds, cpu: user! + system! };
}

/** Each board's performance-run window latencies (device-timed, us) in a campaign of the database. */
function latencies(db: string, campaign: string): Map<string, number[]> {
  const store = ResultStore.open(db, { readOnly: true });
  try {
    return new Map(store.listRuns({ mode: "performance", status: "completed", campaign }).map((r) => [r.board, store.windows(r.id).map((w) => w.latencyUs)]));
  } finally {
    store.close();
  }
}

console.log(
  `emulated boards: ${boards.join(", ")}; ${values.workload} performance, ${values.windows} windows of >= ${values["min-window-seconds"]} s (virtual); ${cores} cores; tinyrig from ${entry}`,
);
await tinyrig([
  "run",
  "--board",
  "emulated",
  "--jobs",
  String(jobs),
  "--workload",
  values.workload,
  "--mode",
  "accuracy",
  "--limit",
  "1",
  "--db",
  path.join(dir, "prime.db"),
]);

const cpuText = (cpu: number | undefined, seconds: number) =>
  cpu === undefined ? "" : `  cpu ${cpu.toFixed(1).padStart(6)} s (${(cpu / seconds).toFixed(2)} cores)`;
const db = path.join(dir, "bench.db");
const single = new Map<string, { seconds: number; cpu?: number; latency: number[] }>();
for (const board of boards) {
  const { seconds, cpu } = await tinyrig(["run", "--board", board, ...measure, "--db", db, "--campaign", "alone"]);
  single.set(board, { seconds, cpu, latency: latencies(db, "alone").get(board)! });
  console.log(
    `alone     ${board.padEnd(14)} wall ${seconds.toFixed(1).padStart(6)} s${cpuText(cpu, seconds)}  windows ${single
      .get(board)!
      .latency.map((l) => l.toFixed(3))
      .join(", ")} us  (load ${loadavg()[0]!.toFixed(2)})`,
  );
}
const { seconds: together, cpu: togetherCpu } = await tinyrig([
  "run",
  "--board",
  "emulated",
  "--jobs",
  String(jobs),
  ...measure,
  "--db",
  db,
  "--campaign",
  "together",
]);
const all = latencies(db, "together");
let identical = true;
for (const board of boards) {
  const same = JSON.stringify(all.get(board)) === JSON.stringify(single.get(board)!.latency);
  identical &&= same;
  console.log(`together  ${board.padEnd(14)} windows ${(all.get(board) ?? []).map((l) => l.toFixed(3)).join(", ")} us  ${same ? "identical" : "DIFFERENT"}`);
}
const sum = [...single.values()].reduce((s, x) => s + x.seconds, 0);
const ideal = sum / cores;
console.log(
  `all ${boards.length} boards with --jobs ${jobs}: wall ${together.toFixed(1)} s; sum of single ${sum.toFixed(1)} s / ${cores} cores = ${ideal.toFixed(1)} s; ratio ${(together / ideal).toFixed(2)}x (goal <= 1.3x); device-timed latency ${identical ? "identical on every board" : "DIFFERS"} (load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")})`,
);
const sumCpu = [...single.values()].reduce((s, x) => (s === undefined || x.cpu === undefined ? undefined : s + x.cpu), 0 as number | undefined);
if (sumCpu !== undefined && togetherCpu !== undefined)
  console.log(
    `cpu: the single runs used ${sumCpu.toFixed(1)} s (${(sumCpu / sum).toFixed(2)} cores on average), all together ${togetherCpu.toFixed(1)} s${cpuText(togetherCpu, together)}; ` +
      `wall against cpu / cores (${(sumCpu / cores).toFixed(1)} s): ${(together / (sumCpu / cores)).toFixed(2)}x`,
  );
// No schedule beats the longest single board: where one board takes longer than the sum / cores, that is the bound.
const longest = Math.max(...[...single.values()].map((x) => x.seconds));
if (longest > ideal)
  console.log(
    `the longest single board takes ${longest.toFixed(1)} s, more than sum / cores: against max(sum / cores, longest) the ratio is ${(together / longest).toFixed(2)}x`,
  );
if (!identical) process.exitCode = 1;
