// The m-results line carries the whole output vector, however long: the firmware sizes it at build time from the
// model's output (tr_plan's TR_MODEL_OUTPUT_ELEMS). It was a fixed 640 characters, so a model with more than about 60
// outputs (an autoencoder's 640) had its line cut short and every performance run failed on the count.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { buildFirmware } from "../harness/build/firmware.ts";
import { connectBoard } from "../harness/run/connect.ts";
import { bytesOf, writeTflite } from "../harness/tflite/writer.ts";
import { Prng } from "../workloads/common/prng.ts";

const IN = 8,
  OUT = 300;
const rng = new Prng(20261205);
const sOut = Math.fround(0.37),
  zOut = -5; // outputs up to (127 + 5) x 0.37 = 48.84: several characters each
const model = writeTflite({
  tensors: [
    { name: "x", shape: [1, IN], type: "int8", scale: [Math.fround(0.05)], zeroPoint: [0] },
    {
      name: "w",
      shape: [OUT, IN],
      type: "int8",
      data: bytesOf(Int8Array.from({ length: OUT * IN }, () => rng.int(-127, 127))),
      scale: [Math.fround(0.01)],
      zeroPoint: [0],
    },
    {
      name: "b",
      shape: [OUT],
      type: "int32",
      data: bytesOf(Int32Array.from({ length: OUT }, () => rng.int(-5000, 5000))),
      scale: [Math.fround(0.0005)],
      zeroPoint: [0],
    },
    { name: "y", shape: [1, OUT], type: "int8", scale: [sOut], zeroPoint: [zOut] },
  ],
  operators: [{ code: 9, version: 4, inputs: [0, 1, 2], outputs: [3], options: { type: 8, fields: [[0, "i8", 0]] } }],
  inputs: [0],
  outputs: [3],
});

it("a model with 300 outputs prints all 300 in m-results on mps2-an386, each the dequantised raw output", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-results-line-"));
  const modelPath = path.join(dir, "wide.tflite");
  writeFileSync(modelPath, model);
  const board = findBoard("mps2-an386");
  const fw = await buildFirmware({
    board,
    modelId: "test01",
    modelPath,
    inputBytes: IN,
    transform: "int8",
    timestampMode: "performance",
    buildRoot: path.join(dir, "build"),
  });
  const conn = await connectBoard(board, fw, { mode: "performance", log: () => {} });
  try {
    await conn.session.loadInput(Int8Array.from({ length: IN }, () => rng.int(-128, 127)) as unknown as Uint8Array);
    const reply = await conn.session.infer(1, 0, 60_000, { outputs: OUT });
    const raw = new Int8Array((await conn.session.outputRaw())!.buffer);
    expect(reply.results).toHaveLength(OUT);
    // the device prints float32 values to 6 decimals
    const worst = Math.max(...reply.results.map((v, i) => Math.abs(v - Math.fround(sOut * (raw[i]! - zOut)))));
    expect(worst).toBeLessThan(2e-6);
    expect(new Set(raw).size).toBeGreaterThan(20); // the outputs really differ
  } finally {
    await conn.close();
  }
}, 180_000);
