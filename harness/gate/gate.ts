// The gate as commands use it: sources opened, runs compared, the report printed and written. Every failure that is
// not the user's input (a damaged database, an unreadable bundle) exits 3: it says nothing about the code measured.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EXIT, TinyrigError } from "../errors.ts";
import { compareRuns, type GateReport } from "./compare.ts";
import { gateMarkdown, gateTable, writeJunit } from "./outputs.ts";
import type { GateRules } from "./rules.ts";
import { GateInputError, openSource, type OpenSource } from "./sources.ts";

export interface GateOutputs {
  junit?: string;
  markdown?: string;
  json?: boolean;
  /** No table on the terminal (run --junit without --gate: the run printed its own summary). */
  quiet?: boolean;
}

/** An error that is no one's input: the gate could not judge (exit 3). */
export class GateInfrastructureError extends TinyrigError {
  constructor(message: string) {
    super(message, EXIT.infrastructure);
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
      // a misspelt board would otherwise pass with nothing judged
      const unknown = req.boards?.filter((b) => !report.cells.some((c) => c.board === b)) ?? [];
      if (unknown.length)
        throw new GateInputError(
          `--board ${unknown.join(" ")}: no run of ${unknown.length > 1 ? "these boards" : "this board"} in ${baseline.label} or ${candidate.label}`,
        );
      publish(report, req);
      return report.exitCode;
    } finally {
      for (const s of opened) s.close();
    }
  });
}
