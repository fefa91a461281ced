// CONCATENATION, int8, no rescaling (TFLite's int8 kernel requires the output's quantisation on every input), as
// firmware/kernels/concatenation_s8.c: for each index before the axis, each input's slice in turn.
export function concatenationS8(outer: number, inputs: Int8Array[], output: Int8Array): void {
  const inner = inputs.map((x) => x.length / outer);
  let o = 0;
  for (let i = 0; i < outer; i++)
    inputs.forEach((x, k) => {
      output.set(x.subarray(i * inner[k]!, (i + 1) * inner[k]!), o);
      o += inner[k]!;
    });
}
