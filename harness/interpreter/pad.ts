// PAD and PADV2, int8 or int16, up to 4 dimensions (TFLite reference_ops Pad), as firmware/kernels/pad.c: the pad value
// is PAD's output zero point (0 for int16) or PADV2's constant, raw.
import type { Shape4 } from "./padding.ts";

export interface PadParams {
  /** Elements added before each of N, H, W, C. */
  before: [number, number, number, number];
  padValue: number;
}

export function pad(p: PadParams, inS: Shape4, input: Int8Array | Int16Array, outS: Shape4, output: Int8Array | Int16Array): void {
  let o = 0;
  for (let n = 0; n < outS.n; n++)
    for (let y = 0; y < outS.h; y++)
      for (let x = 0; x < outS.w; x++)
        for (let c = 0; c < outS.c; c++) {
          const i0 = n - p.before[0],
            i1 = y - p.before[1],
            i2 = x - p.before[2],
            i3 = c - p.before[3];
          const inside = i0 >= 0 && i0 < inS.n && i1 >= 0 && i1 < inS.h && i2 >= 0 && i2 < inS.w && i3 >= 0 && i3 < inS.c;
          output[o++] = inside ? input[((i0 * inS.h + i1) * inS.w + i2) * inS.c + i3]! : p.padValue;
        }
}
