// RESHAPE: the same bytes under another shape.
export function reshape(input: Uint8Array, output: Uint8Array): void {
  if (input !== output) output.set(input.subarray(0, output.length));
}
