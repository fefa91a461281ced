// The report's trend view across campaigns, on a real result database: runs stored as a nightly stores them (headline
// performance runs of the emulated default board, one per campaign), the third night slower. The report must mark the
// third campaign, and only it: not the unchanged night, not a later partial run however slow.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import type { FirmwareImage } from "../harness/build/firmware.ts";
import { campaignTrend } from "../harness/report/trend.ts";
import { writeReport } from "../harness/report/report.ts";
import type { BoardConnection } from "../harness/run/connect.ts";
import type { SuiteWorkload } from "../harness/run/suite.ts";
import { ResultStore } from "../harness/store/store.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-trend-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const board = findBoard("mps2-an386");
const firmware = {
  sha256: "ab".repeat(32),
  bytes: 1000,
  sizes: { text: 900, data: 100, bss: 50, flash: 1000, ram: 150 },
  toolchain: "gcc 12",
  kernels: "dsp",
  timestampMode: "performance",
  config: {},
} as unknown as FirmwareImage;
const workload = {
  id: "vibration",
  manifestSha256: "cd".repeat(32),
  modelSha256: "ef".repeat(32),
  modelBytes: 10,
  params: 5,
  macs: 7,
  dataset: { sha256: "01".repeat(32), source: "committed", inputs: [] },
} as unknown as SuiteWorkload;
const connection = { identity: { name: "tinyrig-mps2-an386", profile: "tinyrig-0.1.0", model: "vib01" } } as unknown as BoardConnection;

/** A performance run of `windows` windows of 3000 inferences at `latencyUs` (3000 x 3.4 ms: a 10-s headline window). */
function night(store: ResultStore, campaign: string, latencyUs: number, windows = 5): void {
  store.campaign = campaign;
  const id = store.startRun({ mode: "performance", board, workload, firmware, connection, settings: { windows, minWindowSeconds: 10 }, simulated: true });
  for (let i = 0; i < windows; i++) {
    store.window(id, { index: i, inputIndex: 0, iterations: 3000, warmup: 1, t0Us: 0, t1Us: latencyUs * 3000, latencyUs, throughput: 1e6 / latencyUs });
  }
  store.finishRun(id, {
    windows,
    iterations: 3000,
    medianLatencyUs: latencyUs,
    minLatencyUs: latencyUs,
    maxLatencyUs: latencyUs,
    medianThroughput: 1e6 / latencyUs,
    latencyFrom: "device timer",
  });
}

describe("trend view", () => {
  it("marks the campaign a regression came in with, by the gate's rules; unchanged and partial nights are not marked", async () => {
    const store = ResultStore.open(path.join(dir, "nightly.db"));
    night(store, "n1", 3425.5);
    night(store, "n2", 3425.5);
    night(store, "n3", 3480);
    night(store, "n4", 9000, 2); // partial (2 windows): never judged
    const trend = campaignTrend(store);
    expect(trend.map((p) => [p.campaign, p.value, p.validity, p.regressions.length])).toEqual([
      ["n1", 3.4255, "headline", 0],
      ["n2", 3.4255, "headline", 0],
      ["n3", 3.48, "headline", 1],
      ["n4", 9, "partial", 0],
    ]);
    expect(trend[2]!.regressions[0]).toMatch(/^latency: \+6,812\.5 instructions\/inference, \+54\.5 us\/inference .* \(against campaign n2\)$/);
    const out = path.join(dir, "report");
    const index = await writeReport({ store, outDir: out, workloads: [] });
    const html = readFileSync(index, "utf8");
    expect(html).toMatch(/<h2>Regressions across campaigns<\/h2>/);
    expect(html).toMatch(/<td>n3<\/td><td>mps2-an386 \(emulated\) \/ vibration<\/td>/);
    expect(html).not.toMatch(/<td>n4<\/td>/);
    expect(readFileSync(path.join(out, "trend.svg"), "utf8")).toContain("<svg");
    store.close();
  }, 60_000);
});
