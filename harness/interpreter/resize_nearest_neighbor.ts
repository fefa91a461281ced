// RESIZE_NEAREST_NEIGHBOR, int8 or int16, 4-D (TFLite reference_ops ResizeNearestNeighbor, as TFLite Micro runs it), as
// firmware/kernels/resize_nearest_neighbor.c: each output pixel copies the input pixel TFLite's GetNearestNeighbor
// picks, in single precision as it does; values are copied, not requantised.
import type { Shape4 } from "./padding.ts";

export interface ResizeParams {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

function nearest(p: ResizeParams, i: number, inSize: number, outSize: number): number {
  const f = Math.fround;
  const scale = p.alignCorners && outSize > 1 ? f((inSize - 1) / (outSize - 1)) : f(inSize / outSize);
  const at = f(f(i + (p.halfPixelCenters ? 0.5 : 0)) * scale);
  // round half away from zero (C's roundf; `at` is never negative)
  const v = Math.min(p.alignCorners ? Math.floor(at + 0.5) : Math.floor(at), inSize - 1);
  return Math.max(0, v);
}

export function resizeNearestNeighbor(p: ResizeParams, inS: Shape4, input: Int8Array | Int16Array, outS: Shape4, output: Int8Array | Int16Array): void {
  let o = 0;
  for (let n = 0; n < outS.n; n++)
    for (let y = 0; y < outS.h; y++) {
      const iy = nearest(p, y, inS.h, outS.h);
      for (let x = 0; x < outS.w; x++) {
        const from = ((n * inS.h + iy) * inS.w + nearest(p, x, inS.w, outS.w)) * inS.c;
        output.set(input.subarray(from, from + inS.c), o);
        o += inS.c;
      }
    }
}
