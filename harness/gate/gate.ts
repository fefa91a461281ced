// The gate as commands use it: sources opened, runs compared, the report printed and written. Every failure that is
// not the user's input (a damaged database, an unreadable bundle) exits 3: it says nothing about the code measured.
import type { Argv } from "yargs";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { writeBundle } from "../store/bundle.ts";
import { ResultStore } from "../store/store.ts";
import { compareRuns, type GateReport, type RunSource } from "./compare.ts";
import { gateMarkdown, gateTable, writeJunit } from "./outputs.ts";
import { loadGateRules, type GateRules } from "./rules.ts";
import { openSource, storedRuns, type OpenSource } from "./sources.ts";

export interface GateOutputs {
  junit?: string;
  markdown?: string;
  json?: boolean;
  /** No table on the terminal (run --junit without --gate: the run printed its own summary). */
  quiet?: boolean;
}

/** An error that is no one's input: the gate could not judge (exit 3). */
export class GateInfrastructureError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = "GateInfrastructureError";
  }
}

/** Errors carrying their exit code (usage: 2) pass as they are; any other becomes an infrastructure failure (3). */
export async function asInfrastructure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (typeof (err as { exitCode?: unknown }).exitCode === "number") throw err;
    throw new GateInfrastructureError(`the gate could not judge (infrastructure, not a regression): ${(err as Error).message}`);
  }
}

export function publish(report: GateReport, out: GateOutputs): void {
  if (out.json) console.log(JSON.stringify(report, null, 2));
  else if (!out.quiet) console.log(gateTable(report));
  if (out.junit) {
    writeJunit(report, out.junit);
    console.error(`JUnit written to ${path.resolve(out.junit)}`);
  }
  if (out.markdown) {
    const file = path.resolve(out.markdown);
    mkdirSync(path.dirname(file), { recursive: true });
    // GitHub's step summary is one file per step that every writer appends to
    if (process.env.GITHUB_STEP_SUMMARY && file === path.resolve(process.env.GITHUB_STEP_SUMMARY)) appendFileSync(file, gateMarkdown(report));
    else writeFileSync(file, gateMarkdown(report));
  }
}

export interface CompareRequest extends GateOutputs {
  db: string;
  baseline?: string;
  candidate?: string;
  rules: GateRules;
  allowPartial: boolean;
  boards?: string[];
}

/** `tinyrig compare`: returns the exit code (0 pass, 1 regression, 3 infrastructure). */
export async function compareCommand(req: CompareRequest): Promise<number> {
  return asInfrastructure(async () => {
    const opened: OpenSource[] = [];
    try {
      const baseline = await openSource(req.baseline, req.db, "baseline");
      opened.push(baseline);
      const candidate = await openSource(req.candidate, req.db, "candidate", req.baseline);
      opened.push(candidate);
      const report = compareRuns(baseline, candidate, { rules: req.rules, allowPartial: req.allowPartial, boards: req.boards });
      publish(report, req);
      return report.exitCode;
    } finally {
      for (const s of opened) s.close();
    }
  });
}

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
    .option("gate", { type: "string", describe: "after the run, gate it: against a bundle, a database, a campaign in --db, or recorded (the baselines recorded in --db); exit 0 pass, 1 regression, 3 infrastructure" })
    .option("junit", { type: "string", describe: "write JUnit XML of the gate (without --gate: of the runs, failures as errors)" })
    .option("bundle", { type: "string", describe: "write the runs just stored as a bundle (results import reads it)" })
    .option("rules", { type: "string", describe: "with --gate: a YAML file of gate rules" })
    .option("allow-partial", { type: "boolean", default: false, describe: "with --gate: compare partial runs measured the same way as their baselines" });
}

const NO_BASELINE: RunSource = { label: "no baseline", runs: [], measured: () => { throw new Error("no baseline runs"); } };

/**
 * What `tinyrig run` does after its runs are stored: a bundle of them, and the gate (or, without --gate, a JUnit file
 * of what ran: completed runs as passes, failed ones as infrastructure errors). Checked before the run starts
 * (`prepare`); returns the exit code the gate decided, or undefined to keep the run's own.
 */
export function prepareAfterRun(opts: AfterRunOptions): ((db: string, runIds: number[]) => Promise<number | undefined>) | undefined {
  if (!opts.gate && !opts.junit && !opts.bundle) return undefined;
  const rules = loadGateRules(opts.rules); // a bad rules file is a usage error before anything is built
  return async (db, runIds) => {
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
      publish(report, { junit: opts.junit, quiet: !opts.gate });
      return opts.gate ? report.exitCode : undefined;
    } finally {
      store.close();
    }
  };
}
