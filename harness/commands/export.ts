// `tinyrig export mlperf`: stored runs as an MLPerf Tiny submission tree. Checks everything typed before it opens the
// database (usage errors exit 2); refuses with the reasons, exit 1, when no run qualifies; writes all or nothing.
import path from "node:path";
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { parseBoardText } from "../boards/load.ts";
import type { BoardDefinition } from "../boards/schema.ts";
import { planExport, renderSubmission, type CandidateRun, type ExportRequest } from "../export/mlperf.ts";
import { DIVISIONS, ROUNDS, type Division, type Round } from "../export/qualify.ts";
import { destinationProblem, writeTree } from "../export/writer.ts";
import { ResultStore, type InferenceRow, type RunRow } from "../store/store.ts";
import { loadConfig } from "../config.ts";
import { listWorkloads } from "../workloads/registry.ts";
import { streamResult } from "../store/streams.ts";
import { listStreamingWorkloads } from "../streaming/workload.ts";
import type { CommittedStream } from "../export/qualify.ts";
import { UsageError } from "./usage.ts";

interface ExportArgs {
  out: string;
  submitter: string;
  division: Division;
  round: Round;
  board?: string[];
  campaign?: string;
  db: string;
  "allow-emulated": boolean;
}

/** A submitter folder's name: the checker warns on spaces and hidden names; a path separator would leave the tree. */
const SUBMITTER = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function exportCommand(cli: Argv): void {
  cli.command("export", describeCommand("export"), (y) =>
    y
      .command(
        "mlperf",
        "an MLPerf Tiny submission tree (closed or open division)",
        (yy) =>
          yy
            .option("out", { type: "string", demandOption: true, describe: "submission root to create (must not exist, or be an empty folder)" })
            .option("submitter", { type: "string", demandOption: true, describe: "organisation: the submitter folder's name" })
            .option("division", { choices: DIVISIONS, demandOption: true, describe: "closed enforces the accuracy targets" })
            .option("round", { choices: ROUNDS, demandOption: true, describe: "MLPerf Tiny round" })
            .option("board", { type: "string", array: true, describe: "only these boards (default: every board with runs)" })
            .option("campaign", { type: "string", describe: "only runs stored with this campaign" })
            .option("db", { type: "string", default: loadConfig().db.value, describe: "result database" })
            .option("allow-emulated", {
              type: "boolean",
              default: false,
              describe: "allow emulated boards (virtual time) and modelled energy, said so in the system notes",
            }),
        (a) => {
          process.exitCode = exportMlperf(a as unknown as ExportArgs);
        },
      )
      .demandCommand(1, "export mlperf"),
  );
}

function exportMlperf(a: ExportArgs): number {
  if (!SUBMITTER.test(a.submitter))
    throw new UsageError(`--submitter ${JSON.stringify(a.submitter)}: letters, digits, '.', '_' or '-', starting with a letter or digit (it names a folder)`);
  const problem = destinationProblem(a.out);
  if (problem) throw new UsageError(`--out ${problem}`);
  const req: ExportRequest = { submitter: a.submitter, division: a.division, round: a.round, allowEmulated: a["allow-emulated"] };
  const streaming = listStreamingWorkloads();
  const mlperfIds = new Map([...listWorkloads(), ...streaming].map((w) => [w.id, w.manifest.mlperfModelId]));
  // a streaming workload is scored on its `long` stream, as its manifest commits it
  const scoredStreams = new Map<string, CommittedStream>(streaming.map((w) => [w.id, { name: "long", sha256: w.manifest.streams.long!.sha256 }]));
  const store = ResultStore.open(a.db, { readOnly: true });
  try {
    let runs = store.listRuns({ status: "completed" });
    if (a.board?.length) {
      const missing = a.board.filter((b) => !runs.some((r) => r.board === b));
      if (missing.length) throw new Error(`no completed runs of board ${missing.join(", ")} in ${store.file}`);
      runs = runs.filter((r) => a.board!.includes(r.board));
    }
    if (a.campaign !== undefined) {
      runs = runs.filter((r) => r.settings.campaign === a.campaign);
      if (!runs.length) throw new Error(`no completed runs of campaign ${a.campaign} in ${store.file}`);
    }
    if (!runs.length) throw new Error(`no completed runs in ${store.file}`);
    const candidates: CandidateRun[] = runs.map((run) =>
      run.settings.kind === "stream"
        ? { run, windows: [], stream: streamResult(store, run.id) }
        : { run, windows: run.mode === "accuracy" ? [] : store.windows(run.id) },
    );
    const plan = planExport(candidates, mlperfIds, req, scoredStreams);
    for (const l of plan.leftOut) console.error(l);
    if (!plan.entries.length && !plan.streams.length) {
      console.error(`tinyrig: nothing qualifies for an MLPerf Tiny ${req.round} ${req.division} submission; nothing written`);
      return 1;
    }
    const boards = new Map<string, BoardDefinition>();
    const inferences = new Map<number, InferenceRow[]>();
    for (const e of plan.streams) if (!boards.has(e.board)) boards.set(e.board, storedBoard(store, e.run));
    for (const e of plan.entries) {
      if (!boards.has(e.board)) boards.set(e.board, storedBoard(store, e.performance.run));
      inferences.set(e.accuracy.id, store.inferences(e.accuracy.id));
    }
    const files = renderSubmission(plan, { boards, inferences }, req);
    writeTree(a.out, files);
    for (const e of plan.entries) {
      console.log(
        `${e.system} ${e.benchmark.folder}: performance run ${e.performance.run.id}, accuracy run ${e.accuracy.id}${e.energy ? `, energy run ${e.energy.run.id}` : ""}`,
      );
    }
    for (const e of plan.streams) {
      const s = e.stream.row;
      console.log(
        `${e.system} ${e.benchmark.folder}: stream run ${e.run.id} (${s.stream}: TP ${s.truePositives} FN ${s.falseNegatives} FP ${s.falsePositives})`,
      );
    }
    console.log(`wrote ${files.size} files under ${path.resolve(a.out)}`);
    return 0;
  } finally {
    store.close();
  }
}

/** The board file as the run stored it (not today's file, which may have changed since). */
function storedBoard(store: ResultStore, run: RunRow): BoardDefinition {
  return parseBoardText(store.boardText(run.id), `${run.board}.yaml`);
}
