// Signal processing shared by the audio workloads' feature extractors: FFT, Hann window, mel filterbank, DCT.

/** In-place iterative radix-2 FFT of (re, im); length a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n & (n - 1)) throw new Error(`FFT length ${n} is not a power of two`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k),
          wi = Math.sin(ang * k);
        const ar = re[i + k + len / 2]!,
          ai = im[i + k + len / 2]!;
        const tr = ar * wr - ai * wi,
          ti = ar * wi + ai * wr;
        re[i + k + len / 2] = re[i + k]! - tr;
        im[i + k + len / 2] = im[i + k]! - ti;
        re[i + k] = re[i + k]! + tr;
        im[i + k] = im[i + k]! + ti;
      }
    }
  }
}

/** Periodic Hann window of length n (as librosa/TensorFlow use for STFTs). */
export function hann(n: number, periodic = true): Float64Array {
  const d = periodic ? n : n - 1;
  return Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / d));
}

export const hzToMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
export const melToHz = (mel: number) => 700 * (10 ** (mel / 2595) - 1);

/** Triangular mel filters (HTK mel scale) over the bins of an nFft-point spectrum: [bands][nFft/2+1]. */
export function melFilterbank(bands: number, nFft: number, sampleRate: number, fMin: number, fMax: number): Float64Array[] {
  const bins = nFft / 2 + 1;
  const mels = Array.from({ length: bands + 2 }, (_, i) => hzToMel(fMin) + ((hzToMel(fMax) - hzToMel(fMin)) * i) / (bands + 1));
  const hz = mels.map(melToHz);
  return Array.from({ length: bands }, (_, b) => {
    const f = new Float64Array(bins);
    for (let k = 0; k < bins; k++) {
      const freq = (k * sampleRate) / nFft;
      const lo = hz[b]!,
        mid = hz[b + 1]!,
        hi = hz[b + 2]!;
      if (freq > lo && freq < hi) f[k] = freq <= mid ? (freq - lo) / (mid - lo) : (hi - freq) / (hi - mid);
    }
    return f;
  });
}

/** Power spectrum |X|^2 of one windowed frame. */
export function powerSpectrum(frame: Float64Array, window: Float64Array, nFft: number): Float64Array {
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  for (let i = 0; i < frame.length; i++) re[i] = frame[i]! * window[i]!;
  fft(re, im);
  return Float64Array.from({ length: nFft / 2 + 1 }, (_, k) => re[k]! ** 2 + im[k]! ** 2);
}

/** Orthonormal DCT-II of x, first `count` coefficients. */
export function dct2(x: Float64Array, count: number): Float64Array {
  const n = x.length;
  return Float64Array.from({ length: count }, (_, k) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i]! * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
    return s * Math.sqrt((k === 0 ? 1 : 2) / n);
  });
}
