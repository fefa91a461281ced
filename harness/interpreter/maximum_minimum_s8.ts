// MAXIMUM and MINIMUM, int8: the larger (smaller) raw value, broadcast as TFLite does, as
// firmware/kernels/maximum_minimum_s8.c.
import type { Broadcast } from "./broadcast.ts";

export function maximumS8(bc: Broadcast, a: Int8Array, b: Int8Array, output: Int8Array): void {
  for (let i = 0; i < output.length; i++) output[i] = Math.max(a[bc.a[i]!]!, b[bc.b[i]!]!);
}

export function minimumS8(bc: Broadcast, a: Int8Array, b: Int8Array, output: Int8Array): void {
  for (let i = 0; i < output.length; i++) output[i] = Math.min(a[bc.a[i]!]!, b[bc.b[i]!]!);
}
