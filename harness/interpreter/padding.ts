// TFLite ComputePaddingHeightWidth: SAME pads (total / 2) before; VALID pads nothing.
export function paddingFor(padding: "SAME" | "VALID" | undefined, input: number, filter: number, stride: number, dilation: number, output: number): number {
  if (padding !== "SAME") return 0;
  const effective = (filter - 1) * dilation + 1;
  const total = (output - 1) * stride + effective - input;
  return total > 0 ? Math.floor(total / 2) : 0;
}

export interface Shape4 {
  n: number;
  h: number;
  w: number;
  c: number;
}

/** Right-aligned NHWC view of a shape of rank <= 4. */
export function shape4(shape: number[]): Shape4 {
  const d = [1, 1, 1, 1];
  shape.forEach((v, i) => (d[4 - shape.length + i] = v));
  return { n: d[0]!, h: d[1]!, w: d[2]!, c: d[3]! };
}
