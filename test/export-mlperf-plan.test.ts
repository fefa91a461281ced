// The pure part of tinyrig export mlperf (harness/export/mlperf.ts) on stored-run rows of a physical board, which no
// test here can run: which runs are chosen, the top-1 line kws and vww use, a physical system's description. The
// real-run test (export-mlperf.test.ts) covers the emulated board end to end.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadBoardFile } from "../harness/boards/load.ts";
import { planExport, renderSubmission, type CandidateRun, type ExportRequest } from "../harness/export/mlperf.ts";
import type { InferenceRow, RunRow, WindowRow } from "../harness/store/store.ts";
import { ROOT } from "./helpers/cli.ts";

const board = loadBoardFile(path.join(ROOT, "boards/nucleo-l4r5zi.yaml"));
const ids = new Map([
  ["wake-word", "kws01"],
  ["person-detection", "vww01"],
  ["vibration", "vib01"],
]);
const req: ExportRequest = { submitter: "lab", division: "closed", round: "v1.4", allowEmulated: false };

function runRow(id: number, mode: RunRow["mode"], summary: Record<string, unknown>, over: Partial<RunRow> = {}): RunRow {
  return {
    id,
    uuid: `00000000-0000-4000-8000-${String(id).padStart(12, "0")}`,
    hostId: "lab-host",
    campaign: null,
    mode,
    board: "nucleo-l4r5zi",
    boardKind: "physical",
    workload: "wake-word",
    variant: null,
    status: "completed",
    startedAt: "2026-12-04T10:00:00.000Z",
    endedAt: "2026-12-04T10:15:30.000Z",
    error: null,
    summary,
    settings: { minWindowSeconds: 10 },
    simulated: false,
    modelled: false,
    firmwareSha256: "f".repeat(64),
    toolchain: "arm-none-eabi-gcc 12.2.1",
    kernels: "dsp",
    datasetSha256: "d".repeat(64),
    datasetSource: "committed",
    datasetCount: 100,
    tinyrigVersion: "tinyrig-0.1.0",
    ownerPid: 1,
    ownerHost: "lab",
    device: {
      name: "tinyrig-nucleo-l4r5zi",
      profile: "tinyrig-0.1.0",
      modelId: "kws01",
      arenaUsedBytes: null,
      arenaSizeBytes: null,
      modelBytes: null,
      inputBytes: null,
      outputBytes: null,
    },
    firmwareBytes: null,
    provenance: { console: "hardware serial", flasher: "openocd", deviceBuildId: null, firmware: null },
    validity: { class: "headline", reasons: [] },
    ...over,
  };
}

function windows(runId: number, seconds: number[]): WindowRow[] {
  return seconds.map((s, i) => ({
    runId,
    index: i,
    inputIndex: i,
    iterations: 250,
    warmup: 10,
    t0Us: 1e6 * i * 20,
    t1Us: 1e6 * (i * 20 + s),
    latencyUs: (s * 1e6) / 250,
    throughput: 250 / s,
    energyUj: null,
    energyPerInferenceUj: null,
    phases: null,
    energyKind: null,
    monitor: null,
  }));
}

const perf = (id: number, seconds: number[], over: Partial<RunRow> = {}): CandidateRun => ({
  run: runRow(id, "performance", { windows: seconds.length, medianThroughput: 25, iterations: 250 }, over),
  windows: windows(id, seconds),
});
const acc = (id: number, value: number, over: Partial<RunRow> = {}): CandidateRun => ({
  run: runRow(id, "accuracy", { value, count: 100 }, over),
  windows: [],
});
const inferences = (runId: number): InferenceRow[] => [{ runId, inputIndex: 0, file: "kws_0000.bin", label: 3, outputs: [0, 1], score: 1 }];

describe("export mlperf plan (physical board rows)", () => {
  it("takes the newest qualifying runs, the accuracy of the performance run's firmware, and writes kws's Top 1% line", () => {
    const candidates = [
      perf(1, [10.4, 10.4, 10.4, 10.4, 10.4]),
      acc(2, 0.915),
      perf(3, [10.4, 10.4, 9.8, 10.4, 10.4]), // newer, one window short: not chosen
      acc(4, 0.93, { firmwareSha256: "e".repeat(64) }), // newer, another build: not paired
      { ...acc(5, 0.5), run: { ...acc(5, 0.5).run, workload: "vibration" } },
    ];
    const plan = planExport(candidates, ids, req);
    expect(plan.entries.map((e) => [e.benchmark.folder, e.performance.run.id, e.accuracy.id, e.energy])).toEqual([["kws", 1, 2, null]]);
    expect(plan.leftOut).toContain("vibration: left out, MLPerf Tiny v1.4 has no benchmark for it (model id vib01)");
    const files = renderSubmission(plan, { boards: new Map([["nucleo-l4r5zi", board]]), inferences: new Map([[2, inferences(2)]]) }, req);
    expect(files.get("closed/lab/results/nucleo-l4r5zi/kws/accuracy/results.txt")).toBe("1204.101530 ulp-mlperf: Top 1% = 91.5\n");
    expect(files.get("closed/lab/results/nucleo-l4r5zi/kws/performance/results.txt")).toContain(
      "1204.101530 ulp-mlperf: Median throughput is     24.038 inf./sec.\n",
    );
    const system = JSON.parse(files.get("closed/lab/systems/nucleo-l4r5zi.json")!) as Record<string, string>;
    expect(system.Status).toBe("Available");
    expect(system["Processor(s) Frequencies"]).toBe("120 MHz");
    expect(system["Hardware Notes"]).not.toMatch(/emulated|modelled/);
    expect([...files.keys()].some((f) => f.includes("/energy/"))).toBe(false);
  });

  it("closed: a top-1 under 90% is refused with the figure; open takes it; an imported partial set is refused", () => {
    const plan = planExport([perf(1, [10.4, 10.4, 10.4, 10.4, 10.4]), acc(2, 0.8996)], ids, req);
    expect(plan.entries).toEqual([]);
    expect(plan.leftOut.join("\n")).toContain("accuracy top-1 89.96% is under the closed division's target top-1 90.00%");
    expect(planExport([perf(1, [10.4, 10.4, 10.4, 10.4, 10.4]), acc(2, 0.8996)], ids, { ...req, division: "open" }).entries).toHaveLength(1);
    const partial = planExport(
      [perf(1, [10.4, 10.4, 10.4, 10.4, 10.4]), acc(2, 0.95, { summary: { value: 0.95, count: 40 }, datasetSource: "imported:/data/kws01" })],
      ids,
      req,
    );
    expect(partial.leftOut.join("\n")).toContain("40 of 100 inputs (the full test set is needed)");
  });
});
