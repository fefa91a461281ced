// A short stream end to end on the default emulated board, stored: `tinyrig run --workload streaming-wake-word
// --stream short` (the real CLI) and the same run through the module, identical to the bit (detections, scores,
// per-hop processing time in virtual time, modelled energy), every hop bit-exact with the host reference; the stored
// stream and its detections read back; the report draws the timeline.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { writeReport } from "../harness/report/report.ts";
import { ResultStore } from "../harness/store/store.ts";
import { streamResult } from "../harness/store/streams.ts";
import { hostScore } from "../harness/streaming/evaluate.ts";
import { runAndStoreStream } from "../harness/streaming/stored.ts";
import { loadStreamingWorkload } from "../harness/streaming/workload.ts";
import { tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-stream-run-"));
const db = path.join(dir, "results.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const w = loadStreamingWorkload("streaming-wake-word");

describe("short stream end to end (mps2-an386, emulated)", () => {
  it("CLI and module runs agree to the bit, are stored, scored as the host reference scores, and reported", async () => {
    const cli = await tinyrig(["run", "--workload", "streaming-wake-word", "--stream", "short", "--db", db]);
    expect(cli.exitCode, cli.all).toBe(0);
    expect(cli.stdout).toMatch(/streaming-wake-word {2}stream {2}\d+ {2}completed {2}TP \d+ FN \d+ FP \d+ of 6/);
    const store = ResultStore.open(db);
    try {
      const second = await runAndStoreStream(store, { board: findBoard("mps2-an386"), workload: w, stream: "short" });
      expect(second.status, second.error).toBe("completed");
      const runs = store.listRuns({ workload: "streaming-wake-word" });
      expect(runs.length).toBe(2);
      const [b, a] = runs.map((r) => streamResult(store, r.id)!);
      expect({ ...a!.row, runId: 0 }).toEqual({ ...b!.row, runId: 0 });
      expect(a!.detections).toEqual(b!.detections);
      const r = second.result!;
      expect(r.bitExact).toEqual({ hops: 1875, features: 1875, outputs: 1875 });
      const host = hostScore(
        w,
        new Uint8Array(readFileSync(path.join(w.dir, "model.tflite"))),
        path.join(w.dir, "data/short.wav"),
        path.join(w.dir, "data/short.json"),
      );
      expect([a!.row.truePositives, a!.row.falseNegatives, a!.row.falsePositives]).toEqual([host.truePositives, host.falseNegatives, host.falsePositives]);
      expect(a!.row.timeBase).toMatch(/virtual/);
      expect(a!.row.energyKind).toBe("modelled");
      expect(a!.row.dutyCycle).toBeGreaterThan(0);
      expect(runs[0]!.settings.kind).toBe("stream");
      const out = await writeReport({ store, outDir: path.join(dir, "report") });
      expect(readdirSync(path.dirname(out)).filter((f) => /^stream-\d+\.svg$/.test(f)).length).toBeGreaterThan(0);
      expect(readFileSync(out, "utf8")).toMatch(/stream short: TP \d+ FN \d+ FP \d+/);
      expect(readFileSync(out, "utf8")).toMatch(/<img src="stream-\d+\.svg" alt="[^"]*stream short, run \d+">/); // the chart's title, not [object Object]
    } finally {
      store.close();
    }
  }, 300_000);

  it("refuses a stream that is not the one the manifest records", async () => {
    const store = ResultStore.open(db);
    try {
      const bad = await runAndStoreStream(store, {
        board: findBoard("mps2-an386"),
        workload: { ...w, manifest: { ...w.manifest, streams: { ...w.manifest.streams, short: { ...w.manifest.streams.short!, sha256: "0".repeat(64) } } } },
        stream: "short",
      });
      expect(bad.status).toBe("failed");
      expect(bad.error).toMatch(/has sha256 [0-9a-f]{64}, the manifest records 0{64}/);
      expect(bad.runId).toBeUndefined(); // nothing stored for a run that never started
    } finally {
      store.close();
    }
    expect(existsSync(db)).toBe(true);
  });
});
