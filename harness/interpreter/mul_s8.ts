// MUL, int8 or int16 (TFLite reference_integer_ops Mul, broadcast as TFLite does; int16 clamps to its range through
// actMin/actMax), as firmware/kernels/mul_s8.c and mul_s16.c.
import type { Broadcast } from "./broadcast.ts";
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

export function mulS8(p: MulParams, bc: Broadcast, a: Int8Array | Int16Array, b: Int8Array | Int16Array, output: Int8Array | Int16Array): void {
  for (let i = 0; i < output.length; i++) {
    const prod = (a[bc.a[i]!]! + p.input1Offset) * (b[bc.b[i]!]! + p.input2Offset);
    output[i] = clamp(p.outputOffset + mulByQuantizedMultiplier(prod, p.multiplier, p.shift, p.rounding), p.actMin, p.actMax);
  }
}
