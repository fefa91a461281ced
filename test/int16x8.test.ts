// int16x8 (issue 14): TFLite's 16-bit activations with 8-bit weights and 64-bit bias, activation zero point 0, where
// TFLite Micro has it: FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, ADD, QUANTIZE (float32 or int8 <-> int16) and
// DEQUANTIZE. Each in a small model written here: the host interpreter's outputs are checked against TFLite's
// quantisation formula worked out in the test in float (within one unit: the int16 kernels requantise with a Q15
// multiplier), and the firmware on an emulated board (mps2-an386) must give the host's outputs bit for bit, int16
// input and output bytes as they are. Operators without an int16 kernel are refused naming the builtin and the type.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FirmwareBuildError } from "../harness/build/firmware.ts";
import { Interpreter } from "../harness/interpreter/interpreter.ts";
import { loadTflite } from "../harness/tflite/model.ts";
import { bytesOf, writeTflite, type WriterGraph, type WriterTensor } from "../harness/tflite/writer.ts";
import { Prng } from "../workloads/common/prng.ts";
import { modelInput } from "../harness/workloads/model-workload.ts";
import { tinyrig } from "./helpers/cli.ts";
import { runOnBoard } from "./helpers/device-model.ts";

const rng = new Prng(1616);
const ints = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => rng.int(lo, hi));
const f32 = Math.fround;
const i16 = (b: Uint8Array) => Array.from(new Int16Array(b.slice().buffer));
const quant16 = (r: number, scale: number) => Math.max(-32768, Math.min(32767, Math.round(r / f32(scale))));

interface Case {
  name: string;
  graph: WriterGraph;
  inputs: Uint8Array[];
  /** TFLite's formula in float for an input; the host must be within one of it. */
  expected(input: Uint8Array): number[];
  /** How the output bytes read (default int16). */
  output?: (b: Uint8Array) => number[];
  transform?: "int8" | "raw";
  /** Expected exactly (an operator that only compares or averages integers). */
  exact?: boolean;
  /** Steps off TFLite's formula in float allowed (default 1): SOFTMAX's tables interpolate. */
  tolerance?: number;
}

// FULLY_CONNECTED: [1, 16] x [4, 16]^T, per-channel weights, int64 bias
const FC_IN: WriterTensor = { name: "x", shape: [1, 16], type: "int16", scale: [0.001], zeroPoint: [0] };
const FC_W_SCALES = [0.01, 0.02, 0.005, 0.03];
const FC_W = Int8Array.from(ints(64, -127, 127));
const FC_B = BigInt64Array.from(ints(4, -200000, 200000).map(BigInt));
const FC_OUT: WriterTensor = { name: "y", shape: [1, 4], type: "int16", scale: [0.04], zeroPoint: [0] };
const fcGraph = (out: WriterTensor = FC_OUT): WriterGraph => ({
  tensors: [
    FC_IN,
    { name: "w", shape: [4, 16], type: "int8", scale: FC_W_SCALES, zeroPoint: [0, 0, 0, 0], data: bytesOf(FC_W) },
    { name: "b", shape: [4], type: "int64", data: new Uint8Array(FC_B.buffer) },
    out,
  ],
  operators: [{ code: 9, version: 7, inputs: [0, 1, 2], outputs: [3] }],
  inputs: [0],
  outputs: [3],
});
const fcReal = (x: Int16Array, o: number) => {
  let acc = Number(FC_B[o]!);
  for (let i = 0; i < 16; i++) acc += x[i]! * FC_W[o * 16 + i]!;
  return f32(0.001) * f32(FC_W_SCALES[o]!) * acc;
};

// CONV_2D [1,5,5,3] -> [1,5,5,4] 3x3 SAME and DEPTHWISE_CONV_2D [1,5,5,3] -> [1,3,3,6] 3x3 SAME stride 2, multiplier 2
const CV_IN: WriterTensor = { name: "x", shape: [1, 5, 5, 3], type: "int16", scale: [0.0005], zeroPoint: [0] };
const CV_W = Int8Array.from(ints(4 * 27, -127, 127));
const CV_W_SCALES = [0.004, 0.002, 0.006, 0.003];
const CV_B = BigInt64Array.from(ints(4, -500000, 500000).map(BigInt));
const CV_OUT: WriterTensor = { name: "y", shape: [1, 5, 5, 4], type: "int16", scale: [0.003], zeroPoint: [0] };
const DW_W = Int8Array.from(ints(9 * 6, -127, 127));
const DW_W_SCALES = [0.01, 0.02, 0.015, 0.005, 0.03, 0.01];
const DW_B = BigInt64Array.from(ints(6, -100000, 100000).map(BigInt));
const DW_OUT: WriterTensor = { name: "y", shape: [1, 3, 3, 6], type: "int16", scale: [0.002], zeroPoint: [0] };
/** 3x3 window sum at output (oy, ox) with stride s and SAME padding of 1 (5 -> 5 at stride 1, 5 -> 3 at stride 2) */
const window = (x: Int16Array, oy: number, ox: number, s: number, term: (ky: number, kx: number, c: number, v: number) => number) => {
  let acc = 0;
  for (let ky = 0; ky < 3; ky++)
    for (let kx = 0; kx < 3; kx++) {
      const iy = oy * s - 1 + ky,
        ix = ox * s - 1 + kx;
      if (iy < 0 || iy >= 5 || ix < 0 || ix >= 5) continue;
      for (let c = 0; c < 3; c++) acc += term(ky, kx, c, x[(iy * 5 + ix) * 3 + c]!);
    }
  return acc;
};

// ADD: [1,4,4,6] + a constant [6] (broadcast), RELU6
const ADD_IN: WriterTensor = { name: "x", shape: [1, 4, 4, 6], type: "int16", scale: [0.0003], zeroPoint: [0] };
const ADD_K = Int16Array.from(ints(6, -20000, 20000));
const ADD_K_T: WriterTensor = { name: "k", shape: [6], type: "int16", scale: [0.0005], zeroPoint: [0], data: new Uint8Array(ADD_K.buffer) };
const ADD_OUT: WriterTensor = { name: "y", shape: [1, 4, 4, 6], type: "int16", scale: [0.0006], zeroPoint: [0] };

const CONCAT_K = Int16Array.from(ints(32, -32768, 32767));
const ADD_K5 = Int16Array.from(ints(36, -20000, 20000)); // a [3,1,1,12] constant for the 5-D ADD

// LOGISTIC (14) and TANH (28) int16: output scale 2^-15, zero points 0
const sigmoidGraph = (code: number, scale: number): WriterGraph => ({
  tensors: [
    { name: "x", shape: [1, 512], type: "int16", scale: [scale], zeroPoint: [0] },
    { name: "y", shape: [1, 512], type: "int16", scale: [2 ** -15], zeroPoint: [0] },
  ],
  operators: [{ code, version: 3, inputs: [0], outputs: [1] }],
  inputs: [0],
  outputs: [1],
});
/** -32768 to 32767 in 512 steps of 128, each off its step by a different amount */
const sweep16 = new Uint8Array(Int16Array.from({ length: 512 }, (_, i) => -32768 + 128 * i + ((i * 37) % 128)).buffer);

// SOFTMAX int16: output scale 1/32768, zero points 0
const softmaxGraph = (shape: number[], scale: number, beta: number): WriterGraph => ({
  tensors: [
    { name: "x", shape, type: "int16", scale: [scale], zeroPoint: [0] },
    { name: "y", shape, type: "int16", scale: [1 / 32768], zeroPoint: [0] },
  ],
  operators: [{ code: 25, version: 3, inputs: [0], outputs: [1], options: { type: 9, fields: [[0, "f32", beta]] } }],
  inputs: [0],
  outputs: [1],
});
/** softmax over rows of `depth` in float, in steps of 1/32768 (saturating at 32767), differences below -10 taken as -10
 * as TFLite's int16 kernel does (its exp table covers [-10, 0]) */
const softmaxReal = (x: Int16Array, depth: number, scale: number, beta: number) =>
  Array.from({ length: x.length / depth }, (_, r) => {
    const row = Array.from(x.subarray(r * depth, (r + 1) * depth));
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(Math.max(-10, beta * f32(scale) * (v - max)))); // TFLite: exp(-10) and below are exp(-10)
    const sum = e.reduce((a, v) => a + v);
    return e.map((v) => Math.min(32767, Math.round((v / sum) * 32768)));
  }).flat();

const randomInput = (n: number, lo = -32768, hi = 32767) => new Uint8Array(Int16Array.from(ints(n, lo, hi)).buffer);
// the cases added after the first round draw from their own generator, so the ones above keep their data
const rng2 = new Prng(1617);
const ints2 = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => rng2.int(lo, hi));
const randomInput2 = (n: number, lo = -32768, hi = 32767) => new Uint8Array(Int16Array.from(ints2(n, lo, hi)).buffer);
const MAXMIN_LO = Int16Array.from(ints2(6, -20000, 0)); // MAXIMUM's per-channel floor
const MAXMIN_HI = Int16Array.from(ints2(4, 0, 20000)); // MINIMUM's per-row ceiling
const PRELU16_K = Int8Array.of(25, -40, 100, 3, 60, -128); // PRELU's slopes 0.25 .. -1.28 at scale 0.01
const asI16 = (b: Uint8Array) => new Int16Array(b.slice().buffer);

const cases: Case[] = [
  {
    name: "FULLY_CONNECTED int16x8, per-channel weights, int64 bias",
    graph: fcGraph(),
    inputs: [randomInput(16), randomInput(16, -3000, 3000), new Uint8Array(Int16Array.from({ length: 16 }, (_, i) => (i % 2 ? 32767 : -32768)).buffer)],
    expected: (b) => [0, 1, 2, 3].map((o) => quant16(fcReal(asI16(b), o), 0.04)),
  },
  {
    name: "CONV_2D int16x8, 3x3 SAME, per-channel",
    graph: {
      tensors: [
        CV_IN,
        { name: "w", shape: [4, 3, 3, 3], type: "int8", scale: CV_W_SCALES, zeroPoint: [0, 0, 0, 0], data: bytesOf(CV_W) },
        { name: "b", shape: [4], type: "int64", data: new Uint8Array(CV_B.buffer) },
        CV_OUT,
      ],
      operators: [
        {
          code: 3,
          version: 4,
          inputs: [0, 1, 2],
          outputs: [3],
          options: {
            type: 1,
            fields: [
              [0, "i8", 0],
              [1, "i32", 1],
              [2, "i32", 1],
            ],
          },
        },
      ],
      inputs: [0],
      outputs: [3],
    },
    inputs: [randomInput(75), randomInput(75, -4000, 4000)],
    expected: (b) => {
      const x = asI16(b);
      const out: number[] = [];
      for (let oy = 0; oy < 5; oy++)
        for (let ox = 0; ox < 5; ox++)
          for (let o = 0; o < 4; o++) {
            const acc = window(x, oy, ox, 1, (ky, kx, c, v) => v * CV_W[((o * 3 + ky) * 3 + kx) * 3 + c]!) + Number(CV_B[o]!);
            out.push(quant16(f32(0.0005) * f32(CV_W_SCALES[o]!) * acc, 0.003));
          }
      return out;
    },
  },
  {
    name: "DEPTHWISE_CONV_2D int16x8, 3x3 SAME, stride 2, multiplier 2",
    graph: {
      tensors: [
        CV_IN,
        { name: "w", shape: [1, 3, 3, 6], type: "int8", scale: DW_W_SCALES, zeroPoint: DW_W_SCALES.map(() => 0), data: bytesOf(DW_W), quantizedDimension: 3 },
        { name: "b", shape: [6], type: "int64", data: new Uint8Array(DW_B.buffer) },
        DW_OUT,
      ],
      operators: [
        {
          code: 4,
          version: 5,
          inputs: [0, 1, 2],
          outputs: [3],
          options: {
            type: 2,
            fields: [
              [0, "i8", 0],
              [1, "i32", 2],
              [2, "i32", 2],
              [3, "i32", 2],
            ],
          },
        },
      ],
      inputs: [0],
      outputs: [3],
    },
    inputs: [randomInput(75), randomInput(75, -2000, 2000)],
    expected: (b) => {
      const x = asI16(b);
      const out: number[] = [];
      for (let oy = 0; oy < 3; oy++)
        for (let ox = 0; ox < 3; ox++)
          for (let o = 0; o < 6; o++) {
            const acc = window(x, oy, ox, 2, (ky, kx, c, v) => (c === Math.floor(o / 2) ? v * DW_W[(ky * 3 + kx) * 6 + o]! : 0)) + Number(DW_B[o]!);
            out.push(quant16(f32(0.0005) * f32(DW_W_SCALES[o]!) * acc, 0.002));
          }
      return out;
    },
  },
  {
    name: "ADD int16 (15 bits of headroom), broadcast [6], RELU6",
    graph: {
      tensors: [ADD_IN, ADD_K_T, ADD_OUT],
      operators: [{ code: 0, version: 3, inputs: [0, 1], outputs: [2], options: { type: 11, fields: [[0, "i8", 3]] } }],
      inputs: [0],
      outputs: [2],
    },
    inputs: [randomInput(96), randomInput(96, -5000, 5000)],
    expected: (b) =>
      Array.from(asI16(b), (q, i) => {
        const r = f32(0.0003) * q + f32(0.0005) * ADD_K[i % 6]!;
        return Math.min(quant16(Math.max(0, Math.min(6, r)), 0.0006), quant16(6, 0.0006));
      }),
  },
  {
    name: "ADD int16, 5-D broadcast: [2,1,4,1,12] + [3,1,1,12]",
    graph: {
      tensors: [
        { ...ADD_IN, shape: [2, 1, 4, 1, 12] },
        { ...ADD_K_T, shape: [3, 1, 1, 12], data: new Uint8Array(ADD_K5.buffer) },
        { ...ADD_OUT, shape: [2, 3, 4, 1, 12] },
      ],
      operators: [{ code: 0, version: 3, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    },
    inputs: [randomInput(96), randomInput(96, -5000, 5000)],
    expected: (b) => {
      const x = asI16(b);
      const out: number[] = [];
      for (let i0 = 0; i0 < 2; i0++)
        for (let i1 = 0; i1 < 3; i1++)
          for (let i2 = 0; i2 < 4; i2++)
            for (let c = 0; c < 12; c++) out.push(quant16(f32(0.0003) * x[(i0 * 4 + i2) * 12 + c]! + f32(0.0005) * ADD_K5[i1 * 12 + c]!, 0.0006));
      return out;
    },
  },
  {
    name: "MUL int16, broadcast [6]",
    graph: {
      tensors: [ADD_IN, ADD_K_T, { ...ADD_OUT, scale: [0.002] }],
      operators: [{ code: 18, version: 4, inputs: [0, 1], outputs: [2], options: { type: 21, fields: [[0, "i8", 0]] } }],
      inputs: [0],
      outputs: [2],
    },
    inputs: [randomInput(96), randomInput(96, -3000, 3000)],
    expected: (b) => Array.from(asI16(b), (q, i) => quant16(f32(0.0003) * q * f32(0.0005) * ADD_K[i % 6]!, 0.002)),
  },
  {
    name: "MAX_POOL_2D 2x2 stride 2, then AVERAGE_POOL_2D 3x3 SAME, int16",
    exact: true,
    graph: {
      tensors: [ADD_IN, { ...ADD_IN, name: "m", shape: [1, 2, 2, 6] }, { ...ADD_IN, name: "y", shape: [1, 2, 2, 6] }],
      operators: [
        {
          code: 17,
          version: 3,
          inputs: [0],
          outputs: [1],
          options: {
            type: 5,
            fields: [
              [0, "i8", 1],
              [1, "i32", 2],
              [2, "i32", 2],
              [3, "i32", 2],
              [4, "i32", 2],
            ],
          },
        },
        {
          code: 1,
          version: 3,
          inputs: [1],
          outputs: [2],
          options: {
            type: 5,
            fields: [
              [0, "i8", 0],
              [1, "i32", 1],
              [2, "i32", 1],
              [3, "i32", 3],
              [4, "i32", 3],
            ],
          },
        },
      ],
      inputs: [0],
      outputs: [2],
    },
    // the third input's block maxima are -1, -2, -3, -4: a mean of -2.5, a tie below zero (-3, away from zero)
    inputs: [
      randomInput(96),
      randomInput(96, -100, 100),
      new Uint8Array(Int16Array.from({ length: 96 }, (_, i) => -1 - ((Math.floor(i / 24) >> 1) * 2 + ((Math.floor(i / 6) % 4) >> 1))).buffer),
    ],
    expected: (b) => {
      const x = asI16(b);
      // max over each 2x2 block, then over a 2x2 map the 3x3 SAME window is the whole map: its mean, half away from zero
      const m = Array.from({ length: 24 }, (_, k) => {
        const [oy, ox, c] = [Math.floor(k / 12), Math.floor(k / 6) % 2, k % 6];
        return Math.max(...[0, 1].flatMap((dy) => [0, 1].map((dx) => x[((2 * oy + dy) * 4 + 2 * ox + dx) * 6 + c]!)));
      });
      return Array.from({ length: 24 }, (_, k) => {
        const sum = [0, 1, 2, 3].reduce((a, p) => a + m[p * 6 + (k % 6)]!, 0);
        return Math.sign(sum) * Math.floor((Math.abs(sum) + 2) / 4);
      });
    },
  },
  {
    name: "RELU6 int16 (one scale), then RELU int16 to twice the scale",
    exact: true,
    graph: {
      tensors: [ADD_IN, { ...ADD_IN, name: "r6" }, { ...ADD_IN, name: "y", scale: [0.0006] }],
      operators: [
        { code: 21, version: 3, inputs: [0], outputs: [1] },
        { code: 19, version: 3, inputs: [1], outputs: [2] },
      ],
      inputs: [0],
      outputs: [2],
    },
    // 6 is 20000 at 0.0003; odd values halve to a tie, which rounds up
    inputs: [randomInput(96), randomInput(96, -500, 500)],
    expected: (b) => Array.from(asI16(b), (q) => Math.floor((Math.min(Math.max(q, 0), 20000) + 1) / 2)),
  },
  {
    name: "PAD int16, [[0,0],[1,0],[0,2],[1,1]], zeros around",
    exact: true,
    graph: {
      tensors: [
        ADD_IN,
        { name: "p", shape: [4, 2], type: "int32", data: bytesOf(Int32Array.from([0, 0, 1, 0, 0, 2, 1, 1])) },
        { ...ADD_IN, name: "y", shape: [1, 5, 6, 8] },
      ],
      operators: [{ code: 34, version: 3, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    },
    inputs: [randomInput(96), randomInput(96, -100, 100)],
    expected: (b) => {
      const x = asI16(b);
      const out: number[] = [];
      for (let y = 0; y < 5; y++)
        for (let w = 0; w < 6; w++) for (let c = 0; c < 8; c++) out.push(y >= 1 && w < 4 && c >= 1 && c < 7 ? x[((y - 1) * 4 + w) * 6 + c - 1]! : 0);
      return out;
    },
  },
  {
    name: "CONCATENATION int16, the input and a constant along the channels",
    exact: true,
    graph: {
      tensors: [ADD_IN, { ...ADD_IN, name: "k", shape: [1, 4, 4, 2], data: new Uint8Array(CONCAT_K.buffer) }, { ...ADD_IN, name: "y", shape: [1, 4, 4, 8] }],
      operators: [
        {
          code: 2,
          version: 3,
          inputs: [0, 1],
          outputs: [2],
          options: {
            type: 10,
            fields: [
              [0, "i32", -1],
              [1, "i8", 0],
            ],
          },
        },
      ],
      inputs: [0],
      outputs: [2],
    },
    inputs: [randomInput(96)],
    expected: (b) => Array.from({ length: 16 }, (_, p) => [...asI16(b).subarray(p * 6, p * 6 + 6), ...CONCAT_K.subarray(p * 2, p * 2 + 2)]).flat(),
  },
  {
    name: "MEAN int16 over H and W (keep_dims), to another scale",
    graph: {
      tensors: [
        ADD_IN,
        { name: "axes", shape: [2], type: "int32", data: bytesOf(Int32Array.from([1, 2])) },
        { ...ADD_IN, name: "y", shape: [1, 1, 1, 6], scale: [0.0002] },
      ],
      operators: [{ code: 40, version: 3, inputs: [0, 1], outputs: [2], options: { type: 27, fields: [[0, "bool", true]] } }],
      inputs: [0],
      outputs: [2],
    },
    inputs: [randomInput(96), randomInput(96, -3000, 3000), randomInput(96, -7, 7)],
    expected: (b) =>
      Array.from({ length: 6 }, (_, c) =>
        quant16((f32(0.0003) * Array.from({ length: 16 }, (_, p) => asI16(b)[p * 6 + c]!).reduce((a, v) => a + v)) / 16, 0.0002),
      ),
  },
  {
    // input scale 10/65535 and beta 1 make the scaled difference the difference itself: row k's second value is
    // 128k + 64 below its first, the middle of exp-table step 511 - k, so every entry is used
    name: "SOFTMAX int16 (v3), every entry of the exp table",
    tolerance: 3,
    graph: softmaxGraph([1, 512, 2], f32(10 / 65535), 1),
    inputs: [new Uint8Array(Int16Array.from({ length: 1024 }, (_, i) => (i % 2 ? 32767 - 128 * (i >> 1) - 64 : 32767)).buffer), randomInput(1024)],
    expected: (b) => softmaxReal(asI16(b), 2, f32(10 / 65535), 1),
  },
  {
    name: "SOFTMAX int16, beta 0.5, 8 classes",
    tolerance: 3,
    graph: softmaxGraph([1, 16, 8], 0.0005, 0.5),
    inputs: [randomInput(128), randomInput(128, -3000, 3000), randomInput(128, -40, 40)],
    expected: (b) => softmaxReal(asI16(b), 8, 0.0005, 0.5),
  },
  {
    // TFLite Micro's SOFTMAX also writes int16 from int8 (zero point -32768, scale 1/65536): the int8 kernel's
    // fixed point with 16 output bits
    name: "SOFTMAX int8 in, int16 out (v2)",
    tolerance: 2,
    graph: {
      tensors: [
        { name: "x", shape: [1, 16, 8], type: "int8", scale: [0.1], zeroPoint: [3] },
        { name: "y", shape: [1, 16, 8], type: "int16", scale: [1 / 65536], zeroPoint: [-32768] },
      ],
      operators: [{ code: 25, version: 2, inputs: [0], outputs: [1], options: { type: 9, fields: [[0, "f32", 1]] } }],
      inputs: [0],
      outputs: [1],
    },
    inputs: [new Uint8Array(Int8Array.from(ints(128, -128, 127)).buffer), new Uint8Array(Int8Array.from(ints(128, -10, 10)).buffer)],
    expected: (b) =>
      Array.from({ length: 16 }, (_, r) => {
        const row = Array.from(new Int8Array(b.slice().buffer).subarray(r * 8, r * 8 + 8));
        const e = row.map((q) => Math.exp(f32(0.1) * (q - 3)));
        const sum = e.reduce((a, v) => a + v);
        return e.map((v) => Math.min(32767, Math.round((v / sum) * 65536) - 32768));
      }).flat(),
  },
  {
    // input scale 2^-12: TFLite's power-of-two case (multiplier 0); the sweep crosses every table step and saturates
    name: "LOGISTIC int16 (v3), input scale 2^-12, across the int16 range",
    graph: sigmoidGraph(14, 2 ** -12),
    inputs: [sweep16, randomInput(512)],
    expected: (b) => Array.from(asI16(b), (q) => Math.min(32767, Math.round(32768 / (1 + Math.exp(-(2 ** -12) * q))))),
  },
  {
    // a general input scale: multiplier 30198, shift 13 to steps of 1/(3 x 4096); tanh is 2 sigmoid(2x) - 1, so the
    // table's rounding doubles (within 3 of tanh in float over the whole int16 range)
    name: "TANH int16 (v3), input scale 0.0003, across the int16 range",
    tolerance: 3,
    graph: sigmoidGraph(28, 0.0003),
    inputs: [sweep16, randomInput(512)],
    expected: (b) => Array.from(asI16(b), (q) => Math.max(-32768, Math.min(32767, Math.round(32768 * Math.tanh(f32(0.0003) * q))))),
  },
  {
    name: "QUANTIZE float32 -> int16, FULLY_CONNECTED, DEQUANTIZE int16 -> float32",
    graph: {
      tensors: [
        { name: "f", shape: [1, 16], type: "float32" },
        FC_IN,
        { name: "w", shape: [4, 16], type: "int8", scale: FC_W_SCALES, zeroPoint: [0, 0, 0, 0], data: bytesOf(FC_W) },
        { name: "b", shape: [4], type: "int64", data: new Uint8Array(FC_B.buffer) },
        FC_OUT,
        { name: "out", shape: [1, 4], type: "float32" },
      ],
      operators: [
        { code: 114, version: 2, inputs: [0], outputs: [1] },
        { code: 9, version: 7, inputs: [1, 2, 3], outputs: [4] },
        { code: 6, version: 3, inputs: [4], outputs: [5] },
      ],
      inputs: [0],
      outputs: [5],
    },
    inputs: [0, 1].map(() => new Uint8Array(Float32Array.from(ints(16, -30000, 30000), (v) => v / 1000).buffer)),
    transform: "raw",
    output: (b) => Array.from(new Float32Array(b.slice().buffer)),
    expected: (b) => {
      const x = Int16Array.from(new Float32Array(b.slice().buffer), (v) => quant16(v, 0.001));
      return [0, 1, 2, 3].map((o) => f32(0.04) * quant16(fcReal(x, o), 0.04));
    },
  },
  {
    name: "QUANTIZE int8 -> int16, ADD int16 (x + x), QUANTIZE int16 -> int8",
    graph: {
      tensors: [
        { name: "x8", shape: [1, 64], type: "int8", scale: [0.05], zeroPoint: [-7] },
        { name: "x16", shape: [1, 64], type: "int16", scale: [0.0005], zeroPoint: [0] },
        { name: "s16", shape: [1, 64], type: "int16", scale: [0.001], zeroPoint: [0] },
        { name: "y8", shape: [1, 64], type: "int8", scale: [0.1], zeroPoint: [3] },
      ],
      operators: [
        { code: 114, version: 2, inputs: [0], outputs: [1] },
        { code: 0, version: 3, inputs: [1, 1], outputs: [2] },
        { code: 114, version: 2, inputs: [2], outputs: [3] },
      ],
      inputs: [0],
      outputs: [3],
    },
    inputs: [new Uint8Array(Int8Array.from({ length: 64 }, (_, i) => i * 4 - 128).buffer)],
    output: (b) => Array.from(new Int8Array(b.slice().buffer)),
    expected: (b) =>
      Array.from(new Int8Array(b.slice().buffer), (q) => {
        const x16 = quant16(f32(0.05) * (q + 7), 0.0005);
        const sum = quant16(2 * f32(0.0005) * x16, 0.001);
        return Math.max(-128, Math.min(127, Math.round((f32(0.001) * sum) / f32(0.1)) + 3));
      }),
  },
  {
    // TFLite's MAXIMUM / MINIMUM compare raw values (version 4: int16); a clamp between a per-channel floor and a
    // per-row ceiling, both broadcast
    name: "MAXIMUM then MINIMUM int16 (v4), a [6] floor and a [1,4,1,1] ceiling broadcast",
    exact: true,
    graph: {
      tensors: [
        ADD_IN,
        { ...ADD_IN, name: "lo", shape: [6], data: new Uint8Array(MAXMIN_LO.buffer) },
        { ...ADD_IN, name: "t" },
        { ...ADD_IN, name: "hi", shape: [1, 4, 1, 1], data: new Uint8Array(MAXMIN_HI.buffer) },
        { ...ADD_IN, name: "y" },
      ],
      operators: [
        { code: 55, version: 4, inputs: [0, 1], outputs: [2] },
        { code: 57, version: 4, inputs: [2, 3], outputs: [4] },
      ],
      inputs: [0],
      outputs: [4],
    },
    inputs: [randomInput2(96), randomInput2(96, -3000, 3000), new Uint8Array(Int16Array.from({ length: 96 }, (_, i) => (i % 2 ? 32767 : -32768)).buffer)],
    expected: (b) => Array.from(asI16(b), (q, i) => Math.min(Math.max(q, MAXMIN_LO[i % 6]!), MAXMIN_HI[Math.floor(i / 24)]!)),
  },
  {
    // PADV2 int16 (v3): the constant's raw value, 12345 (both bytes differ from 0), around x; [[0,0],[1,1],[0,0],[0,2]]
    name: "PADV2 int16 (v3), a constant pad value of 12345",
    exact: true,
    graph: {
      tensors: [
        ADD_IN,
        { name: "p", shape: [4, 2], type: "int32", data: bytesOf(Int32Array.from([0, 0, 1, 1, 0, 0, 0, 2])) },
        { ...ADD_IN, name: "v", shape: [], data: bytesOf(Int16Array.of(12345)) },
        { ...ADD_IN, name: "y", shape: [1, 6, 4, 8] },
      ],
      operators: [{ code: 60, version: 3, inputs: [0, 1, 2], outputs: [3] }],
      inputs: [0],
      outputs: [3],
    },
    inputs: [randomInput2(96), randomInput2(96, -100, 100)],
    expected: (b) => {
      const x = asI16(b);
      const out: number[] = [];
      for (let y = 0; y < 6; y++)
        for (let w = 0; w < 4; w++) for (let c = 0; c < 8; c++) out.push(y >= 1 && y < 5 && c < 6 ? x[((y - 1) * 4 + w) * 6 + c]! : 12345);
      return out;
    },
  },
  {
    // SUB int16 (v5, general scales; TFLite Micro runs the general path whatever pot_scale_int16 says): ADD's arithmetic
    // with 15 bits of headroom, the constant [6] subtracted, saturating at the int16 range
    name: "SUB int16 (v5), x - a constant [6] broadcast",
    graph: {
      tensors: [ADD_IN, ADD_K_T, ADD_OUT],
      operators: [{ code: 41, version: 5, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    },
    inputs: [randomInput2(96), randomInput2(96, -5000, 5000), new Uint8Array(Int16Array.from({ length: 96 }, (_, i) => (i % 2 ? 32767 : -32768)).buffer)],
    expected: (b) => Array.from(asI16(b), (q, i) => quant16(f32(0.0003) * q - f32(0.0005) * ADD_K[i % 6]!, 0.0006)),
  },
  {
    // LEAKY_RELU int16 (v2), alpha 0.1, into a scale half as fine: x above 0 saturates beyond 9.83
    name: "LEAKY_RELU int16 (v2), alpha 0.1",
    graph: {
      tensors: [ADD_IN, { ...ADD_IN, name: "y", scale: [0.0006] }],
      operators: [{ code: 98, version: 2, inputs: [0], outputs: [1], options: { type: 74, fields: [[0, "f32", 0.1]] } }],
      inputs: [0],
      outputs: [1],
    },
    inputs: [randomInput2(96), randomInput2(96, -3000, 3000), new Uint8Array(Int16Array.from({ length: 96 }, (_, i) => (i % 2 ? 32767 : -32768)).buffer)],
    expected: (b) => Array.from(asI16(b), (q) => quant16(q >= 0 ? f32(0.0003) * q : f32(0.1) * f32(0.0003) * q, 0.0006)),
  },
  {
    // RESIZE_NEAREST_NEIGHBOR int16 (v4) 4x4 -> 6x6 with align_corners: round(i x 3/5) picks 0 1 1 2 2 3, by hand
    name: "RESIZE_NEAREST_NEIGHBOR int16 (v4), 4x4 -> 6x6, align_corners",
    exact: true,
    graph: {
      tensors: [ADD_IN, { name: "size", shape: [2], type: "int32", data: bytesOf(Int32Array.of(6, 6)) }, { ...ADD_IN, name: "y", shape: [1, 6, 6, 6] }],
      operators: [{ code: 97, version: 4, inputs: [0, 1], outputs: [2], options: { type: 73, fields: [[0, "bool", true]] } }],
      inputs: [0],
      outputs: [2],
    },
    inputs: [randomInput2(96), randomInput2(96, -100, 100)],
    expected: (b) => {
      const x = asI16(b);
      const pick = [0, 1, 1, 2, 2, 3];
      const out: number[] = [];
      for (let y = 0; y < 6; y++) for (let w = 0; w < 6; w++) for (let c = 0; c < 6; c++) out.push(x[(pick[y]! * 4 + pick[w]!) * 6 + c]!);
      return out;
    },
  },
  {
    name: "TRANSPOSE int16 (v5), [16,6] -> [6,16]",
    exact: true,
    graph: {
      tensors: [
        { ...ADD_IN, shape: [16, 6] },
        { name: "perm", shape: [2], type: "int32", data: bytesOf(Int32Array.of(1, 0)) },
        { ...ADD_IN, name: "y", shape: [6, 16] },
      ],
      operators: [{ code: 39, version: 5, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    },
    inputs: [randomInput2(96), randomInput2(96, -100, 100)],
    expected: (b) => Array.from({ length: 96 }, (_, i) => asI16(b)[(i % 16) * 6 + Math.floor(i / 16)]!),
  },
  {
    // PRELU int16 with an int8 alpha [6] (TFLite Micro's pairing), a slope per channel
    name: "PRELU int16, int8 alpha [6] broadcast",
    graph: {
      tensors: [
        ADD_IN,
        { name: "alpha", shape: [6], type: "int8", scale: [0.01], zeroPoint: [0], data: bytesOf(PRELU16_K) },
        { ...ADD_IN, name: "y", scale: [0.0006] },
      ],
      operators: [{ code: 54, version: 1, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    },
    inputs: [randomInput2(96), randomInput2(96, -3000, 3000), new Uint8Array(Int16Array.from({ length: 96 }, (_, i) => (i % 2 ? 32767 : -32768)).buffer)],
    expected: (b) => Array.from(asI16(b), (q, i) => quant16(f32(0.0003) * q * (q >= 0 ? 1 : f32(0.01) * PRELU16_K[i % 6]!), 0.0006)),
  },
  {
    // STRIDED_SLICE int16 on data, x[:, 2, :, 1:5]: row 2 shrunk away, the columns' begin (3) masked to 0, by hand
    name: "STRIDED_SLICE int16 on data, a shrunk axis and a begin mask",
    exact: true,
    graph: {
      tensors: [
        ADD_IN,
        { name: "begin", shape: [4], type: "int32", data: bytesOf(Int32Array.of(0, 2, 3, 1)) },
        { name: "end", shape: [4], type: "int32", data: bytesOf(Int32Array.of(1, 3, 4, 5)) },
        { name: "strides", shape: [4], type: "int32", data: bytesOf(Int32Array.of(1, 1, 1, 1)) },
        { ...ADD_IN, name: "y", shape: [1, 4, 4] },
      ],
      operators: [
        {
          code: 45,
          version: 2,
          inputs: [0, 1, 2, 3],
          outputs: [4],
          options: {
            type: 32,
            fields: [
              [0, "i32", 4],
              [4, "i32", 2],
            ],
          },
        },
      ],
      inputs: [0],
      outputs: [4],
    },
    inputs: [randomInput2(96), randomInput2(96, -100, 100)],
    expected: (b) => Array.from({ length: 16 }, (_, i) => asI16(b)[(8 + (i >> 2)) * 6 + 1 + (i & 3)]!),
  },
  {
    // SLICE int16 (v4) of a [16,6]: rows 3..12, channels 2..5, by hand
    name: "SLICE int16 (v4), begin [3,2], size [10,-1]",
    exact: true,
    graph: {
      tensors: [
        { ...ADD_IN, shape: [16, 6] },
        { name: "begin", shape: [2], type: "int32", data: bytesOf(Int32Array.of(3, 2)) },
        { name: "size", shape: [2], type: "int32", data: bytesOf(Int32Array.of(10, -1)) },
        { ...ADD_IN, name: "y", shape: [10, 4] },
      ],
      operators: [{ code: 65, version: 4, inputs: [0, 1, 2], outputs: [3] }],
      inputs: [0],
      outputs: [3],
    },
    inputs: [randomInput2(96), randomInput2(96, -100, 100)],
    expected: (b) => Array.from({ length: 40 }, (_, i) => asI16(b)[(3 + (i >> 2)) * 6 + 2 + (i & 3)]!),
  },
  {
    // ABS int16 (v3) at one scale: |x|, -32768 saturating to 32767
    name: "ABS int16 (v3), one scale",
    exact: true,
    graph: {
      tensors: [ADD_IN, { ...ADD_IN, name: "y" }],
      operators: [{ code: 101, version: 3, inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    },
    inputs: [randomInput2(96), new Uint8Array(Int16Array.from({ length: 96 }, (_, i) => (i % 2 ? 32767 : -32768)).buffer)],
    expected: (b) => Array.from(asI16(b), (q) => Math.min(32767, Math.abs(q))),
  },
];

describe("int16x8 operators, host interpreter against TFLite's formula and the device bit for bit (mps2-an386, emulated)", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const model = writeTflite(c.graph);
      const interp = new Interpreter(loadTflite(model));
      const read = c.output ?? i16;
      const host = c.inputs.map((x) => interp.invoke(x));
      c.inputs.forEach((x, k) => {
        const want = c.expected(x);
        const got = read(host[k]!);
        expect(got.length).toBe(want.length);
        const tolerance = c.exact ? 0 : c.tolerance ? c.tolerance : c.output && c.transform === "raw" ? f32(0.04) * 1.0001 : 1; // dequantised: one output step
        const off = got.map((v, i) => Math.abs(v - want[i]!));
        expect(Math.max(...off), `${c.name}: within one step of TFLite's formula in float`).toBeLessThanOrEqual(tolerance);
      });
      const device = await runOnBoard("mps2-an386", model, c.inputs, { transform: c.transform ?? "int8" });
      expect(device.map((b) => Array.from(b))).toEqual(host.map((b) => Array.from(b)));
    }, 300_000);
  }

  it("refuses operators without an int16 kernel, naming the builtin and the type, on the host and in the firmware build", async () => {
    const model = writeTflite({
      tensors: [ADD_IN, { ...ADD_IN, name: "y" }],
      operators: [{ code: 117, version: 1, inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    });
    // HARD_SWISH has no int16 kernel in TFLite Micro (its hard_swish.cc takes float32 and int8)
    expect(() => new Interpreter(loadTflite(model))).toThrow(/operator 0 \(HARD_SWISH\): int16 is not supported \(int8 only\)/);
    const v2 = writeTflite({
      tensors: [ADD_IN, { ...ADD_IN, name: "y" }],
      operators: [{ code: 20, version: 2, inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    });
    // RELU_N1_TO_1 has no int16 version in TFLite (RELU and RELU6 have)
    expect(() => new Interpreter(loadTflite(v2))).toThrow(/operator 0 \(RELU_N1_TO_1\): int16 is not supported \(int8 only\)/);
    const err = await runOnBoard("mps2-an386", v2, [new Uint8Array(192)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FirmwareBuildError);
    expect((err as Error).message).toMatch(/RELU_N1_TO_1: int16 is not supported \(int8 only\)/);
    // an operator tinyrig lacks altogether is refused naming the builtin, its version and its type
    const matmul = writeTflite({
      tensors: [ADD_IN, { ...ADD_IN, name: "y" }],
      operators: [{ code: 126, version: 3, inputs: [0, 0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    });
    expect(() => new Interpreter(loadTflite(matmul))).toThrow(/unsupported operator BATCH_MATMUL v3 \(int16\)/);
    const matmulErr = await runOnBoard("mps2-an386", matmul, [new Uint8Array(192)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((matmulErr as Error).message).toMatch(/unsupported operator BATCH_MATMUL v3 \(int16\)/);
    // REDUCE_MAX int16 is TFLite's version 3, which TFLite Micro does not run: refused by version, naming the type
    const reduceMax16 = writeTflite({
      tensors: [ADD_IN, { name: "axes", shape: [2], type: "int32", data: bytesOf(Int32Array.of(1, 2)) }, { ...ADD_IN, name: "y", shape: [1, 6] }],
      operators: [{ code: 82, version: 3, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    });
    expect(() => new Interpreter(loadTflite(reduceMax16))).toThrow(/unsupported operator REDUCE_MAX v3 \(int16\)/);
    // an int32 bias with int16 activations is refused (TFLite's int16x8 converters write int64)
    const g = fcGraph();
    const int32Bias: WriterGraph = {
      ...g,
      tensors: g.tensors.map((t, i) => (i === 2 ? { name: "b", shape: [4], type: "int32", data: bytesOf(Int32Array.of(1, 2, 3, 4)) } : t)),
    };
    expect(() => new Interpreter(loadTflite(writeTflite(int32Bias)))).toThrow(/int16 activations need an int64 bias/);
  }, 300_000);
});

describe("int16x8 under the single-rounding setting (ROUNDING=single, { rounding: 'single' })", () => {
  it("convolutions and FULLY_CONNECTED requantise the same in both settings (TFLite's int64 form has one rounding)", () => {
    for (const c of cases.slice(0, 3)) {
      const model = loadTflite(writeTflite(c.graph));
      const single = new Interpreter(model, { rounding: "single" });
      const double = new Interpreter(model, { rounding: "double" });
      for (const x of c.inputs) expect(Array.from(single.invoke(x)), c.name).toEqual(Array.from(double.invoke(x)));
    }
  });

  it("ADD int16 (it differs between the settings) and QUANTIZE between int8 and int16 follow the setting, on the device as on the host", async () => {
    const chain = cases.find((c) => c.name.startsWith("QUANTIZE int8 -> int16"))!;
    const add = cases.find((c) => c.name.startsWith("ADD int16"))!;
    for (const c of [chain, add]) {
      const model = writeTflite(c.graph);
      const inputs = [...c.inputs, randomInput(c.inputs[0]!.length / 2)].map((x) => (c === chain ? new Uint8Array(x.subarray(0, 64)) : x));
      const host = (rounding: "single" | "double") => inputs.map((x) => Array.from(new Interpreter(loadTflite(model), { rounding }).invoke(x)));
      if (c === add) expect(host("single"), `${c.name}: the settings differ somewhere`).not.toEqual(host("double"));
      const device = await runOnBoard("mps2-an386", model, inputs, { rounding: "single" });
      expect(device.map((b) => Array.from(b))).toEqual(host("single"));
    }
  }, 300_000);
});

describe("int16 SOFTMAX, LOGISTIC and TANH build the same tables on other CPUs and C libraries (RV32 with picolibc, Cortex-M55 with newlib-nano; emulated)", () => {
  for (const board of ["riscv32-virt", "mps3-an547"]) {
    it(`${board}: bit for bit with the host`, async () => {
      for (const prefix of ["SOFTMAX int16 (v3)", "LOGISTIC int16", "TANH int16"]) {
        const c = cases.find((k) => k.name.startsWith(prefix))!;
        const model = writeTflite(c.graph);
        const host = c.inputs.map((x) => Array.from(new Interpreter(loadTflite(model)).invoke(x)));
        const device = await runOnBoard(board, model, c.inputs, { transform: "raw" });
        expect(
          device.map((b) => Array.from(b)),
          `${board}: ${c.name}`,
        ).toEqual(host);
      }
    }, 300_000);
  }
});

describe("int16 RELU, MEAN and SOFTMAX under ROUNDING=single (their requantisation follows the setting)", () => {
  for (const prefix of ["RELU6 int16", "MEAN int16", "SOFTMAX int16, beta"]) {
    it(`${prefix}: mps2-an386 built with ROUNDING=single matches the host with { rounding: 'single' }`, async () => {
      const c = cases.find((k) => k.name.startsWith(prefix))!;
      const model = writeTflite(c.graph);
      const host = c.inputs.map((x) => Array.from(new Interpreter(loadTflite(model), { rounding: "single" }).invoke(x)));
      if (prefix === "MEAN int16") {
        // the folded multiplier's right shift rounds differently under the two settings on these inputs
        const double = c.inputs.map((x) => Array.from(new Interpreter(loadTflite(model)).invoke(x)));
        expect(host, "MEAN int16: the settings differ somewhere").not.toEqual(double);
      }
      const device = await runOnBoard("mps2-an386", model, c.inputs, { rounding: "single" });
      expect(device.map((b) => Array.from(b))).toEqual(host);
    }, 300_000);
  }
});

describe("an int16x8 model as a user's own (tinyrig run --model)", () => {
  it("takes int16 files as they are (two bytes a value) or float32 to quantise, and refuses int8 transforms", () => {
    expect(modelInput("m.tflite", { type: "int16", elements: 16, zeroPoint: 0 })).toEqual({ transform: "raw", bytes: 32 });
    expect(modelInput("m.tflite", { type: "int16", elements: 16, zeroPoint: 0 }, "float32-quantize")).toEqual({ transform: "float32-quantize", bytes: 64 });
    expect(() => modelInput("m.tflite", { type: "int16", elements: 16, zeroPoint: 0 }, "uint8-minus-128")).toThrow(/input tensor is int16/);
    expect(() => modelInput("m.tflite", { type: "int16", elements: 16, zeroPoint: 0 }, undefined, 16)).toThrow(/--input-bytes 16 disagrees/);
  });

  it("runs on the default emulated board bit for bit with the host, int16 input files and int16 outputs", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-int16-"));
    const model = path.join(dir, "fc16.tflite");
    writeFileSync(model, writeTflite(fcGraph()));
    const data = path.join(dir, "data");
    mkdirSync(data);
    const rows: string[] = [];
    for (let k = 0; k < 4; k++) {
      writeFileSync(path.join(data, `x${k}.bin`), randomInput(16, -6000, 6000));
      rows.push(`x${k}.bin,4,${k}`);
    }
    writeFileSync(path.join(data, "y_labels.csv"), `${rows.join("\n")}\n`);
    const r = await tinyrig(["run", "--model", model, "--dataset", data, "--mode", "accuracy", "--db", path.join(dir, "run.db"), "--json"]);
    expect(r.exitCode, r.all).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ status: "completed", accuracy: { count: 4, bitExact: { matched: 4, compared: 4 } } });
  }, 300_000);
});
