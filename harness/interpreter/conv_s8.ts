// CONV_2D, int8 per-channel (TFLite reference_integer_ops ConvPerChannel); same arithmetic as firmware/kernels/conv_s8.c.
import type { Shape4 } from "./padding.ts";
import { clamp, mulByQuantizedMultiplier, type Rounding } from "./quantization.ts";

export interface ConvParams {
  strideW: number;
  strideH: number;
  dilationW: number;
  dilationH: number;
  padW: number;
  padH: number;
  inputOffset: number;
  outputOffset: number;
  actMin: number;
  actMax: number;
  depthMultiplier: number;
  multiplier: Int32Array;
  shift: Int32Array;
  rounding: Rounding;
}

export function convS8(
  p: ConvParams,
  inS: Shape4,
  input: Int8Array,
  fS: Shape4,
  weights: Int8Array,
  bias: Int32Array | undefined,
  outS: Shape4,
  output: Int8Array,
): void {
  for (let b = 0; b < outS.n; b++)
    for (let oy = 0; oy < outS.h; oy++)
      for (let ox = 0; ox < outS.w; ox++) {
        const y0 = oy * p.strideH - p.padH;
        const x0 = ox * p.strideW - p.padW;
        for (let oc = 0; oc < outS.c; oc++) {
          let acc = 0;
          for (let fy = 0; fy < fS.h; fy++) {
            const iy = y0 + p.dilationH * fy;
            if (iy < 0 || iy >= inS.h) continue;
            for (let fx = 0; fx < fS.w; fx++) {
              const ix = x0 + p.dilationW * fx;
              if (ix < 0 || ix >= inS.w) continue;
              const ib = ((b * inS.h + iy) * inS.w + ix) * inS.c;
              const wb = ((oc * fS.h + fy) * fS.w + fx) * fS.c;
              for (let ic = 0; ic < inS.c; ic++) acc += (input[ib + ic]! + p.inputOffset) * weights[wb + ic]!;
            }
          }
          acc |= 0;
          if (bias) acc = (acc + bias[oc]!) | 0;
          acc = mulByQuantizedMultiplier(acc, p.multiplier[oc]!, p.shift[oc]!, p.rounding) + p.outputOffset;
          output[((b * outS.h + oy) * outS.w + ox) * outS.c + oc] = clamp(acc, p.actMin, p.actMax);
        }
      }
}
