// The wake-word front end, as MLPerf Tiny's kws01: 1 s of 16 kHz audio, 30 ms Hann frames every 20 ms (49 frames),
// 512-point FFT magnitude, 40 mel bands 20-4000 Hz, log, DCT-II, first 10 coefficients; quantised to int8 with
// the reference model's input parameters (scale 0.5847, zero point 83) so MLPerf's raw files go to the DUT as-is.
import { dct2, hann, melFilterbank, powerSpectrum } from "../../common/dsp.ts";

export const SAMPLE_RATE = 16000;
export const FRAME = 480;
export const HOP = 320;
export const FFT_SIZE = 512;
export const FRAMES = 49;
export const COEFFS = 10;
export const INPUT_SCALE = 0.5847;
export const INPUT_ZERO_POINT = 83;

const window = hann(FRAME);
const filters = melFilterbank(40, FFT_SIZE, SAMPLE_RATE, 20, 4000);

/** 49 x 10 MFCCs (frame-major) of 16000 samples in [-1, 1]. */
export function mfcc(audio: Float64Array): Float64Array {
  const out = new Float64Array(FRAMES * COEFFS);
  for (let f = 0; f < FRAMES; f++) {
    const p = powerSpectrum(audio.subarray(f * HOP, f * HOP + FRAME), window, FFT_SIZE);
    const mel = new Float64Array(filters.length);
    filters.forEach((fl, b) => {
      let e = 0;
      for (let k = 0; k < p.length; k++) e += fl[k]! * Math.sqrt(p[k]!);
      mel[b] = Math.log(e + 1e-6);
    });
    out.set(dct2(mel, COEFFS), f * COEFFS);
  }
  return out;
}

export function quantizeMfcc(m: Float64Array): Int8Array {
  return Int8Array.from(m, (v) => Math.max(-128, Math.min(127, Math.round(v / INPUT_SCALE) + INPUT_ZERO_POINT)));
}
