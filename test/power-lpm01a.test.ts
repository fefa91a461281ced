// The LPM01A driver against a protocol-level simulator on a real PTY (test/fixtures/power/lpm01a-sim.ts), which
// plays a known waveform: each window's energy must match the waveform's within 0.5%; a monitor that stops
// answering, a truncated stream and a missing timestamp edge each give a clear error, with earlier windows kept.
import { execa, type ResultPromise } from "execa";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Lpm01aMonitor, parseLpmValue } from "../harness/power/lpm01a.ts";

const SIM = path.resolve(import.meta.dirname, "fixtures/power/lpm01a-sim.ts");
const TSX = path.resolve(import.meta.dirname, "../node_modules/.bin/tsx");
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-lpm-"));
let sim: ResultPromise | undefined;

async function simulator(fault = "") {
  const truth = path.join(dir, `truth-${Math.random()}.json`);
  sim = execa(TSX, [SIM, "--truth", truth, ...(fault ? ["--fault", fault] : [])], { buffer: false, reject: false });
  const pty = await new Promise<string>((resolve) => sim!.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
  const monitor = await Lpm01aMonitor.open(pty, { voltageV: 1.8, sampleRateHz: 1000, commandTimeoutMs: 1500 });
  const expected = () => JSON.parse(readFileSync(truth, "utf8")) as { energyJ: number; durationS: number }[];
  return { monitor, expected };
}

const window = async (monitor: Lpm01aMonitor, timeoutMs: number) => (await monitor.nextSpans(2, timeoutMs)).spans[0]!;

afterEach(async () => {
  sim?.kill();
  await sim;
});

describe("LPM01A driver", () => {
  it("parses ascii_dec values", () => {
    expect(parseLpmValue("6409-07")).toBeCloseTo(640.9e-6, 12);
    expect(parseLpmValue("\u00001234+02")).toBe(123400);
    expect(parseLpmValue("TimeStamp: 001s 000ms, buff 00%")).toBeUndefined();
  });

  it("measures each window's energy within 0.5% of the waveform's", async () => {
    const { monitor, expected } = await simulator();
    await monitor.begin();
    expect(monitor.identity).toMatch(/LPM01A id 0043003C3438510A32383538 fw 1\.0\.6/);
    const truth = expected();
    for (const t of truth) {
      const w = await window(monitor, 5000);
      expect(Math.abs(w.energyUj / (t.energyJ * 1e6) - 1)).toBeLessThan(0.005);
      expect(w.durationUs).toBeCloseTo(t.durationS * 1e6, 3);
    }
    await monitor.end();
  }, 30_000);

  it("hands back a window's raw samples on request: they sum to the window's energy", async () => {
    const { monitor } = await simulator();
    await monitor.begin();
    const { spans, trace } = await monitor.nextSpans(2, 5000, { trace: true });
    expect(trace).toMatchObject({ unit: "J", sampleRateHz: 1000, voltageV: 1.8 });
    expect(trace!.edges).toEqual([0, trace!.samples.length]);
    const sum = trace!.samples.reduce((a, v) => a + v, 0) * 1e6;
    expect(Math.abs(sum / spans[0]!.energyUj - 1)).toBeLessThan(1e-5);
    await monitor.end();
  }, 30_000);

  it("discards stale bytes queued before the port was opened", async () => {
    const { monitor, expected } = await simulator("stale");
    await monitor.begin();
    const w = await window(monitor, 5000);
    expect(Math.abs(w.energyUj / (expected()[0]!.energyJ * 1e6) - 1)).toBeLessThan(0.005);
    await monitor.end();
  }, 30_000);

  it("discards stale bytes still on their way when the port was opened (flushing cannot): resynchronised by a token", async () => {
    const { monitor, expected } = await simulator("stale-late");
    await monitor.begin();
    expect(monitor.identity).toMatch(/LPM01A id 0043003C3438510A32383538 fw 1\.0\.6/);
    const w = await window(monitor, 5000);
    expect(Math.abs(w.energyUj / (expected()[0]!.energyJ * 1e6) - 1)).toBeLessThan(0.005);
    await monitor.end();
  }, 30_000);

  it("a refusal is the command's error, with its detail, and nothing is left unhandled", async () => {
    const { monitor } = await simulator();
    await monitor.begin();
    await expect(monitor.command("freq 3k")).rejects.toThrow(/LPM01A refused "freq 3k": error freq 3k \(Error detail: invalid frequency\)/);
    await monitor.end();
  }, 30_000);

  it("a monitor that stops answering: the command is named", async () => {
    const { monitor } = await simulator("mute");
    await expect(monitor.begin()).rejects.toThrow(/did not acknowledge "echo tinyrig-sync-[0-9a-f]{12}" within 1500 ms/);
    await monitor.end();
  }, 30_000);

  it("a truncated stream: the first window is kept, the second fails clearly", async () => {
    const { monitor, expected } = await simulator("truncate");
    await monitor.begin();
    const first = await window(monitor, 5000);
    expect(Math.abs(first.energyUj / (expected()[0]!.energyJ * 1e6) - 1)).toBeLessThan(0.005);
    // depending on when the closed port is noticed: the monitor stopped talking, or the edge never came
    await expect(window(monitor, 5000)).rejects.toThrow(/(LPM01A stopped talking.*|only )1 of the window's 2 timestamp edges/);
    await monitor.end();
  }, 30_000);

  it("a missing timestamp edge: the error says so, earlier windows are kept", async () => {
    const { monitor } = await simulator("missing-edge");
    await monitor.begin();
    const first = await window(monitor, 5000);
    expect(first.energyUj).toBeGreaterThan(0);
    // the second window's closing edge never comes: edges pair up positionally, so the second window runs to the
    // third's opening edge (energy mode rejects such a window by its length) and one edge is left unmatched
    const second = await window(monitor, 5000);
    expect(second.energyUj).toBeGreaterThan(0);
    await expect(window(monitor, 1500)).rejects.toThrow(/timestamp edge is missing/);
    await monitor.end();
  }, 30_000);
});
