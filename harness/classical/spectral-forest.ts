// A classical model for multi-axis int8 sensor windows: integer spectral and time-domain features feeding a small
// random forest. This module is its host reference (features, trees, the raw output the firmware must reproduce bit
// for bit), its cost figures, and the emitter of the C source the firmware compiles (MODEL_KIND=classical).
//
// Everything is integer arithmetic with stated bounds, so host and device cannot round differently:
// - per channel, a radix-2 fixed-point FFT of the window (input x gain, Q(shift) twiddles from the tables, each
//   stage halves with an arithmetic right shift: C's `>>` on a negative int is GCC's sign extension, as JS's `>>`);
// - bin powers re^2 + im^2 summed into bands; features are 1/8-octave integer logs (ilog8) of energies and
//   their differences, so no division is needed anywhere;
// - trees compare an integer feature with an integer threshold; leaves hold uint8 class scores; the raw output is
//   the per-class sum over trees as uint16 little-endian, the printed results that sum / scoreScale.
import { readFileSync } from "node:fs";
import { z } from "zod";

export const FOREST_FORMAT = "tinyrig-spectral-forest-1";

const int = z.number().int();
const tree = z
  .object({
    /** [feature, threshold, left, right]: `features[feature] <= threshold` goes left; a child < 0 is leaf ~child. */
    nodes: z.array(z.tuple([int.nonnegative(), int, int, int])),
    /** Per leaf, one uint8 score per class. */
    leaves: z.array(z.array(int.min(0).max(255))),
  })
  .strict();

export const forestTablesSchema = z
  .object({
    format: z.literal(FOREST_FORMAT),
    generatedBy: z.string(),
    classes: z.array(z.string()).min(2),
    /** The input: `samples` frames of `channels` interleaved int8 values. */
    window: z.object({ samples: int.positive(), channels: int.positive() }).strict(),
    /** Each sample is multiplied by this before the FFT. */
    inputGain: int.positive(),
    /** Twiddles are round(2^shift * cos/sin); products are shifted right by this. */
    twiddleShift: int.positive(),
    twiddles: z.object({ re: z.array(int), im: z.array(int) }).strict(),
    /** Band edges in FFT bins: band b is bins [bands[b], bands[b+1]). */
    bands: z.array(int.positive()).min(2),
    features: z.array(z.string()),
    trees: z.array(tree).min(1),
    /** A class score s (sum over trees) means s / scoreScale. */
    scoreScale: int.positive(),
    training: z.record(z.string(), z.unknown()),
  })
  .strict();

export type ForestTables = z.output<typeof forestTablesSchema>;

export function readForestTables(file: string): ForestTables {
  const r = forestTablesSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!r.success) throw new Error(`${file}: ${r.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`);
  checkTables(r.data, file);
  return r.data;
}

/** What the integer bounds in the header comment rely on; refused otherwise. */
export function checkTables(t: ForestTables, where = "forest tables"): void {
  const n = t.window.samples;
  const log2n = Math.log2(n);
  const fail = (m: string) => {
    throw new Error(`${where}: ${m}`);
  };
  if (!Number.isInteger(log2n) || n < 4 || n > 1024) fail(`window.samples ${n} is not a power of two in 4..1024`);
  if (t.twiddles.re.length !== n / 2 || t.twiddles.im.length !== n / 2) fail(`twiddles need ${n / 2} entries each`);
  const one = 2 ** t.twiddleShift;
  for (const w of [...t.twiddles.re, ...t.twiddles.im]) if (Math.abs(w) > one || one > 16384) fail("twiddles exceed 2^shift, or shift > 14");
  // |x * gain| <= 128 * gain must leave int16 headroom through the stages (each halves; rounding adds < 1 per stage)
  if (128 * t.inputGain > 8192) fail(`inputGain ${t.inputGain}: 128 x gain must be <= 8192 (int16 butterflies)`);
  for (let i = 1; i < t.bands.length; i++) if (t.bands[i]! <= t.bands[i - 1]!) fail("band edges must increase");
  if (t.bands.at(-1)! > n / 2 + 1) fail(`band edges beyond bin ${n / 2}`);
  const nf = featureCount(t);
  if (t.features.length !== nf) fail(`${t.features.length} feature names, the feature set has ${nf}`);
  if (t.trees.length * 255 > 65535) fail("more trees than uint16 score sums hold");
  for (const [ti, tr] of t.trees.entries()) {
    for (const [f, , l, r] of tr.nodes) {
      if (f >= nf) fail(`tree ${ti}: feature ${f} out of range`);
      for (const c of [l, r]) if (c >= tr.nodes.length || (c < 0 && ~c >= tr.leaves.length)) fail(`tree ${ti}: child ${c} out of range`);
    }
    for (const leaf of tr.leaves) if (leaf.length !== t.classes.length) fail(`tree ${ti}: a leaf without one score per class`);
    if (tr.nodes.length > 32767 || tr.leaves.length > 32767) fail(`tree ${ti}: too large for int16 child indices`);
  }
}

export function featureCount(t: Pick<ForestTables, "window" | "bands">): number {
  const c = t.window.channels;
  return c * (t.bands.length - 1 + 4) + (c - 1);
}

/** Feature names in the order `spectralFeatures` returns them. */
export function featureNames(t: Pick<ForestTables, "window" | "bands">, channelNames: string[]): string[] {
  const names: string[] = [];
  for (let c = 0; c < t.window.channels; c++) {
    const ch = channelNames[c] ?? `ch${c}`;
    names.push(`${ch}.log-energy`);
    for (let b = 0; b + 1 < t.bands.length; b++) names.push(`${ch}.band${b}[${t.bands[b]}-${t.bands[b + 1]! - 1}]-rel`);
    names.push(`${ch}.log-crest`, `${ch}.log-kurtosis`, `${ch}.sum`);
  }
  for (let c = 1; c < t.window.channels; c++) names.push(`${channelNames[c] ?? `ch${c}`}-${channelNames[0] ?? "ch0"}.log-energy`);
  return names;
}

/** floor(8 * log2(v)) to 1/8 octave by the top four bits, for integers 1 <= v < 2^53 (C: uint64). */
export function ilog8(v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`ilog8(${v}): needs an integer >= 1`);
  let m = 0;
  let p = 1;
  while (p * 2 <= v) {
    p *= 2;
    m++;
  }
  const top = m >= 3 ? Math.floor(v / 2 ** (m - 3)) : v * 2 ** (3 - m); // in [8, 16), exact: division by a power of two
  return 8 * m + (top - 8);
}

function bitReverse(i: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
  return r;
}

const int16 = (v: number) => {
  if (v < -32768 || v > 32767) throw new Error(`fixed-point FFT overflowed int16 (${v}): the tables break their own bounds`);
  return v;
};

/** The integer features of one input window (int8 bytes, frames of interleaved channels). */
export function spectralFeatures(t: ForestTables, input: Uint8Array): number[] {
  const n = t.window.samples;
  const ch = t.window.channels;
  if (input.length !== n * ch) throw new Error(`input of ${input.length} bytes, the forest takes ${n * ch}`);
  const bits = Math.log2(n);
  const x = Int8Array.from(input, (v) => (v << 24) >> 24);
  const re = new Int32Array(n);
  const im = new Int32Array(n);
  const shift = t.twiddleShift;
  const nb = t.bands.length - 1;
  const feats: number[] = [];
  const ltot: number[] = [];
  for (let c = 0; c < ch; c++) {
    let s1 = 0;
    let s2 = 0;
    let s4 = 0;
    let peak = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * ch + c]!;
      const sq = v * v;
      s1 += v;
      s2 += sq;
      s4 += sq * sq;
      if (Math.abs(v) > peak) peak = Math.abs(v);
      re[bitReverse(i, bits)] = v * t.inputGain;
      im[bitReverse(i, bits)] = 0;
    }
    for (let size = 2; size <= n; size *= 2) {
      const half = size / 2;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let j = 0; j < half; j++) {
          const wr = t.twiddles.re[j * step]!;
          const wi = t.twiddles.im[j * step]!;
          const p = start + j;
          const q = p + half;
          const tr = (wr * re[q]! - wi * im[q]!) >> shift;
          const ti = (wr * im[q]! + wi * re[q]!) >> shift;
          const ar = re[p]!;
          const ai = im[p]!;
          re[p] = int16((ar + tr) >> 1);
          im[p] = int16((ai + ti) >> 1);
          re[q] = int16((ar - tr) >> 1);
          im[q] = int16((ai - ti) >> 1);
        }
      }
    }
    const band = new Array<number>(nb).fill(0);
    let total = 0;
    for (let k = 1; k <= n / 2; k++) {
      const pw = re[k]! * re[k]! + im[k]! * im[k]!;
      total += pw;
      for (let b = 0; b < nb; b++) if (k >= t.bands[b]! && k < t.bands[b + 1]!) band[b]! += pw;
    }
    const lt = ilog8(1 + total);
    ltot.push(lt);
    const ls2 = ilog8(1 + s2);
    feats.push(lt, ...band.map((e) => ilog8(1 + e) - lt), ilog8(1 + 256 * peak * peak) - ls2, ilog8(1 + 256 * s4) - 2 * ls2, s1);
  }
  for (let c = 1; c < ch; c++) feats.push(ltot[c]! - ltot[0]!);
  return feats;
}

/** Per-class score sums over the trees. */
export function forestScores(t: ForestTables, features: number[]): number[] {
  const scores = new Array<number>(t.classes.length).fill(0);
  for (const tr of t.trees) {
    let node = 0;
    while (node >= 0) {
      const [f, thr, l, r] = tr.nodes[node]!;
      node = features[f]! <= thr ? l : r;
    }
    const leaf = tr.leaves[~node]!;
    for (let k = 0; k < scores.length; k++) scores[k]! += leaf[k]!;
  }
  return scores;
}

/** The raw output the firmware hands back (`outraw`): the score sums as uint16 little-endian. */
export function rawScores(scores: number[]): Uint8Array {
  const out = new Uint8Array(scores.length * 2);
  scores.forEach((s, k) => {
    out[2 * k] = s & 0xff;
    out[2 * k + 1] = s >> 8;
  });
  return out;
}

/** Host reference: raw output bytes for one input (what the device must reproduce bit for bit). */
export function forestReference(t: ForestTables): (input: Uint8Array) => Uint8Array {
  return (input) => rawScores(forestScores(t, spectralFeatures(t, input)));
}

/** Class values from raw output bytes (score / scoreScale), as the firmware prints them. */
export function forestOutputs(t: ForestTables, raw: Uint8Array): number[] {
  const out: number[] = [];
  for (let k = 0; k + 1 < raw.length; k += 2) out.push((raw[k]! | (raw[k + 1]! << 8)) / t.scoreScale);
  return out;
}

function depth(tr: ForestTables["trees"][number], node = 0): number {
  if (node < 0) return 0;
  const [, , l, r] = tr.nodes[node]!;
  return 1 + Math.max(depth(tr, l), depth(tr, r));
}

export const OPS_DEFINITION =
  "ops = integer multiplies of the feature extraction (4 per FFT butterfly, 2 per bin power, 2 per sample for x^2 and x^4) " +
  "+ node comparisons on each tree's deepest path";

/** Cost figures: learned parameters (split thresholds + leaf scores) and the operation count OPS_DEFINITION states. */
export function forestCost(t: ForestTables): { params: number; ops: number; splits: number; leaves: number } {
  const n = t.window.samples;
  const ch = t.window.channels;
  const splits = t.trees.reduce((s, tr) => s + tr.nodes.length, 0);
  const leaves = t.trees.reduce((s, tr) => s + tr.leaves.length, 0);
  const butterflies = (n / 2) * Math.log2(n);
  const ops = ch * (4 * butterflies + 2 * (n / 2) + 2 * n) + t.trees.reduce((s, tr) => s + depth(tr), 0);
  return { params: splits + leaves * t.classes.length, ops, splits, leaves };
}

/** The C source of the classifier (feature extraction + const tables), implementing firmware/core/classical.h. */
export function emitC(t: ForestTables, header: string[]): string {
  const n = t.window.samples;
  const nb = t.bands.length - 1;
  const nf = featureCount(t);
  const nodes: string[] = [];
  const leaves: string[] = [];
  const roots: number[] = [];
  let nodeBase = 0;
  let leafCount = 0;
  for (const tr of t.trees) {
    roots.push(nodeBase);
    // flattened: children are global node indices, leaves ~global leaf index
    for (const [f, thr, l, r] of tr.nodes) {
      const child = (c: number) => (c >= 0 ? c + nodeBase : ~(~c + leafCount));
      nodes.push(`    {${thr}, ${child(l)}, ${child(r)}, ${f}}`);
    }
    for (const leaf of tr.leaves) leaves.push(`    {${leaf.join(", ")}}`);
    nodeBase += tr.nodes.length;
    leafCount += tr.leaves.length;
  }
  if (nodeBase > 32767 || leafCount > 32767) throw new Error("forest too large for int16 node indices");
  const list = (v: number[], per = 16) => v.map((x, i) => `${i % per === 0 ? "\n    " : " "}${x},`).join("");
  return `${header
    .map((l) => (l ? ` * ${l}` : " *"))
    .join("\n")
    .replace(/^ \*/, "/*")}
 */
#include <stdint.h>
#include "classical.h"

/* C's >> on a negative int is implementation-defined; the host reference relies on GCC's sign extension. */
_Static_assert((-3 >> 1) == -2, "arithmetic right shift of negative ints");

#define N ${n}u
#define CHANNELS ${t.window.channels}u
#define GAIN ${t.inputGain}
#define SHIFT ${t.twiddleShift}
#define BANDS ${nb}u
#define FEATURES ${nf}u
#define CLASSES ${t.classes.length}u
#define TREES ${t.trees.length}u

typedef struct {
    int32_t threshold;
    int16_t left, right; /* < 0: leaf ~child */
    uint8_t feature;
} node_t;

static const int16_t tw_re[N / 2] = {${list(t.twiddles.re)}
};
static const int16_t tw_im[N / 2] = {${list(t.twiddles.im)}
};
static const uint16_t band_edges[BANDS + 1] = {${list(t.bands)}
};
static const uint16_t roots[TREES] = {${list(roots)}
};
static const node_t nodes[${nodes.length}] = {
${nodes.join(",\n")}
};
static const uint8_t leaves[${leaves.length}][CLASSES] = {
${leaves.join(",\n")}
};

/* floor(8 log2 v) to 1/8 octave by the top four bits; v >= 1 */
static int32_t ilog8(uint64_t v)
{
    uint32_t m = 0; /* floor(log2 v), by binary search */
    for (uint32_t s = 32; s; s >>= 1)
        if ((v >> (m + s)) != 0u) m += s;
    const uint64_t top = m >= 3u ? v >> (m - 3u) : v << (3u - m); /* in [8, 16) */
    return (int32_t)(8u * m) + (int32_t)(top - 8u);
}

/* |x * GAIN| <= 8192; each stage halves a+-t with |t| <= |b| (|w| <= 1), so every value stays within int16 and
 * every product (<= 2^14 * 2^14) and sum of two within int32. */
static int16_t fft_re[N], fft_im[N];

static void features(const int8_t *x, int32_t *f)
{
    int32_t ltot[CHANNELS];
    uint32_t out = 0;
    for (uint32_t c = 0; c < CHANNELS; ++c) {
        int32_t s1 = 0;
        uint32_t s2 = 0, peak = 0;
        uint64_t s4 = 0;
        for (uint32_t i = 0, r = 0; i < N; ++i) {
            const int32_t v = x[i * CHANNELS + c];
            const uint32_t sq = (uint32_t)(v * v);
            s1 += v;
            s2 += sq;
            s4 += (uint64_t)sq * sq;
            const uint32_t a = (uint32_t)(v < 0 ? -v : v);
            if (a > peak) peak = a;
            fft_re[r] = (int16_t)(v * GAIN); /* r: i with its LOG2N bits reversed */
            fft_im[r] = 0;
            uint32_t bit = N >> 1;
            while (r & bit) {
                r ^= bit;
                bit >>= 1;
            }
            r |= bit;
        }
        for (uint32_t size = 2; size <= N; size <<= 1) {
            const uint32_t half = size >> 1, step = N / size;
            for (uint32_t start = 0; start < N; start += size) {
                for (uint32_t j = 0; j < half; ++j) {
                    const int32_t wr = tw_re[j * step], wi = tw_im[j * step];
                    const uint32_t p = start + j, q = p + half;
                    const int32_t tr = (wr * fft_re[q] - wi * fft_im[q]) >> SHIFT;
                    const int32_t ti = (wr * fft_im[q] + wi * fft_re[q]) >> SHIFT;
                    const int32_t ar = fft_re[p], ai = fft_im[p];
                    fft_re[p] = (int16_t)((ar + tr) >> 1);
                    fft_im[p] = (int16_t)((ai + ti) >> 1);
                    fft_re[q] = (int16_t)((ar - tr) >> 1);
                    fft_im[q] = (int16_t)((ai - ti) >> 1);
                }
            }
        }
        uint64_t band[BANDS] = {0}, total = 0;
        for (uint32_t k = 1, b = 0; k <= N / 2; ++k) {
            const uint32_t pw = (uint32_t)(fft_re[k] * fft_re[k] + fft_im[k] * fft_im[k]);
            total += pw;
            while (b < BANDS && k >= band_edges[b + 1]) ++b; /* edges increase: the band of bin k, if any */
            if (b < BANDS && k >= band_edges[b]) band[b] += pw;
        }
        const int32_t lt = ilog8(1u + total), ls2 = ilog8(1u + (uint64_t)s2);
        ltot[c] = lt;
        f[out++] = lt;
        for (uint32_t b = 0; b < BANDS; ++b) f[out++] = ilog8(1u + band[b]) - lt;
        f[out++] = ilog8(1u + 256u * (uint64_t)peak * peak) - ls2;
        f[out++] = ilog8(1u + 256u * s4) - 2 * ls2;
        f[out++] = s1;
    }
    for (uint32_t c = 1; c < CHANNELS; ++c) f[out++] = ltot[c] - ltot[0];
}

const tr_classical_info tr_classical = {
    .name = ${JSON.stringify(FOREST_FORMAT)},
    .input_bytes = N * CHANNELS,
    .outputs = CLASSES,
    .score_scale = ${t.scoreScale}u,
    .table_bytes = (uint32_t)(sizeof tw_re + sizeof tw_im + sizeof band_edges + sizeof roots + sizeof nodes + sizeof leaves),
};

void tr_classical_infer(const int8_t *input, uint16_t *scores)
{
    int32_t f[FEATURES];
    features(input, f);
    for (uint32_t k = 0; k < CLASSES; ++k) scores[k] = 0;
    for (uint32_t t = 0; t < TREES; ++t) {
        int32_t n = roots[t];
        while (n >= 0) n = f[nodes[n].feature] <= nodes[n].threshold ? nodes[n].left : nodes[n].right;
        for (uint32_t k = 0; k < CLASSES; ++k) scores[k] = (uint16_t)(scores[k] + leaves[~n][k]);
    }
}
`;
}
