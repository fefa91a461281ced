// ABS, int8 or int16 (TFLite Micro's AbsEvalQuantized), as firmware/kernels/abs.c: |x - input zero point|, requantised
// by input_scale / output_scale (the single-precision quotient) only where the scales differ, plus the output zero
// point, clamped to the type.
import { clamp, mulByQuantizedMultiplier, quantizeMultiplier, type Rounding } from "./quantization.ts";

export interface AbsParams {
  inputZp: number;
  outputZp: number;
  rescale: boolean;
  multiplier: number;
  shift: number;
  rounding: Rounding;
}

export function absParams(inputScale: number, inputZp: number, outputScale: number, outputZp: number, rounding: Rounding): AbsParams {
  const rescale = Math.fround(inputScale) !== Math.fround(outputScale);
  const q = rescale ? quantizeMultiplier(Math.fround(inputScale / outputScale)) : { multiplier: 0, shift: 0 };
  return { inputZp, outputZp, rescale, multiplier: q.multiplier, shift: q.shift, rounding };
}

export function abs(p: AbsParams, input: Int8Array | Int16Array, output: Int8Array | Int16Array): void {
  const [lo, hi] = output instanceof Int16Array ? [-32768, 32767] : [-128, 127];
  for (let i = 0; i < output.length; i++) {
    const a = Math.abs(input[i]! - p.inputZp);
    output[i] = clamp(p.outputZp + (p.rescale ? mulByQuantizedMultiplier(a, p.multiplier, p.shift, p.rounding) : a), lo, hi);
  }
}
