// The physical set-up's host side (harness/streaming/interface-board.ts) against a simulator of MLPerf's enhanced
// interface board with an sww01 DUT behind it, on a real PTY pair (test/fixtures/streaming/interface-board-sim.ts):
// MLPerf's stream step, the sync pulse dropped and detections measured from it, the 10 µs ticks under "(s)" headers,
// the first 100 processing edges, the board's refusal of a mono WAV, and the DUT passthrough.
import { execa, type ResultPromise } from "execa";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InterfaceBoard, parseDetections, parseDutyCycle } from "../harness/streaming/interface-board.ts";
import { scoreDetections } from "../harness/streaming/scoring.ts";
import { decodeWav, encodeWav, readTruth } from "../harness/streaming/wav.ts";
import { SerialTransport } from "../harness/transport/serial.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const SIM = path.join(ROOT, "test/fixtures/streaming/interface-board-sim.ts");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-ib-"));
const short = path.join(ROOT, "workloads/streaming-wake-word/data/short.wav");
const truth = readTruth(path.join(ROOT, "workloads/streaming-wake-word/data/short.json"))[0]!;
// what the simulated DUT detects on the short stream: two runs of hops in two wake-word windows, one false accept
const DETECTION_HOPS = [275, 276, 277, 278, 590, 591, 1000, 1001, 1002];
let sim: ResultPromise | undefined;
let board: InterfaceBoard;

beforeAll(async () => {
  const pcm = decodeWav(readFileSync(short));
  writeFileSync(path.join(dir, "short.wav"), encodeWav(pcm.samples, 16000, 2)); // the board plays stereo only
  writeFileSync(path.join(dir, "mono.wav"), encodeWav(pcm.samples.subarray(0, 16000)));
  writeFileSync(path.join(dir, "dut.json"), JSON.stringify({ detectionHops: DETECTION_HOPS }));
  sim = execa(TSX, [SIM, "--sd", dir, "--dut", path.join(dir, "dut.json"), "--processing-us", "5240"], { buffer: false, reject: false });
  const pty = await new Promise<string>((resolve) => sim!.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
  board = new InterfaceBoard(await SerialTransport.open(pty, 115200));
}, 30_000);
afterAll(async () => {
  await board?.transport.close();
  sim?.kill();
  await sim?.catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("enhanced interface board (simulated)", () => {
  it("is recognised by name and passes DUT commands through", async () => {
    expect(await board.name()).toBe("tinyML Enhanced Interface Board");
    expect(await board.dut("profile")).toContain("m-model-[sww01]");
  });

  it("runs MLPerf's stream step: detections measured from the sync pulse, scored like the emulated stream", async () => {
    const s = await board.stream("short.wav", 60);
    expect(s.rawDetectionsMs.length).toBe(DETECTION_HOPS.length + 1); // + the first frame's sync pulse
    expect(s.detectionsS.map((t) => Math.round(t * 1000))).toEqual(DETECTION_HOPS.map((h) => h * 32));
    expect(s.dutStopLines).toContain("Streaming stopped.");
    const score = scoreDetections(s.detectionsS, truth.detection_windows, truth.length_sec);
    const emulated = scoreDetections(
      DETECTION_HOPS.map((h) => h * 0.032),
      truth.detection_windows,
      truth.length_sec,
    );
    expect([score.truePositives, score.falseNegatives, score.falsePositives]).toEqual([
      emulated.truePositives,
      emulated.falseNegatives,
      emulated.falsePositives,
    ]);
    // the board kept the first 100 processing edges (MLPerf's quirk Q2): 524 ticks of every 3200
    expect(s.duty.edges).toBe(100);
    expect(s.duty.meanPeriodS).toBeCloseTo(0.032, 9);
    expect(s.duty.dutyCycle).toBeCloseTo(524 / 3200, 9);
  });

  it("refuses a mono WAV as the board does", async () => {
    await expect(board.stream("mono.wav", 1)).rejects.toThrow(/2-channel/);
  });

  it("parses the board's listings and refuses what is not a number", () => {
    expect(parseDetections(["Detection Timestamps (ms)", "12,", "40,"])).toEqual([12, 40]);
    expect(() => parseDetections(["Detection Timestamps (ms)", "x,"])).toThrow(/not a time/);
    expect(() => parseDetections(["nothing"])).toThrow(/header/);
    const d = parseDutyCycle(["Duty cycle start times (s)", "0, 3200, 6400, ", "Duty cycle stop times (s)", "500, 3700, "]);
    expect(d.edges).toBe(2);
    expect(d.dutyCycle).toBeCloseTo(500 / 3200, 12);
  });
});
