// LOGISTIC, int8 (TFLite Micro's reference_integer_ops Logistic), as firmware/kernels/logistic_s8.c; TANH
// (tanh_s8.ts) shares its parameters and loop: inputs beyond the radius saturate; the others are rescaled to Q4.27 (MultiplyByQuantizedMultiplier
// by input_scale * 2^27), go through gemmlowp's fixed-point function, and are rounded to the output's fixed scale:
// 1/256 with zero point -128 (LOGISTIC), 1/128 with zero point 0 (TANH).
import { logisticQ4 } from "./fixed-point.ts";
import { clamp, frexp, mulByQuantizedMultiplier, roundHalfAway, roundingDivideByPot, type Rounding } from "./quantization.ts";

export interface SigmoidParams {
  inputZp: number;
  /** |input - zero point| at or beyond which the output saturates. */
  radius: number;
  multiplier: number;
  /** A left shift (TFLite Micro's input_left_shift). */
  shift: number;
  rounding: Rounding;
}

/** TFLite Micro's prepare: input_scale * 2^27 as a Q31 multiplier and left shift, and the radius of
 * CalculateInputRadius(4 integer bits, shift, 31). Refuses what TFLite Micro's arithmetic would overflow on. */
export function sigmoidParams(inputScale: number, inputZp: number, rounding: Rounding): SigmoidParams | string {
  const [q, shift] = frexp(inputScale * 2 ** 27);
  const multiplier = roundHalfAway(q * 2 ** 31);
  if (multiplier >= 2 ** 31 || shift < 0 || shift > 30) return `input scale ${inputScale} is outside what the fixed-point kernel takes`;
  return { inputZp, radius: Math.floor((15 * 2 ** 27) / 2 ** shift), multiplier, shift, rounding };
}

/** The loop LOGISTIC and TANH share: saturate beyond the radius, else f on Q4.27, rounded to the output. */
export function sigmoidLike(p: SigmoidParams, input: Int8Array, output: Int8Array, f: (q4: number) => number, outShift: number, outZp: number): void {
  for (let i = 0; i < output.length; i++) {
    const x = input[i]! - p.inputZp;
    if (x <= -p.radius) output[i] = -128;
    else if (x >= p.radius) output[i] = 127;
    else output[i] = clamp(roundingDivideByPot(f(mulByQuantizedMultiplier(x, p.multiplier, p.shift, p.rounding)), outShift) + outZp, -128, 127);
  }
}

export function logisticS8(p: SigmoidParams, input: Int8Array, output: Int8Array): void {
  sigmoidLike(p, input, output, logisticQ4, 23, -128);
}
