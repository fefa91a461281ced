// The sample/edge integration every sampling monitor driver shares: exact spans, edges reported late, and memory held
// to about one window however long the monitor streams between windows.
import { describe, expect, it } from "vitest";
import { SampledEnergy } from "../harness/power/sampled-energy.ts";

describe("SampledEnergy", () => {
  it("integrates amperes between edges (V x I / rate per sample) and joules as given", () => {
    const a = new SampledEnergy(1000, "A", 2);
    for (let i = 0; i < 100; i++) {
      if (i === 10 || i === 60 || i === 70) a.edge();
      a.add(i < 60 ? 0.001 : 0.005);
    }
    const { spans } = a.take(3);
    expect(spans[0]!.energyUj).toBeCloseTo(50 * 0.001 * 2 * 1000, 9); // 50 samples x 2 uJ
    expect(spans[0]!.durationUs).toBe(50_000);
    expect(spans[1]!.energyUj).toBeCloseTo(10 * 0.005 * 2 * 1000, 9);
    const j = new SampledEnergy(10, "J", 1.8);
    j.edge();
    for (let i = 0; i < 5; i++) j.add(1e-6);
    j.edge();
    expect(j.take(2).spans[0]!.energyUj).toBeCloseTo(5, 12);
  });

  it("streams hours between windows in bounded memory, and still measures the next window exactly", () => {
    const m = new SampledEnergy(100_000, "A", 3);
    for (let i = 0; i < 3_000_000; i++) m.add(0.002); // 30 s at 100 kS/s with no edge pending
    expect((m as unknown as { count: number }).count).toBeLessThanOrEqual(2 * SampledEnergy.KEEP);
    const start = m.sampleCount;
    m.edgeAt(start - 100); // an edge reported a little after its sample
    for (let i = 0; i < 1000; i++) m.add(0.004);
    m.edge();
    const { spans } = m.take(2);
    expect(spans[0]!.durationUs).toBeCloseTo(11_000, 6);
    expect(spans[0]!.energyUj).toBeCloseTo((100 * 0.002 + 1000 * 0.004) * 3 * 10, 6); // V x I x 10 us per sample
  });

  it("refuses an edge older than the samples it kept, and forgets edges on request", () => {
    const m = new SampledEnergy(1000, "A", 1);
    for (let i = 0; i < 4 * SampledEnergy.KEEP; i++) m.add(0.001);
    expect(() => m.edgeAt(10)).toThrow(/reported after its samples were dropped/);
    m.edge();
    m.discardEdges();
    expect(m.pendingEdges).toBe(0);
    expect(() => m.take(2)).toThrow(/only 0 of 2 timestamp edges/);
  });
});
