// MEAN over H and W of an NHWC int16 tensor (TFLite Micro's int16 MEAN: reference_ops QuantizedMeanOrSum), as
// firmware/kernels/mean_s16.c and model.c: 1 / count folded into the multiplier when the model is prepared, then the
// int32 sum requantised once. The int8 MEAN (mean_s8.ts) requantises, then divides.
import type { MeanParams } from "./mean_s8.ts";
import type { Shape4 } from "./padding.ts";
import { clamp, mulByQuantizedMultiplier } from "./quantization.ts";

/** TFLite's fold of 1 / count into a QuantizeMultiplier pair: k = floor(log2(count)) (at most 31 + shift), the
 * multiplier times 2^k divided by count (truncated), the shift less k. */
export function foldMeanCount(multiplier: number, shift: number, count: number): { multiplier: number; shift: number } {
  const k = Math.min(31 - Math.clz32(count), 32, 31 + shift);
  return { multiplier: Number((BigInt(multiplier) << BigInt(k)) / BigInt(count)), shift: shift - k };
}

/** The folded rule over int16, or over int8 (`meanInt8: "fold"`), saturated to the output type's range. */
export function meanHwFolded(p: MeanParams, inS: Shape4, input: Int16Array | Int8Array, output: Int16Array | Int8Array): void {
  const [lo, hi] = output instanceof Int8Array ? [-128, 127] : [-32768, 32767];
  const count = inS.h * inS.w;
  for (let n = 0; n < inS.n; n++)
    for (let c = 0; c < inS.c; c++) {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += input[(n * count + i) * inS.c + c]!;
      output[n * inS.c + c] = clamp(mulByQuantizedMultiplier(sum - p.inputZp * count, p.multiplier, p.shift, p.rounding) + p.outputZp, lo, hi);
    }
}
