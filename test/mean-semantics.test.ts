// int8 MEAN over H and W has two rules in TFLite's runtimes (docs/architecture.md "Rounding"): TFLite's
// reference_integer_ops::Mean (requantise the sum, then divide by the count; tinyrig's default) and current TFLite
// Micro's QuantizedMeanOrSum (1 / count folded into the multiplier, one requantisation). Both are selectable, the firmware
// with MEAN_INT8=fold and the host interpreter with { meanInt8: "fold" }, and agree bit for bit on an emulated board.
import { describe, expect, it } from "vitest";
import { Interpreter, type InterpreterOptions } from "../harness/interpreter/interpreter.ts";
import { loadTflite } from "../harness/tflite/model.ts";
import { bytesOf, writeTflite, type WriterTensor } from "../harness/tflite/writer.ts";
import { Prng } from "../workloads/common/prng.ts";
import { runOnBoard } from "./helpers/device-model.ts";

const meanModel = (x: WriterTensor, y: WriterTensor) =>
  writeTflite({
    tensors: [x, { name: "axes", shape: [2], type: "int32", data: bytesOf(Int32Array.from([1, 2])) }, y],
    operators: [{ code: 40, version: 2, inputs: [0, 1], outputs: [2], options: { type: 27, fields: [[0, "bool", true]] } }],
    inputs: [0],
    outputs: [2],
  });
const run = (model: Uint8Array, x: Int8Array, options: InterpreterOptions = {}) =>
  Array.from(new Int8Array(new Interpreter(loadTflite(model), options).invoke(new Uint8Array(x.buffer)).slice().buffer));

// 2x2, two channels, input scale 0.3 and output scale 1: sums 5 and -5, means 0.375 and -0.375
const small = meanModel(
  { name: "x", shape: [1, 2, 2, 2], type: "int8", scale: [0.3], zeroPoint: [0] },
  { name: "y", shape: [1, 1, 1, 2], type: "int8", scale: [1], zeroPoint: [0] },
);
const smallInput = Int8Array.from([1, -1, 1, -1, 1, -1, 2, -2]);

describe("int8 MEAN's two rules", () => {
  it("worked by hand: divide rounds the requantised sum, then the quotient; fold rounds once", () => {
    // divide: 5 x 0.3 = 1.5 -> 2, then 2 / 4 = 0.5 -> 1 (half away from zero); -5 -> -1.5 -> -2, -0.5 -> -1
    expect(run(small, smallInput)).toEqual([1, -1]);
    // fold: 5 x 0.3 / 4 = 0.375 -> 0 and -0.375 -> 0, the nearest to the exact means
    expect(run(small, smallInput, { meanInt8: "fold" })).toEqual([0, 0]);
  });

  it("mps2-an386 built with MEAN_INT8=fold gives the host's fold outputs bit for bit, where they differ from divide's", async () => {
    const rng = new Prng(4040);
    const model = meanModel(
      { name: "x", shape: [1, 4, 4, 6], type: "int8", scale: [0.05], zeroPoint: [-3] },
      { name: "y", shape: [1, 1, 1, 6], type: "int8", scale: [0.011], zeroPoint: [2] },
    );
    const inputs = Array.from({ length: 12 }, () => Int8Array.from({ length: 96 }, () => rng.int(-128, 127)));
    const fold = inputs.map((x) => run(model, x, { meanInt8: "fold" }));
    expect(fold, "the two rules differ on some input").not.toEqual(inputs.map((x) => run(model, x)));
    const device = await runOnBoard(
      "mps2-an386",
      model,
      inputs.map((x) => new Uint8Array(x.buffer)),
      { meanInt8: "fold" },
    );
    expect(device.map((b) => Array.from(new Int8Array(b.buffer, b.byteOffset, b.length)))).toEqual(fold);
    const hand = await runOnBoard("mps2-an386", small, [new Uint8Array(smallInput.buffer)], { meanInt8: "fold" });
    expect(Array.from(new Int8Array(hand[0]!.buffer, hand[0]!.byteOffset, 2))).toEqual([0, 0]);
  }, 300_000);
});
