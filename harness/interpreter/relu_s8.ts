// RELU, RELU6, RELU_N1_TO_1 as standalone int8 operators, RELU and RELU6 also int16 (TFLite reference_ops ReluX), as
// firmware/kernels/relu_s8.c and relu_s16.c: requantised to the output's scale, then clamped to the activation's range.
import { clamp, mulByQuantizedMultiplier, type Rounding } from "./quantization.ts";

export interface ReluParams {
  inputZp: number;
  outputOffset: number;
  multiplier: number;
  shift: number;
  actMin: number;
  actMax: number;
  rounding: Rounding;
}

export function reluS8(p: ReluParams, input: Int8Array | Int16Array, output: Int8Array | Int16Array): void {
  for (let i = 0; i < output.length; i++) {
    output[i] = clamp(p.outputOffset + mulByQuantizedMultiplier(input[i]! - p.inputZp, p.multiplier, p.shift, p.rounding), p.actMin, p.actMax);
  }
}
