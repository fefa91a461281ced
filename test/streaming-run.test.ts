// A short stream end to end on the default emulated board, stored: `tinyrig run --workload streaming-wake-word
// --stream short` (the real CLI) and the same run through the module, identical to the bit (detections, scores,
// per-hop processing time in virtual time, modelled energy), every hop bit-exact with the host reference; the stored
// stream and its detections read back; the report draws the timeline.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { writeReport } from "../harness/report/report.ts";
import { ResultStore } from "../harness/store/store.ts";
import { streamResult } from "../harness/store/streams.ts";
import { hostOutputs, hostScore } from "../harness/streaming/evaluate.ts";
import { detectionHops } from "../harness/streaming/model.ts";
import { MLPERF_DETECTION_RULE } from "../harness/streaming/stream-model.ts";
import { decodeWav } from "../harness/streaming/wav.ts";
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

  it("--model: a user's sww01-shaped model plays the stream with MLPerf's detection rule, stored apart from the workload's", async () => {
    // a copy of the workload's own model stands in for MLPerf's sww01 .tflite (nothing of MLPerf's is committed)
    const model = path.join(dir, "sww01-standin.tflite");
    copyFileSync(path.join(w.dir, "model.tflite"), model);
    const userDb = path.join(dir, "user-model.db");
    const cli = await tinyrig(["run", "--workload", "streaming-wake-word", "--model", model, "--stream", "short", "--db", userDb]);
    expect(cli.exitCode, cli.all).toBe(0);
    const store = ResultStore.open(userDb);
    try {
      const [run] = store.listRuns({ workload: "streaming-wake-word" });
      expect(run!.variant).toBe("model:sww01-standin.tflite");
      expect(run!.settings.detect).toEqual({ class: 0, aboveInt8: 115, minHops: 1 });
      expect(run!.settings.userModel).toMatchObject({ file: model });
      const s = streamResult(store, run!.id)!;
      expect(s.row.bitExact).toEqual({ hops: 1875, features: 1875, outputs: 1875 });
      // MLPerf's rule on every hop, not the workload's (85 on 6 hops in a row)
      const out = hostOutputs(new Uint8Array(readFileSync(model)), decodeWav(readFileSync(path.join(w.dir, "data/short.wav"))).samples);
      expect(s.detections.map((d) => d.hop)).toEqual(detectionHops(out, MLPERF_DETECTION_RULE));
      expect(detectionHops(out, MLPERF_DETECTION_RULE)).not.toEqual(detectionHops(out, w.manifest.output.detect));
    } finally {
      store.close();
    }
    // a model of another shape is refused before any work (exit 2), nothing stored
    const bad = path.join(dir, "bad.db");
    const refused = await tinyrig(["run", "--workload", "streaming-wake-word", "--model", path.join(w.dir, "../wake-word/model.tflite"), "--db", bad]);
    expect(refused.exitCode, refused.all).toBe(2);
    expect(refused.stderr).toMatch(
      /--model .*wake-word\/model\.tflite: not a streaming model tinyrig can run: the model input must be int8 \[1, frames, 1, features\]/,
    );
    expect(existsSync(bad)).toBe(false);
  }, 300_000);

  it("riscv32-virt plays the stream too (RISC-V semihosting), every hop bit-exact with the host", async () => {
    const rvDb = path.join(dir, "riscv.db");
    const cli = await tinyrig(["run", "--board", "riscv32-virt", "--workload", "streaming-wake-word", "--stream", "short", "--db", rvDb]);
    expect(cli.exitCode, cli.all).toBe(0);
    const store = ResultStore.open(rvDb);
    try {
      const [run] = store.listRuns({ workload: "streaming-wake-word" });
      expect(run!.board).toBe("riscv32-virt");
      const s = streamResult(store, run!.id)!;
      expect(s.row.bitExact).toEqual({ hops: 1875, features: 1875, outputs: 1875 });
      const host = hostScore(
        w,
        new Uint8Array(readFileSync(path.join(w.dir, "model.tflite"))),
        path.join(w.dir, "data/short.wav"),
        path.join(w.dir, "data/short.json"),
      );
      expect([s.row.truePositives, s.row.falseNegatives, s.row.falsePositives]).toEqual([host.truePositives, host.falseNegatives, host.falsePositives]);
      expect(s.row.energyKind).toBeNull(); // riscv32-virt has no power model: no energy figure is made up
    } finally {
      store.close();
    }
  }, 300_000);
});
