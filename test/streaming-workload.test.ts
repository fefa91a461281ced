// The streaming wake-word workload: its manifest, its committed short stream and truth windows, and the generator
// (the short stream regenerated from its seed is the committed file, byte for byte).
import { createHash } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readStream } from "../harness/streaming/wav.ts";
import { loadStreamingWorkload, streamFile } from "../harness/streaming/workload.ts";
import { encodeWav } from "../harness/streaming/wav.ts";

const w = loadStreamingWorkload("streaming-wake-word");

describe("streaming-wake-word workload", () => {
  it("manifest, short stream and truth agree", async () => {
    expect(w.manifest.mlperfModelId).toBe("sww01");
    const entry = w.manifest.streams.short!;
    const file = await streamFile(w, "short"); // throws when the hash differs
    const { pcm, truth } = readStream(file, path.join(w.dir, entry.truth));
    expect(pcm.sampleRate).toBe(16000);
    expect(pcm.samples.length).toBe(entry.seconds * 16000);
    expect(truth.detection_windows.length).toBe(entry.wakeWords);
    for (const [s, e] of truth.detection_windows) {
      expect(e - s).toBeGreaterThan(0.2);
      expect(e).toBeLessThan(entry.seconds);
    }
  });

  it("regenerates the committed short stream from its seed", async () => {
    const g = await import("../workloads/streaming-wake-word/recipe/generate.ts");
    const made = await g.makeStream(g.STREAMS.short);
    expect(createHash("sha256").update(encodeWav(made.samples)).digest("hex")).toBe(w.manifest.streams.short!.sha256);
  }, 120_000);
});
