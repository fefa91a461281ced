// A gate's report three ways: a table for the terminal, JUnit XML for CI (junit-report-builder: a testsuite per
// board, a testcase per workload x mode x metric; regressions are failures, infrastructure errors), and Markdown for
// $GITHUB_STEP_SUMMARY. Names come from stored runs (possibly from another host's bundle): the writer escapes XML;
// Markdown and HTML are escaped here.
import junitModule, { type Builder } from "junit-report-builder";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Outcome } from "./checks.ts";
import { workloadName, type CellReport, type GateReport } from "./compare.ts";

// The package's CommonJS export is the builder itself; its type declarations describe an ES default export.
const junit = junitModule as unknown as Builder;

const WORD: Record<Outcome, string> = { pass: "pass", regression: "REGRESSION", infrastructure: "INFRASTRUCTURE", new: "new" };

export function verdictLine(r: GateReport): string {
  const c = r.counts;
  const what = r.exitCode === 1 ? "REGRESSION" : r.exitCode === 3 ? "INFRASTRUCTURE FAILURE (nothing judged there: not a regression)" : "PASS";
  return `gate: ${what}: ${c.regression} regressed, ${c.infrastructure} infrastructure, ${c.pass} passed, ${c.new} new (baseline ${r.baseline}; candidate ${r.candidate})`;
}

const emulatedMark = (cell: CellReport) => ((cell.candidateRun ?? cell.baselineRun)?.boardKind === "emulated" ? " (emulated)" : "");
const validityMark = (cell: CellReport) => {
  const v = (cell.candidateRun ?? cell.baselineRun)?.validity.class;
  return v && v !== "headline" && v !== "not a result" ? ` [${v}]` : "";
};

/** Control characters (a terminal's escape sequences, from a name in another host's bundle) shown, not obeyed. */
const printable = (text: string) => text.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

function rows(r: GateReport): string[][] {
  return r.cells.flatMap((cell) =>
    cell.verdicts.map((v) =>
      [
        `${cell.board}${emulatedMark(cell)}`,
        `${workloadName(cell)}${validityMark(cell)}`,
        cell.mode,
        v.metric,
        v.baseline,
        v.candidate,
        WORD[v.outcome],
        v.reason,
      ].map(printable),
    ),
  );
}

const HEADER = ["board", "workload", "mode", "metric", "baseline", "candidate", "verdict", "why"];

export function gateTable(r: GateReport): string {
  const body = rows(r);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(HEADER), ...body.map(line), ...r.notes.map((n) => `note: ${n}`), verdictLine(r)].join("\n");
}

/** The testcase's name: workload x mode x metric (its class: board.workload, so CI groups by board). */
export const testcaseName = (cell: CellReport, metric: string): string => `${workloadName(cell)} ${cell.mode} ${metric}`;

export function writeJunit(r: GateReport, file: string): void {
  const builder = junit.newBuilder().name("tinyrig gate");
  const boards = [...new Set(r.cells.map((c) => c.board))];
  for (const board of boards) {
    const suite = builder.testSuite().name(board);
    for (const cell of r.cells.filter((c) => c.board === board)) {
      for (const v of cell.verdicts) {
        const tc = suite
          .testCase()
          .className(`${board}.${workloadName(cell)}`)
          .name(testcaseName(cell, v.metric));
        const detail = `${v.reason}\nbaseline: ${v.baseline}${cell.baselineRun ? ` (run ${cell.baselineRun.uuid})` : ""}\ncandidate: ${v.candidate}${cell.candidateRun ? ` (run ${cell.candidateRun.uuid})` : ""}`;
        if (v.outcome === "regression") tc.failure(v.reason, "regression").standardOutput(detail);
        else if (v.outcome === "infrastructure") tc.error(v.reason, "infrastructure", detail);
        else if (v.outcome === "new") tc.skipped().standardOutput(detail);
        else tc.standardOutput(detail);
      }
    }
  }
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  builder.writeTo(path.resolve(file));
}

/** Markdown that renders no markup from a stored name: every character Markdown or HTML gives meaning to is escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>&~]/g, (ch) => `&#${ch.charCodeAt(0)};`).replace(/\r?\n/g, " ");
}

export function gateMarkdown(r: GateReport): string {
  const out = [`### tinyrig gate: ${r.exitCode === 1 ? "regression" : r.exitCode === 3 ? "infrastructure failure" : "pass"}`, ""];
  out.push(escapeMarkdown(verdictLine(r)), "");
  out.push(`| ${HEADER.join(" | ")} |`, `|${HEADER.map(() => " --- ").join("|")}|`);
  for (const row of rows(r))
    out.push(`| ${row.map((c, i) => (i === 6 && c !== "pass" && c !== "new" ? `**${escapeMarkdown(c)}**` : escapeMarkdown(c))).join(" | ")} |`);
  if (r.notes.length) out.push("", ...r.notes.map((n) => `- ${escapeMarkdown(n)}`));
  out.push("", "Latency and energy on emulated boards are virtual time and modelled energy, not measurements of hardware.");
  return `${out.join("\n")}\n`;
}
