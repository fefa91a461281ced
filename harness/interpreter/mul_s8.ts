// MUL, int8, same shapes (TFLite reference_integer_ops Mul), as firmware/kernels/mul_s8.c.
import { clamp, mulByQuantizedMultiplier, type Rounding } from "./quantization.ts";

export interface MulParams {
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  multiplier: number;
  shift: number;
  actMin: number;
  actMax: number;
  rounding: Rounding;
}

export function mulS8(p: MulParams, a: Int8Array, b: Int8Array, output: Int8Array): void {
  for (let i = 0; i < output.length; i++) {
    const prod = (a[i]! + p.input1Offset) * (b[i]! + p.input2Offset);
    output[i] = clamp(p.outputOffset + mulByQuantizedMultiplier(prod, p.multiplier, p.shift, p.rounding), p.actMin, p.actMax);
  }
}
