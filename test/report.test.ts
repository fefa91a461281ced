// The report over a populated store: valid SVGs with marks, an HTML page linking them, and Chromium rendering it.
import { execa } from "execa";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import type { FirmwareImage } from "../harness/build/firmware.ts";
import { writeReport } from "../harness/report/report.ts";
import type { BoardConnection } from "../harness/run/connect.ts";
import type { SuiteWorkload } from "../harness/run/suite.ts";
import { ResultStore } from "../harness/store/store.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-report-"));
const CHROMIUM = "/usr/bin/chromium";

function populate(): ResultStore {
  const store = ResultStore.open(path.join(dir, "r.db"));
  const board = findBoard("mps2-an386");
  const firmware = {
    sha256: "ab".repeat(32),
    bytes: 1,
    sizes: { flash: 1, ram: 1 },
    toolchain: "gcc",
    kernels: "dsp",
    timestampMode: "performance",
    config: {},
  } as unknown as FirmwareImage;
  const connection = { identity: { name: "n", profile: "p" } } as unknown as BoardConnection;
  for (const [id, latency, acc, uj] of [
    ["wake-word", 61234, 0.93, 2480],
    ["vibration", 21147, 1, 856],
  ] as const) {
    const workload = {
      id,
      manifestSha256: "c".repeat(64),
      modelSha256: "d".repeat(64),
      modelBytes: 1,
      dataset: { sha256: "e".repeat(64), source: "committed", inputs: [] },
    } as unknown as SuiteWorkload;
    for (const run of [0, 1]) {
      const p = store.startRun({ mode: "performance", board, workload, firmware, connection, settings: {}, simulated: true });
      store.finishRun(p, { windows: 5, medianLatencyUs: latency + run * 100, minLatencyUs: latency - 50, maxLatencyUs: latency + 50 });
    }
    const a = store.startRun({ mode: "accuracy", board, workload, firmware, connection, settings: {}, simulated: true });
    store.finishRun(a, { metric: "top1", value: acc, count: 10, bitExact: { matched: 10, compared: 10 }, target: { metric: "top1", value: 0.9 } });
    const e = store.startRun({ mode: "energy", board, workload, firmware, connection, settings: {}, simulated: true, modelled: true });
    store.finishRun(e, { medianEnergyPerInferenceUj: uj, windows: 5 });
  }
  // a performance run whose windows a monitor watched (energy alongside latency), with a phase split: the newest
  // energy figure for person-detection comes from it
  const workload = {
    id: "person-detection",
    manifestSha256: "c".repeat(64),
    modelSha256: "f".repeat(64),
    modelBytes: 1,
    dataset: { sha256: "e".repeat(64), source: "committed", inputs: [] },
  } as unknown as SuiteWorkload;
  const pe = store.startRun({ mode: "performance", board, workload, firmware, connection, settings: { meter: "modelled" }, simulated: true, modelled: true });
  store.finishRun(pe, {
    windows: 5,
    medianLatencyUs: 90000,
    minLatencyUs: 89000,
    maxLatencyUs: 91000,
    medianEnergyPerInferenceUj: 3645.5,
    phasesUj: { load: 97000.25, pre: 12.5, inference: 3645.5, post: 0.75 },
  });
  return store;
}

describe("report", () => {
  const out = path.join(dir, "out");
  it("writes SVG charts with marks and an HTML page that links them and says what is emulated and modelled", async () => {
    const store = populate();
    const index = await writeReport({ store, outDir: out });
    store.close();
    const html = readFileSync(index, "utf8");
    for (const chart of ["latency", "accuracy", "energy", "energy-phases", "latency-history"]) {
      expect(html).toContain(`src="${chart}.svg"`);
      const svg = readFileSync(path.join(out, `${chart}.svg`), "utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toMatch(/class="mark-(rect|line|symbol|rule|tick)/);
      expect(JSON.parse(readFileSync(path.join(out, `${chart}.vl.json`), "utf8")).$schema).toMatch(/vega-lite/);
    }
    expect(readFileSync(path.join(out, "energy.svg"), "utf8")).toContain("modelled");
    const energySpec = JSON.parse(readFileSync(path.join(out, "energy.vl.json"), "utf8")) as { data: { values: { workload: string; uj: number }[] } };
    expect(energySpec.data.values.map((v) => [v.workload, v.uj]).sort()).toEqual([
      ["person-detection", 3645.5],
      ["vibration", 856],
      ["wake-word", 2480],
    ]);
    const phases = JSON.parse(readFileSync(path.join(out, "energy-phases.vl.json"), "utf8")) as { data: { values: { phase: string; uj: number }[] } };
    expect(Object.fromEntries(phases.data.values.map((v) => [v.phase, v.uj]))).toEqual({ load: 97000.25, pre: 12.5, inference: 3645.5, post: 0.75 });
    expect(html).toContain("fresh input: load 97000.3, pre 12.5, post 0.8 µJ");
    expect(html).toMatch(/emulated/);
    expect(html).toMatch(/modelled/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!vega)/); // static, no external resources
  });

  it("renders in Chromium (headless screenshot, not blank)", async (ctx) => {
    if (!existsSync(CHROMIUM)) ctx.skip(); // CI installs Debian's chromium; without it there is nothing to run
    const png = path.join(dir, "shot.png");
    await execa(
      CHROMIUM,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${path.join(dir, "profile")}`,
        "--window-size=1100,1400",
        `--screenshot=${png}`,
        `file://${path.join(out, "index.html")}`,
      ],
      { reject: false, timeout: 60_000 },
    );
    expect(existsSync(png)).toBe(true);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe("PNG");
    // a blank page compresses to almost nothing; charts and tables do not
    expect(statSync(png).size).toBeGreaterThan(20_000);
  }, 90_000);
});
