// The pure part of tinyrig export mlperf (harness/export/mlperf.ts) on stored-run rows of a physical board, which no
// test here can run: which runs are chosen, the top-1 line kws and vww use, a physical system's description. The
// real-run test (export-mlperf.test.ts) covers the emulated board end to end.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadBoardFile } from "../harness/boards/load.ts";
import { planExport, renderSubmission, type CandidateRun, type ExportRequest } from "../harness/export/mlperf.ts";
import type { InferenceRow, RunRow, WindowRow } from "../harness/store/store.ts";
import type { StreamRow } from "../harness/store/streams.ts";
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

// streaming wake word: one run on the scored stream as its manifest commits it
const LONG_SHA = "a".repeat(64);
const scored = new Map([["streaming-wake-word", { name: "long", sha256: LONG_SHA }]]);
const streamIds = new Map([["streaming-wake-word", "sww01"]]);
function streamRun(id: number, score: Partial<StreamRow> = {}, over: Partial<RunRow> = {}): CandidateRun {
  const row: StreamRow = {
    runId: id,
    stream: "long",
    wavSha256: LONG_SHA,
    lengthS: 1200,
    hops: 37500,
    truthWindows: [],
    rules: { tpExtensionS: 1, debounceS: 1 },
    truePositives: 45,
    falseNegatives: 5,
    falsePositives: 7,
    falseAcceptsPerHour: 21,
    meetsTarget: true,
    dutyCycle: 0.1638,
    meanProcessingUs: 5242.1,
    minProcessingUs: 5100,
    maxProcessingUs: 5400,
    throughputPerS: 190.7,
    energyUj: 48.6e6,
    powerMw: 40.5,
    energyKind: "measured",
    energySource: "lpm01a",
    timeBase: "device timer",
    bitExact: null,
    mode: "incremental",
    ...score,
  };
  return {
    run: runRow(
      id,
      "accuracy",
      { metric: "sww" },
      {
        workload: "streaming-wake-word",
        settings: { kind: "stream", detect: { class: 0, aboveInt8: 115, minHops: 1 } },
        datasetSha256: row.wavSha256,
        ...over,
      },
    ),
    windows: [],
    stream: { row, detections: [{ index: 0, hop: 300, timeS: 9.6, verdict: "tp", window: 0 }] },
  };
}

describe("export mlperf plan: streaming wake word (sww)", () => {
  it("writes the newest qualifying stream run as the runner's energy-mode lines the checker reads", () => {
    const plan = planExport([streamRun(7), streamRun(8, { falsePositives: 9 })], streamIds, req, scored);
    expect(plan.entries).toEqual([]);
    expect(plan.streams.map((e) => e.run.id)).toEqual([7]);
    expect(plan.leftOut).toEqual([]);
    const files = renderSubmission(plan, { boards: new Map([["nucleo-l4r5zi", board]]), inferences: new Map() }, req);
    const results = files.get("closed/lab/results/nucleo-l4r5zi/sww/energy/results.txt")!;
    // the checker's patterns (mlperf-submission.md §5.4), each must find its figure
    expect(results.match(/Accuracy: (\d+) True positives, (\d+) False negatives, (\d+) False positives/)?.slice(1)).toEqual(["45", "5", "7"]);
    expect(results.match(/Estimated throughput:\s*([\d.]+) inf\.\/sec\./)?.[1]).toBe("190.700");
    expect(results.match(/Average duty cycle:\s*([\d.]+)/)?.[1]).toBe("0.163800");
    expect(results.match(/Power\s+: ([\d.]+) mW/)?.[1]).toBe("40.5000");
    expect(files.has("closed/lab/results/nucleo-l4r5zi/sww/performance/results.txt")).toBe(false);
    expect(JSON.parse(files.get("closed/lab/systems/nucleo-l4r5zi.json")!).Status).toBe("Available");
    expect(files.get("closed/lab/code/README.md")).toContain(
      "./tinyrig run --board nucleo-l4r5zi --workload streaming-wake-word --stream long --tp-extension 1",
    );
    // no energy: performance/ carries the same lines
    const noEnergy = renderSubmission(
      planExport([streamRun(7, { energyUj: null, powerMw: null, energyKind: null })], streamIds, req, scored),
      { boards: new Map([["nucleo-l4r5zi", board]]), inferences: new Map() },
      req,
    );
    expect(noEnergy.get("closed/lab/results/nucleo-l4r5zi/sww/performance/results.txt")).toContain(
      "Accuracy: 45 True positives, 5 False negatives, 7 False positives",
    );
  });

  it("refuses a stream run that is not the committed scored stream, not completed, over the closed limits or emulated", () => {
    const why = (c: CandidateRun, r = req) => planExport([c], streamIds, r, scored).leftOut.join("\n");
    expect(why(streamRun(1, { stream: "short", truePositives: 5, falseNegatives: 1 }))).toContain("stream short (the scored stream is long)");
    expect(why(streamRun(1, { wavSha256: "b".repeat(64) }, { datasetSha256: "b".repeat(64) }))).toContain(
      "stream long has sha256 bbbbbbbbbbbb, the committed one aaaaaaaaaaaa",
    );
    expect(why(streamRun(1, {}, { status: "failed" }))).toContain("run 1: run failed");
    expect(why({ ...streamRun(1), stream: undefined })).toContain("no stream result stored");
    expect(why(streamRun(1, { falseNegatives: 9, truePositives: 41 }))).toContain("9 false negatives (the closed division allows 8)");
    expect(planExport([streamRun(1, { falseNegatives: 9, truePositives: 41 })], streamIds, { ...req, division: "open" }, scored).streams).toHaveLength(1);
    expect(why(streamRun(1, { truePositives: 44 }))).toContain("TP + FN = 49 (MLPerf's checker needs the 50 wake words of its long test)");
    expect(why(streamRun(1, {}, { boardKind: "emulated", simulated: true, modelled: true }))).toContain(
      "emulated (virtual time), modelled energy: needs --allow-emulated",
    );
    expect(planExport([streamRun(1)], streamIds, req, new Map()).leftOut.join("\n")).toContain("the workload's manifest commits no scored stream");
    // closed: post-processing as MLPerf's reference firmware; a rule of our own (hops in a row) is open division only
    const ownRule = streamRun(1, {}, { settings: { kind: "stream", detect: { class: 0, aboveInt8: 85, minHops: 6 } } });
    expect(why(ownRule)).toContain(
      "detection rule output[0] > 85 on 6 hop(s) in a row is not MLPerf's reference (output[0] > 115 on a hop): open division only",
    );
    expect(planExport([ownRule], streamIds, { ...req, division: "open" }, scored).streams).toHaveLength(1);
    expect(why(streamRun(1, {}, { settings: { kind: "stream" } }))).toContain("the run recorded no detection rule");
  });
});
