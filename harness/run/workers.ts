// Many boards on one host: each board in a worker process of its own (`tinyrig run --board <file>`, with its own
// board session, lock and database connection), up to `jobs` at once, all into one database (SQLite WAL; each writer
// waits for the others through busy_timeout). One board failing does not stop the others. A worker reports its
// results to this process over the IPC channel; its log lines come through prefixed with its board's name.
import { fork, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { BoardDefinition } from "../boards/schema.ts";
import type { RunRow } from "../store/store.ts";
import type { SuiteResult } from "./types.ts";

/** One board's part of a run, as after-run steps (report, gate, JUnit) take it. */
export interface BoardOutcome {
  board: string;
  file: string;
  status: "completed" | "failed" | "interrupted";
  /** The runs stored, in the order measured. */
  runIds: number[];
  results: SuiteResult[];
  /** Why the board failed as a whole (a worker that ended without results, a stream that failed), if it did. */
  error?: string;
}

/** The environment variable that makes `tinyrig run` a board worker: it sends its results to its parent. */
export const BOARD_WORKER_ENV = "TINYRIG_BOARD_WORKER";

/** What a worker sends its parent over IPC. */
export interface WorkerMessage {
  kind: "tinyrig-board-results";
  results: SuiteResult[];
}

export function outcomeOf(board: BoardDefinition, results: SuiteResult[], allCompleted: boolean, error?: string): BoardOutcome {
  const interrupted = results.some((r) => r.status === "interrupted");
  return {
    board: board.name,
    file: board.file,
    status: allCompleted ? "completed" : interrupted ? "interrupted" : "failed",
    runIds: results.filter((r) => r.runId !== undefined).map((r) => r.runId!),
    results,
    ...(error ? { error } : {}),
  };
}

export interface WorkerPoolOptions {
  boards: BoardDefinition[];
  /** The order to start them in (indices into `boards`, e.g. longestFirst's); default: as given. Outcomes keep `boards`' order. */
  order?: number[];
  /** `tinyrig` arguments every worker gets (the command and its options, without --board). */
  args: string[];
  jobs: number;
  /** Where workers' log lines (stderr) and summary lines (stdout) go, prefixed with the board. */
  stderr: (line: string) => void;
  stdout: (line: string) => void;
  signal: AbortSignal;
}

/**
 * The order boards start in, longest first (the LPT rule: with `jobs` lanes, the board that takes longest must not be
 * the one left running alone at the end). A board's expected time is the sum over what this run measures (workload x
 * mode) of its latest completed run's duration in the database; a board with no such history starts first, in the
 * order given, since it may be the longest. Returns indices into `boards`.
 */
export function longestFirst(
  boards: readonly BoardDefinition[],
  history: readonly Pick<RunRow, "board" | "workload" | "variant" | "mode" | "status" | "startedAt" | "endedAt">[],
): { order: number[]; expectedSeconds: (number | undefined)[] } {
  const latest = new Map<string, number>(); // board|workload|variant|mode -> seconds of its latest completed run
  for (const r of history) {
    if (r.status !== "completed" || !r.endedAt) continue;
    const key = `${r.board}|${r.workload}|${r.variant ?? ""}|${r.mode}`;
    const seconds = (Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000;
    if (!latest.has(key) && Number.isFinite(seconds) && seconds >= 0) latest.set(key, seconds); // history is newest first
  }
  const expectedSeconds = boards.map((b) => {
    const mine = [...latest].filter(([k]) => k.startsWith(`${b.name}|`));
    return mine.length ? mine.reduce((sum, [, s]) => sum + s, 0) : undefined;
  });
  const order = boards
    .map((_, i) => i)
    .sort((a, b) => {
      const ea = expectedSeconds[a],
        eb = expectedSeconds[b];
      if (ea === undefined || eb === undefined) return (ea === undefined ? 0 : 1) - (eb === undefined ? 0 : 1) || a - b;
      return eb - ea || a - b;
    });
  return { order, expectedSeconds };
}

const FORWARDED = ["SIGINT", "SIGTERM"] as const;

/** Runs every board's worker, `jobs` at a time; a board's outcome whatever happened to its worker. */
export async function runBoardWorkers(opts: WorkerPoolOptions): Promise<BoardOutcome[]> {
  const outcomes: BoardOutcome[] = new Array(opts.boards.length);
  const running = new Set<ChildProcess>();
  // Every SIGINT or SIGTERM to this process goes to every worker (they run in process groups of their own, so a
  // terminal's Ctrl-C reaches them only through here): the first makes each store what it measured as interrupted and
  // end, a second ends them at once. Prepended, so a worker hears a second signal before this process exits on it
  // (harness/run/signals.ts); `opts.signal` (aborted by the first) stops boards not yet started.
  const forward = (s: NodeJS.Signals) => {
    for (const child of running) child.kill(s);
  };
  for (const s of FORWARDED) process.prependListener(s, forward);
  const order = opts.order ?? opts.boards.map((_, i) => i);
  let next = 0;
  const lane = async () => {
    while (next < order.length && !opts.signal.aborted) {
      const i = order[next++]!;
      outcomes[i] = await runWorker(opts.boards[i]!, opts, running);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, opts.boards.length)) }, lane));
  } finally {
    for (const s of FORWARDED) process.off(s, forward);
  }
  // boards never started (a signal came first) are interrupted, with nothing stored
  return opts.boards.map((b, i) => outcomes[i] ?? outcomeOf(b, [], false, "not started: interrupted"));
}

function runWorker(board: BoardDefinition, opts: WorkerPoolOptions, running: Set<ChildProcess>): Promise<BoardOutcome> {
  // The same entry this process runs (bin/tinyrig-dev.js in a checkout, bin/tinyrig.js installed), with its flags.
  const child = fork(process.argv[1]!, [...opts.args, "--board", board.file], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, [BOARD_WORKER_ENV]: "1" },
    detached: true,
  });
  running.add(child);
  let results: SuiteResult[] | undefined;
  child.on("message", (m: WorkerMessage) => {
    if (m?.kind === "tinyrig-board-results") results = m.results;
  });
  const prefix = `[${board.name}] `;
  createInterface({ input: child.stdout! }).on("line", (l) => opts.stdout(prefix + l));
  createInterface({ input: child.stderr! }).on("line", (l) => {
    // progress as JSON lines stays JSON, with the board named in it
    if (l.startsWith("{")) {
      try {
        opts.stderr(JSON.stringify({ board: board.name, ...(JSON.parse(l) as object) }));
        return;
      } catch {
        /* not JSON after all */
      }
    }
    opts.stderr(prefix + l);
  });
  return new Promise((resolve) => {
    child.on("error", (err) => {
      running.delete(child);
      resolve(outcomeOf(board, results ?? [], false, `worker: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      running.delete(child);
      const why = code === 0 || results !== undefined ? undefined : `its worker ended (${signal ?? `exit ${code}`}) without results`;
      // completed only if the worker says so: one whose measurements all completed may have failed elsewhere (a stream)
      resolve(outcomeOf(board, results ?? [], code === 0, why));
    });
  });
}
