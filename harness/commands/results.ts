// `tinyrig results` (list / show / export) and `tinyrig report`.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { exportRows, toCsv, type ExportTable } from "../store/export.ts";
import { ResultStore, StoreError } from "../store/store.ts";
import { loadConfig } from "../config.ts";
import { positiveInteger, positiveIntegers } from "./usage.ts";

export function resultsCommands(cli: Argv): void {
  cli.command("results", describeCommand("results"), (y) =>
    y
      .option("db", { type: "string", default: loadConfig().db.value, describe: "result database" })
      .command("list", "list runs", (yy) =>
        yy.option("board", { type: "string" }).option("workload", { type: "string" }).option("mode", { type: "string" })
          .option("variant", { type: "string", describe: "runs of this model variant (model: the main model)" })
          .option("status", { type: "string" }).option("since", { type: "string", describe: "ISO date" }).option("limit", { type: "string", default: "50", coerce: positiveInteger("--limit") })
          .option("json", { type: "boolean", default: false }),
        (a) => withStore(a.db as string, (s) => {
          const runs = s.listRuns({ board: a.board, workload: a.workload, variant: a.variant, mode: a.mode, status: a.status, since: a.since, limit: a.limit });
          if (a.json) return console.log(JSON.stringify(runs, null, 2));
          for (const r of runs) {
            console.log(`${String(r.id).padStart(5)}  ${r.startedAt}  ${r.board.padEnd(16)} ${(r.variant ? `${r.workload}/${r.variant}` : r.workload).padEnd(18)} ${r.mode.padEnd(12)} ${r.status.padEnd(11)} ${r.boardKind === "emulated" ? "emulated" : ""}${r.error ? `  ${r.error.split("\n")[0]}` : ""}`);
          }
        }))
      .command("show <id>", "one run with its windows and summary", (yy) => yy.positional("id", { type: "string", demandOption: true, coerce: positiveInteger("run id") }).option("json", { type: "boolean", default: false }),
        (a) => withStore(a.db as string, (s) => {
          const run = s.getRun(a.id as number);
          if (!run) throw new StoreError(`no run ${a.id} in ${s.file}`);
          const out = { run, windows: s.windows(run.id), inferences: s.inferences(run.id).length };
          console.log(JSON.stringify(out, null, 2));
        }))
      .command("export", "export runs, windows or inferences as CSV or JSON", (yy) =>
        yy.option("table", { choices: ["runs", "windows", "inferences"] as const, default: "runs" as const })
          .option("format", { choices: ["csv", "json"] as const, default: "csv" as const })
          .option("run", { type: "string", array: true, coerce: positiveIntegers("--run"), describe: "only these runs" })
          .option("out", { type: "string", describe: "file (default: stdout)" }),
        (a) => withStore(a.db as string, (s) => {
          const runs = a.run as number[] | undefined;
          const missing = runs?.filter((id) => !s.getRun(id)) ?? [];
          if (missing.length) throw new StoreError(`no run ${missing.join(", ")} in ${s.file}`);
          const rows = exportRows(s, a.table as ExportTable, runs);
          const text = a.format === "json" ? JSON.stringify(rows, null, 2) + "\n" : toCsv(rows);
          if (a.out) writeOutput(a.out as string, text);
          else process.stdout.write(text);
        }))
      .demandCommand(1, "results list | show <id> | export"),
  );
  cli.command("report", describeCommand("report"), (y) =>
    y.option("db", { type: "string", default: loadConfig().db.value, describe: "result database" }).option("out", { type: "string", default: loadConfig().reports.value, describe: "report folder" }),
    async (a) => {
      const store = ResultStore.open(a.db, { readOnly: true });
      try {
        // the rendering stack (vega) loads only for reports
        const { writeReport } = await import("../report/report.ts");
        console.log(await writeReport({ store, outDir: a.out }));
      } finally {
        store.close();
      }
    },
  );
}

/** The export's file, an error naming it if it cannot be written (a folder, a read-only place). */
function writeOutput(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`${path.resolve(file)}: cannot write the export (${e.code ?? e.message}${e.code === "EISDIR" ? ": it is a folder, name a file" : ""})`);
  }
}

/** These commands only read: a read-only database (an archive) works as well as a writable one. */
function withStore(db: string, f: (s: ResultStore) => void): void {
  const store = ResultStore.open(db, { readOnly: true });
  try {
    f(store);
  } finally {
    store.close();
  }
}
