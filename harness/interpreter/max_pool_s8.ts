// MAX_POOL_2D, int8 or int16 (TFLite reference_integer_ops MaxPool), as firmware/kernels/max_pool_s8.c and max_pool_s16.c.
import type { PoolParams } from "./avg_pool_s8.ts";
import type { Shape4 } from "./padding.ts";
import { clamp } from "./quantization.ts";

export function maxPoolS8(p: PoolParams, inS: Shape4, input: Int8Array | Int16Array, outS: Shape4, output: Int8Array | Int16Array): void {
  const lowest = input instanceof Int16Array ? -32768 : -128;
  for (let b = 0; b < outS.n; b++)
    for (let oy = 0; oy < outS.h; oy++)
      for (let ox = 0; ox < outS.w; ox++)
        for (let c = 0; c < outS.c; c++) {
          const y0 = oy * p.strideH - p.padH;
          const x0 = ox * p.strideW - p.padW;
          let best = lowest;
          for (let fy = 0; fy < p.filterH; fy++) {
            const iy = y0 + fy;
            if (iy < 0 || iy >= inS.h) continue;
            for (let fx = 0; fx < p.filterW; fx++) {
              const ix = x0 + fx;
              if (ix < 0 || ix >= inS.w) continue;
              best = Math.max(best, input[((b * inS.h + iy) * inS.w + ix) * inS.c + c]!);
            }
          }
          output[((b * outS.h + oy) * outS.w + ox) * outS.c + c] = clamp(best, p.actMin, p.actMax);
        }
}
