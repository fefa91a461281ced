// The regression gate's rules on synthetic runs (pure: no board, no database): each metric's check, the statistics
// beside textbook values, the rules file's validation, and which cells compareRuns calls regression or infrastructure.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkAccuracy,
  checkBitExact,
  checkDetection,
  checkDutyCycle,
  checkEnergy,
  checkLatency,
  checkMemory,
  metricsOf,
  type MeasuredRun,
} from "../harness/gate/checks.ts";
import { compareRuns, type RunSource } from "../harness/gate/compare.ts";
import { escapeMarkdown, gateMarkdown, gateTable } from "../harness/gate/outputs.ts";
import { DEFAULT_GATE_RULES, gateRulesSchema, loadGateRules } from "../harness/gate/rules.ts";
import { mannWhitneyU, mcNemar } from "../harness/gate/statistics.ts";
import type { RunRow } from "../harness/store/store.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-gate-rules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(over: Partial<MeasuredRun> = {}): MeasuredRun {
  return { emulated: false, windows: [], energyKind: null, inferences: [], memory: { flash: 50_000, ram: 20_000, arena: 4096 }, ...over };
}
const windows = (latencies: number[], iterations = 100, energy?: number[]) =>
  latencies.map((latencyUs, i) => ({ latencyUs, iterations, energyPerInferenceUj: energy?.[i] ?? null }));
/** n inputs with labels 0; `right` says which the run classified correctly. */
const inferences = (n: number, right: (i: number) => boolean) =>
  Array.from({ length: n }, (_, i) => ({ inputIndex: i, label: 0, predicted: right(i) ? 0 : 1 }));
const top1 = (xs: { label: number; predicted?: number }[]) => ({
  metric: "top1" as const,
  value: xs.filter((x) => x.predicted === x.label).length / xs.length,
});
const rules = DEFAULT_GATE_RULES;

describe("statistics", () => {
  it("Mann-Whitney U and its two-sided p (normal approximation, ties corrected) match the textbook values", () => {
    // R: wilcox.test(1:5, 6:10, exact = FALSE, correct = FALSE)$p.value = 0.009023
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.statistic).toBe(0);
    expect(r.pValue).toBeCloseTo(0.009023, 5);
    expect(mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).statistic).toBe(25);
    expect(mannWhitneyU([3, 3, 3], [3, 3, 3]).pValue).toBe(1);
  });
  it("McNemar's exact test is a two-sided binomial test on the discordant inputs", () => {
    // 10 lost, 1 gained: 2 * P(X <= 1 | n = 11, p = 1/2) = 2 * 12 / 2048
    expect(mcNemar(10, 1).pValue).toBeCloseTo(24 / 2048, 12);
    expect(mcNemar(0, 0).pValue).toBe(1);
    expect(mcNemar(3, 0).pValue).toBeCloseTo(0.25, 12);
  });
});

describe("latency", () => {
  it("physical: a median 8% slower that Mann-Whitney cannot tell from noise passes", () => {
    const base = run({ windows: windows([100, 130, 90, 120, 95]) });
    const cand = run({ windows: windows([108, 85, 135, 125, 92]) }); // median 108 vs 100
    const v = checkLatency(base, cand, rules);
    expect(v.outcome).toBe("pass");
    expect(v.reason).toMatch(/no significant change \(Mann-Whitney U \d+(\.5)?, p = 0\.[1-9]/);
  });
  it("physical: every window slower by 10% is a regression; by 2% (significant, under the threshold) is not", () => {
    const base = run({ windows: windows([100, 101, 102, 103, 104]) });
    const slower = checkLatency(base, run({ windows: windows([110, 111, 112, 113, 114]) }), rules);
    expect(slower.outcome).toBe("regression");
    expect(slower.reason).toMatch(/median \+9\.80% \(more than \+5\.00%\), Mann-Whitney U 25, p = 0\.00902/);
    const little = checkLatency(base, run({ windows: windows([104.5, 105, 105.5, 106, 106.5]) }), rules);
    expect(little.outcome).toBe("pass");
    expect(little.reason).toMatch(/within \+5\.00%/);
  });
  it("emulated: no change passes; any slowdown beyond the timer's resolution fails, reported in instructions", () => {
    const base = run({ emulated: true, icountShift: 3, windows: windows([3425.5, 3425.5], 59) });
    expect(checkLatency(base, run({ emulated: true, icountShift: 3, windows: windows([3425.5, 3425.5], 59) }), rules).outcome).toBe("pass");
    const v = checkLatency(base, run({ emulated: true, icountShift: 3, windows: windows([3425.6, 3425.6], 59) }), rules);
    expect(v.outcome).toBe("regression");
    expect(v.reason).toMatch(/^\+12\.5 instructions\/inference, \+0\.1 us\/inference \(\+<0\.01%\) in virtual time/); // 0.1 us = 100 ns = 12.5 instructions at 8 ns
    // below one timer tick (1 us over 59 inferences): not measured, not a change
    expect(checkLatency(base, run({ emulated: true, icountShift: 3, windows: windows([3425.51, 3425.51], 59) }), rules).outcome).toBe("pass");
  });
  it("emulated: faster passes (reported) unless the rules fail on any change", () => {
    const base = run({ emulated: true, windows: windows([100, 100]) });
    const faster = run({ emulated: true, windows: windows([90, 90]) });
    expect(checkLatency(base, faster, rules)).toMatchObject({ outcome: "pass", reason: expect.stringMatching(/^faster/) });
    const strict = gateRulesSchema.parse({ latency: { emulated: { failOn: "any" } } });
    expect(checkLatency(base, faster, strict).outcome).toBe("regression");
  });
});

describe("accuracy", () => {
  it("McNemar decides: 15 inputs lost of 200 is a regression, 3 lost (p = 0.25) is not, though both drop more than 1 point", () => {
    const baseInf = inferences(200, (i) => i < 180);
    const base = run({ inferences: baseInf, accuracy: top1(baseInf) });
    const lost15 = inferences(200, (i) => i < 165);
    const v = checkAccuracy(base, run({ inferences: lost15, accuracy: top1(lost15) }), rules);
    expect(v.outcome).toBe("regression");
    expect(v.reason).toMatch(/top-1 dropped 7\.50 points .*15 inputs lost, 0 gained of 200/);
    const lost3 = inferences(200, (i) => i < 177);
    const w = checkAccuracy(base, run({ inferences: lost3, accuracy: top1(lost3) }), rules);
    expect(w.outcome).toBe("pass");
    expect(w.reason).toMatch(/not significant: McNemar exact p = 0\.250/);
  });
  it("the same inputs or nothing: other inputs are not comparable (infrastructure, not a regression)", () => {
    const a = inferences(10, () => true);
    const b = inferences(12, () => false);
    expect(checkAccuracy(run({ inferences: a, accuracy: top1(a) }), run({ inferences: b, accuracy: top1(b) }), rules).outcome).toBe("infrastructure");
  });
  it("AUC: the drop threshold alone", () => {
    const base = run({ accuracy: { metric: "auc", value: 0.85 } });
    expect(checkAccuracy(base, run({ accuracy: { metric: "auc", value: 0.845 } }), rules).outcome).toBe("pass");
    expect(checkAccuracy(base, run({ accuracy: { metric: "auc", value: 0.83 } }), rules).outcome).toBe("regression");
  });
  it("bit-exact: 100% must stay 100%; a baseline that was not bit-exact has nothing to keep", () => {
    expect(checkBitExact(run({ bitExact: { matched: 10, compared: 10 } }), run({ bitExact: { matched: 9, compared: 10 } }), rules).outcome).toBe("regression");
    expect(checkBitExact(run({ bitExact: { matched: 10, compared: 10 } }), run({ bitExact: { matched: 10, compared: 10 } }), rules).outcome).toBe("pass");
    expect(checkBitExact(run({ bitExact: { matched: 9, compared: 10 } }), run({ bitExact: { matched: 8, compared: 10 } }), rules).outcome).toBe("pass");
  });
});

describe("energy and memory", () => {
  it("energy: a relative threshold on the median; modelled against measured is not comparable", () => {
    const base = run({ energyKind: "measured", windows: windows([1, 1, 1], 10, [100, 101, 99]) });
    expect(checkEnergy(base, run({ energyKind: "measured", windows: windows([1, 1, 1], 10, [104, 104, 104]) }), rules).outcome).toBe("pass");
    expect(checkEnergy(base, run({ energyKind: "measured", windows: windows([1, 1, 1], 10, [106, 106, 106]) }), rules).outcome).toBe("regression");
    expect(checkEnergy(base, run({ energyKind: "modelled", windows: windows([1, 1, 1], 10, [100, 100, 100]) }), rules).outcome).toBe("infrastructure");
  });
  it("memory: flash, RAM or arena growing past its threshold", () => {
    const base = run();
    expect(checkMemory(base, run({ memory: { flash: 50_900, ram: 20_000, arena: 4096 } }), rules).outcome).toBe("pass");
    const v = checkMemory(base, run({ memory: { flash: 50_000, ram: 20_000, arena: 8192 } }), rules);
    expect(v.outcome).toBe("regression");
    expect(v.reason).toMatch(/arena \+100\.00%/);
  });
});

describe("rules file", () => {
  it("the example file says exactly the shipped defaults", () => {
    expect(loadGateRules(path.join(import.meta.dirname, "../examples/ci/gate-rules.yaml"))).toEqual(DEFAULT_GATE_RULES);
  });
  it("overrides what it names and keeps the defaults for the rest", () => {
    const file = path.join(dir, "rules.yaml");
    writeFileSync(file, "latency:\n  physical:\n    maxIncrease: 0.1\nmemory:\n  arena: 0\n");
    const r = loadGateRules(file);
    expect(r.latency.physical).toEqual({ alpha: 0.05, maxIncrease: 0.1 });
    expect(r.memory).toEqual({ flash: 0.02, ram: 0.02, arena: 0 });
    expect(r.accuracy).toEqual(DEFAULT_GATE_RULES.accuracy);
  });
  it("a wrong value or an unknown field is refused naming the file, line and field (exit 2)", () => {
    const file = path.join(dir, "bad.yaml");
    writeFileSync(file, "accuracy:\n  alpha: 0.05\n  maxDrop: 3\nenergy:\n  maxIncrese: 0.1\n");
    let err: (Error & { exitCode?: number }) | undefined;
    try {
      loadGateRules(file);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toContain(file);
    expect(err?.message).toMatch(/line 3: accuracy\.maxDrop: .*(<=|1)/);
    expect(err?.message).toMatch(/line 5: energy\.maxIncrese/);
  });
});

/** A stored run as compareRuns sees it (only the fields it reads). */
function row(id: number, over: Partial<RunRow> = {}): RunRow {
  return {
    id,
    uuid: `00000000-0000-4000-8000-${String(id).padStart(12, "0")}`,
    hostId: "h",
    campaign: "c",
    mode: "performance",
    board: "b1",
    boardKind: "physical",
    workload: "kws",
    variant: null,
    status: "completed",
    startedAt: "",
    endedAt: "",
    error: null,
    summary: {},
    settings: {},
    simulated: false,
    modelled: false,
    firmwareSha256: null,
    toolchain: null,
    kernels: null,
    datasetSha256: "d",
    datasetSource: "committed",
    datasetCount: 10,
    tinyrigVersion: "",
    ownerPid: 0,
    ownerHost: "",
    device: { name: null, profile: null, modelId: null, arenaUsedBytes: null, arenaSizeBytes: null, modelBytes: null, inputBytes: null, outputBytes: null },
    firmwareBytes: null,
    provenance: { console: null, flasher: null, deviceBuildId: null, firmware: null },
    validity: { class: "headline", reasons: [] },
    ...over,
  };
}

function source(label: string, runs: RunRow[], latency: Record<number, number[]>): RunSource {
  return { label, runs, measured: (r) => run({ windows: windows(latency[r.id] ?? []) }) };
}

describe("streams (sww01)", () => {
  const score = (fn: number, fp: number, dutyCycle = 0.25, over: Partial<NonNullable<MeasuredRun["stream"]>> = {}) =>
    run({
      emulated: true,
      stream: {
        name: "long",
        wavSha256: "ab".repeat(32),
        rules: { tpExtensionS: 1, debounceS: 1 },
        truePositives: 50 - fn,
        falseNegatives: fn,
        falsePositives: fp,
        dutyCycle,
        ...over,
      },
    });
  it("a stream run is judged on detection, duty cycle and memory, not as a clip accuracy", () => {
    expect(metricsOf("accuracy", score(3, 4))).toEqual(["detection", "duty-cycle", "memory"]);
  });
  it("one more miss or false accept on the same stream is a regression; as many or fewer passes", () => {
    const base = score(3, 4);
    expect(checkDetection(base, score(3, 4), rules)).toMatchObject({ outcome: "pass", baseline: "TP 47 FN 3 FP 4", reason: "FN +0, FP +0 on stream long" });
    expect(checkDetection(base, score(2, 1), rules).outcome).toBe("pass");
    const miss = checkDetection(base, score(4, 4), rules);
    expect(miss).toMatchObject({ outcome: "regression", candidate: "TP 46 FN 4 FP 4" });
    expect(miss.reason).toBe("1 more missed wake word (tolerated 0) on stream long");
    expect(checkDetection(base, score(3, 6), rules).reason).toBe("2 more false accepts (tolerated 0) on stream long");
    const tolerant = gateRulesSchema.parse({ stream: { maxMoreFalseAccepts: 2 } });
    expect(checkDetection(base, score(3, 6), tolerant).outcome).toBe("pass");
  });
  it("another stream or other scoring rules are not comparable: infrastructure, never a regression", () => {
    const other = checkDetection(score(3, 4), score(9, 9, 0.25, { wavSha256: "cd".repeat(32) }), rules);
    expect(other.outcome).toBe("infrastructure");
    expect(other.reason).toMatch(/not comparable: other stream \(baseline long abababababab, candidate long cdcdcdcdcdcd\)/);
    const rules2 = checkDetection(score(3, 4), score(3, 4, 0.25, { rules: { tpExtensionS: 2, debounceS: 1 } }), rules);
    expect(rules2.reason).toMatch(/scored otherwise \(baseline \+1 s/);
    expect(checkDetection(score(3, 4), run(), rules).outcome).toBe("infrastructure");
  });
  it("duty cycle: any growth fails by default (virtual time); a tolerance lets a small one pass", () => {
    expect(checkDutyCycle(score(3, 4, 0.25), score(3, 4, 0.25), rules).outcome).toBe("pass");
    expect(checkDutyCycle(score(3, 4, 0.25), score(3, 4, 0.2), rules).outcome).toBe("pass");
    const slower = checkDutyCycle(score(3, 4, 0.25), score(3, 4, 0.26), rules);
    expect(slower).toMatchObject({ outcome: "regression", baseline: "25.000%", candidate: "26.000%" });
    expect(slower.reason).toMatch(/duty cycle \+4\.00% \(tolerated \+0\.00%\), virtual time/);
    expect(checkDutyCycle(score(3, 4, 0.25), score(3, 4, 0.26), gateRulesSchema.parse({ stream: { dutyCycleMaxIncrease: 0.05 } })).outcome).toBe("pass");
  });
});

describe("compareRuns", () => {
  const same = [100, 101, 102, 103, 104];
  const slow = [120, 121, 122, 123, 124];

  it("a failed candidate and a missing one are infrastructure (3); with a regression elsewhere the exit is 1 and both show", () => {
    const base = source("base", [row(1), row(2, { board: "b2" }), row(3, { board: "b3" })], { 1: same, 2: same, 3: same });
    const failed = row(12, { board: "b2", status: "failed", error: "flash and connect: no such device" });
    const infra = compareRuns(base, source("cand", [row(11), failed], { 11: same }), { rules });
    expect(infra.exitCode).toBe(3);
    const byBoard = Object.fromEntries(infra.cells.map((c) => [c.board, c.verdicts.map((v) => v.outcome)]));
    expect(byBoard).toEqual({ b1: ["pass", "pass"], b2: ["infrastructure", "infrastructure"], b3: ["infrastructure", "infrastructure"] });
    expect(infra.cells.find((c) => c.board === "b2")!.verdicts[0]!.reason).toMatch(/candidate run failed: flash and connect: no such device/);
    expect(infra.cells.find((c) => c.board === "b3")!.verdicts[0]!.reason).toMatch(/no candidate run in cand/);
    const both = compareRuns(base, source("cand", [row(11), failed], { 11: slow }), { rules });
    expect(both.exitCode).toBe(1);
    expect(both.counts).toMatchObject({ regression: 1, infrastructure: 4 });
    expect(compareRuns(base, source("cand", [row(11), failed], { 11: slow }), { rules, boards: ["b2"] }).exitCode).toBe(3);
  });

  it("a partial or failed run is never a baseline; a partial candidate is judged only with --allow-partial and the same settings", () => {
    const partial = { validity: { class: "partial" as const, reasons: ["2 windows"] }, settings: { windows: 2 } };
    const base = source("base", [row(1, partial), row(2, { mode: "accuracy", status: "failed" })], { 1: same });
    const strict = compareRuns(base, source("cand", [row(11, partial)], { 11: slow }), { rules });
    expect(strict.cells.every((c) => c.verdicts.every((v) => v.outcome !== "regression"))).toBe(true);
    expect(strict.notes.join("\n")).toMatch(/left out: partial \(2 windows\)/);
    expect(strict.notes.join("\n")).toMatch(/left out: run failed/);
    expect(compareRuns(base, source("cand", [row(11, partial)], { 11: slow }), { rules, allowPartial: true }).exitCode).toBe(1);
    const other = compareRuns(base, source("cand", [row(11, { ...partial, settings: { windows: 3 } })], { 11: slow }), { rules, allowPartial: true });
    expect(other.exitCode).toBe(3);
    expect(other.cells[0]!.verdicts[0]!.reason).toMatch(/measured otherwise than its baseline \(windows 2 -> 3\)/);
  });

  it("another dataset is not comparable", () => {
    const r = compareRuns(source("base", [row(1)], { 1: same }), source("cand", [row(11, { datasetSha256: "other" })], { 11: slow }), { rules });
    expect(r.exitCode).toBe(3);
    expect(r.cells[0]!.verdicts[0]!.reason).toMatch(/other dataset/);
  });

  it("names from another host's runs reach the Markdown summary as text, never as markup, and the terminal without escape sequences", () => {
    expect(escapeMarkdown("<img src=x onerror=alert(1)>|**x**")).not.toMatch(/[<>|*]/);
    const r = compareRuns(source("base", [row(1, { board: "<script>x</script>" })], { 1: same }), source("cand", [], {}), { rules });
    expect(gateMarkdown(r)).not.toContain("<script>");
    const ansi = compareRuns(source("base", [row(1, { board: "b\u001b[2Jx" })], { 1: same }), source("cand", [], {}), { rules });
    expect(gateTable(ansi)).not.toContain("\u001b");
    expect(gateTable(ansi)).toContain("b\\x1b[2Jx");
  });
});
