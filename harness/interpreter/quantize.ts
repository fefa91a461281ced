// QUANTIZE: float32 -> int8 (TFLite's QUANTIZE kernel: x / scale, rounded half away from zero, + zero point; the
// division in double as TFLite's builtin kernel does, or in float as its reference AffineQuantize does) and int8 ->
// int8 (TFLite reference_ops Requantize). As firmware/kernels/quantize.c, which computes the double one in float
// exactly; NaN quantises to the zero point there and here.
import { clamp, mulByQuantizedMultiplier, roundHalfAway, type Rounding } from "./quantization.ts";

/** Precision of QUANTIZE's float32 division (docs/architecture.md "QUANTIZE"); the firmware's QUANTIZE_DIVISION. */
export type QuantizeDivision = "double" | "float";

/** float32 -> int8 or (an Int16Array output) int16. */
export function quantizeF32S8(
  input: Float32Array,
  scale: number,
  zeroPoint: number,
  output: Int8Array | Int16Array,
  division: QuantizeDivision = "double",
): void {
  const [lo, hi] = output instanceof Int16Array ? [-32768, 32767] : [-128, 127];
  for (let i = 0; i < input.length; i++) {
    // a float division is the double quotient rounded to float (double has more than 2 x 24 + 2 bits)
    const q = division === "float" ? Math.fround(input[i]! / scale) : input[i]! / scale;
    output[i] = Number.isNaN(q) ? clamp(zeroPoint, lo, hi) : clamp(roundHalfAway(q) + zeroPoint, lo, hi);
  }
}

/** int8 or int16 -> int8 or int16, by the arrays' types (TFLite reference_ops Requantize). */
export function requantizeS8(
  input: Int8Array | Int16Array,
  inputZp: number,
  multiplier: number,
  shift: number,
  outputZp: number,
  output: Int8Array | Int16Array,
  rounding: Rounding = "double",
): void {
  const [lo, hi] = output instanceof Int16Array ? [-32768, 32767] : [-128, 127];
  for (let i = 0; i < input.length; i++) output[i] = clamp(mulByQuantizedMultiplier(input[i]! - inputZp, multiplier, shift, rounding) + outputZp, lo, hi);
}
