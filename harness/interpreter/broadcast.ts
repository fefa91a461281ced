// TFLite's broadcasting of an elementwise operator's two inputs (ADD, MUL, MAXIMUM, MINIMUM): numpy's rules, shapes
// right-aligned to 4 dimensions, each input dimension the output's or 1. The firmware does the same in
// firmware/runtime/model.c (broadcast_of) and walks it in each kernel; here each output element's two input indices
// are listed once, when the operator is prepared.
import { shape4 } from "./padding.ts";

export interface Broadcast {
  /** Per output element, in order: the index read from the first input and from the second. */
  a: Int32Array;
  b: Int32Array;
}

/** The input indices of every output element, or why the shapes do not broadcast. */
export function broadcastOf(aShape: number[], bShape: number[], outShape: number[]): Broadcast | string {
  if (Math.max(aShape.length, bShape.length, outShape.length) > 4) return "broadcasting over more than 4 dimensions is not supported";
  const dims = (s: number[]) => Object.values(shape4(s));
  const ad = dims(aShape),
    bd = dims(bShape),
    od = dims(outShape);
  const stepA = [0, 0, 0, 0],
    stepB = [0, 0, 0, 0];
  let sa = 1,
    sb = 1;
  for (let d = 3; d >= 0; d--) {
    if ((ad[d] !== od[d] && ad[d] !== 1) || (bd[d] !== od[d] && bd[d] !== 1) || od[d] !== Math.max(ad[d]!, bd[d]!)) {
      return `input shapes [${aShape.join(",")}] and [${bShape.join(",")}] do not broadcast to the output's [${outShape.join(",")}]`;
    }
    stepA[d] = ad[d] === 1 ? 0 : sa;
    stepB[d] = bd[d] === 1 ? 0 : sb;
    sa *= ad[d]!;
    sb *= bd[d]!;
  }
  const size = od.reduce((x, y) => x * y, 1);
  const a = new Int32Array(size),
    b = new Int32Array(size);
  let i = 0;
  for (let n = 0; n < od[0]!; n++)
    for (let h = 0; h < od[1]!; h++)
      for (let w = 0; w < od[2]!; w++)
        for (let c = 0; c < od[3]!; c++, i++) {
          a[i] = n * stepA[0]! + h * stepA[1]! + w * stepA[2]! + c * stepA[3]!;
          b[i] = n * stepB[0]! + h * stepB[1]! + w * stepB[2]! + c * stepB[3]!;
        }
  return { a, b };
}
