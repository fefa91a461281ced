// The CI workflows users copy (examples/ci/) and the project's own, checked by GitHub's own workflow parser
// (@actions/workflow-parser: the schema and the conversion the runner service does), plus what the nightly example
// must keep: a cron, a matrix over boards on self-hosted tinyrig runners, doctor before run, bundles and JUnit
// uploaded, a merge that imports every bundle and gates on the baseline.
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT, tinyrig } from "./helpers/cli.ts";

/** GitHub's parser's errors for a workflow file (empty: it would run). */
async function workflowErrors(file: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: file, content: readFileSync(file, "utf8") }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message));
  }
  return errors;
}

const example = path.join(ROOT, "examples/ci/github-actions/nightly.yml");

describe("CI workflows", () => {
  it("the nightly example and the project's own nightly parse without an error", async () => {
    expect(await workflowErrors(example)).toEqual([]);
    expect(await workflowErrors(path.join(ROOT, ".github/workflows/nightly.yml"))).toEqual([]);
  });

  it("the parser is not a rubber stamp: a misspelt key and a job needing one that does not exist are refused", async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-workflow-"));
    try {
      const broken = async (name: string, from: string, to: string) => {
        const file = path.join(dir, name);
        const text = readFileSync(example, "utf8");
        expect(text).toContain(from);
        writeFileSync(file, text.replace(from, to));
        return (await workflowErrors(file)).join("\n");
      };
      expect(await broken("key.yml", "runs-on: ubuntu-latest\n    timeout-minutes: 30", "run-on: ubuntu-latest\n    timeout-minutes: 30")).toMatch(
        /Unexpected value 'run-on'/,
      );
      expect(await broken("needs.yml", "needs: merge\n", "needs: mergee\n")).toMatch(/mergee/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the nightly example: cron, a board matrix on self-hosted tinyrig runners, doctor, run with campaign, JUnit and bundle, a merge that gates", () => {
    const wf = parse(readFileSync(example, "utf8")) as {
      on: { schedule: { cron: string }[] };
      jobs: Record<
        string,
        {
          "runs-on": unknown;
          needs?: string;
          if?: string;
          strategy?: { matrix: { board: string[] }; "fail-fast": boolean };
          steps: { run?: string; uses?: string; if?: string }[];
        }
      >;
    };
    expect(wf.on.schedule[0]!.cron).toMatch(/^\S+ \S+ \* \* \*$/);
    const measure = wf.jobs.measure!;
    expect(measure["runs-on"]).toEqual(["self-hosted", "tinyrig", "${{ matrix.board }}"]);
    expect(measure.strategy?.["fail-fast"]).toBe(false);
    expect(measure.strategy?.matrix.board.length).toBeGreaterThan(1);
    const runs = measure.steps.map((s) => s.run ?? "");
    const doctor = runs.findIndex((r) => r.includes("./tinyrig doctor --board ${{ matrix.board }}"));
    const run = runs.findIndex((r) => r.startsWith("./tinyrig run"));
    expect(doctor).toBeGreaterThanOrEqual(0);
    expect(run).toBeGreaterThan(doctor);
    expect(runs[run]).toMatch(/--campaign \$\{\{ github\.run_id \}\}.*--junit \S+.*--bundle \S+/s);
    expect(measure.steps.find((s) => s.uses?.startsWith("actions/upload-artifact"))?.if).toBe("always()");
    const merge = wf.jobs.merge!;
    expect(merge.needs).toBe("measure");
    expect(merge.if).toBe("always()");
    const mergeRuns = merge.steps.map((s) => s.run ?? "").join("\n");
    expect(mergeRuns).toMatch(/\.\/tinyrig results import bundles\/\*\.tinyrig\.tgz/);
    expect(mergeRuns).toMatch(/\.\/tinyrig compare --baseline .* --candidate \$\{\{ github\.run_id \}\}.*--junit \S+ --markdown "\$GITHUB_STEP_SUMMARY"/s);
  });

  it("every tinyrig command in the example is one the CLI knows, with the options the example gives it", async () => {
    const text = readFileSync(example, "utf8");
    expect(new Set([...text.matchAll(/\.\/tinyrig (\w+)/g)].map((m) => m[1]!))).toEqual(new Set(["doctor", "run", "results", "compare", "report"]));
    const used: Record<string, string[]> = {
      doctor: ["--board"],
      run: ["--board", "--campaign", "--db", "--junit", "--bundle"],
      "results import": ["--db"],
      compare: ["--baseline", "--candidate", "--db", "--junit", "--markdown"],
      report: ["--db", "--out"],
    };
    for (const [command, options] of Object.entries(used)) {
      const help = await tinyrig([...command.split(" "), "--help"]);
      expect(help.exitCode, help.all).toBe(0);
      for (const o of options) expect(help.stdout, `${command} ${o}`).toMatch(new RegExp(`\\s${o}\\s`));
    }
  }, 120_000);
});
