// REDUCE_MAX and REDUCE_MIN, int8 (TFLite reference_ops ReduceGeneric with a max / min compare, as TFLite Micro runs
// it), as firmware/kernels/reduce_max_min_s8.c: the largest (smallest) raw value over the reduced dimensions (bit d of
// `axes` for dimension d of the shape right-aligned to 4), input and output quantised alike.
import type { Shape4 } from "./padding.ts";

export function reduceMaxMinS8(inS: Shape4, input: Int8Array, axes: number, maximum: boolean, output: Int8Array): void {
  const dims = [inS.n, inS.h, inS.w, inS.c];
  const kept = dims.map((d, k) => ((axes >> k) & 1 ? 1 : d));
  const step = [0, 0, 0, 0];
  for (let d = 3, s = 1; d >= 0; s *= kept[d]!, d--) step[d] = (axes >> d) & 1 ? 0 : s;
  output.fill(maximum ? -128 : 127);
  let i = 0;
  for (let a = 0; a < dims[0]!; a++)
    for (let b = 0; b < dims[1]!; b++)
      for (let c = 0; c < dims[2]!; c++)
        for (let d = 0; d < dims[3]!; d++, i++) {
          const o = a * step[0]! + b * step[1]! + c * step[2]! + d * step[3]!;
          output[o] = maximum ? Math.max(output[o]!, input[i]!) : Math.min(output[o]!, input[i]!);
        }
}
