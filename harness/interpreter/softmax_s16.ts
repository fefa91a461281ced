// SOFTMAX int16 in and out (TFLite reference_ops SoftmaxInt16, as TFLite Micro runs it), as
// firmware/kernels/softmax_s16.c: differences from the row maximum scaled so that [-65535, 0] covers [-10, 0], an
// interpolated exp table, the sum inverted through an interpolated 1/(1+x) table. The two 513-entry tables follow
// TFLite's LUTPopulate<int16_t> formula in single precision (every operation rounded to float, as the C code does).
import { clamp, mulByQuantizedMultiplier, quantizeMultiplier, roundHalfAway, type Rounding } from "./quantization.ts";

const f = Math.fround;
const STEPS = 512;

function lutPopulate(fn: (x: number) => number, inputScale: number, inputZp: number, outputScale: number): Int16Array {
  const lut = new Int16Array(STEPS + 1);
  const inputMin = f(inputScale * (-32768 - inputZp));
  const inputMax = f(inputScale * (32767 - inputZp));
  const outputMin = f(outputScale * -32768),
    outputMax = f(outputScale * 32767);
  const step = f(f(inputMax - inputMin) / STEPS);
  const halfStep = f(step / 2);
  const inv = f(65536 / f(outputMax - outputMin));
  const round = (x: number) => f(roundHalfAway(x));
  const toInt16 = (v: number) => clamp(v, -32768, 32767);
  for (let i = 0; i < STEPS; i++) {
    const at = f(inputMin + f(i * step));
    const v = fn(at);
    const vMid = fn(f(at + halfStep));
    const vNext = fn(f(inputMin + f((i + 1) * step)));
    const sample = round(f(v * inv));
    const interpolatedMid = round(f(f(f(vNext * inv) + round(f(v * inv))) / 2));
    const mid = round(f(vMid * inv));
    const bias = round(f(f(interpolatedMid - mid) / 2));
    lut[i] = toInt16(f(sample - bias));
  }
  lut[STEPS] = toInt16(round(f(fn(inputMax) * inv)));
  return lut;
}

const RANGE = f(65535);
/** exp on [-10, 0] and 1/(1+x) on [0, 1], as TFLite's int16 softmax prepares them. The float exp is the double one
 * rounded to float (the C library's expf on the device; they agree on these 513 points: test/int16x8). */
export const softmaxS16Tables = {
  exp: lutPopulate((x) => f(Math.exp(x)), f(10 / RANGE), 32767, f(2 / RANGE)),
  oneOverOnePlusX: lutPopulate((x) => f(1 / f(1 + x)), f(1 / RANGE), -32768, f(2 / RANGE)),
};

/** TFLite's LUTLookup for int16: the top 9 bits index, the low 7 interpolate, rounded. */
function lutLookup(value: number, lut: Int16Array): number {
  const index = 256 + (value >> 7);
  const offset = value & 0x7f;
  const base = lut[index]!;
  const slope = ((lut[index + 1]! - base) << 16) >> 16;
  return ((base + ((slope * offset + 64) >> 7)) << 16) >> 16;
}

export interface SoftmaxS16Params {
  inputMultiplier: number;
  inputLeftShift: number;
  rounding: Rounding;
}

/** TFLite's int16 prepare: input_scale * beta / (10 / 65535) in double. */
export function softmaxS16Params(beta: number, inputScale: number, rounding: Rounding = "double"): SoftmaxS16Params {
  const { multiplier, shift } = quantizeMultiplier((inputScale * beta) / (10.0 / 65535.0));
  return { inputMultiplier: multiplier, inputLeftShift: shift, rounding };
}

export function softmaxS16(p: SoftmaxS16Params, rows: number, depth: number, input: Int16Array, output: Int16Array): void {
  const sat16 = (v: number) => clamp(v, -32768, 32767);
  for (let r = 0; r < rows; r++) {
    const x = input.subarray(r * depth, (r + 1) * depth);
    const y = output.subarray(r * depth, (r + 1) * depth);
    let max = -32768;
    for (const v of x) max = Math.max(max, v);
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const scaled = mulByQuantizedMultiplier(x[c]! - max, p.inputMultiplier, p.inputLeftShift, p.rounding);
      y[c] = lutLookup(sat16(scaled + 32767), softmaxS16Tables.exp);
      sum += y[c]!;
    }
    const headroomPlusOne = Math.clz32(sum);
    const shifted = Number(((BigInt(sum) << BigInt(headroomPlusOne - 1)) + (1n << 13n)) >> 14n);
    const reciprocal = lutLookup(sat16(shifted - ((1 << 15) + (1 << 16))), softmaxS16Tables.oneOverOnePlusX);
    const rightShift = 31 - headroomPlusOne;
    for (let c = 0; c < depth; c++) {
      const v = Number((BigInt(y[c]! * reciprocal) + (1n << BigInt(rightShift - 1))) >> BigInt(rightShift));
      y[c] = clamp(v, 0, 32767);
    }
  }
}
