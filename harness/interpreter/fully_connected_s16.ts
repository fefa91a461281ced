// FULLY_CONNECTED, int16x8: int16 activations, int8 weights (per-tensor or per-channel), int64 bias; a 64-bit sum
// requantised by the int64 MultiplyByQuantizedMultiplier (TFLite reference_integer_ops FullyConnected[PerChannel] for
// int16), as firmware/kernels/fully_connected_s16.c.
import type { FcParams } from "./fully_connected_s8.ts";
import { clamp, mulByQuantizedMultiplier64 } from "./quantization.ts";

export function fullyConnectedS16(
  p: FcParams,
  batches: number,
  depth: number,
  input: Int16Array,
  outDepth: number,
  weights: Int8Array,
  bias: BigInt64Array | undefined,
  output: Int16Array,
): void {
  for (let b = 0; b < batches; b++)
    for (let o = 0; o < outDepth; o++) {
      let acc = 0; // exact: |sum| < 2^53
      for (let i = 0; i < depth; i++) acc += (input[b * depth + i]! + p.inputOffset) * (weights[o * depth + i]! + p.filterOffset);
      if (bias) acc += Number(bias[o]!);
      const c = p.multiplier.length > 1 ? o : 0;
      output[b * outDepth + o] = clamp(mulByQuantizedMultiplier64(acc, p.multiplier[c]!, p.shift[c]!) + p.outputOffset, p.actMin, p.actMax);
    }
}
