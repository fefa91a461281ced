// Log-mel filterbank energies (LFBE) as MLPerf Tiny's sww01 computes them, in fixed point: bit-exact with the
// firmware's firmware/core/lfbe.c, which uses the tables this module writes (firmware/core/lfbe_tables.h).
//
// MLPerf's recipe, per hop of 512 samples (32 ms) on a 1024-sample window: pre-emphasis y[n] = x[n] - 0.96875 x[n-1]
// over the continuous stream, Hamming window, 1024-point FFT, power |X|^2 / 1024, 40 mel bands 0-8 kHz (TensorFlow's
// linear_to_mel_weight_matrix: mel = 1127 ln(1 + f/700), 42 edges, no DC, no normalisation), 10 log10 (floor
// 1e-30), f = clip((L + 52) / 64, 0, 1), then int8 with the model input's scale and zero point.
//
// Here, all integer (every product below 2^53, so TypeScript's doubles hold it exactly; the C side uses int64):
//   e[n] = 32 x[n] - 31 x[n-1]                      (pre-emphasis, Q5: 0.96875 = 31/32 exactly)
//   v[n] = (e[n] W[n] + 2^16) >> 17                 (W: symmetric Hamming, Q15; v = 2^18 x window x pre-emphasised)
//   Z = FFT512(v[2m] + j v[2m+1])                   (radix-2, Q15 twiddles, each product rounded: (p + 2^14) >> 15)
//   X2[k] = A + B + ((-S dr + C di + 2^14) >> 15) + j(...)   (the real-FFT split, A = Z[k], B = conj Z[512-k],
//                                                    d = A - B, C/S = Q15 cos/sin(2 pi k / 1024); X2 = 2 X)
//   P[k] = r^2 + i^2, r = (X2r + 256) >> 9          (r = 2^10 |X|: P = 2^30 x MLPerf's |X|^2 / 1024)
//   M[b] = sum_k Wm[b][k] P[k]                      (Wm: TensorFlow's triangles, Q10: M = 2^40 x MLPerf's mel energy)
//   q = -128 + #{ j : T[j] <= M }                   (T: 255 thresholds, the mel energies at which the int8 feature steps)
// The thresholds turn the log, the scaling and the rounding into integer comparisons: T[j] = ceil(2^40 10^(L_j / 10))
// where L_j is the level at which round(f / scale) + zero point reaches j - 127; 10^y is computed by exp2 with a
// fixed series in IEEE double arithmetic (+ - x / floor only), the same operations in the same order in C, so the
// thresholds, and so the features, agree to the bit for any model input quantisation.
//
// Where this departs from MLPerf's reference DUT, on purpose: the symmetric Hamming window its training uses (the DUT's
// periodic table is quirk Q5); the int8 value rounded and saturated as TFLite's quantiser does (the DUT truncates and
// wraps, Q6); pre-emphasis and the audio window reset at `start` (the DUT never resets its pre-emphasis state); and
// fixed-point arithmetic, which moves a feature by one int8 step where the float value lies within the arithmetic's
// error of a rounding boundary (test/streaming-features.test.ts measures how often against a float64 reference).

import { writeFileSync } from "node:fs";

export const HOP = 512;
export const WINDOW = 1024;
export const BANDS = 40;
export const FRAMES = 30;
export const SAMPLE_RATE = 16000;
const FFT = 512; // complex points: the 1024 real samples as 512 pairs
const BINS = WINDOW / 2 + 1;

const round = Math.round;
/** floor((p + 2^(s-1)) / 2^s) for an exact integer p (|p| < 2^53): C's (p + (1 << (s-1))) >> s on int64. */
const rshr = (p: number, s: number) => Math.floor((p + 2 ** (s - 1)) / 2 ** s);

export interface LfbeTables {
  /** Symmetric Hamming window, Q15 (round(w x 32768), at most 32767). */
  window: Int32Array;
  /** cos/sin(2 pi k / 512), k < 256, Q15 (the FFT's twiddles are cos - j sin). */
  fftCos: Int32Array;
  fftSin: Int32Array;
  /** cos/sin(2 pi k / 1024), k <= 512, Q15 (the real-FFT split). */
  splitCos: Int32Array;
  splitSin: Int32Array;
  /** Per band: first bin, bin count and the weights (Q10) from melWeights[melOffset[b]]. */
  melStart: Int32Array;
  melLength: Int32Array;
  melOffset: Int32Array;
  melWeights: Int32Array;
}

/** TensorFlow's linear_to_mel_weight_matrix(40, 513, 16000, 0, 8000) as float64, [band][bin]. */
export function melMatrix(): Float64Array[] {
  const mel = (hz: number) => 1127 * Math.log(1 + hz / 700);
  const lo = mel(0),
    hi = mel(SAMPLE_RATE / 2);
  const edges = Array.from({ length: BANDS + 2 }, (_, i) => lo + ((hi - lo) * i) / (BANDS + 1));
  return Array.from({ length: BANDS }, (_, b) => {
    const w = new Float64Array(BINS);
    for (let k = 1; k < BINS; k++) {
      // the DC bin has weight 0
      const m = mel((k * (SAMPLE_RATE / 2)) / (BINS - 1));
      const up = (m - edges[b]!) / (edges[b + 1]! - edges[b]!);
      const down = (edges[b + 2]! - m) / (edges[b + 2]! - edges[b + 1]!);
      w[k] = Math.max(0, Math.min(up, down));
    }
    return w;
  });
}

export function hamming(n = WINDOW): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (n - 1)));
}

let cached: LfbeTables | undefined;
export function lfbeTables(): LfbeTables {
  if (cached) return cached;
  const q15 = (v: number) => Math.min(32767, round(v * 32768));
  const cosQ = (k: number, n: number) => round(Math.cos((2 * Math.PI * k) / n) * 32768);
  const sinQ = (k: number, n: number) => round(Math.sin((2 * Math.PI * k) / n) * 32768);
  const mel = melMatrix();
  const melStart = new Int32Array(BANDS),
    melLength = new Int32Array(BANDS),
    melOffset = new Int32Array(BANDS);
  const weights: number[] = [];
  mel.forEach((w, b) => {
    const q = Array.from(w, (v) => round(v * 1024));
    const first = q.findIndex((v) => v > 0);
    let last = q.length - 1;
    while (q[last] === 0) last--;
    melStart[b] = first;
    melLength[b] = last - first + 1;
    melOffset[b] = weights.length;
    weights.push(...q.slice(first, last + 1));
  });
  cached = {
    window: Int32Array.from(hamming(), q15),
    fftCos: Int32Array.from({ length: FFT / 2 }, (_, k) => cosQ(k, FFT)),
    fftSin: Int32Array.from({ length: FFT / 2 }, (_, k) => sinQ(k, FFT)),
    splitCos: Int32Array.from({ length: FFT + 1 }, (_, k) => cosQ(k, WINDOW)),
    splitSin: Int32Array.from({ length: FFT + 1 }, (_, k) => sinQ(k, WINDOW)),
    melStart,
    melLength,
    melOffset,
    melWeights: Int32Array.from(weights),
  };
  return cached;
}

/** 2^x in IEEE double arithmetic with + - x / floor only (firmware/core/lfbe.c does the same operations). */
export function exp2Exact(x: number): number {
  const n = Math.floor(x);
  const f = (x - n) * 0.6931471805599453; // ln 2
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= 24; k++) {
    term = (term * f) / k;
    sum = sum + term;
  }
  return sum * 2 ** n;
}

/**
 * The 255 mel-energy thresholds of a model input's quantisation: the int8 feature is -128 plus the number of
 * thresholds at or below the mel energy M (units of 2^-40 of MLPerf's). Infinity: a level the clipped feature never
 * reaches.
 */
export function lfbeThresholds(scale: number, zeroPoint: number): Float64Array {
  const t = new Float64Array(255);
  for (let j = 0; j < 255; j++) {
    const level = -127 + j; // the feature is at least `level` from T[j] on
    const f = (level - zeroPoint - 0.5) * scale; // round(f / scale) + zp >= level, ties up
    if (f <= 0) t[j] = 0;
    else if (f > 1) t[j] = Infinity;
    else {
      // M >= 2^40 10^((64 f - 52) / 10) = 2^(40 + (64 f - 52) log2(10) / 10)
      t[j] = Math.ceil(exp2Exact(40 + ((64 * f - 52) * 3.321928094887362) / 10));
    }
  }
  return t;
}

/** The firmware's FIFO starts as this frame: the features of digital silence (every band at the floor). */
export function silenceFrame(thresholds: Float64Array): Int8Array {
  return new Int8Array(BANDS).fill(quantizeMel(0, thresholds));
}

export function quantizeMel(m: number, thresholds: Float64Array): number {
  // binary search: the number of thresholds <= m
  let lo = 0,
    hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (thresholds[mid]! <= m) lo = mid + 1;
    else hi = mid;
  }
  return -128 + lo;
}

/** The streaming front end: one 40-band int8 frame per hop of 512 new samples. */
export class LfbeExtractor {
  private readonly t = lfbeTables();
  private readonly emph = new Float64Array(WINDOW); // pre-emphasised samples, Q5
  private prev = 0;
  private readonly re = new Float64Array(FFT);
  private readonly im = new Float64Array(FFT);
  readonly power = new Float64Array(BINS);
  readonly mel = new Float64Array(BANDS);

  constructor(readonly thresholds: Float64Array) {}

  /** Back to the state `start` leaves the firmware in: a window of zeros, no previous sample. */
  reset(): void {
    this.emph.fill(0);
    this.prev = 0;
  }

  /** Consumes one hop (512 samples) and returns its frame. */
  push(hop: Int16Array, out = new Int8Array(BANDS)): Int8Array {
    if (hop.length !== HOP) throw new Error(`a hop is ${HOP} samples, got ${hop.length}`);
    const { t, emph, re, im } = this;
    emph.copyWithin(0, HOP);
    for (let i = 0; i < HOP; i++) {
      emph[HOP + i] = 32 * hop[i]! - 31 * this.prev;
      this.prev = hop[i]!;
    }
    for (let m = 0; m < FFT; m++) {
      re[m] = rshr(emph[2 * m]! * t.window[2 * m]!, 17);
      im[m] = rshr(emph[2 * m + 1]! * t.window[2 * m + 1]!, 17);
    }
    fft512(re, im, t);
    this.spectrum();
    for (let b = 0; b < BANDS; b++) {
      let acc = 0;
      const s = t.melStart[b]!,
        n = t.melLength[b]!,
        o = t.melOffset[b]!;
      for (let k = 0; k < n; k++) acc += t.melWeights[o + k]! * this.power[s + k]!;
      this.mel[b] = acc;
      out[b] = quantizeMel(acc, this.thresholds);
    }
    return out;
  }

  /** The real 1024-point spectrum from the 512-point complex one, as powers (2^30 x MLPerf's |X|^2 / 1024). */
  private spectrum(): void {
    const { t, re, im, power } = this;
    for (let k = 0; k <= FFT; k++) {
      const a = k % FFT,
        b = (FFT - k) % FFT;
      const ar = re[a]!,
        ai = im[a]!,
        br = re[b]!,
        bi = -im[b]!;
      const dr = ar - br,
        di = ai - bi;
      const c = t.splitCos[k]!,
        s = t.splitSin[k]!;
      const xr = ar + br + rshr(-s * dr + c * di, 15);
      const xi = ai + bi + rshr(-c * dr - s * di, 15);
      const r = rshr(xr, 9),
        i = rshr(xi, 9);
      power[k] = r * r + i * i;
    }
  }
}

/** In-place radix-2 decimation-in-time FFT of 512 points, integer, each twiddle product rounded at Q15. */
function fft512(re: Float64Array, im: Float64Array, t: LfbeTables): void {
  for (let i = 1, j = 0; i < FFT; i++) {
    let bit = FFT >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const r = re[i]!;
      re[i] = re[j]!;
      re[j] = r;
      const m = im[i]!;
      im[i] = im[j]!;
      im[j] = m;
    }
  }
  for (let len = 2; len <= FFT; len <<= 1) {
    const half = len >> 1,
      step = FFT / len;
    for (let i = 0; i < FFT; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = t.fftCos[k * step]!,
          wi = -t.fftSin[k * step]!;
        const p = i + k,
          q = p + half;
        const tr = rshr(re[q]! * wr - im[q]! * wi, 15);
        const ti = rshr(re[q]! * wi + im[q]! * wr, 15);
        re[q] = re[p]! - tr;
        im[q] = im[p]! - ti;
        re[p] = re[p]! + tr;
        im[p] = im[p]! + ti;
      }
    }
  }
}

/** Every hop's frame of a whole stream (trailing samples short of a hop are not processed, as on the device). */
export function streamFrames(samples: Int16Array, thresholds: Float64Array): Int8Array {
  const hops = Math.floor(samples.length / HOP);
  const out = new Int8Array(hops * BANDS);
  const x = new LfbeExtractor(thresholds);
  for (let h = 0; h < hops; h++) x.push(samples.subarray(h * HOP, (h + 1) * HOP), out.subarray(h * BANDS, (h + 1) * BANDS));
  return out;
}

/** firmware/core/lfbe_tables.h: the tables above as C arrays (`npx tsx harness/streaming/lfbe.ts --write-c`). */
export function cTablesHeader(): string {
  const t = lfbeTables();
  const arr = (type: string, name: string, v: Int32Array) => {
    const rows: string[] = [];
    for (let i = 0; i < v.length; i += 16) rows.push("    " + Array.from(v.subarray(i, i + 16)).join(", ") + ",");
    return `static const ${type} ${name}[${v.length}] = {\n${rows.join("\n")}\n};`;
  };
  return [
    "/* Generated by harness/streaming/lfbe.ts (npx tsx harness/streaming/lfbe.ts --write-c); do not edit. The fixed-point",
    " * LFBE tables: symmetric Hamming window (Q15), FFT and real-split twiddles (Q15), TensorFlow mel weights (Q10). */",
    "#ifndef TR_LFBE_TABLES_H",
    "#define TR_LFBE_TABLES_H",
    "#include <stdint.h>",
    arr("int16_t", "lfbe_window", t.window),
    arr("int32_t", "lfbe_fft_cos", t.fftCos),
    arr("int32_t", "lfbe_fft_sin", t.fftSin),
    arr("int32_t", "lfbe_split_cos", t.splitCos),
    arr("int32_t", "lfbe_split_sin", t.splitSin),
    arr("uint16_t", "lfbe_mel_start", t.melStart),
    arr("uint16_t", "lfbe_mel_length", t.melLength),
    arr("uint16_t", "lfbe_mel_offset", t.melOffset),
    arr("uint16_t", "lfbe_mel_weights", t.melWeights),
    "#endif",
    "",
  ].join("\n");
}

export const C_TABLES_FILE = new URL("../../firmware/core/lfbe_tables.h", import.meta.url).pathname;

if (import.meta.url === `file://${process.argv[1]}` && process.argv.includes("--write-c")) {
  writeFileSync(C_TABLES_FILE, cTablesHeader());
  console.log(`wrote ${C_TABLES_FILE}`);
}
