// MAXIMUM and MINIMUM, int8, same shapes: the larger (smaller) raw value, as firmware/kernels/maximum_minimum_s8.c.
export function maximumS8(a: Int8Array, b: Int8Array, output: Int8Array): void {
  for (let i = 0; i < output.length; i++) output[i] = Math.max(a[i]!, b[i]!);
}

export function minimumS8(a: Int8Array, b: Int8Array, output: Int8Array): void {
  for (let i = 0; i < output.length; i++) output[i] = Math.min(a[i]!, b[i]!);
}
