// MAXIMUM and MINIMUM, int8 or int16: the larger (smaller) raw value, broadcast as TFLite does, as
// firmware/kernels/maximum_minimum_s8.c and maximum_minimum_s16.c.
import type { Broadcast } from "./broadcast.ts";

type Ints = Int8Array | Int16Array;

export function maximumS8(bc: Broadcast, a: Ints, b: Ints, output: Ints): void {
  for (let i = 0; i < output.length; i++) output[i] = Math.max(a[bc.a[i]!]!, b[bc.b[i]!]!);
}

export function minimumS8(bc: Broadcast, a: Ints, b: Ints, output: Ints): void {
  for (let i = 0; i < output.length; i++) output[i] = Math.min(a[bc.a[i]!]!, b[bc.b[i]!]!);
}
