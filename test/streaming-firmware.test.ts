// The stream engine on the default emulated board (real QEMU, real semihosting): the short stream played hop by hop
// from the host file; every hop's features and output bit-exact with the host reference (TypeScript LFBE + the
// incremental model); the full model on the 30-frame window bit-exact with the incremental one, on the device and on
// the host; the per-hop processing time from the device timer identical from run to run (virtual time).
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { buildFirmware } from "../harness/build/firmware.ts";
import { connectBoard, type BoardConnection } from "../harness/run/connect.ts";
import { lfbeThresholds, silenceFrame, streamFrames } from "../harness/streaming/lfbe.ts";
import { detectionHops, StreamingModel, streamOutputs } from "../harness/streaming/model.ts";
import { withSemihosting } from "../harness/emulator/semihosting.ts";
import { streamOnDevice, type DeviceStream } from "../harness/streaming/session.ts";
import { decodeWav } from "../harness/streaming/wav.ts";
import { loadStreamingWorkload } from "../harness/streaming/workload.ts";
import { loadTflite } from "../harness/tflite/model.ts";

const w = loadStreamingWorkload("streaming-wake-word");
const wav = path.join(w.dir, w.manifest.streams.short!.file);
const modelPath = path.join(w.dir, w.manifest.model!.file);
const pcm = decodeWav(readFileSync(wav));
const model = new StreamingModel(loadTflite(new Uint8Array(readFileSync(modelPath))));
const q = model.interpreter.input.quantization!;
const thresholds = lfbeThresholds(Math.fround(q.scale[0]!), q.zeroPoint[0]!);
const frames = streamFrames(pcm.samples, thresholds);
const host = streamOutputs(model, frames, silenceFrame(thresholds));
const logs = [1, 2, 3].map((i) => path.join(tmpdir(), `tinyrig-stream-${process.pid}-${i}.bin`));
let connection: BoardConnection;
let first: DeviceStream;

beforeAll(async () => {
  const board = withSemihosting(findBoard("mps2-an386"));
  const fw = await buildFirmware({
    board,
    modelId: "sww01",
    modelPath,
    modelKind: "stream",
    streamDetect: w.manifest.output.detect,
    inputBytes: 1200,
    transform: "int8",
    timestampMode: "performance",
  });
  connection = await connectBoard(board, fw, { mode: "accuracy", log: () => {} });
  first = await streamOnDevice(connection.session, wav, { logPath: logs[0] });
}, 240_000);
afterAll(async () => {
  await connection?.close();
  for (const l of logs) rmSync(l, { force: true });
});

describe("stream engine on mps2-an386", () => {
  it("plays every whole hop of the stream", () => {
    expect(first.hops).toBe(Math.floor(pcm.samples.length / 512));
    expect(first.processing.hops).toBe(first.hops);
  });

  it("features on the device equal the host's on every hop", () => {
    expect(first.log!.features).toEqual(frames);
  });

  it("the incremental model's output on the device equals the host reference on every hop, and so do the detections", () => {
    let differ = 0;
    for (let h = 0; h < host.hops; h++)
      for (let k = 0; k < host.outputBytes; k++) if (first.log!.outputs[h * 4 + k] !== host.outputs[h * host.outputBytes + k]) differ++;
    expect(differ).toBe(0);
    expect(first.detectionHops).toEqual(detectionHops(host, w.manifest.output.detect));
    // the workload's rule asks for several hops in a row: the device applies it (fewer detections than every hop above)
    expect(w.manifest.output.detect.minHops).toBeGreaterThan(1);
    expect(first.detectionHops.length).toBeLessThan(detectionHops(host, { ...w.manifest.output.detect, minHops: 1 }).length);
  });

  it("the full model on the 30-frame window is bit-exact with the incremental one (device and host)", async () => {
    const hops = 300;
    const full = await streamOnDevice(connection.session, wav, { mode: "full", logPath: logs[1], maxHops: hops });
    expect(full.hops).toBe(hops);
    expect(full.log!.outputs).toEqual(first.log!.outputs.subarray(0, hops * 4));
    expect(full.processing.minUs).toBeGreaterThan(first.processing.maxUs); // it did run the whole model
    const hostFull = streamOutputs(model, frames.subarray(0, hops * 40), silenceFrame(thresholds), "full");
    expect(hostFull.outputs).toEqual(host.outputs.subarray(0, hops * host.outputBytes));
  }, 120_000);

  it("each hop's processing time from the device timer repeats exactly on a second run", async () => {
    const again = await streamOnDevice(connection.session, wav, { logPath: logs[2] });
    expect(again.log!.ticks).toEqual(first.log!.ticks);
    expect(again.processing).toEqual(first.processing);
    expect(first.processing.maxUs).toBeLessThan(first.processing.periodUs);
  }, 120_000);
});
