// TRANSPOSE, int8 or int16, up to 4 dimensions (TFLite reference_ops Transpose, as TFLite Micro runs it), as
// firmware/kernels/transpose.c: output dimension k walks input dimension perm[k] (both right-aligned to 4); values copied.
import type { Shape4 } from "./padding.ts";

export function transpose(perm: readonly number[], inS: Shape4, input: Int8Array | Int16Array, output: Int8Array | Int16Array): void {
  const dims = [inS.n, inS.h, inS.w, inS.c];
  const stride = [dims[1]! * dims[2]! * dims[3]!, dims[2]! * dims[3]!, dims[3]!, 1];
  const od = perm.map((p) => dims[p]!);
  const s = perm.map((p) => stride[p]!);
  let o = 0;
  for (let a = 0; a < od[0]!; a++)
    for (let b = 0; b < od[1]!; b++)
      for (let c = 0; c < od[2]!; c++) for (let d = 0; d < od[3]!; d++) output[o++] = input[a * s[0]! + b * s[1]! + c * s[2]! + d * s[3]!]!;
}
