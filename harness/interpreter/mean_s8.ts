// MEAN over H and W of an NHWC int8 tensor (Keras' global average pooling; TFLite reference_integer_ops Mean), as
// firmware/kernels/mean_s8.c: the offset sum requantised, divided by the count rounding half away from zero. With
// `meanInt8: "fold"` (the firmware's MEAN_INT8=fold) the interpreter runs current TFLite Micro's rule instead, the
// int16 kernel's (mean_s16.ts) in the int8 range.
import type { Shape4 } from "./padding.ts";
import { clamp, mulByQuantizedMultiplier, type Rounding } from "./quantization.ts";

/** int8 MEAN's rule: `divide` (TFLite's reference_integer_ops::Mean, its interpreter's kernel) or `fold` (current
 * TFLite Micro's QuantizedMeanOrSum: 1 / count folded into the multiplier). */
export type MeanInt8Rule = "divide" | "fold";

export interface MeanParams {
  inputZp: number;
  outputZp: number;
  multiplier: number;
  shift: number;
  rounding: Rounding;
}

export function meanHwS8(p: MeanParams, inS: Shape4, input: Int8Array, output: Int8Array): void {
  const count = inS.h * inS.w;
  const half = Math.trunc(count / 2);
  for (let n = 0; n < inS.n; n++)
    for (let c = 0; c < inS.c; c++) {
      let acc = 0;
      for (let i = 0; i < count; i++) acc += input[(n * count + i) * inS.c + c]! - p.inputZp;
      acc = mulByQuantizedMultiplier(acc, p.multiplier, p.shift, p.rounding);
      acc = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
      output[n * inS.c + c] = clamp(acc + p.outputZp, -128, 127);
    }
}
