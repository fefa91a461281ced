// The host int8 reference interpreter: runs a .tflite exactly as the firmware does (same kernels, same plan), to
// produce the golden outputs device outputs are compared with. Unsupported operators or versions are refused by name.
import type { TfliteModel, TfliteOperator, TfliteTensor } from "../tflite/model.ts";
import { avgPoolS8, type PoolParams } from "./avg_pool_s8.ts";
import { addParams, addS8, type AddParams } from "./add_s8.ts";
import { broadcastOf, type Broadcast } from "./broadcast.ts";
import { convS8, type ConvParams } from "./conv_s8.ts";
import { convS16 } from "./conv_s16.ts";
import { fullyConnectedS16 } from "./fully_connected_s16.ts";
import { depthwiseConvS8 } from "./depthwise_conv_s8.ts";
import { dequantizeS8F32 } from "./dequantize.ts";
import { fullyConnectedS8, type FcParams } from "./fully_connected_s8.ts";
import { maxPoolS8 } from "./max_pool_s8.ts";
import { paddingFor, shape4 } from "./padding.ts";
import { planArena } from "./planner.ts";
import { activationRange, quantizeMultiplier, type Rounding } from "./quantization.ts";
import { quantizeF32S8, requantizeS8, type QuantizeDivision } from "./quantize.ts";
import { reshape } from "./reshape.ts";
import { reluS8, type ReluParams } from "./relu_s8.ts";
import { leakyRelu, leakyReluParams, type LeakyReluParams } from "./leaky_relu.ts";
import { prelu, preluParams, type PreluParams } from "./prelu.ts";
import { abs, absParams, type AbsParams } from "./abs.ts";
import { logisticS8, sigmoidParams, type SigmoidParams } from "./logistic_s8.ts";
import { tanhS8 } from "./tanh_s8.ts";
import { logisticS16, sigmoidS16Params, tanhS16 } from "./logistic_s16.ts";
import { hardSwishParams, hardSwishS8, type HardSwishParams } from "./hard_swish_s8.ts";
import { maximum, minimum } from "./maximum_minimum.ts";
import { pad, type PadParams } from "./pad.ts";
import { resizeNearestNeighbor, type ResizeParams } from "./resize_nearest_neighbor.ts";
import { transpose } from "./transpose.ts";
import { reduceMaxMinS8 } from "./reduce_max_min_s8.ts";
import { stridedSlice, stridedSliceParams, type StridedSliceParams } from "./strided_slice.ts";
import { concatenationS8 } from "./concatenation_s8.ts";
import { mulS8, type MulParams } from "./mul_s8.ts";
import { meanHwS8, type MeanInt8Rule, type MeanParams } from "./mean_s8.ts";
import { foldMeanCount, meanHwFolded } from "./mean_s16.ts";
import { softmaxParams, softmaxS8, type SoftmaxParams } from "./softmax_s8.ts";
import { softmaxS16, softmaxS16Params, type SoftmaxS16Params } from "./softmax_s16.ts";

/** Operator versions this interpreter (and the firmware) implement. */
export const SUPPORTED_VERSIONS: Record<string, number> = {
  ADD: 3, // 3: int16
  SUB: 5, // 2: int8, 3: broadcast over more than 4-D (refused by rank), 4: int64 (refused by type), 5: int16
  AVERAGE_POOL_2D: 3, // 3: int16
  MAX_POOL_2D: 3,
  CONV_2D: 4, // 4: int16x8
  DEPTHWISE_CONV_2D: 5, // 5: int16x8 (4: float hybrid, refused by type)
  FULLY_CONNECTED: 7, // 5: keep_num_dims, 6: no bias, 7: int16x8
  RESHAPE: 1,
  SOFTMAX: 3, // 3: int16
  QUANTIZE: 2,
  DEQUANTIZE: 3, // 3: int16
  RELU: 3, // 3: int16
  RELU6: 3, // 3: int16
  RELU_N1_TO_1: 2,
  LEAKY_RELU: 2, // 2: int16
  PRELU: 1, // one version in TFLite; int16 (int8 alpha) as TFLite Micro takes it
  ABS: 3, // 2: int8, 3: int16 quantised (4: int16 not quantised, 5: int32)
  MAXIMUM: 4, // 3: broadcast over more than 4-D (refused by rank), 4: int16
  MINIMUM: 4,
  PAD: 3, // 2: int8, 3: int16 (4: more than 4-D)
  PADV2: 3,
  RESIZE_NEAREST_NEIGHBOR: 4, // 2: int8, 3: align_corners or half_pixel_centers, 4: int16
  TRANSPOSE: 5, // 2: int8, 4: more than 4-D (refused by rank), 5: int16
  SLICE: 4, // 2: int8, 3: string (refused by type), 4: int16
  REDUCE_MAX: 2, // 2: int8 (3, int16, TFLite Micro does not run)
  REDUCE_MIN: 2,
  CONCATENATION: 3, // 3: int16
  MUL: 4, // 3: a multiplier of 1 or more, 4: int16
  MEAN: 3, // 3: int16
  SQUEEZE: 1,
  LOGISTIC: 3, // 3: int16
  TANH: 3, // 3: int16
  HARD_SWISH: 1,
  // shape arithmetic, folded (never executed): any version
  SHAPE: 1000,
  STRIDED_SLICE: 1000,
  PACK: 1000,
};

/** Operators folded away (docs/architecture.md): SHAPE / STRIDED_SLICE / PACK whose int32 results only shape a
 * RESHAPE (its input 1), as a Flatten without a fixed batch converts. Anything else reading them is refused. */
export function foldedShapeOps(model: TfliteModel): Set<number> {
  // a STRIDED_SLICE of int8 or int16 data is an operator of its own, not shape arithmetic
  const shapeArithmetic = (op: TfliteOperator) =>
    ["SHAPE", "STRIDED_SLICE", "PACK"].includes(op.name) && (op.name !== "STRIDED_SLICE" || model.tensors[op.outputs[0]!]?.type === "int32");
  const folded = new Set(model.operators.filter(shapeArithmetic).map((op) => op.index));
  const producedBy = new Map(model.operators.filter((op) => folded.has(op.index)).map((op) => [op.outputs[0]!, op]));
  for (const op of model.operators) {
    if (folded.has(op.index)) continue;
    op.inputs.forEach((t, k) => {
      const producer = producedBy.get(t);
      if (producer && !(k === 1 && op.name === "RESHAPE"))
        throw new InterpreterError(`operator ${producer.index} (${producer.name}): its result is used as data by operator ${op.index} (${op.name})`);
    });
  }
  if (model.outputs.some((t) => producedBy.has(t))) throw new InterpreterError("the model's output is shape arithmetic");
  return folded;
}

/** Per output channel: multiplier * 2^shift approximates input_scale * weight_scale[c] / output_scale (TFLite
 * computes it in double; a per-tensor weight scale serves every channel). */
function channelMultipliers(inputScale: number, w: TfliteTensor, outputScale: number, channels: number): { multiplier: Int32Array; shift: Int32Array } {
  const multiplier = new Int32Array(channels),
    shift = new Int32Array(channels);
  const scales = w.quantization?.scale ?? [0];
  for (let c = 0; c < channels; c++) {
    const q = quantizeMultiplier((inputScale * (scales.length > 1 ? scales[c]! : scales[0]!)) / outputScale);
    multiplier[c] = q.multiplier;
    shift[c] = q.shift;
  }
  return { multiplier, shift };
}

/** int16x8 (TFLite's 16-bit activations with 8-bit weights and an int64 bias, activation zero point 0): true when the
 * operator is one, an error message when it is one tinyrig refuses, false when it is not int16 at all. */
function int16x8(input: TfliteTensor, w: TfliteTensor | undefined, out: TfliteTensor, bias: TfliteTensor | undefined): boolean | string {
  if (input.type !== "int16" || out.type !== "int16" || (w && w.type !== "int8")) return false;
  if ((input.quantization?.zeroPoint[0] ?? 0) !== 0 || (out.quantization?.zeroPoint[0] ?? 0) !== 0) return "int16 activations with a zero point other than 0";
  if (bias && bias.type !== "int64") return "int16 activations need an int64 bias (int32 bias is not supported)";
  return true;
}

/** The refusal of an operator for its tensor types, naming the first that is not int8. */
function typeRefusal(where: string, supported: string, ...tensors: TfliteTensor[]): InterpreterError {
  const t = tensors.find((x) => x.type !== "int8") ?? tensors[0]!;
  return new InterpreterError(`${where}: ${t.type} is not supported ${supported}`);
}

/** An operator that takes int8, or int16 with zero points 0, in and out alike (as model.c's int8_or_int16): true for
 * int16; refused otherwise. */
function int8OrInt16(where: string, input: TfliteTensor, out: TfliteTensor): boolean {
  const s16 = input.type === "int16" && out.type === "int16";
  if (!s16 && (input.type !== "int8" || out.type !== "int8")) throw typeRefusal(where, "(int8 or int16)", input, out);
  const zp = (t: TfliteTensor) => t.quantization?.zeroPoint[0] ?? 0;
  if (s16 && (zp(input) || zp(out))) throw new InterpreterError(`${where}: int16 activations with a zero point other than 0`);
  return s16;
}

export class InterpreterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InterpreterError";
  }
}

export type Prepared =
  | { kind: "conv" | "depthwise"; p: ConvParams }
  | { kind: "conv16" | "depthwise16"; p: ConvParams }
  | { kind: "fc"; p: FcParams }
  | { kind: "fc16"; p: FcParams }
  | { kind: "pool"; p: PoolParams }
  | { kind: "softmax"; p: SoftmaxParams }
  | { kind: "softmax16"; p: SoftmaxS16Params }
  | { kind: "add"; p: AddParams; bc: Broadcast }
  | { kind: "requant"; multiplier: number; shift: number; rounding: Rounding }
  | { kind: "relu"; p: ReluParams }
  | { kind: "leakyRelu"; p: LeakyReluParams }
  | { kind: "prelu"; p: PreluParams; bc: Broadcast }
  | { kind: "abs"; p: AbsParams }
  | { kind: "logistic" | "tanh"; p: SigmoidParams }
  | { kind: "logistic16" | "tanh16"; p: Omit<SigmoidParams, "rounding"> }
  | { kind: "hardSwish"; p: HardSwishParams }
  | { kind: "mul"; p: MulParams; bc: Broadcast }
  | { kind: "maximum" | "minimum"; bc: Broadcast }
  | { kind: "pad"; p: PadParams }
  | { kind: "resize"; p: ResizeParams }
  | { kind: "transpose"; perm: number[] }
  | { kind: "reduceMax" | "reduceMin"; axes: number }
  | { kind: "stridedSlice"; p: StridedSliceParams }
  | { kind: "mean"; folded: boolean; p: MeanParams }
  | { kind: "concat"; axis: number }
  | { kind: "folded" }
  | { kind: "none" };

/** Arithmetic semantics where TFLite's runtimes differ (docs/architecture.md "Rounding"); the firmware's build options
 * of the same names must match for the two to agree bit for bit. */
export interface InterpreterOptions {
  /** Requantisation rounding: `double` (default: TFLite Micro, CMSIS-NN) or `single` (TFLITE_SINGLE_ROUNDING). */
  rounding?: Rounding;
  /** QUANTIZE float32 -> int8 divides in `double` (default: TFLite's builtin kernel) or `float` (its reference
   * AffineQuantize); also how a float32 input is quantised into an int8 model input. */
  quantizeDivision?: QuantizeDivision;
  /** int8 MEAN over H and W: `divide` (default: TFLite's reference_integer_ops::Mean) or `fold` (current TFLite
   * Micro's QuantizedMeanOrSum). */
  meanInt8?: MeanInt8Rule;
}

export class Interpreter {
  readonly arenaBytes: number;
  private readonly arena: Uint8Array;
  /** The model input tensor, outside the arena as on the device (no inference overwrites it). */
  private readonly inputData: Uint8Array;
  private readonly offsets: Map<number, number>;
  /** Each operator's kernel parameters, computed once (the streaming executor, harness/streaming/model.ts, calls the same kernels). */
  readonly prepared: readonly Prepared[];
  readonly input: TfliteTensor;
  readonly output: TfliteTensor;

  readonly rounding: Rounding;
  readonly quantizeDivision: QuantizeDivision;
  readonly meanInt8: MeanInt8Rule;

  constructor(
    readonly model: TfliteModel,
    options: InterpreterOptions = {},
  ) {
    this.rounding = options.rounding ?? "double";
    this.quantizeDivision = options.quantizeDivision ?? "double";
    this.meanInt8 = options.meanInt8 ?? "divide";
    if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new InterpreterError("the model must have one input and one output");
    this.input = model.tensors[model.inputs[0]!]!;
    this.output = model.tensors[model.outputs[0]!]!;
    this.prepared = model.operators.map((op) => this.prepare(op));
    const folded = foldedShapeOps(model);
    // lifetimes, as the firmware computes them: folded shape arithmetic and RESHAPE's shape input are not planned
    const life = new Map<number, { first: number; last: number }>();
    model.operators.forEach((op, i) => {
      if (folded.has(op.index)) return;
      for (const t of [...op.inputs.filter((_, k) => !(k === 1 && op.name === "RESHAPE")), ...op.outputs]) {
        if (t < 0) continue;
        const l = life.get(t);
        if (!l) life.set(t, { first: i, last: i });
        else l.last = i;
      }
    });
    if (!life.has(this.input.index)) life.set(this.input.index, { first: 0, last: 0 });
    life.get(this.input.index)!.first = 0;
    life.get(this.output.index)!.last = model.operators.length - 1;
    const plan = planArena(
      [...life.entries()]
        .filter(([t]) => !model.tensors[t]!.data && t !== this.input.index)
        .map(([t, l]) => ({ index: t, bytes: model.tensors[t]!.bytes, firstOp: l.first, lastOp: l.last })),
    );
    this.offsets = plan.offsets;
    this.arenaBytes = plan.size;
    this.arena = new Uint8Array(plan.size);
    this.inputData = new Uint8Array(this.input.bytes);
  }

  get outputQuantization(): { scale: number; zeroPoint: number } | undefined {
    const q = this.output.quantization;
    return q ? { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! } : undefined;
  }

  /** Runs one inference on the input tensor's raw bytes; returns the output tensor's raw bytes. */
  invoke(input: Uint8Array | Int8Array | Float32Array): Uint8Array {
    const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (bytes.length !== this.input.bytes) throw new InterpreterError(`input is ${bytes.length} bytes, the model's input tensor is ${this.input.bytes}`);
    this.inputData.set(bytes);
    this.model.operators.forEach((op, i) => this.run(op, this.prepared[i]!));
    return this.bytesOf(this.output).slice();
  }

  private bytesOf(t: TfliteTensor): Uint8Array {
    if (t.data) return t.data;
    if (t.index === this.input.index) return this.inputData;
    const off = this.offsets.get(t.index);
    if (off === undefined) throw new InterpreterError(`tensor ${t.index} (${t.name}) has no place in the arena`);
    return this.arena.subarray(off, off + t.bytes);
  }

  private i8(t: TfliteTensor): Int8Array {
    const b = this.bytesOf(t);
    return new Int8Array(b.buffer, b.byteOffset, b.length);
  }

  /** An int8 or int16 tensor's values. */
  private ints(t: TfliteTensor): Int8Array | Int16Array {
    if (t.type !== "int16") return this.i8(t);
    const b = this.bytesOf(t);
    return new Int16Array(b.buffer, b.byteOffset, b.length / 2);
  }

  private i16(t: TfliteTensor): Int16Array {
    return this.ints(t) as Int16Array;
  }

  private tensor(op: TfliteOperator, k: number): TfliteTensor | undefined {
    const i = op.inputs[k];
    return i === undefined || i < 0 ? undefined : this.model.tensors[i];
  }

  private prepare(op: TfliteOperator): Prepared {
    const max = SUPPORTED_VERSIONS[op.name];
    if (max === undefined || op.version < 1 || op.version > max) {
      // and its types: the first input's, and the output's where it differs (as firmware/runtime/model.c)
      const inType = this.tensor(op, 0)?.type;
      const outType = this.model.tensors[op.outputs[0]!]?.type;
      const types = inType ? ` (${inType}${outType && outType !== inType ? ` -> ${outType}` : ""})` : "";
      throw new InterpreterError(`unsupported operator ${op.name} v${op.version}${types} (operator ${op.index})`);
    }
    const where = `operator ${op.index} (${op.name})`;
    const input = this.tensor(op, 0)!;
    const out = this.model.tensors[op.outputs[0]!]!;
    // ADD and MUL broadcast up to 6 dimensions (as TFLite Micro); every other kernel reads 4 (firmware/runtime/model.c)
    const rank = Math.max(out.shape.length, ...op.inputs.map((_, k) => this.tensor(op, k)?.shape.length ?? 0));
    if (rank > (op.name === "ADD" || op.name === "MUL" ? 6 : 4))
      throw new InterpreterError(
        `${where}: tensor of more than ${op.name === "ADD" || op.name === "MUL" ? 6 : 4} dimensions${rank > 6 ? "" : " (only ADD and MUL take up to 6)"}`,
      );
    const s = (t: TfliteTensor, i = 0) => t.quantization?.scale[i] ?? 0;
    const zp = (t: TfliteTensor) => t.quantization?.zeroPoint[0] ?? 0;
    const o = op.options;
    switch (op.name) {
      case "CONV_2D":
      case "DEPTHWISE_CONV_2D": {
        const w = this.tensor(op, 1)!;
        const s16 = int16x8(input, w, out, this.tensor(op, 2));
        if (typeof s16 === "string") throw new InterpreterError(`${where}: ${s16}`);
        if (!s16 && (input.type !== "int8" || w.type !== "int8" || out.type !== "int8"))
          throw typeRefusal(where, "(int8, or int16 activations with int8 weights)", input, w, out);
        const inS = shape4(input.shape),
          wS = shape4(w.shape),
          outS = shape4(out.shape);
        const depthwise = op.name === "DEPTHWISE_CONV_2D";
        const { multiplier, shift } = channelMultipliers(s(input), w, s(out), outS.c);
        const [actMin, actMax] = activationRange(o.activation, s(out), zp(out), s16 ? 16 : 8);
        const p: ConvParams = {
          strideW: o.strideW ?? 1,
          strideH: o.strideH ?? 1,
          dilationW: o.dilationW ?? 1,
          dilationH: o.dilationH ?? 1,
          padH: paddingFor(o.padding, inS.h, wS.h, o.strideH ?? 1, o.dilationH ?? 1, outS.h),
          padW: paddingFor(o.padding, inS.w, wS.w, o.strideW ?? 1, o.dilationW ?? 1, outS.w),
          inputOffset: -zp(input),
          outputOffset: zp(out),
          actMin,
          actMax,
          depthMultiplier: depthwise ? outS.c / inS.c : 1,
          multiplier,
          shift,
          rounding: this.rounding,
        };
        if (s16) return { kind: depthwise ? "depthwise16" : "conv16", p };
        return { kind: depthwise ? "depthwise" : "conv", p };
      }
      case "FULLY_CONNECTED": {
        const w = this.tensor(op, 1)!;
        const s16 = int16x8(input, w, out, this.tensor(op, 2));
        if (typeof s16 === "string") throw new InterpreterError(`${where}: ${s16}`);
        if (!s16 && (input.type !== "int8" || w.type !== "int8" || out.type !== "int8"))
          throw typeRefusal(where, "(int8, or int16 activations with int8 weights)", input, w, out);
        const scales = w.quantization?.scale.length ?? 1;
        if (scales > 1 && scales !== w.shape[0]) throw new InterpreterError(`${where}: ${scales} weight scales for ${w.shape[0]} output rows`);
        // per-channel weights (one scale per output row) requantise each row with its own multiplier
        const { multiplier, shift } = channelMultipliers(s(input), w, s(out), scales > 1 ? scales : 1);
        const [actMin, actMax] = activationRange(o.activation, s(out), zp(out), s16 ? 16 : 8);
        return {
          kind: s16 ? "fc16" : "fc",
          p: { inputOffset: -zp(input), filterOffset: -zp(w), outputOffset: zp(out), multiplier, shift, rounding: this.rounding, actMin, actMax },
        };
      }
      case "AVERAGE_POOL_2D":
      case "MAX_POOL_2D": {
        const s16 = input.type === "int16" && out.type === "int16";
        if (!s16 && (input.type !== "int8" || out.type !== "int8")) throw typeRefusal(where, "(int8 or int16)", input, out);
        const inS = shape4(input.shape),
          outS = shape4(out.shape);
        const [actMin, actMax] = activationRange(o.activation, s(out), zp(out), s16 ? 16 : 8);
        return {
          kind: "pool",
          p: {
            strideW: o.strideW ?? 1,
            strideH: o.strideH ?? 1,
            filterW: o.filterWidth ?? 1,
            filterH: o.filterHeight ?? 1,
            padH: paddingFor(o.padding, inS.h, o.filterHeight ?? 1, o.strideH ?? 1, 1, outS.h),
            padW: paddingFor(o.padding, inS.w, o.filterWidth ?? 1, o.strideW ?? 1, 1, outS.w),
            actMin,
            actMax,
          },
        };
      }
      case "SOFTMAX":
        if (input.type === "int16" && out.type === "int16") {
          if (zp(input) || zp(out)) throw new InterpreterError(`${where}: int16 activations with a zero point other than 0`);
          if (Math.abs(Math.fround(s(out)) - 1 / 32768) > Math.fround(0.001 / 32768)) throw new InterpreterError(`${where}: int16 output is not scale 1/32768`);
          return { kind: "softmax16", p: softmaxS16Params(o.beta ?? 1, s(input), this.rounding) };
        }
        if (input.type === "int8" && out.type === "int16") {
          // int8 in, int16 out, as TFLite Micro allows: zero point -32768, scale 1/65536
          if (zp(out) !== -32768 || Math.abs(Math.fround(s(out)) - 1 / 65536) > Math.fround(0.001 / 65536))
            throw new InterpreterError(`${where}: int8 input with an int16 output that is not scale 1/65536, zero point -32768`);
        } else if (input.type !== "int8" || out.type !== "int8") throw typeRefusal(where, "(int8, or int16 in and out)", input, out);
        return { kind: "softmax", p: softmaxParams(o.beta ?? 1, s(input), this.rounding) };
      case "ADD":
      case "SUB": {
        const b = this.tensor(op, 1);
        if (!b) throw new InterpreterError(`${where}: has one input`);
        const s16 = input.type === "int16" && b.type === "int16" && out.type === "int16";
        if (!s16 && (input.type !== "int8" || b.type !== "int8" || out.type !== "int8")) throw typeRefusal(where, "(int8 or int16)", input, b, out);
        if (s16 && (zp(input) || zp(b) || zp(out))) throw new InterpreterError(`${where}: int16 activations with a zero point other than 0`);
        const bc = broadcastOf(input.shape, b.shape, out.shape);
        if (typeof bc === "string") throw new InterpreterError(`${where}: ${bc}`);
        // TFLite Micro's headroom: 15 bits for int16, 20 for int8
        const range = activationRange(o.activation, s(out), zp(out), s16 ? 16 : 8);
        const p = addParams(s(input), zp(input), s(b), zp(b), s(out), zp(out), range, this.rounding, s16 ? 15 : 20, op.name === "SUB");
        return { kind: "add", p, bc };
      }
      case "SLICE":
        return this.prepareSlice(op, where, input, out);
      case "REDUCE_MAX":
      case "REDUCE_MIN": {
        // TFLite Micro's int8 REDUCE_MAX / REDUCE_MIN compare raw values and require input and output quantised alike
        if (input.type !== "int8" || out.type !== "int8") throw typeRefusal(where, "(int8 only)", input, out);
        if (Math.fround(s(input)) !== Math.fround(s(out)) || zp(input) !== zp(out))
          throw new InterpreterError(`${where}: input and output quantised differently`);
        const axesT = this.tensor(op, 1);
        const rank = input.shape.length;
        if (!axesT?.data || axesT.type !== "int32" || axesT.elements < 1 || axesT.elements > rank)
          throw new InterpreterError(`${where}: axes are not a constant int32 vector`);
        let mask = 0;
        for (let a of new Int32Array(axesT.data.slice().buffer)) {
          if (a < 0) a += rank;
          if (a < 0 || a >= rank) throw new InterpreterError(`${where}: axis out of range`);
          mask |= 1 << (4 - rank + a);
        }
        const keptDims = input.shape.filter((_, k) => !((mask >> (4 - rank + k)) & 1));
        const elems = keptDims.reduce((x, y) => x * y, 1);
        if (out.elements !== elems || out.shape.length !== (o.keepDims ? rank : keptDims.length))
          throw new InterpreterError(`${where}: output shape disagrees with the reduction`);
        return { kind: op.name === "REDUCE_MAX" ? "reduceMax" : "reduceMin", axes: mask };
      }
      case "SHAPE":
      case "STRIDED_SLICE":
      case "PACK":
        // a STRIDED_SLICE of int8 or int16 data is an operator of its own
        if (op.name === "STRIDED_SLICE" && out.type !== "int32") return this.prepareStridedSlice(op, where, input, out);
        if (out.type !== "int32") throw new InterpreterError(`${where}: only int32 shape arithmetic (a Flatten's) is supported`);
        return { kind: "folded" };
      case "RELU":
      case "RELU6":
      case "RELU_N1_TO_1": {
        // int16 where TFLite has it: RELU and RELU6 (version 3), not RELU_N1_TO_1
        const s16 = op.name !== "RELU_N1_TO_1" && input.type === "int16" && out.type === "int16";
        if (!s16 && (input.type !== "int8" || out.type !== "int8"))
          throw typeRefusal(where, op.name === "RELU_N1_TO_1" ? "(int8 only)" : "(int8 or int16)", input, out);
        if (s16 && (zp(input) || zp(out))) throw new InterpreterError(`${where}: int16 activations with a zero point other than 0`);
        const q = quantizeMultiplier(s(input) / s(out));
        const [actMin, actMax] = activationRange(op.name, s(out), zp(out), s16 ? 16 : 8);
        return {
          kind: "relu",
          p: { inputZp: zp(input), outputOffset: zp(out), multiplier: q.multiplier, shift: q.shift, actMin, actMax, rounding: this.rounding },
        };
      }
      case "ABS": {
        int8OrInt16(where, input, out);
        if (input.elements !== out.elements) throw new InterpreterError(`${where}: changes the element count`);
        if (!input.quantization?.scale.length || !out.quantization?.scale.length) throw new InterpreterError(`${where}: input or output is not quantised`);
        return { kind: "abs", p: absParams(s(input), zp(input), s(out), zp(out), this.rounding) };
      }
      case "PRELU": {
        const alpha = this.tensor(op, 1);
        if (!alpha) throw new InterpreterError(`${where}: has one input`);
        int8OrInt16(where, input, out);
        if (alpha.type !== "int8") throw new InterpreterError(`${where}: ${alpha.type} is not supported for alpha (int8 only)`);
        const bc = broadcastOf(input.shape, alpha.shape, out.shape);
        if (typeof bc === "string") throw new InterpreterError(`${where}: ${bc}`);
        return { kind: "prelu", p: preluParams(s(input), zp(input), s(alpha), zp(alpha), s(out), zp(out), this.rounding), bc };
      }
      case "LEAKY_RELU": {
        int8OrInt16(where, input, out);
        if (input.elements !== out.elements) throw new InterpreterError(`${where}: changes the element count`);
        return { kind: "leakyRelu", p: leakyReluParams(s(input), zp(input), s(out), zp(out), o.alpha ?? 0, this.rounding) };
      }
      case "LOGISTIC":
      case "TANH": {
        const logistic = op.name === "LOGISTIC";
        if (input.type === "int16" && out.type === "int16") {
          if (zp(input) || zp(out)) throw new InterpreterError(`${where}: int16 activations with a zero point other than 0`);
          const p = sigmoidS16Params(s(input), s(out), !logistic);
          if (typeof p === "string") throw new InterpreterError(`${where}: ${p}`);
          return { kind: logistic ? "logistic16" : "tanh16", p };
        }
        if (input.type !== "int8" || out.type !== "int8") throw typeRefusal(where, "(int8, or int16 in and out)", input, out);
        // the kernels write TFLite's fixed output quantisation, which converters always give these outputs
        if (logistic ? s(out) !== 1 / 256 || zp(out) !== -128 : s(out) !== 1 / 128 || zp(out) !== 0) {
          throw new InterpreterError(`${where}: output is not scale ${logistic ? "1/256, zero point -128" : "1/128, zero point 0"}`);
        }
        const p = sigmoidParams(s(input), zp(input), this.rounding);
        if (typeof p === "string") throw new InterpreterError(`${where}: ${p}`);
        return { kind: logistic ? "logistic" : "tanh", p };
      }
      case "HARD_SWISH": {
        if (input.type !== "int8" || out.type !== "int8") throw typeRefusal(where, "(int8 only)", input, out);
        const p = hardSwishParams(s(input), zp(input), s(out), zp(out));
        if (typeof p === "string") throw new InterpreterError(`${where}: ${p}`);
        return { kind: "hardSwish", p };
      }
      case "MAXIMUM":
      case "MINIMUM":
      case "MUL": {
        const b = this.tensor(op, 1);
        if (!b) throw new InterpreterError(`${where}: has one input`);
        const s16 = input.type === "int16" && b.type === "int16" && out.type === "int16";
        if (s16 && (zp(input) || zp(b) || zp(out))) throw new InterpreterError(`${where}: int16 activations with a zero point other than 0`);
        if (!s16 && (input.type !== "int8" || b.type !== "int8" || out.type !== "int8")) throw typeRefusal(where, "(int8 or int16)", input, b, out);
        const bc = broadcastOf(input.shape, b.shape, out.shape);
        if (typeof bc === "string") throw new InterpreterError(`${where}: ${bc}`);
        if (op.name !== "MUL") return { kind: op.name === "MAXIMUM" ? "maximum" : "minimum", bc };
        const q = quantizeMultiplier((s(input) * s(b)) / s(out));
        const [actMin, actMax] = activationRange(o.activation, s(out), zp(out), s16 ? 16 : 8);
        return {
          kind: "mul",
          p: {
            input1Offset: -zp(input),
            input2Offset: -zp(b),
            outputOffset: zp(out),
            multiplier: q.multiplier,
            shift: q.shift,
            actMin,
            actMax,
            rounding: this.rounding,
          },
          bc,
        };
      }
      case "PAD":
      case "PADV2": {
        const pads = this.tensor(op, 1);
        const value = this.tensor(op, 2);
        const s16 = int8OrInt16(where, input, out);
        if (!pads?.data || pads.type !== "int32" || pads.elements !== 2 * input.shape.length)
          throw new InterpreterError(`${where}: paddings are not a constant int32 [rank, 2]`);
        const v = new Int32Array(pads.data.slice().buffer);
        const before: [number, number, number, number] = [0, 0, 0, 0];
        const inS = shape4(input.shape),
          outS = shape4(out.shape);
        const inD = [inS.n, inS.h, inS.w, inS.c],
          outD = [outS.n, outS.h, outS.w, outS.c];
        for (let d = 0; d < 4; d++) {
          const k = d - (4 - input.shape.length);
          const [b0, a0] = k >= 0 ? [v[2 * k]!, v[2 * k + 1]!] : [0, 0];
          if (b0 < 0 || a0 < 0 || inD[d]! + b0 + a0 !== outD[d]) throw new InterpreterError(`${where}: paddings disagree with the shapes`);
          before[d] = b0;
        }
        if (!value) return { kind: "pad", p: { before, padValue: zp(out) } };
        // PADV2's constant, raw as TFLite Micro takes it; for int8 quantised as the output (TFLite Micro's prepare)
        if (!value.data || value.type !== input.type || value.elements !== 1)
          throw new InterpreterError(`${where}: pad value is not a constant scalar of the input's type`);
        if (!s16 && (zp(value) !== zp(out) || Math.fround(s(value)) !== Math.fround(s(out))))
          throw new InterpreterError(`${where}: pad value quantised unlike the output`);
        const raw = new DataView(value.data.buffer, value.data.byteOffset, value.data.byteLength);
        return { kind: "pad", p: { before, padValue: s16 ? raw.getInt16(0, true) : raw.getInt8(0) } };
      }
      case "TRANSPOSE": {
        const perm = this.tensor(op, 1);
        int8OrInt16(where, input, out);
        const rank = input.shape.length;
        if (!perm?.data || perm.type !== "int32" || perm.elements !== rank || out.shape.length !== rank)
          throw new InterpreterError(`${where}: perm is not a constant int32 [rank]`);
        const v = Array.from(new Int32Array(perm.data.slice().buffer));
        if (new Set(v).size !== rank || v.some((p, k) => p < 0 || p >= rank || out.shape[k] !== input.shape[p]))
          throw new InterpreterError(`${where}: perm is not a permutation that gives the output's shape`);
        // right-aligned to 4: the dimensions added in front stay where they are
        const lead = 4 - rank;
        return { kind: "transpose", perm: [...[0, 1, 2, 3].slice(0, lead), ...v.map((p) => p + lead)] };
      }
      case "RESIZE_NEAREST_NEIGHBOR": {
        const size = this.tensor(op, 1);
        int8OrInt16(where, input, out);
        if (input.shape.length !== 4 || out.shape.length !== 4) throw new InterpreterError(`${where}: input or output is not 4-D`);
        if (!size?.data || size.type !== "int32" || size.shape.length !== 1 || size.elements !== 2)
          throw new InterpreterError(`${where}: size is not a constant int32 [2]`);
        const [h, w] = new Int32Array(size.data.slice().buffer);
        if (h !== out.shape[1] || w !== out.shape[2] || input.shape[0] !== out.shape[0] || input.shape[3] !== out.shape[3])
          throw new InterpreterError(`${where}: size disagrees with the output's shape`);
        return { kind: "resize", p: { alignCorners: o.alignCorners ?? false, halfPixelCenters: o.halfPixelCenters ?? false } };
      }
      case "CONCATENATION": {
        if (out.type !== "int8" && out.type !== "int16") throw typeRefusal(where, "(int8 or int16)", out);
        if (out.type === "int16" && zp(out)) throw new InterpreterError(`${where}: int16 activations with a zero point other than 0`);
        const axis = (o.axis ?? 0) < 0 ? (o.axis ?? 0) + out.shape.length : (o.axis ?? 0);
        if (axis < 0 || axis >= out.shape.length) throw new InterpreterError(`${where}: axis out of range`);
        if (o.activation && o.activation !== "NONE") throw new InterpreterError(`${where}: a fused activation is not supported`);
        let along = 0;
        for (const k of op.inputs.keys()) {
          const t = this.tensor(op, k)!;
          if (t.type !== out.type || t.shape.length !== out.shape.length) throw new InterpreterError(`${where}: inputs are not of the output's type and rank`);
          if (Math.fround(s(t)) !== Math.fround(s(out)) || zp(t) !== zp(out)) throw new InterpreterError(`${where}: inputs quantised unlike the output`);
          if (t.shape.some((d, i) => i !== axis && d !== out.shape[i])) throw new InterpreterError(`${where}: input shapes disagree off the axis`);
          along += t.shape[axis]!;
        }
        if (along !== out.shape[axis]) throw new InterpreterError(`${where}: inputs do not add up to the output along the axis`);
        return { kind: "concat", axis };
      }
      case "MEAN": {
        const axes = this.tensor(op, 1);
        const s16 = int8OrInt16(where, input, out);
        const a = axes?.data && axes.type === "int32" ? Array.from(new Int32Array(axes.data.slice().buffer), (v) => (v < 0 ? v + 4 : v)).sort() : [];
        if (input.shape.length !== 4 || a.join(",") !== "1,2") throw new InterpreterError(`${where}: only the mean over H and W of a 4-D tensor is supported`);
        if (out.elements !== input.shape[0]! * input.shape[3]!) throw new InterpreterError(`${where}: output shape is not N x C`);
        let q = quantizeMultiplier(s(input) / s(out));
        const folded = s16 || this.meanInt8 === "fold";
        if (folded) {
          // TFLite's QuantizedMeanOrSum: 1 / count folded into the multiplier
          const count = input.shape[1]! * input.shape[2]!;
          if (s16 && count > 65536) throw new InterpreterError(`${where}: int16 MEAN over more than 65536 elements (its int32 sum could overflow)`);
          q = foldMeanCount(q.multiplier, q.shift, count);
        }
        return { kind: "mean", folded, p: { inputZp: zp(input), outputZp: zp(out), multiplier: q.multiplier, shift: q.shift, rounding: this.rounding } };
      }
      case "QUANTIZE":
        if ((out.type !== "int8" && out.type !== "int16") || !["float32", "int8", "int16"].includes(input.type))
          throw new InterpreterError(`${where}: ${input.type} -> ${out.type} is not supported (float32, int8 or int16 -> int8 or int16)`);
        if (out.type === "int16" && zp(out) !== 0) throw new InterpreterError(`${where}: int16 output with a zero point other than 0`);
        if (input.type !== "float32") {
          const q = quantizeMultiplier(s(input) / s(out));
          return { kind: "requant", multiplier: q.multiplier, shift: q.shift, rounding: this.rounding };
        }
        return { kind: "none" };
      case "DEQUANTIZE":
        if ((input.type !== "int8" && input.type !== "int16") || out.type !== "float32")
          throw new InterpreterError(`${where}: ${input.type} -> ${out.type} is not supported (int8 or int16 -> float32)`);
        return { kind: "none" };
      default:
        return { kind: "none" };
    }
  }

  /** SLICE on int8 or int16 data: STRIDED_SLICE's walk with steps of 1, a size of -1 to the end (model.c's prepare_slice). */
  private prepareSlice(op: TfliteOperator, where: string, input: TfliteTensor, out: TfliteTensor): Prepared {
    int8OrInt16(where, input, out);
    const rank = input.shape.length;
    const args = [1, 2].map((k) => this.tensor(op, k));
    if (args.some((t) => !t?.data || t.type !== "int32" || t.elements !== rank))
      throw new InterpreterError(`${where}: begin and size are not constant int32 [rank]`);
    if (out.shape.length !== rank) throw new InterpreterError(`${where}: the slice disagrees with the output's shape`);
    const [begin, size] = args.map((t) => Array.from(new Int32Array(t!.data!.slice().buffer))) as [number[], number[]];
    const lead = 4 - rank;
    const p: StridedSliceParams = { start: [0, 0, 0, 0], stop: [1, 1, 1, 1], step: [1, 1, 1, 1], extent: [1, 1, 1, 1] };
    for (let k = 0; k < rank; k++) {
      const n = size[k] === -1 ? input.shape[k]! - begin[k]! : size[k]!;
      if (begin[k]! < 0 || n < 0 || begin[k]! + n > input.shape[k]! || n !== out.shape[k])
        throw new InterpreterError(`${where}: the slice disagrees with the input's or output's shape`);
      p.start[lead + k] = begin[k]!;
      p.stop[lead + k] = begin[k]! + n;
      p.extent[lead + k] = n;
    }
    return { kind: "stridedSlice", p };
  }

  /** STRIDED_SLICE on int8 or int16 data (firmware/runtime/model.c's prepare_strided_slice). */
  private prepareStridedSlice(op: TfliteOperator, where: string, input: TfliteTensor, out: TfliteTensor): Prepared {
    int8OrInt16(where, input, out);
    const rank = input.shape.length;
    const args = [1, 2, 3].map((k) => this.tensor(op, k));
    if (args.some((t) => !t?.data || t.type !== "int32" || t.elements !== rank))
      throw new InterpreterError(`${where}: begin, end and strides are not constant int32 [rank]`);
    const [begin, end, strides] = args.map((t) => new Int32Array(t!.data!.slice().buffer)) as [Int32Array, Int32Array, Int32Array];
    const o = op.options;
    if (o.ellipsisMask || o.newAxisMask || o.offset) throw new InterpreterError(`${where}: ellipsis_mask, new_axis_mask and offset are not supported`);
    const shrink = o.shrinkAxisMask ?? 0;
    const p = stridedSliceParams(input.shape, begin, end, strides, { beginMask: o.beginMask ?? 0, endMask: o.endMask ?? 0, shrinkAxisMask: shrink });
    if (typeof p === "string") throw new InterpreterError(`${where}: ${p}`);
    const lead = 4 - rank;
    if (input.shape.some((_, k) => (shrink >> k) & 1 && p.extent[lead + k] !== 1))
      throw new InterpreterError(`${where}: a shrunk axis does not index one element`);
    const kept = input.shape.flatMap((_, k) => ((shrink >> k) & 1 ? [] : [p.extent[lead + k]!]));
    if (kept.join(",") !== out.shape.join(",")) throw new InterpreterError(`${where}: the slice disagrees with the output's shape`);
    return { kind: "stridedSlice", p };
  }

  private run(op: TfliteOperator, prep: Prepared): void {
    const input = this.tensor(op, 0)!;
    const out = this.model.tensors[op.outputs[0]!]!;
    const bias = this.tensor(op, 2);
    const biasData = bias && bias.type === "int32" ? new Int32Array(this.bytesOf(bias).slice().buffer) : undefined;
    const bias64 = bias && bias.type === "int64" ? new BigInt64Array(this.bytesOf(bias).slice().buffer) : undefined;
    switch (prep.kind) {
      case "conv":
      case "depthwise": {
        const w = this.tensor(op, 1)!;
        const f = prep.kind === "conv" ? convS8 : depthwiseConvS8;
        f(prep.p, shape4(input.shape), this.i8(input), shape4(w.shape), this.i8(w), biasData, shape4(out.shape), this.i8(out));
        return;
      }
      case "conv16":
      case "depthwise16": {
        const w = this.tensor(op, 1)!;
        convS16(
          prep.p,
          shape4(input.shape),
          this.i16(input),
          shape4(w.shape),
          this.i8(w),
          bias64,
          shape4(out.shape),
          this.i16(out),
          prep.kind === "depthwise16",
        );
        return;
      }
      case "fc16": {
        const w = this.tensor(op, 1)!;
        fullyConnectedS16(prep.p, input.elements / w.shape[1]!, w.shape[1]!, this.i16(input), w.shape[0]!, this.i8(w), bias64, this.i16(out));
        return;
      }
      case "fc": {
        const w = this.tensor(op, 1)!;
        const depth = w.shape[1]!;
        fullyConnectedS8(prep.p, input.elements / depth, depth, this.i8(input), w.shape[0]!, this.i8(w), biasData, this.i8(out));
        return;
      }
      case "pool":
        (op.name === "AVERAGE_POOL_2D" ? avgPoolS8 : maxPoolS8)(prep.p, shape4(input.shape), this.ints(input), shape4(out.shape), this.ints(out));
        return;
      case "softmax": {
        const depth = input.shape[input.shape.length - 1]!;
        softmaxS8(prep.p, input.elements / depth, depth, this.i8(input), this.ints(out));
        return;
      }
      case "softmax16": {
        const depth = input.shape[input.shape.length - 1]!;
        softmaxS16(prep.p, input.elements / depth, depth, this.i16(input), this.i16(out));
        return;
      }
      case "add":
        addS8(prep.p, prep.bc, this.ints(input), this.ints(this.tensor(op, 1)!), this.ints(out));
        return;
      case "relu":
        reluS8(prep.p, this.ints(input), this.ints(out));
        return;
      case "abs":
        abs(prep.p, this.ints(input), this.ints(out));
        return;
      case "prelu":
        prelu(prep.p, prep.bc, this.ints(input), this.i8(this.tensor(op, 1)!), this.ints(out));
        return;
      case "leakyRelu":
        leakyRelu(prep.p, this.ints(input), this.ints(out));
        return;
      case "logistic":
        logisticS8(prep.p, this.i8(input), this.i8(out));
        return;
      case "tanh":
        tanhS8(prep.p, this.i8(input), this.i8(out));
        return;
      case "logistic16":
        logisticS16(prep.p, this.i16(input), this.i16(out));
        return;
      case "tanh16":
        tanhS16(prep.p, this.i16(input), this.i16(out));
        return;
      case "hardSwish":
        hardSwishS8(prep.p, this.i8(input), this.i8(out));
        return;
      case "mul":
        mulS8(prep.p, prep.bc, this.ints(input), this.ints(this.tensor(op, 1)!), this.ints(out));
        return;
      case "maximum":
      case "minimum":
        (prep.kind === "maximum" ? maximum : minimum)(prep.bc, this.ints(input), this.ints(this.tensor(op, 1)!), this.ints(out));
        return;
      case "pad":
        pad(prep.p, shape4(input.shape), this.ints(input), shape4(out.shape), this.ints(out));
        return;
      case "stridedSlice":
        stridedSlice(prep.p, shape4(input.shape), this.ints(input), this.ints(out));
        return;
      case "reduceMax":
      case "reduceMin":
        reduceMaxMinS8(shape4(input.shape), this.i8(input), prep.axes, prep.kind === "reduceMax", this.i8(out));
        return;
      case "transpose":
        transpose(prep.perm, shape4(input.shape), this.ints(input), this.ints(out));
        return;
      case "resize":
        resizeNearestNeighbor(prep.p, shape4(input.shape), this.ints(input), shape4(out.shape), this.ints(out));
        return;
      case "mean":
        if (input.type === "int16") meanHwFolded(prep.p, shape4(input.shape), this.i16(input), this.i16(out));
        else if (prep.folded) meanHwFolded(prep.p, shape4(input.shape), this.i8(input), this.i8(out));
        else meanHwS8(prep.p, shape4(input.shape), this.i8(input), this.i8(out));
        return;
      case "concat": {
        const outer = out.shape.slice(0, prep.axis).reduce((x, y) => x * y, 1);
        concatenationS8(
          outer,
          op.inputs.map((_, k) => this.ints(this.tensor(op, k)!)),
          this.ints(out),
        );
        return;
      }
      case "folded":
        return;
      case "requant":
        requantizeS8(
          this.ints(input),
          input.quantization!.zeroPoint[0]!,
          prep.multiplier,
          prep.shift,
          out.quantization!.zeroPoint[0]!,
          this.ints(out),
          prep.rounding,
        );
        return;
      case "none":
        if (op.name === "QUANTIZE") {
          const b = this.bytesOf(input);
          quantizeF32S8(
            new Float32Array(b.slice().buffer),
            out.quantization!.scale[0]!,
            out.quantization!.zeroPoint[0]!,
            this.ints(out),
            this.quantizeDivision,
          );
        } else if (op.name === "DEQUANTIZE") {
          const o8 = this.bytesOf(out);
          const f = new Float32Array(out.elements);
          dequantizeS8F32(this.ints(input), input.quantization!.scale[0]!, input.quantization!.zeroPoint[0]!, f);
          o8.set(new Uint8Array(f.buffer));
        } else if (op.name === "RESHAPE" || op.name === "SQUEEZE") {
          reshape(this.bytesOf(input), this.bytesOf(out));
        }
        return;
    }
  }
}
