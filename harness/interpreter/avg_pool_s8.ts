// AVERAGE_POOL_2D, int8 or int16 (TFLite reference_integer_ops AveragePool): mean over the in-bounds window, rounded
// half away from zero; as firmware/kernels/avg_pool_s8.c and avg_pool_s16.c.
import type { Shape4 } from "./padding.ts";
import { clamp } from "./quantization.ts";

export interface PoolParams {
  strideW: number;
  strideH: number;
  filterW: number;
  filterH: number;
  padW: number;
  padH: number;
  actMin: number;
  actMax: number;
}

export function avgPoolS8(p: PoolParams, inS: Shape4, input: Int8Array | Int16Array, outS: Shape4, output: Int8Array | Int16Array): void {
  for (let b = 0; b < outS.n; b++)
    for (let oy = 0; oy < outS.h; oy++)
      for (let ox = 0; ox < outS.w; ox++)
        for (let c = 0; c < outS.c; c++) {
          const y0 = oy * p.strideH - p.padH;
          const x0 = ox * p.strideW - p.padW;
          const fy0 = Math.max(0, -y0),
            fx0 = Math.max(0, -x0);
          const fy1 = Math.min(p.filterH, inS.h - y0),
            fx1 = Math.min(p.filterW, inS.w - x0);
          let sum = 0;
          let count = 0;
          for (let fy = fy0; fy < fy1; fy++)
            for (let fx = fx0; fx < fx1; fx++) {
              sum += input[((b * inS.h + y0 + fy) * inS.w + x0 + fx) * inS.c + c]!;
              count++;
            }
          if (count === 0) count = 1;
          const avg = sum > 0 ? Math.trunc((sum + Math.trunc(count / 2)) / count) : Math.trunc((sum - Math.trunc(count / 2)) / count);
          output[((b * outS.h + oy) * outS.w + ox) * outS.c + c] = clamp(avg, p.actMin, p.actMax);
        }
}
