// `tinyrig results` (list / show / export / import) and `tinyrig report`.
import { formatRunFigure } from "../store/summary.ts";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { exportRows, toCsv, type ExportTable } from "../store/export.ts";
import { ResultStore, StoreError } from "../store/store.ts";
import { loadConfig } from "../config.ts";
import { DEFAULT_MAX_BUNDLE_BYTES, importBundle, writeBundle } from "../store/bundle.ts";
import { campaignId, positiveInteger, positiveIntegers, UsageError } from "./usage.ts";

export function resultsCommands(cli: Argv): void {
  cli.command("results", describeCommand("results"), (y) =>
    y
      .option("db", { type: "string", default: loadConfig().db.value, describe: "result database" })
      .command(
        "list",
        "list runs",
        (yy) =>
          yy
            .option("board", { type: "string" })
            .option("workload", { type: "string" })
            .option("mode", { type: "string" })
            .option("campaign", { type: "string", describe: "runs of this campaign" })
            .option("variant", { type: "string", describe: "runs of this model variant (model: the main model)" })
            .option("status", { type: "string" })
            .option("since", { type: "string", describe: "ISO date" })
            .option("limit", { type: "string", default: "50", coerce: positiveInteger("--limit") })
            .option("json", { type: "boolean", default: false }),
        (a) =>
          withStore(a.db as string, (s) => {
            const runs = s.listRuns({
              board: a.board,
              workload: a.workload,
              variant: a.variant,
              mode: a.mode,
              campaign: a.campaign,
              status: a.status,
              since: a.since,
              limit: a.limit,
            });
            if (a.json) return console.log(JSON.stringify(runs, null, 2));
            for (const r of runs) {
              console.log(
                `${String(r.id).padStart(5)}  ${r.uuid.slice(0, 8)}  ${r.startedAt}  ${r.board.padEnd(16)} ${(r.variant ? `${r.workload}/${r.variant}` : r.workload).padEnd(18)} ${r.mode.padEnd(12)} ${r.status.padEnd(11)} ${r.boardKind === "emulated" || r.simulated ? "emulated" : ""}${r.campaign ? `  campaign ${r.campaign}` : ""}${r.status === "completed" ? `  ${formatRunFigure(r)}` : ""}${r.status === "completed" && r.validity.class !== "headline" ? ` [${r.validity.class}: ${r.validity.reasons.join("; ")}]` : ""}${r.error ? `  ${r.error.split("\n")[0]}` : ""}`,
              );
            }
          }),
      )
      .command(
        "show <id>",
        "one run with its windows and summary",
        (yy) =>
          yy.positional("id", { type: "string", demandOption: true, coerce: positiveInteger("run id") }).option("json", { type: "boolean", default: false }),
        (a) =>
          withStore(a.db as string, (s) => {
            const run = s.getRun(a.id as number);
            if (!run) throw new StoreError(`no run ${a.id} in ${s.file}`);
            const out = { run, windows: s.windows(run.id), inferences: s.inferences(run.id).length };
            console.log(JSON.stringify(out, null, 2));
          }),
      )
      .command(
        "export",
        "export runs, windows or inferences as CSV or JSON, or runs as a bundle another database imports",
        (yy) =>
          yy
            .option("table", { choices: ["runs", "windows", "inferences"] as const, default: "runs" as const })
            .option("format", { choices: ["csv", "json"] as const, default: "csv" as const })
            .option("run", { type: "string", array: true, coerce: positiveIntegers("--run"), describe: "only these runs" })
            .option("out", { type: "string", describe: "file (default: stdout)" })
            .option("bundle", {
              type: "string",
              describe: "write a bundle (runs with their windows, inferences and provenance; results import reads it) to this file",
            })
            .option("campaign", { type: "string", coerce: campaignId, describe: "with --bundle: the runs of this campaign" })
            .option("traces", { type: "boolean", default: false, describe: "with --bundle: include the runs' raw monitor traces" })
            .check((o) => {
              if (o.bundle === undefined && (o.campaign !== undefined || o.traces)) throw new UsageError("--campaign and --traces go with --bundle");
              if (o.bundle !== undefined && o.out !== undefined) throw new UsageError("--bundle names the file to write; leave out --out");
              return true;
            }),
        async (a) => {
          const store = ResultStore.open(a.db as string, { readOnly: true });
          try {
            const runs = a.run as number[] | undefined;
            const missing = runs?.filter((id) => !store.getRun(id)) ?? [];
            if (missing.length) throw new StoreError(`no run ${missing.join(", ")} in ${store.file}`);
            if (a.bundle !== undefined) return await exportBundle(store, a.bundle as string, runs, a.campaign as string | undefined, a.traces as boolean);
            const rows = exportRows(store, a.table as ExportTable, runs);
            const text = a.format === "json" ? JSON.stringify(rows, null, 2) + "\n" : toCsv(rows);
            if (a.out) writeOutput(a.out as string, text);
            else process.stdout.write(text);
          } finally {
            store.close();
          }
        },
      )
      .command(
        "import <files..>",
        "add the runs of bundles (results export --bundle) to this database: each bundle checked whole, then stored whole or not at all",
        (yy) =>
          yy.positional("files", { type: "string", array: true, demandOption: true }).option("max-bytes", {
            type: "string",
            coerce: positiveInteger("--max-bytes"),
            describe: `cap on a bundle, compressed or not (default ${DEFAULT_MAX_BUNDLE_BYTES})`,
          }),
        async (a) => {
          const store = ResultStore.open(a.db as string);
          let failed = 0;
          try {
            for (const file of a.files as string[]) {
              try {
                const { added, present } = await importBundle(store, file, { maxBytes: a["max-bytes"] as number | undefined });
                console.log(
                  `${file}: ${added.length} run${added.length === 1 ? "" : "s"} added${present.length ? `, ${present.length} already here (unchanged)` : ""}`,
                );
              } catch (err) {
                if (!(err instanceof StoreError)) throw err;
                failed++;
                console.error(`tinyrig: ${err.message}`);
              }
            }
          } finally {
            store.close();
          }
          if (failed) process.exitCode = 1;
        },
      )
      .command(
        "import-published <file>",
        "add published MLPerf Tiny results (the submission checker's CSV) beside the runs measured here, labelled published",
        (yy) => yy.positional("file", { type: "string", demandOption: true }),
        async (a) => {
          const { addPublished, readPublishedCsv } = await import("../store/published.ts");
          const rows = readPublishedCsv(a.file as string); // checked whole before the database is opened
          const store = ResultStore.open(a.db as string);
          try {
            const { added, present } = addPublished(store, rows, a.file as string);
            console.log(
              `${a.file}: ${added} published result${added === 1 ? "" : "s"} added${present ? `, ${present} already here` : ""} (shown as published, not measured here)`,
            );
          } finally {
            store.close();
          }
        },
      )
      .demandCommand(1, "results list | show <id> | export | import <files..> | import-published <file>"),
  );
  cli.command(
    "report",
    describeCommand("report"),
    (y) =>
      y
        .option("db", { type: "string", default: loadConfig().db.value, describe: "result database" })
        .option("out", { type: "string", default: loadConfig().reports.value, describe: "report folder" })
        .option("site", { type: "string", describe: "write the leaderboard site to this folder instead (the same as tinyrig publish DIR)" })
        .check((o) => {
          if (o.site !== undefined && o.site.trim() === "") throw new UsageError("--site needs a folder");
          return true;
        }),
    async (a) => {
      if (a.site !== undefined) {
        const { publishSite } = await import("./publish.ts");
        return console.log(await publishSite(a.db, a.site));
      }
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

/**
 * Named runs (any finished one; a running one is refused, named), or every finished run of the campaign or of the
 * database: a run still being measured stays out, said on stderr.
 */
async function exportBundle(store: ResultStore, file: string, runIds: number[] | undefined, campaign: string | undefined, traces: boolean): Promise<void> {
  let ids = runIds;
  if (!ids) {
    const runs = store.listRuns({ campaign }).reverse();
    const running = runs.filter((r) => r.status === "running");
    if (running.length) console.error(`left out run${running.length > 1 ? "s" : ""} ${running.map((r) => r.id).join(", ")}: still running`);
    ids = runs.filter((r) => r.status !== "running").map((r) => r.id);
    if (!ids.length) throw new StoreError(`no finished runs${campaign ? ` of campaign ${campaign}` : ""} in ${store.file}: nothing to bundle`);
  }
  const d = await writeBundle(store, ids, file, { traces });
  console.error(`${path.resolve(file)}: ${d.runs.length} run${d.runs.length === 1 ? "" : "s"} (${d.runs.map((r) => r.uuid.slice(0, 8)).join(" ")})`);
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
