// `tinyrig compare` (the regression gate) and `tinyrig baseline` (record the runs it compares against).
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { loadConfig } from "../config.ts";
// The gate's modules (statistics, JUnit writer, store, bundles) load in the handlers: --help answers without them.

export function gateCommands(cli: Argv): void {
  cli.command(
    "compare",
    describeCommand("compare"),
    (y) =>
      y
        .option("db", { type: "string", default: loadConfig().db.value, describe: "result database (campaigns and recorded baselines are looked up here)" })
        .option("baseline", {
          type: "string",
          describe: "a bundle, a result database (its recorded baselines) or a campaign in --db (default: the baselines recorded in --db)",
        })
        .option("candidate", { type: "string", describe: "a bundle, a result database or a campaign in --db (default: the newest campaign in --db)" })
        .option("rules", { type: "string", describe: "a YAML file of gate rules over the shipped defaults (docs/nightly.md)" })
        .option("board", { type: "string", array: true, describe: "judge only these boards" })
        .option("allow-partial", {
          type: "boolean",
          default: false,
          describe: "let partial runs (fewer or shorter windows, fewer inputs) be compared, when both sides were measured the same way",
        })
        .option("junit", { type: "string", describe: "write JUnit XML here (a testsuite per board; regressions as failures, infrastructure as errors)" })
        .option("markdown", { type: "string", describe: "write a Markdown summary here (appended when it is $GITHUB_STEP_SUMMARY)" })
        .option("json", { type: "boolean", default: false, describe: "print the report as JSON" })
        .epilogue("exit codes: 0 pass, 1 regression, 2 usage, 3 infrastructure failure (a candidate that could not run or be judged)"),
    async (a) => {
      const [{ loadGateRules }, { compareCommand }] = await Promise.all([import("../gate/rules.ts"), import("../gate/gate.ts")]);
      const rules = loadGateRules(a.rules);
      process.exitCode = await compareCommand({
        db: a.db,
        baseline: a.baseline,
        candidate: a.candidate,
        rules,
        allowPartial: a["allow-partial"],
        boards: a.board as string[] | undefined,
        junit: a.junit,
        markdown: a.markdown,
        json: a.json,
      });
    },
  );
  cli.command("baseline", describeCommand("baseline"), (y) =>
    y
      .option("db", { type: "string", default: loadConfig().db.value, describe: "result database" })
      .command(
        "set <runs..>",
        "record baselines: every completed, valid run of a campaign, or runs named by id or UUID; one per board x workload x variant x mode",
        (yy) =>
          yy.positional("runs", { type: "string", array: true, demandOption: true, describe: "campaign ids, run ids or run UUIDs" }).option("allow-partial", {
            type: "boolean",
            default: false,
            describe: "partial runs may be baselines (a gate then compares only runs measured the same way)",
          }),
        async (a) => {
          const [{ ResultStore }, { recordBaselines }] = await Promise.all([import("../store/store.ts"), import("../gate/baselines.ts")]);
          const store = ResultStore.open(a.db as string);
          try {
            recordBaselines(store, (a.runs as (string | number)[]).map(String), a["allow-partial"] as boolean);
          } finally {
            store.close();
          }
        },
      )
      .command(
        "list",
        "the recorded baselines",
        () => {},
        async (a) => {
          const { ResultStore } = await import("../store/store.ts");
          const store = ResultStore.open(a.db as string, { readOnly: true });
          try {
            for (const r of store.baselineRuns())
              console.log(
                `${r.board}  ${r.variant ? `${r.workload}/${r.variant}` : r.workload}  ${r.mode}  run ${r.id} (${r.uuid})${r.campaign ? ` campaign ${r.campaign}` : ""}${r.validity.class === "headline" ? "" : ` [${r.validity.class}]`}`,
              );
          } finally {
            store.close();
          }
        },
      )
      .demandCommand(1, "baseline set <campaign|run ids..> | list"),
  );
}
