// DEPTHWISE_CONV_2D, int8 per-channel (TFLite reference_integer_ops DepthwiseConvPerChannel).
import type { ConvParams } from "./conv_s8.ts";
import type { Shape4 } from "./padding.ts";
import { clamp, mulByQuantizedMultiplier } from "./quantization.ts";

export function depthwiseConvS8(
  p: ConvParams,
  inS: Shape4,
  input: Int8Array,
  fS: Shape4,
  weights: Int8Array,
  bias: Int32Array | undefined,
  outS: Shape4,
  output: Int8Array,
): void {
  const dm = p.depthMultiplier;
  for (let b = 0; b < outS.n; b++)
    for (let oy = 0; oy < outS.h; oy++)
      for (let ox = 0; ox < outS.w; ox++)
        for (let ic = 0; ic < inS.c; ic++)
          for (let m = 0; m < dm; m++) {
            const oc = ic * dm + m;
            const y0 = oy * p.strideH - p.padH;
            const x0 = ox * p.strideW - p.padW;
            let acc = 0;
            for (let fy = 0; fy < fS.h; fy++) {
              const iy = y0 + p.dilationH * fy;
              if (iy < 0 || iy >= inS.h) continue;
              for (let fx = 0; fx < fS.w; fx++) {
                const ix = x0 + p.dilationW * fx;
                if (ix < 0 || ix >= inS.w) continue;
                acc += (input[((b * inS.h + iy) * inS.w + ix) * inS.c + ic]! + p.inputOffset) * weights[(fy * fS.w + fx) * fS.c + oc]!;
              }
            }
            acc |= 0;
            if (bias) acc = (acc + bias[oc]!) | 0;
            acc = mulByQuantizedMultiplier(acc, p.multiplier[oc]!, p.shift[oc]!, p.rounding) + p.outputOffset;
            output[((b * outS.h + oy) * outS.w + ox) * outS.c + oc] = clamp(acc, p.actMin, p.actMax);
          }
}
