// MAXIMUM and MINIMUM, int8 or int16: the larger (smaller) raw value, broadcast as TFLite does, as
// firmware/kernels/maximum_minimum.c.
import type { Broadcast } from "./broadcast.ts";

type Ints = Int8Array | Int16Array;

export function maximum(bc: Broadcast, a: Ints, b: Ints, output: Ints): void {
  for (let i = 0; i < output.length; i++) output[i] = Math.max(a[bc.a[i]!]!, b[bc.b[i]!]!);
}

export function minimum(bc: Broadcast, a: Ints, b: Ints, output: Ints): void {
  for (let i = 0; i < output.length; i++) output[i] = Math.min(a[bc.a[i]!]!, b[bc.b[i]!]!);
}
