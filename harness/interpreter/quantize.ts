// QUANTIZE (TFLite reference_ops AffineQuantize, divided in double, rounded half away from zero; and Requantize).
import { clamp, mulByQuantizedMultiplier, roundHalfAway, type Rounding } from "./quantization.ts";

export function quantizeF32S8(input: Float32Array, scale: number, zeroPoint: number, output: Int8Array): void {
  for (let i = 0; i < input.length; i++) output[i] = clamp(roundHalfAway(input[i]! / scale) + zeroPoint, -128, 127);
}

export function requantizeS8(input: Int8Array, inputZp: number, multiplier: number, shift: number, outputZp: number, output: Int8Array, rounding: Rounding = "double"): void {
  for (let i = 0; i < input.length; i++) output[i] = clamp(mulByQuantizedMultiplier(input[i]! - inputZp, multiplier, shift, rounding) + outputZp, -128, 127);
}
