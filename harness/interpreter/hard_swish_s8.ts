// HARD_SWISH, int8 (TFLite's reference_ops HardSwish, which TFLite Micro runs), as firmware/kernels/hard_swish_s8.c:
// x * relu6(x + 3) / 6 in 16-bit fixed point. The input on a "high-resolution" scale (x 2^7) is multiplied by two
// Q15 multipliers: one to the output scale, one to the "relu-ish" scale where 3.0 is 2^15, then mapped to [0, 1]
// and multiplied in, truncating (SaturatingDoublingHighMul, not the rounding one, as TFLite chose to cancel bias).
import { clamp, quantizeMultiplier } from "./quantization.ts";

export interface HardSwishParams {
  inputZp: number;
  outputZp: number;
  reluishMultiplier: number;
  reluishExponent: number;
  outputMultiplier: number;
  outputExponent: number;
}

/** TFLite's DownScaleInt32ToInt16Multiplier: a Q31 multiplier's top 16 bits, rounded. */
function toQ15(m: number): number {
  return m >= 0x7fffffff - (1 << 15) ? 0x7fff : (m + (1 << 15)) >> 16;
}

/** TFLite's prepare, in single precision where it is: refuses exponents its 16-bit arithmetic cannot take. */
export function hardSwishParams(inputScale: number, inputZp: number, outputScale: number, outputZp: number): HardSwishParams | string {
  const f = Math.fround;
  const hires = f(f(1 / 128) * f(inputScale));
  const out = quantizeMultiplier(f(hires / f(outputScale)));
  const reluish = quantizeMultiplier(f(hires / f(3 / 32768)));
  if (out.shift > 0 || out.shift < -15) return `output multiplier exponent ${out.shift} is outside -15..0`;
  if (reluish.shift > 15 || reluish.shift < -15) return `relu-ish multiplier exponent ${reluish.shift} is outside -15..15`;
  return {
    inputZp,
    outputZp,
    reluishMultiplier: toQ15(reluish.multiplier),
    reluishExponent: reluish.shift,
    outputMultiplier: toQ15(out.multiplier),
    outputExponent: out.shift,
  };
}

const i16 = (v: number) => (v << 16) >> 16;
const saturate16 = (v: number) => clamp(v, -32768, 32767);

function saturatingLeftShift16(v: number, amount: number): number {
  return saturate16(v * 2 ** amount);
}

/** gemmlowp's SaturatingRoundingDoublingHighMul on int16. */
function srdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  return i16(Math.trunc((ab + (ab >= 0 ? 1 << 14 : 1 - (1 << 14))) / 32768));
}

/** TFLite's SaturatingDoublingHighMul on int16: truncating toward zero. */
function sdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  return i16(Math.trunc((a * b) / 32768));
}

/** gemmlowp's RoundingDivideByPOT on int16. */
function roundingDivideByPot16(x: number, exponent: number): number {
  const mask = i16((1 << exponent) - 1);
  const threshold = i16((mask >> 1) + (x < 0 ? 1 : 0));
  return i16((x >> exponent) + ((x & mask) > threshold ? 1 : 0));
}

export function hardSwishS8(p: HardSwishParams, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < output.length; i++) {
    const hires = i16((input[i]! - p.inputZp) * 128);
    const preshiftOutput = srdhm16(hires, p.outputMultiplier);
    let reluish = hires;
    if (p.reluishExponent > 0) reluish = saturatingLeftShift16(reluish, p.reluishExponent - 1);
    reluish = srdhm16(reluish, p.reluishMultiplier);
    if (p.reluishExponent > 0) reluish = saturatingLeftShift16(reluish, 1);
    if (p.reluishExponent < 0) reluish = roundingDivideByPot16(reluish, -p.reluishExponent);
    reluish = i16((reluish + (1 << 15)) >> 1);
    const value = roundingDivideByPot16(sdhm16(reluish, preshiftOutput), -p.outputExponent);
    output[i] = clamp(i16(value + p.outputZp), -128, 127);
  }
}
