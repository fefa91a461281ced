// tinyrig export mlperf on real runs (real QEMU board, real SQLite, the real CLI), its tree read back with the rules
// MLPerf Tiny's submission checker applies (../shared/reference/mlperf-submission.md §2-§6, §10), written here from
// that file's facts. One qualifying anomaly-detection run (ad01, the fastest MLPerf workload: 5 windows of 10 s device
// time) serves every case; short runs that must not qualify are separate.
import Database from "better-sqlite3";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDataset, loadWorkload } from "../harness/workloads/registry.ts";
import { ROOT, tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-mlperf-"));
/** Anomaly detection, qualifying: performance (+ modelled energy) and accuracy on the committed test set. */
const good = path.join(dir, "good.db");
/** The same build, accuracy on a declared dataset whose labels are swapped (AUC under the 0.85 target), plus vibration. */
const low = path.join(dir, "low.db");
/** Short runs that must not qualify. */
const short = path.join(dir, "short.db");

// ---------------------------------------------------------------------------------------------------------------
// The checker's rules (mlperf-submission.md), as a reader of the tree.

const BENCHMARKS: Record<string, { metric: "auc" | "top1"; target: number; rounds: string[] }> = {
  ad: { metric: "auc", target: 0.85, rounds: ["v1.3", "v1.4"] },
  ic: { metric: "top1", target: 85, rounds: ["v1.3", "v1.4"] },
  ic2: { metric: "top1", target: 91, rounds: ["v1.4"] },
  kws: { metric: "top1", target: 90, rounds: ["v1.3", "v1.4"] },
  vww: { metric: "top1", target: 80, rounds: ["v1.3", "v1.4"] },
};
const RUNNER_FILES = ["log.txt", "results.json", "results.txt"];

interface Accepted {
  key: string;
  throughput: number;
  accuracy: number;
  energyUjPerInference: number | null;
  status: string;
}

/** Every value found by the last matching line (§5: the last match wins); `match` anchors at the line's start. */
function lastMatch(text: string, re: RegExp, anchored: boolean): string | null {
  let found: string | null = null;
  for (const line of text.split("\n")) {
    const m = anchored ? line.match(new RegExp(`^(?:${re.source})`)) : line.match(re);
    if (m) found = m[1]!;
  }
  return found;
}

/** Checks a submission root; returns the accepted benchmarks, or throws naming the first broken rule. */
function checkSubmission(root: string, round: string): Accepted[] {
  const accepted: Accepted[] = [];
  // §3 hygiene, over everything: no links, no empty folders, no __pycache__.
  const walk = (d: string) => {
    const entries = readdirSync(d);
    if (entries.length === 0) throw new Error(`${d}: empty folder`);
    for (const e of entries) {
      const p = path.join(d, e);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) throw new Error(`${p}: symbolic link`);
      if (e === "__pycache__") throw new Error(`${p}: __pycache__`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  for (const division of readdirSync(root)) {
    if (!["closed", "open"].includes(division)) throw new Error(`invalid division ${division}`);
    for (const org of readdirSync(path.join(root, division))) {
      const orgDir = path.join(root, division, org);
      for (const system of readdirSync(path.join(orgDir, "results"))) {
        // §6: the system description, Status one of three, no system_type.
        const desc = JSON.parse(readFileSync(path.join(orgDir, "systems", `${system}.json`), "utf8")) as Record<string, unknown>;
        const status = String(desc.Status).toLowerCase();
        if (!["available", "preview", "rdi"].includes(status)) throw new Error(`${system}: invalid Status ${String(desc.Status)}`);
        if (desc.system_type !== undefined && desc.system_type !== null) throw new Error(`${system}: system_type set`);
        for (const bench of readdirSync(path.join(orgDir, "results", system))) {
          const b = BENCHMARKS[bench];
          if (!b || !b.rounds.includes(round)) throw new Error(`${system}/${bench}: invalid model for ${round}`);
          const benchDir = path.join(orgDir, "results", system, bench);
          for (const test of readdirSync(benchDir)) {
            if (!["performance", "accuracy", "energy"].includes(test)) throw new Error(`${benchDir}/${test}: not a test folder`);
            if (test !== "energy") expect(readdirSync(path.join(benchDir, test)).sort(), `${bench}/${test} file list`).toEqual(RUNNER_FILES);
          }
          // §5.1: accuracy/results.txt, matched from the line's start; closed enforces the target.
          const acc = readFileSync(path.join(benchDir, "accuracy", "results.txt"), "utf8");
          const value = lastMatch(acc, b.metric === "auc" ? /.* AUC\s?[:=] ([\d.]+).*/ : /.* Top[- ]1%?\s?[:=] ([\d.]+).*/, true);
          if (division === "closed" && (value === null || !(Number(value) >= b.target))) throw new Error(`${system}/${bench}: accuracy not valid (${value})`);
          // §5.2: the median throughput line, from the line's start.
          const perf = readFileSync(path.join(benchDir, "performance", "results.txt"), "utf8");
          const throughput = lastMatch(perf, /.* Median throughput is\s+([\d.]+) inf\.\/sec\..*/, true);
          if (throughput === null) throw new Error(`${system}/${bench}: no median throughput`);
          // §5.3: energy, searched anywhere in a line, when energy/ exists.
          let energy: number | null = null;
          if (existsSync(path.join(benchDir, "energy"))) {
            const e = lastMatch(readFileSync(path.join(benchDir, "energy", "results.txt"), "utf8"), /Median energy cost is ([\d.]+) uJ\/inf/, false);
            if (e === null) throw new Error(`${system}/${bench}: no median energy`);
            energy = Number(e);
          }
          accepted.push({
            key: `${division}/${org}/results/${system}/${bench}`,
            throughput: Number(throughput),
            accuracy: Number(value),
            energyUjPerInference: energy,
            status,
          });
        }
      }
    }
  }
  if (!accepted.length) throw new Error("no results");
  return accepted;
}

// ---------------------------------------------------------------------------------------------------------------

/** A qualifying run's settings: MLPerf's 5 windows of at least 10 s. --min-window-seconds 10 calibrates windows that
 * come out a few ms short of 10 s (9.99 s measured on this board), which MLPerf does not accept; 10.2 clears it. */
function run(args: string[]) {
  return rig(["run", "--workload", "anomaly-detection", "--windows", "5", "--min-window-seconds", "10.2", ...args]);
}

/**
 * A declared dataset (MLPerf layout): the committed anomaly-detection test set's first 8 files (AUC 1.0 as committed),
 * labels as committed or swapped (on which the AUC is 1 - AUC). Its full test set takes ~20 s on the emulated board; the committed 80 files ~4 min.
 * Declared: the anomaly-detection workload the runs and exports read (a copy in TINYRIG_WORKLOADS) lists its sha256
 * in `declaredDatasets`, as a lab declares an official test set it cannot commit.
 */
function declaredDataset(name: string, swap: boolean): string {
  const to = path.join(dir, name);
  mkdirSync(to);
  const from = path.join(ROOT, "workloads/anomaly-detection/data");
  const rows = readFileSync(path.join(from, "y_labels.csv"), "utf8").trim().split("\n").slice(0, 8);
  for (const row of rows) cpSync(path.join(from, row.split(",")[0]!), path.join(to, row.split(",")[0]!));
  const swapped = rows.map((row) => row.replace(/^([^,]+,2,)([01])/, (_, head: string, label: string) => `${head}${swap ? (label === "0" ? 1 : 0) : label}`));
  writeFileSync(path.join(to, "y_labels.csv"), swapped.join("\n") + "\n");
  return to;
}

const workloads = path.join(dir, "workloads");
const adCopy = path.join(workloads, "anomaly-detection");
cpSync(path.join(ROOT, "workloads/anomaly-detection"), adCopy, { recursive: true, filter: (f) => !f.includes(`${path.sep}build`) });
const declared = [declaredDataset("ad-8", false), declaredDataset("ad-8-swapped", true)];
writeFileSync(
  path.join(adCopy, "manifest.yaml"),
  `${readFileSync(path.join(ROOT, "workloads/anomaly-detection/manifest.yaml"), "utf8")}declaredDatasets:\n` +
    declared
      .map(
        (d, i) =>
          `  - { id: lab-${i}, title: "eight files", count: 8, sha256: "${loadDataset(loadWorkload("anomaly-detection", ROOT + "/workloads"), d).sha256}", source: "test fixture" }\n`,
      )
      .join(""),
);
const rig = (args: string[]) => tinyrig(args, { env: { TINYRIG_WORKLOADS: workloads } });

beforeAll(async () => {
  const [a, c] = await Promise.all([
    run(["--db", good, "--dataset", declared[0]!]),
    rig(["run", "--workload", "anomaly-detection", "--windows", "2", "--min-window-seconds", "0.5", "--limit", "4", "--db", short]),
  ]);
  for (const r of [a, c]) expect(r.exitCode, r.all).toBe(0);
  // low.db: good.db's performance run with, instead of its accuracy run, one of the same build on the swapped labels
  // (saves a second 50 s of device time); then a vibration run.
  cpSync(good, low);
  if (existsSync(`${good}-wal`)) cpSync(`${good}-wal`, `${low}-wal`);
  const sql = new Database(low);
  sql.exec("DELETE FROM inference WHERE run_id IN (SELECT id FROM run WHERE mode = 'accuracy'); DELETE FROM run WHERE mode = 'accuracy'");
  sql.close();
  const b = await rig(["run", "--workload", "anomaly-detection", "--mode", "accuracy", "--dataset", declared[1]!, "--db", low]);
  expect(b.exitCode, b.all).toBe(0);
  const v = await rig(["run", "--workload", "vibration", "--mode", "performance", "--windows", "1", "--min-window-seconds", "0.2", "--db", low]);
  expect(v.exitCode, v.all).toBe(0);
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function out(name: string): string {
  return path.join(dir, name);
}

describe("tinyrig export mlperf", () => {
  it("writes a tree the checker's rules accept, with the stored figures and the emulation said in the system notes", { timeout: 60_000 }, async () => {
    const r = await rig([
      "export",
      "mlperf",
      "--out",
      out("sub"),
      "--submitter",
      "tinyrig-lab",
      "--division",
      "closed",
      "--round",
      "v1.3",
      "--db",
      good,
      "--allow-emulated",
    ]);
    expect(r.exitCode, r.all).toBe(0);
    const accepted = checkSubmission(out("sub"), "v1.3");
    expect(accepted.map((x) => x.key)).toEqual(["closed/tinyrig-lab/results/mps2-an386/ad"]);
    const sql = new Database(good, { readonly: true });
    const summary = (mode: string) =>
      JSON.parse((sql.prepare("SELECT summary_json FROM run WHERE mode = ?").get(mode) as { summary_json: string }).summary_json) as Record<string, number>;
    const perf = summary("performance");
    const acc = summary("accuracy");
    sql.close();
    expect(accepted[0]!.throughput).toBeCloseTo(perf.medianThroughput!, 3);
    expect(accepted[0]!.accuracy).toBeCloseTo(acc.value!, 3);
    expect(accepted[0]!.energyUjPerInference).toBeCloseTo(perf.medianEnergyPerInferenceUj!, 3);
    expect(accepted[0]!.status).toBe("rdi");
    const system = JSON.parse(readFileSync(out("sub/closed/tinyrig-lab/systems/mps2-an386.json"), "utf8")) as Record<string, string>;
    expect(system["Hardware Notes"]).toContain("emulated (QEMU), virtual time; modelled energy");
    expect(system["Software Notes"]).toContain("emulated (QEMU), virtual time; modelled energy");
    expect(system["Inference Framework"]).toMatch(/^tinyrig-.+ runtime, dsp kernels$/);
    expect(system["Software Libraries"]).toBe("dsp kernels");
    expect(system["Processor(s) Frequencies"]).toBe("25 MHz (emulated clock)");
    // The runner's exact lines (§10): %10.3f median, MMDD.HHMMSS prefix, windows numbered from 1.
    const perfTxt = readFileSync(out("sub/closed/tinyrig-lab/results/mps2-an386/ad/performance/results.txt"), "utf8").split("\n");
    expect(perfTxt.filter((l) => l.startsWith("Performance results for window ")).map((l) => l.slice(31))).toEqual(["1", "2", "3", "4", "5"]);
    expect(perfTxt.filter((l) => l === "    Runtime requirements have been met.")).toHaveLength(5);
    expect(perfTxt).toContainEqual(expect.stringMatching(/^\d{4}\.\d{6} ulp-mlperf: Median throughput is [ \d]{5}\d\.\d{3} inf\.\/sec\.$/));
    const accTxt = readFileSync(out("sub/closed/tinyrig-lab/results/mps2-an386/ad/accuracy/results.txt"), "utf8");
    expect(accTxt).toMatch(/^\d{4}\.\d{6} ulp-mlperf: AUC = \d\.\d{3}\n$/);
    const energyTxt = readFileSync(out("sub/closed/tinyrig-lab/results/mps2-an386/ad/energy/results.txt"), "utf8").split("\n");
    expect(energyTxt[0]).toBe("Power Edition Output");
    expect(energyTxt.filter((l) => /^Energy data for trial [0-4]$/.test(l))).toHaveLength(5);
    expect(energyTxt).toContainEqual(expect.stringMatching(/^Median energy cost is \d+\.\d{4} uJ\/inf\.$/));
    expect(readFileSync(out("sub/closed/tinyrig-lab/code/README.md"), "utf8")).toContain(
      `./tinyrig run --board mps2-an386 --workload anomaly-detection --windows 5 --min-window-seconds 10.2 --dataset ${path.join(dir, "ad-8")}`,
    );
    expect(readdirSync(dir).filter((f) => f.includes(".partial-"))).toEqual([]);
  });

  it("refuses emulated runs without --allow-emulated, writing nothing", { timeout: 60_000 }, async () => {
    const r = await rig(["export", "mlperf", "--out", out("no-emu"), "--submitter", "lab", "--division", "open", "--round", "v1.4", "--db", good]);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toMatch(/emulated \(virtual time\), modelled energy: needs --allow-emulated/);
    expect(r.stderr).toContain("nothing qualifies");
    expect(existsSync(out("no-emu"))).toBe(false);
  });

  it("closed refuses an accuracy under the target, naming it; open exports it; vibration is left out saying so", { timeout: 60_000 }, async () => {
    const closed = await rig([
      "export",
      "mlperf",
      "--out",
      out("low-closed"),
      "--submitter",
      "lab",
      "--division",
      "closed",
      "--round",
      "v1.3",
      "--db",
      low,
      "--allow-emulated",
    ]);
    expect(closed.exitCode, closed.all).toBe(1);
    expect(closed.stderr).toMatch(/accuracy AUC 0\.\d{4} is under the closed division's target AUC 0\.8500/);
    expect(closed.stderr).toContain("vibration: left out, MLPerf Tiny v1.3 has no benchmark for it (model id vib01)");
    expect(existsSync(out("low-closed"))).toBe(false);
    const open = await rig([
      "export",
      "mlperf",
      "--out",
      out("low-open"),
      "--submitter",
      "lab",
      "--division",
      "open",
      "--round",
      "v1.3",
      "--db",
      low,
      "--allow-emulated",
    ]);
    expect(open.exitCode, open.all).toBe(0);
    expect(open.stderr).toContain("vibration: left out");
    const accepted = checkSubmission(out("low-open"), "v1.3");
    expect(accepted.map((x) => x.key)).toEqual(["open/lab/results/mps2-an386/ad"]);
    expect(accepted[0]!.accuracy).toBeLessThan(0.85);
  });

  it("short runs do not qualify: fewer windows, short windows, part of the test set; nothing written", { timeout: 60_000 }, async () => {
    const r = await rig([
      "export",
      "mlperf",
      "--out",
      out("short"),
      "--submitter",
      "lab",
      "--division",
      "open",
      "--round",
      "v1.3",
      "--db",
      short,
      "--allow-emulated",
    ]);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toContain("2 windows (MLPerf needs 5)");
    expect(r.stderr).toMatch(/shortest window 0\.\d\d s \(MLPerf needs 10 s\)/);
    expect(r.stderr).toContain("4 of 80 inputs (the full test set is needed)");
    expect(existsSync(out("short"))).toBe(false);
  });

  it("usage errors exit 2 before any work: bad division, bad submitter, an --out that is not empty", { timeout: 60_000 }, async () => {
    mkdirSync(out("full"));
    writeFileSync(out("full/x"), "");
    for (const [args, message] of [
      [["--division", "network"], /division/],
      [["--submitter", "my lab"], /--submitter "my lab"/],
      [["--out", out("full")], /is not empty/],
    ] as const) {
      const base: Record<string, string> = { "--out": out("usage"), "--submitter": "lab", "--division": "open", "--round": "v1.3" };
      const opts = { ...base, [args[0]]: args[1] };
      const r = await rig(["export", "mlperf", ...Object.entries(opts).flat(), "--db", good, "--allow-emulated"]);
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out("usage"))).toBe(false);
    }
  });
});
