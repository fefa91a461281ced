// CONCATENATION, int8 or int16, no rescaling (every input has the output's quantisation), as
// firmware/kernels/concatenation_s8.c: for each index before the axis, each input's slice in turn.
export function concatenationS8<T extends Int8Array | Int16Array>(outer: number, inputs: T[], output: T): void {
  const inner = inputs.map((x) => x.length / outer);
  let o = 0;
  for (let i = 0; i < outer; i++)
    inputs.forEach((x, k) => {
      output.set(x.subarray(i * inner[k]!, (i + 1) * inner[k]!), o);
      o += inner[k]!;
    });
}
