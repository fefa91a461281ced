// gemmlowp's fixed-point exp, logistic and tanh on raw int32 values (Qm.(31-m): m integer bits), as TFLite Micro's
// int8 LOGISTIC and TANH compute them, bit for bit as firmware/kernels/fixed_point.c. Facts from gemmlowp's
// fixedpoint.h: a product of two values is SaturatingRoundingDoublingHighMul of the raws (integer bits add up), sums
// wrap, Rescale is a saturating shift left or a rounding shift right, and the constants are its Q0.31 / Q2.29 raws.
import { roundingDivideByPot, srdhm } from "./quantization.ts";

const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

const add = (a: number, b: number) => (a + b) | 0;
const sub = (a: number, b: number) => (a - b) | 0;

/** SaturatingRoundingMultiplyByPOT: x * 2^exponent, saturating to int32 going left, rounding to nearest going right. */
export function saturatingMultiplyByPot(x: number, exponent: number): number {
  if (exponent > 0) {
    const threshold = 2 ** (31 - exponent) - 1;
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return (x * 2 ** exponent) | 0;
  }
  return exponent < 0 ? roundingDivideByPot(x, -exponent) : x;
}

/** (a + b) / 2 rounded half away from zero, in 64 bits. */
function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2) | 0;
}

/** exp(a) for a in [-1/4, 0), Q0.31: a Taylor expansion around -1/8. */
function expOnIntervalNegativeQuarterTo0(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const oneThird = 715827883;
  const x = add(a, 1 << 28);
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = saturatingMultiplyByPot(x4, -2);
  const poly = saturatingMultiplyByPot(add(srdhm(add(x4Over4, x3), oneThird), x2), -1);
  return add(constantTerm, srdhm(constantTerm, add(x, poly)));
}

/** exp(-2^e) in Q0.31 for e = -2..4: the barrel shifter's factors. */
const EXP_FACTORS = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242];

/** exp(a) for a <= 0 given with `integerBits` (at most 5) integer bits; Q0.31. */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const quarter = 1 << (fractionalBits - 2);
  const aModQuarterMinusQuarter = sub(a & (quarter - 1), quarter);
  let result = expOnIntervalNegativeQuarterTo0(saturatingMultiplyByPot(aModQuarterMinusQuarter, integerBits));
  const remainder = sub(aModQuarterMinusQuarter, a);
  for (let e = -2; e <= 4; e++) {
    if (integerBits > e && ((remainder & (2 ** (fractionalBits + e))) | 0) !== 0) result = srdhm(result, EXP_FACTORS[e + 2]!);
  }
  return a === 0 ? INT32_MAX : result;
}

/** Newton-Raphson on half the denominator (1 + a) / 2, three steps, in Q2.29: 1 / (1 + a) (`minus` false) or
 * (1 - a) / (1 + a) (`minus` true) for a in (0, 1), Q0.31. */
function reciprocalStep(a: number, minus: boolean): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  let x = add(1515870810, srdhm(halfDenominator, -1010580540)); // 48/17 - 32/17 * d
  for (let i = 0; i < 3; i++) {
    const oneMinusDx = sub(1 << 29, srdhm(halfDenominator, x));
    x = add(x, saturatingMultiplyByPot(srdhm(x, oneMinusDx), 2));
  }
  return minus ? saturatingMultiplyByPot(sub(x, 1 << 29), 2) : saturatingMultiplyByPot(x, 1);
}

/** logistic(a) for a in Q4.27; Q0.31. */
export function logisticQ4(a: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const ofPositive = reciprocalStep(expOnNegativeValues(positive ? sub(0, a) : a, 4), false);
  return positive ? ofPositive : sub(INT32_MAX, ofPositive);
}

/** tanh(a) for a in Q4.27; Q0.31. */
export function tanhQ4(a: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  // -tanh(n) for n = -|a| <= 0, its exp taken as 2n (the same raw read with 5 integer bits)
  const t = reciprocalStep(expOnNegativeValues(negative ? a : sub(0, a), 5), true);
  return negative ? sub(0, t) : t;
}
