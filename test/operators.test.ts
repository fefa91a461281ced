// The operators converters emit besides the convolutions (issue 14): RELU, RELU6, LEAKY_RELU, PRELU, ABS, LOGISTIC, TANH, HARD_SWISH, MAXIMUM,
// MINIMUM, MUL, SUB, PAD, PADV2, RESIZE_NEAREST_NEIGHBOR, TRANSPOSE, STRIDED_SLICE on data, SLICE, REDUCE_MAX, REDUCE_MIN, CONCATENATION, MEAN (Keras' global average pooling), SQUEEZE, and a Flatten without a fixed batch
// (SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE, folded at load). Each in a small model written here: the host interpreter's outputs
// are checked against values worked out in the test (exactly where the operator only moves or compares bytes, within
// one unit of TFLite's quantisation formula in float where it requantises), and the firmware on an emulated board
// (mps2-an386) must give the host's outputs bit for bit. Operators tinyrig lacks are refused by their TFLite name.
import { describe, expect, it } from "vitest";
import { FirmwareBuildError } from "../harness/build/firmware.ts";
import { Interpreter } from "../harness/interpreter/interpreter.ts";
import { loadTflite } from "../harness/tflite/model.ts";
import { bytesOf, writeTflite, type WriterGraph, type WriterTensor } from "../harness/tflite/writer.ts";
import { Prng } from "../workloads/common/prng.ts";
import { runOnBoard } from "./helpers/device-model.ts";

const rng = new Prng(1414);
const randomI8 = (n: number) => Int8Array.from({ length: n }, () => rng.int(-128, 127));
const i8 = (b: Uint8Array) => Array.from(new Int8Array(b.buffer, b.byteOffset, b.length));
const real = (q: number, t: WriterTensor) => t.scale![0]! * (q - t.zeroPoint![0]!);
const quant = (r: number, t: WriterTensor) => Math.max(-128, Math.min(127, Math.round(r / t.scale![0]!) + t.zeroPoint![0]!));

interface Case {
  name: string;
  graph: WriterGraph;
  /** The inputs (default: two random ones and one of the extremes, of N values). */
  inputs?: Int8Array[];
  /** Expected output of an input: exact, or (`within1`) within one of it. */
  expected(x: Int8Array): number[];
  within1?: boolean;
}

const X: WriterTensor = { name: "x", shape: [1, 4, 4, 6], type: "int8", scale: [0.05], zeroPoint: [-3] };
const N = 96;
const K = randomI8(N); // a constant second operand, quantised as x
const unary = (code: number, version: number, out: WriterTensor, extra: Partial<WriterGraph["operators"][0]> = {}): WriterGraph => ({
  tensors: [X, out],
  operators: [{ code, version, inputs: [0], outputs: [1], ...extra }],
  inputs: [0],
  outputs: [1],
});
const binary = (code: number, out: WriterTensor, options?: WriterGraph["operators"][0]["options"]): WriterGraph => ({
  tensors: [X, { ...X, name: "k", data: bytesOf(K) }, out],
  operators: [{ code, version: 2, inputs: [0, 1], outputs: [2], options }],
  inputs: [0],
  outputs: [2],
});

const RELU_OUT: WriterTensor = { name: "y", shape: [1, 4, 4, 6], type: "int8", scale: [0.03], zeroPoint: [-128] };
const MUL_OUT: WriterTensor = { name: "y", shape: [1, 4, 4, 6], type: "int8", scale: [0.02], zeroPoint: [5] };
const LEAKY_OUT: WriterTensor = { name: "y", shape: [1, 4, 4, 6], type: "int8", scale: [0.04], zeroPoint: [-60] };
const PRELU_K = Int8Array.of(25, -40, 100, 3, 60, -128); // slopes 0.25 .. -1.28 at scale 0.01
const PRELU_ALPHA: WriterTensor = { name: "alpha", shape: [1, 1, 6], type: "int8", scale: [0.01], zeroPoint: [0], data: bytesOf(PRELU_K) };
const MEAN_OUT: WriterTensor = { name: "y", shape: [1, 1, 1, 6], type: "int8", scale: [0.011], zeroPoint: [2] };

// LOGISTIC, TANH and HARD_SWISH: every int8 value once, on a scale wide enough that the fixed-point kernels saturate
// beyond their radius (|x| >= 120 here), with the output quantisation TFLite fixes (LOGISTIC, TANH) or a converter's.
const EVERY_INT8 = Int8Array.from({ length: 256 }, (_, i) => i - 128);
const XW: WriterTensor = { name: "x", shape: [1, 256], type: "int8", scale: [0.1], zeroPoint: [0] };
const LOGISTIC_OUT: WriterTensor = { name: "y", shape: [1, 256], type: "int8", scale: [1 / 256], zeroPoint: [-128] };
const TANH_OUT: WriterTensor = { name: "y", shape: [1, 256], type: "int8", scale: [1 / 128], zeroPoint: [0] };
const HARD_SWISH_OUT: WriterTensor = { name: "y", shape: [1, 256], type: "int8", scale: [0.0515], zeroPoint: [-121] };
const wide = (code: number, version: number, out: WriterTensor): WriterGraph => ({
  tensors: [XW, out],
  operators: [{ code, version, inputs: [0], outputs: [1] }],
  inputs: [0],
  outputs: [1],
});
const hardSwish = (r: number) => (r * Math.min(6, Math.max(0, r + 3))) / 6;

// Broadcasting (numpy's rules, as TFLite's elementwise kernels): the expected value of an output element reads each
// operand at the element's coordinates, right-aligned, coordinate 0 wherever the operand has extent 1.
const at = (shape: number[], data: ArrayLike<number>, coord: number[]): number => {
  const dims = [...Array<number>(coord.length - shape.length).fill(1), ...shape];
  return data[dims.reduce((idx, d, k) => idx * d + (d === 1 ? 0 : coord[k]!), 0)]!;
};
const overOutput = (shape: number[], f: (coord: number[]) => number): number[] => {
  const out: number[] = [];
  const walk = (prefix: number[]) =>
    prefix.length === shape.length ? out.push(f(prefix)) : [...Array(shape[prefix.length]!).keys()].forEach((i) => walk([...prefix, i]));
  walk([]);
  return out;
};
const PER_CHANNEL: WriterTensor = { ...X, name: "k", shape: [6], data: bytesOf(K.subarray(0, 6)) };
const PER_ROW: WriterTensor = { ...X, name: "k", shape: [1, 4, 1, 1], scale: [0.08], zeroPoint: [4], data: bytesOf(K.subarray(0, 4)) };
const SCALAR: WriterTensor = { ...X, name: "k", shape: [1], data: bytesOf(Int8Array.of(17)) };
const PER_ROW_X: WriterTensor = { ...PER_ROW, scale: X.scale, zeroPoint: X.zeroPoint };
const ADD_OUT: WriterTensor = { name: "y", shape: [1, 4, 4, 6], type: "int8", scale: [0.09], zeroPoint: [-2] };
const broadcastBinary = (
  code: number,
  k: WriterTensor,
  out: WriterTensor,
  options?: WriterGraph["operators"][0]["options"],
  kFirst = false,
  x = X,
): WriterGraph => ({
  tensors: [x, k, out],
  operators: [{ code, version: 2, inputs: kFirst ? [1, 0] : [0, 1], outputs: [2], options }],
  inputs: [0],
  outputs: [2],
});

const cases: Case[] = [
  {
    name: "LOGISTIC",
    graph: wide(14, 2, LOGISTIC_OUT),
    inputs: [EVERY_INT8],
    within1: true,
    expected: (x) => Array.from(x, (q) => quant(1 / (1 + Math.exp(-real(q, XW))), LOGISTIC_OUT)),
  },
  {
    name: "TANH",
    graph: wide(28, 2, TANH_OUT),
    inputs: [EVERY_INT8],
    within1: true,
    expected: (x) => Array.from(x, (q) => quant(Math.tanh(real(q, XW)), TANH_OUT)),
  },
  {
    name: "HARD_SWISH",
    graph: wide(117, 1, HARD_SWISH_OUT),
    inputs: [EVERY_INT8],
    within1: true,
    expected: (x) => Array.from(x, (q) => quant(hardSwish(real(q, XW)), HARD_SWISH_OUT)),
  },
  { name: "RELU", graph: unary(19, 1, RELU_OUT), within1: true, expected: (x) => Array.from(x, (q) => quant(Math.max(0, real(q, X)), RELU_OUT)) },
  { name: "RELU6", graph: unary(21, 1, RELU_OUT), within1: true, expected: (x) => Array.from(x, (q) => quant(Math.min(6, Math.max(0, real(q, X))), RELU_OUT)) },
  { name: "MAXIMUM", graph: binary(55, { ...X, name: "y" }), expected: (x) => Array.from(x, (q, i) => Math.max(q, K[i]!)) },
  { name: "MINIMUM", graph: binary(57, { ...X, name: "y" }), expected: (x) => Array.from(x, (q, i) => Math.min(q, K[i]!)) },
  {
    name: "MUL",
    graph: binary(18, MUL_OUT, { type: 21, fields: [[0, "i8", 0]] }),
    within1: true,
    expected: (x) => Array.from(x, (q, i) => quant(real(q, X) * real(K[i]!, X), MUL_OUT)),
  },
  {
    name: "MUL broadcast: [1,4,4,6] x [6] (a per-channel scale)",
    graph: broadcastBinary(18, PER_CHANNEL, MUL_OUT, { type: 21, fields: [[0, "i8", 0]] }),
    within1: true,
    expected: (x) => overOutput([1, 4, 4, 6], (c) => quant(real(at(X.shape, x, c), X) * real(at([6], K, c), X), MUL_OUT)),
  },
  {
    // beyond 4-D, as TFLite Micro's ADD and MUL broadcast (up to 6)
    name: "ADD broadcast 5-D: [2,1,4,1,12] + [3,1,1,12]",
    graph: broadcastBinary(
      0,
      { ...X, name: "k", shape: [3, 1, 1, 12], data: bytesOf(K.subarray(0, 36)) },
      { ...ADD_OUT, shape: [2, 3, 4, 1, 12] },
      undefined,
      false,
      {
        ...X,
        shape: [2, 1, 4, 1, 12],
      },
    ),
    within1: true,
    expected: (x) => overOutput([2, 3, 4, 1, 12], (c) => quant(real(at([2, 1, 4, 1, 12], x, c), X) + real(at([3, 1, 1, 12], K, c), X), ADD_OUT)),
  },
  {
    name: "MUL broadcast 6-D: [1,2,1,4,1,12] x [2,1,1,3,1]",
    graph: broadcastBinary(
      18,
      { ...X, name: "k", shape: [2, 1, 1, 3, 1], data: bytesOf(K.subarray(0, 6)) },
      { ...MUL_OUT, shape: [1, 2, 1, 4, 3, 12] },
      { type: 21, fields: [[0, "i8", 0]] },
      false,
      {
        ...X,
        shape: [1, 2, 1, 4, 1, 12],
      },
    ),
    within1: true,
    expected: (x) => overOutput([1, 2, 1, 4, 3, 12], (c) => quant(real(at([1, 2, 1, 4, 1, 12], x, c), X) * real(at([2, 1, 1, 3, 1], K, c), X), MUL_OUT)),
  },
  {
    name: "ADD broadcast: [1,4,4,6] + [1,4,1,1], RELU",
    graph: broadcastBinary(0, PER_ROW, ADD_OUT, { type: 11, fields: [[0, "i8", 1]] }),
    within1: true,
    expected: (x) => overOutput([1, 4, 4, 6], (c) => quant(Math.max(0, real(at(X.shape, x, c), X) + real(at([1, 4, 1, 1], K, c), PER_ROW)), ADD_OUT)),
  },
  {
    name: "MAXIMUM broadcast: [1,4,4,6] with a scalar",
    graph: broadcastBinary(55, SCALAR, { ...X, name: "y" }),
    expected: (x) => Array.from(x, (q) => Math.max(q, 17)),
  },
  {
    name: "MINIMUM broadcast, both operands repeated: [1,4,1,1] (first) with [1,1,4,6]",
    graph: broadcastBinary(57, PER_ROW_X, { ...X, name: "y" }, undefined, true, { ...X, shape: [1, 1, 4, 6], name: "x" }),
    inputs: [randomI8(24), randomI8(24)],
    expected: (x) => overOutput([1, 4, 4, 6], (c) => Math.min(at([1, 4, 1, 1], K, c), at([1, 1, 4, 6], x, c))),
  },
  {
    name: "PAD", // [[0,0],[1,0],[0,2],[0,0]]: one row above, two columns right, the zero point
    graph: {
      tensors: [
        X,
        { name: "p", shape: [4, 2], type: "int32", data: bytesOf(Int32Array.from([0, 0, 1, 0, 0, 2, 0, 0])) },
        { ...X, name: "y", shape: [1, 5, 6, 6] },
      ],
      operators: [{ code: 34, version: 2, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    },
    expected: (x) => {
      const out: number[] = [];
      for (let y = 0; y < 5; y++) for (let w = 0; w < 6; w++) for (let c = 0; c < 6; c++) out.push(y >= 1 && w < 4 ? x[((y - 1) * 4 + w) * 6 + c]! : -3);
      return out;
    },
  },
  {
    name: "CONCATENATION", // x and the constant along the channels
    graph: {
      tensors: [X, { ...X, name: "k", data: bytesOf(K) }, { ...X, name: "y", shape: [1, 4, 4, 12] }],
      operators: [
        {
          code: 2,
          version: 2,
          inputs: [0, 1],
          outputs: [2],
          options: {
            type: 10,
            fields: [
              [0, "i32", 3],
              [1, "i8", 0],
            ],
          },
        },
      ],
      inputs: [0],
      outputs: [2],
    },
    expected: (x) => Array.from({ length: 16 }, (_, p) => [...x.subarray(p * 6, p * 6 + 6), ...K.subarray(p * 6, p * 6 + 6)]).flat(),
  },
  {
    name: "MEAN", // over H and W, keep_dims
    graph: {
      tensors: [X, { name: "axes", shape: [2], type: "int32", data: bytesOf(Int32Array.from([1, 2])) }, MEAN_OUT],
      operators: [{ code: 40, version: 2, inputs: [0, 1], outputs: [2], options: { type: 27, fields: [[0, "bool", true]] } }],
      inputs: [0],
      outputs: [2],
    },
    within1: true,
    expected: (x) =>
      Array.from({ length: 6 }, (_, c) => quant(Array.from({ length: 16 }, (_, p) => real(x[p * 6 + c]!, X)).reduce((a, b) => a + b) / 16, MEAN_OUT)),
  },
  { name: "SQUEEZE", graph: unary(43, 1, { ...X, name: "y", shape: [4, 4, 6] }), expected: (x) => Array.from(x) },
  {
    name: "Flatten without a fixed batch (SHAPE, STRIDED_SLICE, PACK folded), then RELU",
    graph: {
      tensors: [
        X,
        { name: "shape", shape: [4], type: "int32" },
        { name: "begin", shape: [1], type: "int32", data: bytesOf(Int32Array.from([0])) },
        { name: "end", shape: [1], type: "int32", data: bytesOf(Int32Array.from([1])) },
        { name: "strides", shape: [1], type: "int32", data: bytesOf(Int32Array.from([1])) },
        { name: "batch", shape: [], type: "int32" },
        { name: "rest", shape: [], type: "int32", data: bytesOf(Int32Array.from([96])) },
        { name: "new_shape", shape: [2], type: "int32" },
        { ...X, name: "flat", shape: [1, 96] },
        { ...RELU_OUT, name: "y", shape: [1, 96] },
      ],
      operators: [
        { code: 77, version: 1, inputs: [0], outputs: [1] },
        { code: 45, version: 1, inputs: [1, 2, 3, 4], outputs: [5], options: { type: 32, fields: [[4, "i32", 1]] } }, // shrink_axis_mask 1
        {
          code: 83,
          version: 1,
          inputs: [5, 6],
          outputs: [7],
          options: {
            type: 59,
            fields: [
              [0, "i32", 2],
              [1, "i32", 0],
            ],
          },
        },
        { code: 22, version: 1, inputs: [0, 7], outputs: [8] },
        { code: 19, version: 1, inputs: [8], outputs: [9] },
      ],
      inputs: [0],
      outputs: [9],
    },
    within1: true,
    expected: (x) => Array.from(x, (q) => quant(Math.max(0, real(q, X)), RELU_OUT)),
  },
  {
    // PADV2 (TFLite Micro's PAD kernel registers it too): the constant input's raw value around x, here -128 (x's
    // lowest, as a max pool's padding), quantised as the output as TFLite Micro requires; [[0,0],[0,1],[2,0],[1,1]]
    name: "PADV2 int8 (v2), a constant pad value of -128",
    graph: {
      tensors: [
        X,
        { name: "p", shape: [4, 2], type: "int32", data: bytesOf(Int32Array.from([0, 0, 0, 1, 2, 0, 1, 1])) },
        { ...X, name: "v", shape: [], data: bytesOf(Int8Array.of(-128)) },
        { ...X, name: "y", shape: [1, 5, 6, 8] },
      ],
      operators: [{ code: 60, version: 2, inputs: [0, 1, 2], outputs: [3] }],
      inputs: [0],
      outputs: [3],
    },
    expected: (x) => {
      const out: number[] = [];
      for (let y = 0; y < 5; y++)
        for (let w = 0; w < 6; w++) for (let c = 0; c < 8; c++) out.push(y < 4 && w >= 2 && c >= 1 && c < 7 ? x[(y * 4 + w - 2) * 6 + c - 1]! : -128);
      return out;
    },
  },
  {
    // SUB (TFLite Micro's reference Sub / BroadcastQuantSubSlow): ADD's arithmetic, the second input subtracted
    name: "SUB broadcast: [1,4,4,6] - [1,4,1,1]",
    graph: broadcastBinary(41, PER_ROW, ADD_OUT),
    within1: true,
    expected: (x) => overOutput([1, 4, 4, 6], (c) => quant(real(at(X.shape, x, c), X) - real(at([1, 4, 1, 1], K, c), PER_ROW), ADD_OUT)),
  },
  {
    name: "SUB broadcast, the constant first: [6] - [1,4,4,6], RELU",
    graph: broadcastBinary(41, PER_CHANNEL, ADD_OUT, { type: 28, fields: [[0, "i8", 1]] }, true),
    within1: true,
    expected: (x) => overOutput([1, 4, 4, 6], (c) => quant(Math.max(0, real(at([6], K, c), PER_CHANNEL) - real(at(X.shape, x, c), X)), ADD_OUT)),
  },
  {
    // TFLite Micro's SUB prepare divides the scales in single precision (its ADD's in double): at these scales the two
    // give multipliers a few units apart, which moves these two differences, each 5e-6 of an output step from a tie
    // (-113.499995 and 113.499995), to -114 and 114; multipliers worked out in double give -113 and 113
    name: "SUB int8, multipliers in single precision as TFLite Micro's SUB prepare (two near-ties)",
    graph: {
      tensors: [
        { name: "x", shape: [1, 2], type: "int8", scale: [0.014391300268471241], zeroPoint: [-3] },
        { name: "k", shape: [2], type: "int8", scale: [0.0538317933678627], zeroPoint: [4], data: bytesOf(Int8Array.of(60, -52)) },
        { name: "y", shape: [1, 2], type: "int8", scale: [0.04101487994194031], zeroPoint: [0] },
      ],
      operators: [{ code: 41, version: 2, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    },
    inputs: [Int8Array.of(-117, 111)],
    expected: () => [-114, 114],
  },
  {
    // LEAKY_RELU (Keras' LeakyReLU, alpha 0.2): x at and above 0, 0.2 x below, requantised (TFLite's QuantizeLeakyRelu)
    name: "LEAKY_RELU int8, alpha 0.2",
    graph: unary(98, 1, LEAKY_OUT, { options: { type: 74, fields: [[0, "f32", 0.2]] } }),
    within1: true,
    expected: (x) => Array.from(x, (q) => quant(real(q, X) >= 0 ? real(q, X) : Math.fround(0.2) * real(q, X), LEAKY_OUT)),
  },
  {
    // RESIZE_NEAREST_NEIGHBOR 4x4 -> 6x6 with half_pixel_centers (as tf.image.resize 'nearest', Keras' UpSampling2D,
    // converts): floor((i + 0.5) x 4/6) picks rows and columns 0 1 1 2 3 3, worked out by hand
    name: "RESIZE_NEAREST_NEIGHBOR int8 (v3), 4x4 -> 6x6, half_pixel_centers",
    graph: {
      tensors: [X, { name: "size", shape: [2], type: "int32", data: bytesOf(Int32Array.of(6, 6)) }, { ...X, name: "y", shape: [1, 6, 6, 6] }],
      operators: [
        {
          code: 97,
          version: 3,
          inputs: [0, 1],
          outputs: [2],
          options: {
            type: 73,
            fields: [
              [0, "bool", false],
              [1, "bool", true],
            ],
          },
        },
      ],
      inputs: [0],
      outputs: [2],
    },
    expected: (x) => {
      const pick = [0, 1, 1, 2, 3, 3];
      const out: number[] = [];
      for (let y = 0; y < 6; y++) for (let w = 0; w < 6; w++) for (let c = 0; c < 6; c++) out.push(x[(pick[y]! * 4 + pick[w]!) * 6 + c]!);
      return out;
    },
  },
  {
    // TRANSPOSE NHWC -> NCHW (perm [0,3,1,2]), as models converted from PyTorch carry
    name: "TRANSPOSE int8 (v2), [1,4,4,6] -> [1,6,4,4]",
    graph: {
      tensors: [X, { name: "perm", shape: [4], type: "int32", data: bytesOf(Int32Array.of(0, 3, 1, 2)) }, { ...X, name: "y", shape: [1, 6, 4, 4] }],
      operators: [{ code: 39, version: 2, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    },
    expected: (x) => Array.from({ length: 96 }, (_, i) => x[(Math.floor(i / 4) % 4) * 24 + (i % 4) * 6 + Math.floor(i / 16)]!),
  },
  {
    // PRELU (Keras' PReLU): a slope per channel below 0, alpha an int8 [1,1,6] constant of its own quantisation
    name: "PRELU int8, per-channel alpha [1,1,6] broadcast",
    graph: {
      tensors: [X, PRELU_ALPHA, LEAKY_OUT],
      operators: [{ code: 54, version: 1, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    },
    within1: true,
    expected: (x) => Array.from(x, (q, i) => quant(real(q, X) >= 0 ? real(q, X) : real(q, X) * real(PRELU_K[i % 6]!, PRELU_ALPHA), LEAKY_OUT)),
  },
  {
    // STRIDED_SLICE on data (x[:, 1::2, -1:0:-2, ::3] with the batch's end masked): rows 1 and 3, columns 3 and 1,
    // channels 0 and 3, worked out by hand
    name: "STRIDED_SLICE int8 on data, steps 2, -2 and 3, a negative begin, an end mask",
    graph: {
      tensors: [
        X,
        { name: "begin", shape: [4], type: "int32", data: bytesOf(Int32Array.of(0, 1, -1, 0)) },
        { name: "end", shape: [4], type: "int32", data: bytesOf(Int32Array.of(0, 4, 0, 6)) },
        { name: "strides", shape: [4], type: "int32", data: bytesOf(Int32Array.of(1, 2, -2, 3)) },
        { ...X, name: "y", shape: [1, 2, 2, 2] },
      ],
      operators: [{ code: 45, version: 2, inputs: [0, 1, 2, 3], outputs: [4], options: { type: 32, fields: [[1, "i32", 1]] } }],
      inputs: [0],
      outputs: [4],
    },
    expected: (x) => Array.from({ length: 8 }, (_, i) => x[(1 + 2 * (i >> 2)) * 24 + (3 - 2 * ((i >> 1) & 1)) * 6 + 3 * (i & 1)]!),
  },
  {
    // SLICE x[:, 1:3, 2:, 1:5] (a size of -1 reaches the end), worked out by hand
    name: "SLICE int8 (v2), begin [0,1,2,1], size [1,2,-1,4]",
    graph: {
      tensors: [
        X,
        { name: "begin", shape: [4], type: "int32", data: bytesOf(Int32Array.of(0, 1, 2, 1)) },
        { name: "size", shape: [4], type: "int32", data: bytesOf(Int32Array.of(1, 2, -1, 4)) },
        { ...X, name: "y", shape: [1, 2, 2, 4] },
      ],
      operators: [{ code: 65, version: 2, inputs: [0, 1, 2], outputs: [3] }],
      inputs: [0],
      outputs: [3],
    },
    expected: (x) => Array.from({ length: 16 }, (_, i) => x[(1 + (i >> 3)) * 24 + (2 + ((i >> 2) & 1)) * 6 + 1 + (i & 3)]!),
  },
  {
    // REDUCE_MAX over H and W without keep_dims, as Keras' GlobalMaxPooling2D converts: each channel's largest value
    name: "REDUCE_MAX int8 (v2) over H and W (GlobalMaxPooling2D)",
    graph: {
      tensors: [X, { name: "axes", shape: [2], type: "int32", data: bytesOf(Int32Array.of(1, 2)) }, { ...X, name: "y", shape: [1, 6] }],
      operators: [{ code: 82, version: 2, inputs: [0, 1], outputs: [2], options: { type: 27, fields: [[0, "bool", false]] } }],
      inputs: [0],
      outputs: [2],
    },
    expected: (x) => Array.from({ length: 6 }, (_, c) => Math.max(...Array.from({ length: 16 }, (_, p) => x[p * 6 + c]!))),
  },
  {
    name: "REDUCE_MIN int8 (v2) over the last axis (-1), keep_dims",
    graph: {
      tensors: [X, { name: "axes", shape: [1], type: "int32", data: bytesOf(Int32Array.of(-1)) }, { ...X, name: "y", shape: [1, 4, 4, 1] }],
      operators: [{ code: 89, version: 2, inputs: [0, 1], outputs: [2], options: { type: 27, fields: [[0, "bool", true]] } }],
      inputs: [0],
      outputs: [2],
    },
    expected: (x) => Array.from({ length: 16 }, (_, p) => Math.min(...Array.from(x.subarray(p * 6, p * 6 + 6)))),
  },
  {
    // ABS into a scale of its own (TFLite Micro rescales only where the scales differ)
    name: "ABS int8 (v2), rescaled",
    graph: unary(101, 2, { ...RELU_OUT, name: "y" }),
    within1: true,
    expected: (x) => Array.from(x, (q) => quant(Math.abs(real(q, X)), RELU_OUT)),
  },
];

describe("operators, host interpreter against worked values and the device bit for bit (mps2-an386, emulated)", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const model = writeTflite(c.graph);
      const inputs = c.inputs ?? [randomI8(N), randomI8(N), Int8Array.from({ length: N }, (_, i) => (i % 2 ? 127 : -128))];
      const interp = new Interpreter(loadTflite(model));
      const host = inputs.map((x) => i8(interp.invoke(x)));
      inputs.forEach((x, k) => {
        const want = c.expected(x);
        if (c.within1) {
          expect(host[k]!.length).toBe(want.length);
          const off = host[k]!.map((v, i) => Math.abs(v - want[i]!));
          expect(Math.max(...off), `${c.name}: within one of the float formula`).toBeLessThanOrEqual(1);
        } else {
          expect(host[k]).toEqual(want);
        }
      });
      const device = await runOnBoard(
        "mps2-an386",
        model,
        inputs.map((x) => new Uint8Array(x.buffer)),
      );
      expect(device.map(i8)).toEqual(host);
    }, 300_000);
  }

  it("LOGISTIC, TANH and HARD_SWISH stay within one of the float function on the host at other scales and zero points", () => {
    for (const [scale, zeroPoint] of [
      [0.003, 0],
      [0.02, -5],
      [0.05, 10],
      [0.4, 0],
      [0.9, -40],
    ] as const) {
      const x: WriterTensor = { ...XW, scale: [scale], zeroPoint: [zeroPoint] };
      const lo = hardSwish(real(-128, x));
      const hi = hardSwish(real(127, x));
      const swishOut: WriterTensor = {
        ...HARD_SWISH_OUT,
        scale: [(hi - Math.min(lo, 0)) / 255],
        zeroPoint: [Math.round(-128 - Math.min(lo, 0) / ((hi - Math.min(lo, 0)) / 255))],
      };
      for (const [code, version, out, f] of [
        [14, 2, LOGISTIC_OUT, (r: number) => 1 / (1 + Math.exp(-r))],
        [28, 2, TANH_OUT, Math.tanh],
        [117, 1, swishOut, hardSwish],
      ] as const) {
        const graph: WriterGraph = { tensors: [x, out], operators: [{ code, version, inputs: [0], outputs: [1] }], inputs: [0], outputs: [1] };
        const got = i8(new Interpreter(loadTflite(writeTflite(graph))).invoke(EVERY_INT8));
        const off = got.map((v, i) => Math.abs(v - quant(f(real(EVERY_INT8[i]!, x)), out)));
        expect(Math.max(...off), `code ${code} at scale ${scale}, zero point ${zeroPoint}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it("refuses operators it lacks by their TFLite name, on the host and in the firmware build", async () => {
    const model = writeTflite(unary(150, 1, { ...X, name: "y" })); // GELU
    expect(() => new Interpreter(loadTflite(model))).toThrow(/unsupported operator GELU v1 \(int8\)/);
    const err = await runOnBoard("mps2-an386", model, [new Uint8Array(N)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FirmwareBuildError);
    expect((err as Error).message).toMatch(/unsupported operator GELU v1 \(int8\)/);
    // more than 4 dimensions: only ADD and MUL (up to 6), as TFLite Micro
    const relu5d = writeTflite({
      ...unary(19, 1, { ...X, name: "y", shape: [1, 1, 4, 4, 6] }),
      tensors: [
        { ...X, shape: [1, 1, 4, 4, 6] },
        { ...X, name: "y", shape: [1, 1, 4, 4, 6] },
      ],
    });
    expect(() => new Interpreter(loadTflite(relu5d))).toThrow(/operator 0 \(RELU\): tensor of more than 4 dimensions \(only ADD and MUL take up to 6\)/);
    const err5d = await runOnBoard("mps2-an386", relu5d, [new Uint8Array(N)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err5d as Error).message).toMatch(/RELU: tensor of more than 4 dimensions \(only ADD and MUL take up to 6\)/);
    // shape arithmetic used as data is refused, naming it
    const shapeAsData = writeTflite({
      tensors: [X, { name: "s", shape: [4], type: "int32" }],
      operators: [{ code: 77, version: 1, inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    });
    expect(() => new Interpreter(loadTflite(shapeAsData))).toThrow(/shape arithmetic/);
    // shapes that do not broadcast ([1,4,4,6] with [4]: neither 6 nor 1) are refused on both sides
    const mismatched = writeTflite(
      broadcastBinary(18, { ...PER_CHANNEL, shape: [4], data: bytesOf(K.subarray(0, 4)) }, MUL_OUT, { type: 21, fields: [[0, "i8", 0]] }),
    );
    expect(() => new Interpreter(loadTflite(mismatched))).toThrow(/MUL\): input shapes \[1,4,4,6\] and \[4\] do not broadcast/);
    const refused = await runOnBoard("mps2-an386", mismatched, [new Uint8Array(N)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((refused as Error).message).toMatch(/MUL: input shapes do not broadcast to the output's/);
  }, 300_000);
});

// SUB, LEAKY_RELU, PRELU, PADV2, RESIZE_NEAREST_NEIGHBOR, TRANSPOSE, STRIDED_SLICE and MAXIMUM in one chain, so each
// kernel set and C library builds and runs them: the M4 (DSP set, newlib-nano), the M55 (Helium set) and RV32 (picolibc)
const t = (name: string, extra: Partial<WriterTensor> = {}): WriterTensor => ({ ...X, name, ...extra });
const CHAIN: WriterGraph = {
  tensors: [
    X,
    t("k", { shape: [6], data: bytesOf(K.subarray(0, 6)) }),
    t("sub"),
    t("leaky"),
    PRELU_ALPHA,
    t("prelu"),
    { name: "p", shape: [4, 2], type: "int32", data: bytesOf(Int32Array.of(0, 0, 1, 1, 1, 1, 0, 0)) },
    t("v", { shape: [], data: bytesOf(Int8Array.of(-128)) }),
    t("padded", { shape: [1, 6, 6, 6] }),
    { name: "size", shape: [2], type: "int32", data: bytesOf(Int32Array.of(8, 8)) },
    t("resized", { shape: [1, 8, 8, 6] }),
    { name: "perm", shape: [4], type: "int32", data: bytesOf(Int32Array.of(0, 3, 1, 2)) },
    t("transposed", { shape: [1, 6, 8, 8] }),
    { name: "b", shape: [4], type: "int32", data: bytesOf(Int32Array.of(0, 0, 0, 0)) },
    { name: "e", shape: [4], type: "int32", data: bytesOf(Int32Array.of(1, 6, 8, 8)) },
    { name: "s", shape: [4], type: "int32", data: bytesOf(Int32Array.of(1, 2, 2, 2)) },
    t("sliced", { shape: [1, 3, 4, 4] }),
    t("y", { shape: [1, 3, 4, 4] }),
  ],
  operators: [
    { code: 41, version: 2, inputs: [0, 1], outputs: [2] },
    { code: 98, version: 1, inputs: [2], outputs: [3], options: { type: 74, fields: [[0, "f32", 0.2]] } },
    { code: 54, version: 1, inputs: [3, 4], outputs: [5] },
    { code: 60, version: 2, inputs: [5, 6, 7], outputs: [8] },
    { code: 97, version: 2, inputs: [8, 9], outputs: [10] },
    { code: 39, version: 2, inputs: [10, 11], outputs: [12] },
    { code: 45, version: 2, inputs: [12, 13, 14, 15], outputs: [16] },
    { code: 55, version: 2, inputs: [16, 16], outputs: [17] },
  ],
  inputs: [0],
  outputs: [17],
};

describe("SUB, LEAKY_RELU, PRELU, PADV2, RESIZE_NEAREST_NEIGHBOR, TRANSPOSE, STRIDED_SLICE, MAXIMUM chained, on other CPUs (emulated)", () => {
  for (const board of ["mps3-an547", "riscv32-virt"]) {
    it(`${board}: bit for bit with the host`, async () => {
      const model = writeTflite(CHAIN);
      const inputs = [randomI8(N), randomI8(N), Int8Array.from({ length: N }, (_, i) => (i % 2 ? 127 : -128))];
      const interp = new Interpreter(loadTflite(model));
      const host = inputs.map((x) => i8(interp.invoke(x)));
      const device = await runOnBoard(
        board,
        model,
        inputs.map((x) => new Uint8Array(x.buffer)),
      );
      expect(device.map(i8)).toEqual(host);
    }, 300_000);
  }
});
