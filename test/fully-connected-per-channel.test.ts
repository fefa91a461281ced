// FULLY_CONNECTED with per-channel weights (one scale per output row, as current TFLite converters write Dense
// layers): issue 14's bug was that the device and the host interpreter both used the first row's scale for every row,
// so they agreed with each other and both were wrong. The expected outputs here come from TFLite's documented
// quantisation formulas in plain float arithmetic, not from tinyrig's interpreter:
//   real_o = s_in * s_w[o] * (sum_i (x_i - z_in) * w_oi + bias_o),  q_o = clamp(round(real_o / s_out) + z_out)
// The values are chosen away from rounding ties (checked below), so the fixed-point rounding rules cannot matter.
import { describe, expect, it } from "vitest";
import { Interpreter } from "../harness/interpreter/interpreter.ts";
import { loadTflite } from "../harness/tflite/model.ts";
import { bytesOf, writeTflite } from "../harness/tflite/writer.ts";
import { Prng } from "../workloads/common/prng.ts";
import { runOnBoard } from "./helpers/device-model.ts";

const BATCHES = 2,
  IN = 22,
  OUT = 6; // 22 = five groups of four + a tail of 2; 6 = one block of four rows + 2
const rng = new Prng(20261214);
const sIn = Math.fround(0.05),
  zIn = -3;
const sW = [0.002, 0.01, 0.0005, 0.03, 0.004, 0.02].map(Math.fround);
const weights = Int8Array.from({ length: OUT * IN }, () => rng.int(-127, 127));
const bias = Int32Array.from({ length: OUT }, () => rng.int(-2000, 2000));
const inputs = [0, 1, 2].map(() => Int8Array.from({ length: BATCHES * IN }, () => rng.int(-128, 127)));

/** The real-valued outputs (before the output quantisation) of every input. */
function realOutputs(x: Int8Array): number[] {
  const out: number[] = [];
  for (let b = 0; b < BATCHES; b++)
    for (let o = 0; o < OUT; o++) {
      let acc = bias[o]!;
      for (let i = 0; i < IN; i++) acc += (x[b * IN + i]! - zIn) * weights[o * IN + i]!;
      out.push(sIn * sW[o]! * acc);
    }
  return out;
}
const largest = Math.max(...inputs.flatMap((x) => realOutputs(x).map(Math.abs)));
const sOut = Math.fround(largest / 103),
  zOut = 4;

function expected(x: Int8Array): Int8Array {
  return Int8Array.from(realOutputs(x), (r) => {
    const v = r / sOut;
    expect(Math.abs(Math.abs(v - Math.trunc(v)) - 0.5), `output ${v} is too near a rounding tie for this test`).toBeGreaterThan(0.01);
    return Math.max(-128, Math.min(127, Math.round(v) + zOut));
  });
}

const model = writeTflite({
  tensors: [
    { name: "x", shape: [BATCHES, IN], type: "int8", scale: [sIn], zeroPoint: [zIn] },
    { name: "w", shape: [OUT, IN], type: "int8", data: bytesOf(weights), scale: sW, zeroPoint: sW.map(() => 0), quantizedDimension: 0 },
    { name: "b", shape: [OUT], type: "int32", data: bytesOf(bias), scale: sW.map((s) => sIn * s), zeroPoint: sW.map(() => 0) },
    { name: "y", shape: [BATCHES, OUT], type: "int8", scale: [sOut], zeroPoint: [zOut] },
  ],
  operators: [{ code: 9, version: 4, inputs: [0, 1, 2], outputs: [3], options: { type: 8, fields: [[0, "i8", 0]] } }],
  inputs: [0],
  outputs: [3],
});

describe("per-channel FULLY_CONNECTED, against outputs worked out from the quantisation formulas", () => {
  const want = inputs.map((x) => Array.from(expected(x)));
  it("the rows' scales differ enough that the first row's scale gives other answers", () => {
    // what the bug computed: every row with row 0's scale
    const buggy = inputs.map((x) => realOutputs(x).map((r, k) => Math.round((r * sW[0]!) / sW[k % OUT]! / sOut) + zOut));
    expect(buggy).not.toEqual(want);
  });

  it("host interpreter", () => {
    const interp = new Interpreter(loadTflite(model));
    expect(inputs.map((x) => Array.from(new Int8Array(interp.invoke(x).buffer)))).toEqual(want);
  });

  for (const [board, kernels] of [
    ["mps2-an386", "ref"],
    ["mps2-an386", "dsp"],
    ["mps3-an547", "mve"],
  ] as const) {
    it(`${board}, ${kernels} kernels (emulated)`, async () => {
      const got = await runOnBoard(
        board,
        model,
        inputs.map((x) => new Uint8Array(x.buffer)),
        { kernels },
      );
      expect(got.map((o) => Array.from(new Int8Array(o.buffer, o.byteOffset, o.length)))).toEqual(want);
    }, 300_000);
  }
});
