// FULLY_CONNECTED, int8, per-tensor or per-channel weights (TFLite reference_integer_ops FullyConnected and
// FullyConnectedPerChannel: output row o requantised with its own multiplier and shift).
import { clamp, mulByQuantizedMultiplier, type Rounding } from "./quantization.ts";

export interface FcParams {
  inputOffset: number;
  filterOffset: number;
  outputOffset: number;
  /** Per output row: one entry per row for per-channel weights, a single entry (every row's) for per-tensor. */
  multiplier: Int32Array;
  shift: Int32Array;
  rounding: Rounding;
  actMin: number;
  actMax: number;
}

export function fullyConnectedS8(
  p: FcParams,
  batches: number,
  depth: number,
  input: Int8Array,
  outDepth: number,
  weights: Int8Array,
  bias: Int32Array | undefined,
  output: Int8Array,
): void {
  for (let b = 0; b < batches; b++)
    for (let o = 0; o < outDepth; o++) {
      let acc = 0;
      const xb = b * depth;
      const wb = o * depth;
      for (let i = 0; i < depth; i++) acc += (input[xb + i]! + p.inputOffset) * (weights[wb + i]! + p.filterOffset);
      acc |= 0;
      if (bias) acc = (acc + bias[o]!) | 0;
      const c = p.multiplier.length > 1 ? o : 0;
      acc = mulByQuantizedMultiplier(acc, p.multiplier[c]!, p.shift[c]!, p.rounding) + p.outputOffset;
      output[b * outDepth + o] = clamp(acc, p.actMin, p.actMax);
    }
}
