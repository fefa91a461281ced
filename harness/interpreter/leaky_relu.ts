// LEAKY_RELU, int8 or int16 (TFLite reference_ops QuantizeLeakyRelu, as TFLite Micro runs it), as
// firmware/kernels/leaky_relu_s8.c and leaky_relu_s16.c: requantised by input_scale / output_scale at and above the
// input's zero point, by input_scale * alpha / output_scale below (both worked out in single precision, as TFLite
// Micro's prepare; a negative alpha by magnitude, the product negated), clamped to the type.
import { clamp, mulByQuantizedMultiplier, quantizeMultiplier, type Rounding } from "./quantization.ts";

export interface LeakyReluParams {
  inputZp: number;
  outputZp: number;
  identityMultiplier: number;
  identityShift: number;
  alphaMultiplier: number;
  alphaShift: number;
  alphaNegative: boolean;
  rounding: Rounding;
}

export function leakyReluParams(
  inputScale: number,
  inputZp: number,
  outputScale: number,
  outputZp: number,
  alpha: number,
  rounding: Rounding,
): LeakyReluParams {
  const f = Math.fround;
  const alphaReal = f(f(inputScale * f(alpha)) / outputScale);
  const identity = quantizeMultiplier(f(inputScale / outputScale));
  const a = quantizeMultiplier(Math.abs(alphaReal));
  return {
    inputZp,
    outputZp,
    identityMultiplier: identity.multiplier,
    identityShift: identity.shift,
    alphaMultiplier: a.multiplier,
    alphaShift: a.shift,
    alphaNegative: alphaReal < 0,
    rounding,
  };
}

export function leakyRelu(p: LeakyReluParams, input: Int8Array | Int16Array, output: Int8Array | Int16Array): void {
  const [lo, hi] = output instanceof Int16Array ? [-32768, 32767] : [-128, 127];
  for (let i = 0; i < output.length; i++) {
    const v = input[i]! - p.inputZp;
    let y: number;
    if (v >= 0) y = p.outputZp + mulByQuantizedMultiplier(v, p.identityMultiplier, p.identityShift, p.rounding);
    else {
      const scaled = mulByQuantizedMultiplier(v, p.alphaMultiplier, p.alphaShift, p.rounding);
      y = p.outputZp + (p.alphaNegative ? -scaled : scaled);
    }
    output[i] = clamp(y, lo, hi);
  }
}
