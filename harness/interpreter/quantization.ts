// TFLite's integer requantisation, bit for bit as the firmware's quant_math.c: int32 wrap-around where C wraps,
// the 64-bit product of SaturatingRoundingDoublingHighMul computed exactly without BigInt.

const TWO31 = 2 ** 31;

/** multiplier * 2^shift approximates real (TFLite QuantizeMultiplier: frexp, round to Q31). */
export function quantizeMultiplier(real: number): { multiplier: number; shift: number } {
  if (real === 0) return { multiplier: 0, shift: 0 };
  let [q, exp] = frexp(real);
  let qFixed = roundHalfAway(q * TWO31);
  if (qFixed === TWO31) {
    qFixed /= 2;
    exp++;
  }
  if (exp < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: qFixed, shift: exp };
}

/** C's frexp: value = mantissa * 2^exp with |mantissa| in [0.5, 1). */
export function frexp(value: number): [number, number] {
  if (value === 0 || !Number.isFinite(value)) return [value, 0];
  const abs = Math.abs(value);
  let exp = Math.max(-1073, Math.floor(Math.log2(abs)) + 1);
  let m = abs * 2 ** -exp;
  while (m < 0.5) {
    m *= 2;
    exp--;
  }
  while (m >= 1) {
    m *= 0.5;
    exp++;
  }
  return [value < 0 ? -m : m, exp];
}

/** C's round(): half away from zero. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** SaturatingRoundingDoublingHighMul(a, b) = round(a * b / 2^31), nudged as gemmlowp, truncated toward zero. */
export function srdhm(a: number, b: number): number {
  if (a === -TWO31 && b === -TWO31) return TWO31 - 1;
  // a*b = p1 * 2^16 + p0, both exact in doubles
  const bl = b & 0xffff;
  const bh = (b - bl) / 65536;
  const p1 = a * bh;
  const p0 = a * bl;
  const ab = p1 * 65536 + p0; // approximate; its sign is exact
  const nudge = ab >= 0 ? 1 << 30 : 1 - (1 << 30);
  // p1 = q1 * 2^15 + r1, then ab + nudge = q1 * 2^31 + s with s exact
  const q1 = Math.floor(p1 / 32768);
  const r1 = p1 - q1 * 32768;
  const s = r1 * 65536 + p0 + nudge;
  const total = q1 * TWO31 + s;
  return (total >= 0 ? q1 + Math.floor(s / TWO31) : q1 + Math.ceil(s / TWO31)) | 0;
}

export function roundingDivideByPot(x: number, exponent: number): number {
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return ((x >> exponent) + (remainder > threshold ? 1 : 0)) | 0;
}

/**
 * The requantisation rounding (docs/architecture.md "Rounding"): `double` is TFLite Micro's and CMSIS-NN's default
 * (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT), `single` TFLite's TFLITE_SINGLE_ROUNDING (the 64-bit
 * product rounded once, half up). The firmware's build option ROUNDING matches it.
 */
export type Rounding = "double" | "single";

/** MultiplyByQuantizedMultiplier(x, multiplier, shift) under the given rounding rule. */
export function mulByQuantizedMultiplier(x: number, multiplier: number, shift: number, rounding: Rounding = "double"): number {
  if (rounding === "single") return singleRounding(x, multiplier, 31 - shift);
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPot(srdhm((x << left) | 0, multiplier), right);
}

/** floor((x * m + 2^(t-1)) / 2^t) exactly, wrapped to int32 as C's cast. With m = mh * 2^16 + ml, x * m = p1 * 2^16 + p0
 * (both products exact in doubles), and for t >= 17 floor((p1 * 2^16 + p0 + 2^(t-1)) / 2^t) =
 * floor((p1 + 2^(t-17) + floor(p0 / 2^16)) / 2^(t-16)), whose terms stay below 2^48. */
function singleRounding(x: number, m: number, t: number): number {
  if (t < 17) {
    const total = BigInt(t);
    return Number(BigInt.asIntN(32, (BigInt(x) * BigInt(m) + (1n << (total - 1n))) >> total));
  }
  const ml = m & 0xffff;
  const mh = (m - ml) / 65536;
  const sum = x * mh + 2 ** (t - 17) + Math.floor((x * ml) / 65536);
  return Math.floor(sum / 2 ** (t - 16)) | 0;
}

/** MultiplyByQuantizedMultiplier for a 64-bit accumulator (TFLite's int16x8 kernels; firmware/kernels/quant_math.c):
 * the Q31 multiplier rounded to Q15, then (x * m15 + 2^(14 - shift)) >> (15 - shift), one rounding half up under
 * either rounding rule. `x` is an integer below 2^53 in magnitude (TFLite bounds it by 2^47). */
export function mulByQuantizedMultiplier64(x: number, multiplier: number, shift: number): number {
  const m15 = multiplier < 0x7fff0000 ? (multiplier + 32768) >> 16 : 0x7fff;
  const total = BigInt(15 - shift);
  return Number(BigInt.asIntN(32, (BigInt(x) * BigInt(m15) + (1n << (total - 1n))) >> total));
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** TFLite CalculateActivationRangeQuantized for an int8 (or, `bits` 16, int16) output. */
export function activationRange(activation: string | undefined, scale: number, zeroPoint: number, bits: 8 | 16 = 8): [number, number] {
  let lo = bits === 16 ? -32768 : -128;
  let hi = bits === 16 ? 32767 : 127;
  const q = (f: number) => zeroPoint + roundHalfAway(Math.fround(f / Math.fround(scale)));
  if (activation === "RELU") lo = Math.max(lo, zeroPoint);
  else if (activation === "RELU6") {
    lo = Math.max(lo, zeroPoint);
    hi = Math.min(hi, q(6));
  } else if (activation === "RELU_N1_TO_1") {
    lo = Math.max(lo, q(-1));
    hi = Math.min(hi, q(1));
  }
  return [lo, hi];
}
