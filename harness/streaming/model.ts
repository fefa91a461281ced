// Runs a streaming model on every hop: the host reference of the firmware's stream engine (firmware/core/stream_model.c).
// The model takes the last 30 feature frames ([1, 30, 1, 40], oldest first). Where every time-domain convolution is
// VALID with stride 1 and no dilation (MLPerf's sww01 DS-CNN and tinyrig's), each layer's newest output row depends
// only on its last k input rows, so the engine keeps those rows per layer and computes one new row per layer per
// hop (about 46 k multiply-accumulates instead of 827 k) with the same kernels as the full model: bit-exact with
// running the full model on the 30-frame window (test/streaming-model.test.ts checks it). After the row that
// collapses time to 1, the rest (RESHAPE, FULLY_CONNECTED, SOFTMAX) runs as usual.
import { convS8 } from "../interpreter/conv_s8.ts";
import { depthwiseConvS8 } from "../interpreter/depthwise_conv_s8.ts";
import { fullyConnectedS8 } from "../interpreter/fully_connected_s8.ts";
import { Interpreter } from "../interpreter/interpreter.ts";
import { shape4, type Shape4 } from "../interpreter/padding.ts";
import { clamp, mulByQuantizedMultiplier } from "../interpreter/quantization.ts";
import { softmaxS8 } from "../interpreter/softmax_s8.ts";
import type { TfliteModel } from "../tflite/model.ts";

export class StreamingModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StreamingModelError";
  }
}

interface TemporalLayer {
  op: number;
  kind: "conv" | "depthwise";
  /** Rows of input the newest output row needs (the kernel height). */
  rows: number;
  inChannels: number;
  outChannels: number;
  history: Int8Array; // rows x inChannels, oldest first
  out: Int8Array;
  weights: Int8Array;
  filter: Shape4;
  bias?: Int32Array;
}

export class StreamingModel {
  readonly interpreter: Interpreter;
  /** Frames in the window and features per frame. */
  readonly frames: number;
  readonly features: number;
  private readonly layers: TemporalLayer[] = [];
  private readonly tail: number[]; // operator indices after time has collapsed
  private readonly buffers = new Map<number, Int8Array>();
  /** Use the interpreter's general kernels for the rows too (slower; the fast row loops must equal them). */
  reference = false;
  /** The full model's window, kept for `full` mode and for reset. */
  private readonly window: Int8Array;

  constructor(readonly model: TfliteModel) {
    this.interpreter = new Interpreter(model);
    const input = this.interpreter.input;
    const s = shape4(input.shape);
    if (input.type !== "int8" || s.n !== 1 || s.w !== 1)
      throw new StreamingModelError(`the model input must be int8 [1, frames, 1, features], not ${input.type} [${input.shape.join(", ")}]`);
    this.frames = s.h;
    this.features = s.c;
    this.window = new Int8Array(s.h * s.c);
    let rows = s.h;
    let i = 0;
    const ops = model.operators;
    for (; i < ops.length; i++) {
      const op = ops[i]!;
      const prep = this.interpreter.prepared[i]!;
      if (prep.kind !== "conv" && prep.kind !== "depthwise") {
        if (rows > 1)
          throw new StreamingModelError(
            `operator ${i} (${op.name}) comes before time has collapsed to one row: only CONV_2D and DEPTHWISE_CONV_2D can run incrementally`,
          );
        break;
      }
      const w = model.tensors[op.inputs[1]!]!;
      const fS = shape4(w.shape);
      const inS = shape4(model.tensors[op.inputs[0]!]!.shape),
        outS = shape4(model.tensors[op.outputs[0]!]!.shape);
      const p = prep.p;
      if (p.strideH !== 1 || p.dilationH !== 1 || p.padH !== 0 || inS.w !== 1 || outS.w !== 1 || fS.w !== 1 || outS.h !== inS.h - fS.h + 1) {
        throw new StreamingModelError(`operator ${i} (${op.name}): incremental streaming needs VALID padding, stride 1 and no dilation over time, width 1`);
      }
      const bias = op.inputs[2] !== undefined && op.inputs[2]! >= 0 ? model.tensors[op.inputs[2]!]!.data : undefined;
      this.layers.push({
        op: i,
        kind: prep.kind,
        rows: fS.h,
        inChannels: inS.c,
        outChannels: outS.c,
        history: new Int8Array(fS.h * inS.c),
        out: new Int8Array(outS.c),
        weights: new Int8Array(w.data!.buffer, w.data!.byteOffset, w.data!.length),
        filter: fS,
        bias: bias ? new Int32Array(bias.slice().buffer) : undefined,
      });
      rows = outS.h;
    }
    if (rows !== 1) throw new StreamingModelError("the model never collapses time to one row");
    this.tail = ops.slice(i).map((op) => {
      if (!["RESHAPE", "FULLY_CONNECTED", "SOFTMAX"].includes(op.name))
        throw new StreamingModelError(`operator ${op.index} (${op.name}) after the time axis: only RESHAPE, FULLY_CONNECTED and SOFTMAX are supported there`);
      return op.index;
    });
  }

  /** Starts a stream with every frame of the window set to `frame` (digital silence, on the device). */
  reset(frame: Int8Array): void {
    for (let f = 0; f < this.frames; f++) this.window.set(frame, f * this.features);
    for (let f = 0; f < this.frames; f++) this.push(frame, "incremental", false);
  }

  /**
   * Appends a frame and returns the model's raw output. `incremental`: one new row per layer; `full`: the whole model
   * on the 30-frame window (the two are bit-exact).
   */
  push(frame: Int8Array, mode: "incremental" | "full" = "incremental", slide = true): Uint8Array {
    if (frame.length !== this.features) throw new StreamingModelError(`a frame is ${this.features} features, got ${frame.length}`);
    if (slide) {
      this.window.copyWithin(0, this.features);
      this.window.set(frame, (this.frames - 1) * this.features);
    }
    if (mode === "full") {
      const out = this.interpreter.invoke(this.window);
      // keep the incremental state moving, so the two modes can be switched between hops
      this.incremental(frame);
      return out;
    }
    return this.incremental(frame);
  }

  private incremental(frame: Int8Array): Uint8Array {
    let col: Int8Array = frame;
    for (const l of this.layers) {
      l.history.copyWithin(0, l.inChannels);
      l.history.set(col, (l.rows - 1) * l.inChannels);
      const prep = this.interpreter.prepared[l.op]! as { kind: "conv" | "depthwise"; p: Parameters<typeof convS8>[0] };
      if (this.reference) {
        const inS = { n: 1, h: l.rows, w: 1, c: l.inChannels },
          outS = { n: 1, h: 1, w: 1, c: l.outChannels };
        (l.kind === "conv" ? convS8 : depthwiseConvS8)(prep.p, inS, l.history, l.filter, l.weights, l.bias, outS, l.out);
      } else {
        oneRow(l, prep.p);
      }
      col = l.out;
    }
    let x: Int8Array = col;
    for (const i of this.tail) {
      const op = this.model.operators[i]!;
      const prep = this.interpreter.prepared[i]!;
      const outT = this.model.tensors[op.outputs[0]!]!;
      let y = this.buffers.get(i);
      if (!y) this.buffers.set(i, (y = new Int8Array(outT.elements)));
      if (op.name === "RESHAPE") y.set(x);
      else if (prep.kind === "fc") {
        const w = this.model.tensors[op.inputs[1]!]!;
        const b = op.inputs[2] !== undefined && op.inputs[2]! >= 0 ? this.model.tensors[op.inputs[2]!]!.data : undefined;
        fullyConnectedS8(
          prep.p,
          x.length / w.shape[1]!,
          w.shape[1]!,
          x,
          w.shape[0]!,
          new Int8Array(w.data!.buffer, w.data!.byteOffset, w.data!.length),
          b ? new Int32Array(b.slice().buffer) : undefined,
          y,
        );
      } else if (prep.kind === "softmax") {
        softmaxS8(prep.p, 1, x.length, x, y);
      }
      x = y;
    }
    return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
  }
}

export interface HopOutput {
  /** The model's raw output per hop (outputs bytes each). */
  outputs: Uint8Array;
  outputBytes: number;
  hops: number;
}

/** The host reference of a whole stream: features per hop (from `frames`), the model on every hop. */
export function streamOutputs(model: StreamingModel, frames: Int8Array, initial: Int8Array, mode: "incremental" | "full" = "incremental"): HopOutput {
  const hops = frames.length / model.features;
  model.reset(initial);
  let outputBytes = 0;
  let outputs = new Uint8Array(0);
  for (let h = 0; h < hops; h++) {
    const y = model.push(frames.subarray(h * model.features, (h + 1) * model.features), mode);
    if (h === 0) {
      outputBytes = y.length;
      outputs = new Uint8Array(hops * outputBytes);
    }
    outputs.set(y, h * outputBytes);
  }
  return { outputs, outputBytes, hops };
}

export interface DetectionRule {
  class: number;
  aboveInt8: number;
  /** Consecutive hops above the threshold a detection needs (default 1: every hop above, MLPerf's rule). */
  minHops?: number;
}

/** Hops that end a run of at least `minHops` hops whose int8 score of the class is above `aboveInt8` (the device
 * pulses its wake-word line on each; firmware/core/stream.c). */
export function detectionHops(out: HopOutput, rule: DetectionRule): number[] {
  const hops: number[] = [];
  const min = rule.minHops ?? 1;
  let run = 0;
  for (let h = 0; h < out.hops; h++) {
    run = (out.outputs[h * out.outputBytes + rule.class]! << 24) >> 24 > rule.aboveInt8 ? run + 1 : 0;
    if (run >= min) hops.push(h);
  }
  return hops;
}

/**
 * One output row of a VALID, stride-1 convolution over `rows` input rows of width 1: the same arithmetic as
 * convS8/depthwiseConvS8 (sum of (x + input offset) x w, int32 wrap, bias, requantise, clamp) in plain loops over
 * this one shape, about five times faster on the host (test/streaming-model.test.ts checks them against the kernels).
 */
function oneRow(l: TemporalLayer, p: Parameters<typeof convS8>[0]): void {
  const x = l.history,
    w = l.weights,
    out = l.out,
    inC = l.inChannels,
    rows = l.rows;
  const off = p.inputOffset;
  if (l.kind === "conv") {
    const k = rows * inC; // OHWI with W = 1: weights[oc][fy][ic]
    for (let oc = 0; oc < l.outChannels; oc++) {
      let acc = 0;
      const wb = oc * k;
      for (let i = 0; i < k; i++) acc += (x[i]! + off) * w[wb + i]!;
      acc |= 0;
      if (l.bias) acc = (acc + l.bias[oc]!) | 0;
      out[oc] = clamp(mulByQuantizedMultiplier(acc, p.multiplier[oc]!, p.shift[oc]!) + p.outputOffset, p.actMin, p.actMax);
    }
    return;
  }
  const dm = p.depthMultiplier,
    fc = l.filter.c; // [1][fy][1][ic * dm + m]
  for (let ic = 0; ic < inC; ic++)
    for (let m = 0; m < dm; m++) {
      const oc = ic * dm + m;
      let acc = 0;
      for (let fy = 0; fy < rows; fy++) acc += (x[fy * inC + ic]! + off) * w[fy * fc + oc]!;
      acc |= 0;
      if (l.bias) acc = (acc + l.bias[oc]!) | 0;
      out[oc] = clamp(mulByQuantizedMultiplier(acc, p.multiplier[oc]!, p.shift[oc]!) + p.outputOffset, p.actMin, p.actMax);
    }
}
