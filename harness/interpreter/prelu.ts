// PRELU, int8, or int16 with an int8 alpha (TFLite reference_ops BroadcastPrelu4DSlow, as TFLite Micro runs it), as
// firmware/kernels/prelu_s8.c and prelu_s16.c: at and above the input's zero point requantised by s_in/s_out, below the
// product with alpha (broadcast) by s_in*s_alpha/s_out, both multipliers from double, clamped to the type.
import type { Broadcast } from "./broadcast.ts";
import { clamp, mulByQuantizedMultiplier, quantizeMultiplier, type Rounding } from "./quantization.ts";

export interface PreluParams {
  inputOffset: number;
  alphaOffset: number;
  outputOffset: number;
  multiplier1: number;
  shift1: number;
  multiplier2: number;
  shift2: number;
  rounding: Rounding;
}

export function preluParams(s: number, zp: number, alphaScale: number, alphaZp: number, so: number, zpo: number, rounding: Rounding): PreluParams {
  const m1 = quantizeMultiplier(s / so);
  const m2 = quantizeMultiplier((s * alphaScale) / so);
  return {
    inputOffset: -zp,
    alphaOffset: -alphaZp,
    outputOffset: zpo,
    multiplier1: m1.multiplier,
    shift1: m1.shift,
    multiplier2: m2.multiplier,
    shift2: m2.shift,
    rounding,
  };
}

export function prelu(p: PreluParams, bc: Broadcast, input: Int8Array | Int16Array, alpha: Int8Array, output: Int8Array | Int16Array): void {
  const [lo, hi] = output instanceof Int16Array ? [-32768, 32767] : [-128, 127];
  for (let i = 0; i < output.length; i++) {
    const v = p.inputOffset + input[bc.a[i]!]!;
    const y =
      v >= 0
        ? mulByQuantizedMultiplier(v, p.multiplier1, p.shift1, p.rounding)
        : mulByQuantizedMultiplier(v * (p.alphaOffset + alpha[bc.b[i]!]!), p.multiplier2, p.shift2, p.rounding);
    output[i] = clamp(p.outputOffset + y, lo, hi);
  }
}
