// What `tinyrig run` does after its runs are stored (--bundle, --junit, --gate). Its options and the rules file are
// checked before the run starts; the gate itself (statistics, JUnit writer, bundles) loads only when a run asks for it.
import path from "node:path";
import type { Argv } from "yargs";
import { EXIT, TinyrigError } from "../errors.ts";
import type { RunSource } from "./compare.ts";
import { loadGateRules } from "./rules.ts";

export interface AfterRunOptions {
  /** Baseline: a bundle, a database, a campaign in --db, or `recorded` (the baselines recorded in --db). */
  gate?: string;
  junit?: string;
  bundle?: string;
  rules?: string;
  allowPartial?: boolean;
}

/** `tinyrig run`'s options for what follows the run (declared here, so the run command stays about running). */
export function afterRunOptions<T>(y: Argv<T>) {
  return y
    .option("gate", {
      type: "string",
      describe:
        "after the run, gate it: against a bundle, a database, a campaign in --db, or recorded (the baselines recorded in --db); exit 0 pass, 1 regression, 3 infrastructure",
    })
    .option("junit", { type: "string", describe: "write JUnit XML of the gate (without --gate: of the runs, failures as errors)" })
    .option("bundle", { type: "string", describe: "write the runs just stored as a bundle (results import reads it)" })
    .option("rules", { type: "string", describe: "with --gate: a YAML file of gate rules" })
    .option("allow-partial", { type: "boolean", default: false, describe: "with --gate: compare partial runs measured the same way as their baselines" });
}

const NO_BASELINE: RunSource = {
  label: "no baseline",
  runs: [],
  measured: () => {
    throw new Error("no baseline runs");
  },
};

/**
 * What `tinyrig run` does after its runs are stored: a bundle of them, and the gate (or, without --gate, a JUnit file
 * of what ran: completed runs as passes, failed ones as infrastructure errors). Checked before the run starts
 * (`prepare`); returns the exit code the gate decided, or undefined to keep the run's own.
 */
export function prepareAfterRun(opts: AfterRunOptions): ((db: string, runIds: number[]) => Promise<number | undefined>) | undefined {
  if (!opts.gate && (opts.rules !== undefined || opts.allowPartial))
    throw new TinyrigError(`${opts.rules !== undefined ? "--rules" : "--allow-partial"} goes with --gate`, EXIT.usage);
  if (!opts.gate && !opts.junit && !opts.bundle) return undefined;
  const rules = loadGateRules(opts.rules); // a bad rules file is a usage error before anything is built
  return async (db, runIds) => {
    const [{ ResultStore }, { writeBundle }, { compareRuns }, { openSource, storedRuns }, { asInfrastructure, publish }] = await Promise.all([
      import("../store/store.ts"),
      import("../store/bundle.ts"),
      import("./compare.ts"),
      import("./sources.ts"),
      import("./gate.ts"),
    ]);
    const store = ResultStore.open(db, { readOnly: true });
    try {
      if (opts.bundle) {
        const d = await writeBundle(store, runIds, opts.bundle);
        console.error(`bundle written to ${path.resolve(opts.bundle)} (${d.runs.length} run${d.runs.length === 1 ? "" : "s"})`);
      }
      if (!opts.gate && !opts.junit) return undefined;
      const report = await asInfrastructure(async () => {
        const baseline = opts.gate ? await openSource(opts.gate === "recorded" ? undefined : opts.gate, db, "baseline") : undefined;
        try {
          return compareRuns(baseline ?? NO_BASELINE, storedRuns(store, runIds, "this run"), { rules, allowPartial: opts.allowPartial, candidateScope: true });
        } finally {
          baseline?.close();
        }
      });
      if (!opts.gate) {
        // no gate asked for: a run that measured is a pass of this host's job (nothing was compared)
        for (const cell of report.cells)
          for (const v of cell.verdicts) if (v.outcome === "new") Object.assign(v, { outcome: "pass", reason: "measured (not gated on this host)" });
      }
      publish(report, { junit: opts.junit, quiet: !opts.gate });
      return opts.gate ? report.exitCode : undefined;
    } finally {
      store.close();
    }
  };
}
