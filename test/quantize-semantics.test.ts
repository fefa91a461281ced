// QUANTIZE float32 -> int8 (docs/architecture.md "QUANTIZE"): x / scale rounded half away from zero, the division in
// double (default: TFLite's builtin kernel) or in float (QUANTIZE_DIVISION=float / { quantizeDivision: "float" }: its
// reference AffineQuantize). The firmware computes the double one in float and falls back to double only at a float
// tie; here, on inputs where the two precisions give different integers, the device equals the host in each setting.
// Also the host reference's quantisation of a float32 input into an int8 model input (the load step), which rounded
// ties up (Math.round) where the firmware rounds them away from zero.
import { describe, expect, it } from "vitest";
import { Interpreter } from "../harness/interpreter/interpreter.ts";
import { quantizeF32S8, type QuantizeDivision } from "../harness/interpreter/quantize.ts";
import { loadTflite } from "../harness/tflite/model.ts";
import { bytesOf, writeTflite } from "../harness/tflite/writer.ts";
import { hostReference } from "../harness/workloads/evaluate.ts";
import { Prng } from "../workloads/common/prng.ts";
import { runOnBoard } from "./helpers/device-model.ts";

const N = 64;
const SCALE = Math.fround(0.0731);
const ZP = -5;

/** float32 values near ties of x / SCALE on which double and float division round to different integers. */
function disagreeing(): Float32Array {
  const rng = new Prng(4242);
  const found: number[] = [];
  const one = new Float32Array(1),
    d = new Int8Array(1),
    f = new Int8Array(1);
  while (found.length < N) {
    one[0] = Math.fround((rng.int(-150, 150) + 0.5) * SCALE);
    const bits = new Int32Array(one.buffer);
    bits[0]! += rng.int(-3, 3); // a few ulps either side
    quantizeF32S8(one, SCALE, ZP, d, "double");
    quantizeF32S8(one, SCALE, ZP, f, "float");
    if (d[0] !== f[0]) found.push(one[0]!);
  }
  return Float32Array.from(found);
}

// input float32 [N] -> QUANTIZE -> int8 [N] (scale SCALE, zero point ZP)
const quantizeModel = writeTflite({
  tensors: [
    { name: "x", shape: [N], type: "float32" },
    { name: "q", shape: [N], type: "int8", scale: [SCALE], zeroPoint: [ZP] },
  ],
  operators: [{ code: 114, version: 1, inputs: [0], outputs: [1] }],
  inputs: [0],
  outputs: [1],
});

describe("QUANTIZE float32 -> int8 in each division precision", () => {
  const inputs = disagreeing();
  const bytes = bytesOf(inputs);
  const host = (division: QuantizeDivision) =>
    Array.from(new Int8Array(new Interpreter(loadTflite(quantizeModel), { quantizeDivision: division }).invoke(inputs).buffer));

  it("the inputs tell the two precisions apart on the host", () => {
    expect(host("double")).not.toEqual(host("float"));
    expect(host("double").filter((v, i) => v !== host("float")[i]).length).toBe(N);
  });

  for (const division of ["double", "float"] as const) {
    it(`mps2-an386 (emulated) with QUANTIZE_DIVISION=${division} equals the host`, async () => {
      const [out] = await runOnBoard("mps2-an386", quantizeModel, [bytes], { quantizeDivision: division, transform: "float32-quantize" });
      expect(Array.from(new Int8Array(out!.buffer, out!.byteOffset, out!.length))).toEqual(host(division));
    }, 300_000);
  }

  it("the host reference quantises a float32 input into an int8 model input with ties away from zero, as the device", async () => {
    // int8 input (scale 0.5) -> RESHAPE -> output: the output is the quantised input
    const model = writeTflite({
      tensors: [
        { name: "x", shape: [1, 4], type: "int8", scale: [0.5], zeroPoint: [0] },
        { name: "y", shape: [4], type: "int8", scale: [0.5], zeroPoint: [0] },
      ],
      operators: [{ code: 22, version: 1, inputs: [0], outputs: [1], options: { type: 17, fields: [[0, "i32v", [4]]] } }],
      inputs: [0],
      outputs: [1],
    });
    const input = bytesOf(Float32Array.from([-20.25, 20.25, -0.25, 0.75]));
    const out = hostReference(new Interpreter(loadTflite(model)), "float32-quantize")(input);
    expect(Array.from(new Int8Array(out.buffer, out.byteOffset, out.length))).toEqual([-41, 41, -1, 2]);
    // and the firmware's load step gives the same
    const [device] = await runOnBoard("mps2-an386", model, [input], { transform: "float32-quantize" });
    expect(Array.from(new Int8Array(device!.buffer, device!.byteOffset, device!.length))).toEqual([-41, 41, -1, 2]);
  }, 300_000);
});
