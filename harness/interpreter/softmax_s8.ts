// SOFTMAX int8 -> int8 (TFLite reference_ops Softmax with gemmlowp fixed point), as firmware/kernels/softmax_s8.c:
// differences from the row maximum in Q5.26, exp_on_negative_values, sum in Q12.19, Newton-Raphson reciprocal.

import { clamp, mulByQuantizedMultiplier, quantizeMultiplier, roundingDivideByPot, srdhm, type Rounding } from "./quantization.ts";

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUM_INTEGER_BITS = 12;
const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

export interface SoftmaxParams {
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
  rounding: Rounding;
}

/** TFLite PreprocessSoftmaxScaling (5 integer bits) and CalculateInputRadius. */
export function softmaxParams(beta: number, inputScale: number, rounding: Rounding = "double"): SoftmaxParams {
  const real = Math.min(beta * inputScale * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), 2 ** 31 - 1);
  const { multiplier, shift } = quantizeMultiplier(real);
  const radius = (1.0 * ((1 << SCALED_DIFF_INTEGER_BITS) - 1) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS)) / 2 ** shift;
  return { inputMultiplier: multiplier, inputLeftShift: shift, diffMin: -Math.floor(radius), rounding };
}

function satShiftLeft(x: number, exponent: number): number {
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (x << exponent) | 0;
}

function expOnIntervalNegQuarterTo0(a: number): number {
  const constantTerm = 1895147668;
  const constant1Over3 = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = roundingDivideByPot(x4, 2);
  const poly = roundingDivideByPot((srdhm((x4Over4 + x3) | 0, constant1Over3) + x2) | 0, 1);
  return (constantTerm + srdhm(constantTerm, (x + poly) | 0)) | 0;
}

const BARREL = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242];

function expOnNegativeValuesQ5(a: number): number {
  const fractionalBits = 31 - SCALED_DIFF_INTEGER_BITS;
  const oneQuarter = 1 << (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalNegQuarterTo0(satShiftLeft(aModQuarterMinusQuarter, SCALED_DIFF_INTEGER_BITS));
  const remainder = (aModQuarterMinusQuarter - a) | 0;
  for (let e = -2; e <= 4; e++) {
    if (SCALED_DIFF_INTEGER_BITS > e && remainder & (1 << (fractionalBits + e))) result = srdhm(result, BARREL[e + 2]!);
  }
  return a === 0 ? INT32_MAX : result;
}

function countLeadingZeros(x: number): number {
  return Math.clz32(x);
}

function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

function oneOverOnePlusX(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  let x = (1515870810 + srdhm(halfDenominator, -1010580540)) | 0;
  const oneQ2 = 1 << 29;
  for (let i = 0; i < 3; i++) {
    const hdx = srdhm(halfDenominator, x);
    const oneMinus = (oneQ2 - hdx) | 0;
    x = (x + satShiftLeft(srdhm(x, oneMinus), 2)) | 0;
  }
  return satShiftLeft(x, 1);
}

/** int8 out (zero point -128, scale 1/256) or int16 out (zero point -32768, scale 1/65536), as TFLite's Softmax
 * template: only the final shift and offset differ. */
export function softmaxS8(p: SoftmaxParams, rows: number, depth: number, input: Int8Array, output: Int8Array | Int16Array): void {
  const outBits = output instanceof Int16Array ? 16 : 8;
  const [outMin, outMax] = outBits === 16 ? [-32768, 32767] : [-128, 127];
  for (let r = 0; r < rows; r++) {
    const base = r * depth;
    let maxInRow = -128;
    for (let c = 0; c < depth; c++) maxInRow = Math.max(maxInRow, input[base + c]!);
    let sumOfExps = 0;
    // TFLite's MultiplyByQuantizedMultiplierGreaterThanOne: SRDHM(diff << shift) with double rounding
    const scaled = (diff: number) => mulByQuantizedMultiplier(diff, p.inputMultiplier, p.inputLeftShift, p.rounding);
    for (let c = 0; c < depth; c++) {
      const diff = input[base + c]! - maxInRow;
      if (diff >= p.diffMin) sumOfExps = (sumOfExps + roundingDivideByPot(expOnNegativeValuesQ5(scaled(diff)), ACCUM_INTEGER_BITS)) | 0;
    }
    const headroomPlusOne = countLeadingZeros(sumOfExps >>> 0);
    const numBitsOverUnit = ACCUM_INTEGER_BITS - headroomPlusOne;
    const shiftedSumMinusOne = ((sumOfExps << headroomPlusOne) - 0x80000000) | 0;
    const shiftedScale = oneOverOnePlusX(shiftedSumMinusOne);
    for (let c = 0; c < depth; c++) {
      const diff = input[base + c]! - maxInRow;
      if (diff >= p.diffMin) {
        const expIn0 = expOnNegativeValuesQ5(scaled(diff));
        const unsat = roundingDivideByPot(srdhm(shiftedScale, expIn0), numBitsOverUnit + 31 - outBits);
        output[base + c] = clamp(unsat + outMin, outMin, outMax);
      } else {
        output[base + c] = outMin;
      }
    }
  }
}
