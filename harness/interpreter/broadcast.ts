// TFLite's broadcasting of an elementwise operator's two inputs (ADD, MUL, MAXIMUM, MINIMUM): numpy's rules, shapes
// right-aligned to 6 dimensions (TFLite Micro's ADD and MUL take up to 6; the interpreter refuses more than 4 for
// every other operator), each input dimension the output's or 1. The firmware does the same in
// firmware/runtime/model.c (tr_broadcast_shapes) and walks it in each kernel; here each output element's two input
// indices are listed once, when the operator is prepared.

export interface Broadcast {
  /** Per output element, in order: the index read from the first input and from the second. */
  a: Int32Array;
  b: Int32Array;
}

const DIMS = 6;

/** The input indices of every output element, or why the shapes do not broadcast. */
export function broadcastOf(aShape: number[], bShape: number[], outShape: number[]): Broadcast | string {
  if (Math.max(aShape.length, bShape.length, outShape.length) > DIMS) return `broadcasting over more than ${DIMS} dimensions is not supported`;
  const dims = (s: number[]) => [...Array<number>(DIMS - s.length).fill(1), ...s];
  const ad = dims(aShape),
    bd = dims(bShape),
    od = dims(outShape);
  const stepA = new Array<number>(DIMS).fill(0),
    stepB = new Array<number>(DIMS).fill(0);
  let sa = 1,
    sb = 1;
  for (let d = DIMS - 1; d >= 0; d--) {
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
  // an odometer over the output's dimensions, the last fastest
  const pos = new Array<number>(DIMS).fill(0);
  let ia = 0,
    ib = 0;
  for (let i = 0; i < size; i++) {
    a[i] = ia;
    b[i] = ib;
    for (let d = DIMS - 1; d >= 0; d--) {
      ia += stepA[d]!;
      ib += stepB[d]!;
      if (++pos[d]! < od[d]!) break;
      ia -= stepA[d]! * od[d]!;
      ib -= stepB[d]! * od[d]!;
      pos[d] = 0;
    }
  }
  return { a, b };
}
