// TANH, int8 (TFLite Micro's reference_integer_ops Tanh), as firmware/kernels/tanh_s8.c: LOGISTIC's parameters and
// loop (logistic_s8.ts) with gemmlowp's fixed-point tanh, rounded to the output's scale 1/128, zero point 0.
import { tanhQ4 } from "./fixed-point.ts";
import { sigmoidLike, type SigmoidParams } from "./logistic_s8.ts";

export function tanhS8(p: SigmoidParams, input: Int8Array, output: Int8Array): void {
  sigmoidLike(p, input, output, tanhQ4, 24, 0);
}
