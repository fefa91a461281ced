// CONV_2D and DEPTHWISE_CONV_2D, int16x8: int16 activations (zero point 0), per-channel int8 filters, int64 bias; a
// 64-bit sum requantised by the int64 MultiplyByQuantizedMultiplier, no offsets (TFLite reference_integer_ops
// ConvPerChannel / DepthwiseConvPerChannel for int16), as firmware/kernels/conv_s16.c and depthwise_conv_s16.c.
import type { ConvParams } from "./conv_s8.ts";
import type { Shape4 } from "./padding.ts";
import { clamp, mulByQuantizedMultiplier64 } from "./quantization.ts";

/** Sum over the filter window of output (b, oy, ox), reading input channel `ic` at weight index `w(fy, fx, ic)`. */
function windowSum(
  p: ConvParams,
  inS: Shape4,
  input: Int16Array,
  fS: Shape4,
  b: number,
  oy: number,
  ox: number,
  channels: number[],
  w: (fy: number, fx: number, ic: number) => number,
): number {
  let acc = 0;
  for (let fy = 0; fy < fS.h; fy++) {
    const iy = oy * p.strideH - p.padH + p.dilationH * fy;
    if (iy < 0 || iy >= inS.h) continue;
    for (let fx = 0; fx < fS.w; fx++) {
      const ix = ox * p.strideW - p.padW + p.dilationW * fx;
      if (ix < 0 || ix >= inS.w) continue; // zero padding contributes nothing
      const base = ((b * inS.h + iy) * inS.w + ix) * inS.c;
      for (const ic of channels) acc += input[base + ic]! * w(fy, fx, ic);
    }
  }
  return acc;
}

export function convS16(
  p: ConvParams,
  inS: Shape4,
  input: Int16Array,
  fS: Shape4,
  weights: Int8Array,
  bias: BigInt64Array | undefined,
  outS: Shape4,
  output: Int16Array,
  depthwise: boolean,
): void {
  const all = [...Array(inS.c).keys()];
  for (let b = 0; b < outS.n; b++)
    for (let oy = 0; oy < outS.h; oy++)
      for (let ox = 0; ox < outS.w; ox++)
        for (let oc = 0; oc < outS.c; oc++) {
          const acc = depthwise
            ? windowSum(p, inS, input, fS, b, oy, ox, [Math.floor(oc / p.depthMultiplier)], (fy, fx) => weights[(fy * fS.w + fx) * fS.c + oc]!)
            : windowSum(p, inS, input, fS, b, oy, ox, all, (fy, fx, ic) => weights[((oc * fS.h + fy) * fS.w + fx) * fS.c + ic]!);
          const v = mulByQuantizedMultiplier64(acc + (bias ? Number(bias[oc]!) : 0), p.multiplier[oc]!, p.shift[oc]!);
          output[((b * outS.h + oy) * outS.w + ox) * outS.c + oc] = clamp(v, p.actMin, p.actMax);
        }
}
