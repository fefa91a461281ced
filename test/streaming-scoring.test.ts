// Scoring a stream as MLPerf's runner does, on hand-made detection lists: the edges of a window (start, end + 1 s by
// MLPerf's README, + 2 s as its code does), several detections in one window, misses, the 1 s debounce of false
// positives, the order windows claim detections in; duty cycle and modelled energy on hand-computed figures.
import { describe, expect, it } from "vitest";
import { detectionHops } from "../harness/streaming/model.ts";
import { dutyCycle, f1, meetsTarget, modelledStreamEnergy, scoreDetections } from "../harness/streaming/scoring.ts";

const windows: [number, number][] = [
  [10, 10.6],
  [20, 20.5],
  [30, 30.8],
];

describe("stream scoring", () => {
  it("a detection on a window's start or on its end + 1 s is a true positive; just outside is a false positive", () => {
    expect(scoreDetections([10], windows, 60).truePositives).toBe(1);
    expect(scoreDetections([11.6], windows, 60).truePositives).toBe(1);
    const late = scoreDetections([11.601], windows, 60);
    expect([late.truePositives, late.falsePositives]).toEqual([0, 1]);
    const early = scoreDetections([9.999], windows, 60);
    expect([early.truePositives, early.falsePositives, early.falseNegatives]).toEqual([0, 1, 3]);
  });

  it("MLPerf's code (end + 2 s) is an option, and it is recorded with the score", () => {
    const s = scoreDetections([12.5], windows, 60, { tpExtensionS: 2, debounceS: 1 });
    expect([s.truePositives, s.falsePositives]).toEqual([1, 0]);
    expect(s.rules.tpExtensionS).toBe(2);
    expect(scoreDetections([12.5], windows, 60).falsePositives).toBe(1);
  });

  it("every detection in a window counts for it once; a window without one is a false negative", () => {
    const s = scoreDetections([10.3, 10.332, 10.364, 10.9, 30.1], windows, 60);
    expect([s.truePositives, s.falseNegatives, s.falsePositives]).toEqual([2, 1, 0]);
    expect(s.windows.map((w) => w.detections)).toEqual([[0, 1, 2, 3], [], [4]]);
    expect(s.verdicts[3]).toEqual({ kind: "tp", window: 0 });
  });

  it("false positives are debounced for 1 s after each survivor: a run of positives is one per started second", () => {
    const s = scoreDetections([100, 100.5, 101, 101.5, 102.2], [], 3600);
    expect(s.falsePositives).toBe(2);
    expect(s.verdicts.map((v) => v.kind)).toEqual(["fp", "debounced", "debounced", "fp", "debounced"]);
    // a detection on every 32 ms hop for 2.5 s: survivors at 0, 1.024 and 2.048 s
    const run = Array.from({ length: 79 }, (_, h) => 200 + h * 0.032);
    expect(scoreDetections(run, [], 3600).falsePositives).toBe(3);
    expect(scoreDetections([4, 3.5, 3], [], 3600).falsePositives).toBe(1); // in time order, whatever the list's order
  });

  it("windows claim detections in file order; false accepts per hour and the target", () => {
    const close: [number, number][] = [
      [10, 10.5],
      [11, 11.5],
    ];
    const s = scoreDetections([11.2], close, 60);
    expect([s.truePositives, s.falseNegatives]).toEqual([1, 1]);
    expect(s.verdicts[0]).toEqual({ kind: "tp", window: 0 });
    const fa = scoreDetections([1, 3, 5], [], 1800);
    expect(fa.falseAcceptsPerHour).toBe(6);
    expect(meetsTarget(fa, { maxFalsePositives: 3, maxFalseNegatives: 0 })).toBe(true);
    expect(meetsTarget(fa, { maxFalsePositives: 2, maxFalseNegatives: 0 })).toBe(false);
    expect(f1(scoreDetections([10.1, 50], windows, 60))).toBeCloseTo(2 / (2 + 1 + 2), 12);
  });

  it("refuses what is not a measurement", () => {
    expect(() => scoreDetections([Number.NaN], windows, 60)).toThrow(/not a number/);
    expect(() => dutyCycle({ hops: 0, totalUs: 0, minUs: 0, maxUs: 0, periodUs: 32000 })).toThrow(/no hop/);
  });
});

describe("detection rule", () => {
  // class-0 int8 scores per hop (3 output bytes a hop; the other two never matter)
  const scores = [116, 120, -5, 116, 117, 118, 119, 115, 127];
  const out = { outputs: Uint8Array.from(scores.flatMap((v) => [v & 0xff, 0, 0])), outputBytes: 3, hops: scores.length };

  it("every hop above the threshold by default (MLPerf's rule: output > 115, not >=)", () => {
    expect(detectionHops(out, { class: 0, aboveInt8: 115 })).toEqual([0, 1, 3, 4, 5, 6, 8]);
  });

  it("minHops: a hop that ends a run of that many hops above the threshold, and each hop the run goes on", () => {
    expect(detectionHops(out, { class: 0, aboveInt8: 115, minHops: 2 })).toEqual([1, 4, 5, 6]);
    expect(detectionHops(out, { class: 0, aboveInt8: 115, minHops: 3 })).toEqual([5, 6]);
    expect(detectionHops(out, { class: 0, aboveInt8: 116, minHops: 2 })).toEqual([5, 6]);
  });
});

describe("duty cycle and modelled energy", () => {
  const p = { hops: 1000, totalUs: 1000 * 2000, minUs: 1900, maxUs: 2100, periodUs: 32000 };
  it("duty cycle is processing over stream time; throughput 1 / mean processing", () => {
    const d = dutyCycle(p);
    expect(d.dutyCycle).toBeCloseTo(0.0625, 12);
    expect(d.throughputPerS).toBeCloseTo(500, 9);
    expect(d.overruns).toBe(false);
    expect(dutyCycle({ ...p, maxUs: 40000 }).overruns).toBe(true);
  });
  it("active current while processing, idle current otherwise (active where the board has no idle figure)", () => {
    const e = modelledStreamEnergy(p, { voltageV: 1.8, activeCurrentA: 0.02, idleCurrentA: 0.002 });
    // 32 s: 2 s at 36 mW + 30 s at 3.6 mW = 72 mJ + 108 mJ
    expect(e.energyUj).toBeCloseTo(180_000, 6);
    expect(e.powerMw).toBeCloseTo(5.625, 9);
    const noIdle = modelledStreamEnergy(p, { voltageV: 1.8, activeCurrentA: 0.02 });
    expect(noIdle.energyUj).toBeCloseTo(1.8 * 0.02 * 32e6, 6);
    expect(noIdle.idleFromBoard).toBe(false);
  });
});
