// STRIDED_SLICE of int8 or int16 data, up to 4 dimensions (TFLite reference_ops StridedSlice, as TFLite Micro runs it),
// as firmware/kernels/strided_slice.c and model.c's prepare_strided_slice: per dimension (right-aligned to 4) a start,
// a stop that is not taken and a step of either sign, from TFLite's StridedSliceStartForAxis / StridedSliceEndForAxis.
import type { Shape4 } from "./padding.ts";

export interface StridedSliceParams {
  start: number[];
  stop: number[];
  step: number[];
  /** Each dimension's extent in the walk (1 for a shrunk axis) */
  extent: number[];
}

export interface StridedSliceOptions {
  beginMask: number;
  endMask: number;
  shrinkAxisMask: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The walk for an input shape, or why not. */
export function stridedSliceParams(
  shape: number[],
  begin: Int32Array,
  end: Int32Array,
  strides: Int32Array,
  o: StridedSliceOptions,
): StridedSliceParams | string {
  const lead = 4 - shape.length;
  const p: StridedSliceParams = { start: [0, 0, 0, 0], stop: [1, 1, 1, 1], step: [1, 1, 1, 1], extent: [1, 1, 1, 1] };
  for (let k = 0; k < shape.length; k++) {
    const size = shape[k]!;
    const step = strides[k]!;
    if (step === 0) return "a stride of 0";
    let b = begin[k]! < 0 ? begin[k]! + size : begin[k]!;
    b = step > 0 ? clamp(b, 0, size) : clamp(b, -1, size - 1);
    if ((o.beginMask >> k) & 1) b = step > 0 ? 0 : size - 1;
    let e: number;
    if ((o.shrinkAxisMask >> k) & 1) e = b >= size ? b : b + 1;
    else {
      e = end[k]! < 0 ? end[k]! + size : end[k]!;
      e = step > 0 ? clamp(e, 0, size) : clamp(e, -1, size - 1);
      if ((o.endMask >> k) & 1) e = step > 0 ? size : -1;
    }
    p.start[lead + k] = b;
    p.stop[lead + k] = e;
    p.step[lead + k] = step;
    p.extent[lead + k] = Math.max(0, Math.ceil((e - b) / step));
  }
  return p;
}

export function stridedSlice(p: StridedSliceParams, inS: Shape4, input: Int8Array | Int16Array, output: Int8Array | Int16Array): void {
  const s = [inS.h * inS.w * inS.c, inS.w * inS.c, inS.c, 1];
  let o = 0;
  const walk = (axis: number, base: number) => {
    for (let n = 0, i = p.start[axis]!; n < p.extent[axis]!; n++, i += p.step[axis]!) {
      if (axis === 3) output[o++] = input[base + i]!;
      else walk(axis + 1, base + i * s[axis]!);
    }
  };
  walk(0, 0);
}
