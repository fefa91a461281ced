// The host reference of the stream engine (harness/streaming/model.ts): the incremental model (one new row per layer
// per hop, fast row loops) equals the same rows through the interpreter's kernels and the full model on the 30-frame
// window, on every hop checked; a model that cannot stream is refused by name.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lfbeThresholds, silenceFrame, streamFrames } from "../harness/streaming/lfbe.ts";
import { StreamingModel, streamOutputs } from "../harness/streaming/model.ts";
import { decodeWav } from "../harness/streaming/wav.ts";
import { loadStreamingWorkload } from "../harness/streaming/workload.ts";
import { loadTflite } from "../harness/tflite/model.ts";

const w = loadStreamingWorkload("streaming-wake-word");
const bytes = new Uint8Array(readFileSync(path.join(w.dir, w.manifest.model!.file)));
const pcm = decodeWav(readFileSync(path.join(w.dir, w.manifest.streams.short!.file)));

describe("streaming model (host)", () => {
  const model = new StreamingModel(loadTflite(bytes));
  const q = model.interpreter.input.quantization!;
  const thresholds = lfbeThresholds(Math.fround(q.scale[0]!), q.zeroPoint[0]!);
  const hops = 400; // 12.8 s of the short stream, through its first wake word
  const frames = streamFrames(pcm.samples.subarray(0, hops * 512), thresholds);

  it("incremental = the same rows through the interpreter's kernels = the full model on the window", () => {
    const fast = streamOutputs(model, frames, silenceFrame(thresholds), "incremental");
    model.reference = true;
    const kernels = streamOutputs(model, frames, silenceFrame(thresholds), "incremental");
    model.reference = false;
    const full = streamOutputs(model, frames, silenceFrame(thresholds), "full");
    expect(fast.outputs).toEqual(kernels.outputs);
    expect(fast.outputs).toEqual(full.outputs);
    expect(new Set(fast.outputs).size).toBeGreaterThan(10); // the scores move: the comparison is not of constants
  }, 120_000);

  it("refuses a model whose convolutions cannot run one row at a time", () => {
    const kws = new Uint8Array(readFileSync(path.resolve(w.dir, "../wake-word/model.tflite")));
    expect(() => new StreamingModel(loadTflite(kws))).toThrow(/VALID padding, stride 1|int8 \[1, frames, 1, features\]/);
  });
});
