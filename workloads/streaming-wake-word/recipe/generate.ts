// Generates the streaming wake-word workload's streams, deterministically from a seed, laid out like MLPerf Tiny's
// sww01 long wav: espeak-ng voices saying the wake word "marvin" (trimmed where the signal falls below 5% of its peak;
// the truth window is the trimmed extent) among phrases of other words (some of them close to the wake word), over
// sections of background: a quiet start, quiet babble, synthetic music, louder speech with music, and a multi-talker
// babble, always with a low noise floor; peak-normalised and written as 16 kHz 16-bit mono WAV. Test streams use
// voice/variant pairs the training streams never hear (the wake-word workload's split).
//   npx tsx workloads/streaming-wake-word/recipe/generate.ts [--long]
// writes data/short.wav + short.json (committed), build/long.wav + long.json (--long; its sha256 is in the manifest).
// The training streams: recipe/training-set.ts.
import { execa } from "execa";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Prng } from "../../common/prng.ts";
import { parseWav } from "../../wake-word/recipe/generate.ts";
import { encodeWav, STREAM_SAMPLE_RATE as RATE, writeTruth, type StreamTruth } from "../../../harness/streaming/wav.ts";

const HERE = path.resolve(import.meta.dirname, "..");
export const CACHE_DIR = path.join(HERE, "build", "wav");
export const WAKE_WORD = "marvin";
/** Other words: everyday ones, and some that sound like the wake word (the false accepts that matter). */
const OTHER_WORDS = [
  "marble",
  "martin",
  "margin",
  "marvel",
  "carving",
  "starving",
  "harvest",
  "nirvana",
  "garden",
  "marvellous",
  "arvin",
  "bed",
  "bird",
  "cat",
  "dog",
  "eight",
  "five",
  "four",
  "happy",
  "house",
  "nine",
  "one",
  "seven",
  "sheila",
  "six",
  "three",
  "tree",
  "two",
  "wow",
  "zero",
  "learn",
  "follow",
  "forward",
  "visual",
  "backward",
  "yes",
  "no",
  "up",
  "down",
  "left",
  "right",
  "on",
  "off",
  "stop",
  "go",
  "morning",
  "evening",
  "kitchen",
  "window",
  "market",
  "turn",
  "light",
  "music",
  "play",
  "weather",
  "today",
  "tomorrow",
  "please",
  "thanks",
];
const CONFUSABLE_WORDS = OTHER_WORDS.slice(0, OTHER_WORDS.indexOf("bed"));
const VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029"];
const VARIANTS = ["", "+m1", "+m2", "+m3", "+m4", "+m5", "+m6", "+m7", "+f1", "+f2", "+f3", "+f4", "+f5", "+klatt", "+Alex", "+Andrea"];
/** The wake-word workload's test speakers: kept out of every training and validation stream. */
const isTestSpeaker = (voice: number, variant: number) => (voice * 7 + variant * 3) % 9 === 0;
/** Validation speakers (the detection rule is chosen on their stream): kept out of training and test streams. */
const isValidationSpeaker = (voice: number, variant: number) => (voice * 7 + variant * 3) % 9 === 4;
export type SpeakerSet = "train" | "validation" | "test";
const speakerSet = (voice: number, variant: number): SpeakerSet =>
  isTestSpeaker(voice, variant) ? "test" : isValidationSpeaker(voice, variant) ? "validation" : "train";

export interface StreamSpec {
  name: string;
  seconds: number;
  wakeWords: number;
  /** Where the wake words go, as fractions of the length (MLPerf's long wav: all 50 in the first 570 of 1200 s). */
  wakeSpan: [number, number];
  seed: number;
  speakers: SpeakerSet;
  /** Share of foreground phrase words drawn from the words that sound like the wake word (training's hard negatives;
   * unset: every word equally likely, as the test streams have it). */
  hardNegatives?: number;
}

export const STREAMS = {
  short: { name: "short", seconds: 60, wakeWords: 6, wakeSpan: [0.05, 0.95], seed: 1501, speakers: "test" },
  long: { name: "long", seconds: 1200, wakeWords: 50, wakeSpan: [0.0075, 0.475], seed: 1502, speakers: "test" },
} as const satisfies Record<string, StreamSpec>;

/** Laid out like the long test stream, with its own seed and the validation speakers: what train.py chooses the
 * detection rule on (never on a test stream). Made by recipe/training-set.ts, not part of the manifest. */
export const VALIDATION_STREAM: StreamSpec = { ...STREAMS.long, name: "validation", seed: 1602, speakers: "validation" };

/** espeak-ng's 16-bit WAV, cached by its arguments (espeak-ng 1.51's output is what the manifest's hashes record). */
async function espeak(text: string, voice: string, pitch: number, speed: number): Promise<Float64Array> {
  const args = ["-v", voice, "-p", String(pitch), "-s", String(speed), "--stdout", text];
  const file = path.join(CACHE_DIR, `${createHash("sha256").update(args.join("\0")).digest("hex").slice(0, 16)}.wav`);
  if (!existsSync(file)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(file, (await execa("espeak-ng", args, { encoding: "buffer" })).stdout);
  }
  const { samples, rate } = parseWav(readFileSync(file));
  return resample(samples, rate);
}

/** Band-limited resampling to 16 kHz with a windowed-sinc kernel tabulated per output phase (rate/16000 = p/q). */
const kernels = new Map<number, { p: number; q: number; taps: Float64Array[] }>();
function resample(x: Float64Array, rate: number): Float64Array {
  if (rate === RATE) return x;
  const g = gcd(rate, RATE);
  const p = rate / g,
    q = RATE / g; // input index of output i = i * p / q
  const half = 16;
  let k = kernels.get(rate);
  if (!k) {
    const cutoff = Math.min(1, q / p);
    const taps = Array.from({ length: q }, (_, phase) => {
      const frac = phase / q;
      return Float64Array.from({ length: 2 * half + 1 }, (_, t) => {
        const d = frac + half - t; // center - input index
        const sinc = d === 0 ? 1 : Math.sin(Math.PI * cutoff * d) / (Math.PI * cutoff * d);
        return Math.abs(d) > half ? 0 : cutoff * sinc * (0.5 + 0.5 * Math.cos((Math.PI * d) / half));
      });
    });
    k = { p, q, taps };
    kernels.set(rate, k);
  }
  const n = Math.floor((x.length * q) / p);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const base = Math.floor((i * p) / q);
    const taps = k.taps[(i * p) % q]!;
    let s = 0;
    for (let t = 0; t < taps.length; t++) {
      const j = base - half + t;
      if (j >= 0 && j < x.length) s += x[j]! * taps[t]!;
    }
    out[i] = s;
  }
  return out;
}
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

function speaker(rng: Prng, set: SpeakerSet): { voice: string; pitch: number; speed: number } {
  for (;;) {
    const v = rng.int(0, VOICES.length - 1),
      vr = rng.int(0, VARIANTS.length - 1);
    // the test set's draws are as they were before the validation set existed (the long stream's sha256 holds)
    if (set === "test" ? !isTestSpeaker(v, vr) : speakerSet(v, vr) !== set) continue;
    return { voice: `${VOICES[v]}${VARIANTS[vr]}`, pitch: rng.int(20, 80), speed: rng.int(120, 210) };
  }
}

/** Trimmed where the signal falls below 5% of its peak (MLPerf's long-wav builder), scaled to an RMS. */
function trimmed(x: Float64Array, rms: number): Float64Array {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  let a = 0,
    b = x.length;
  while (a < b && Math.abs(x[a]!) < 0.05 * peak) a++;
  while (b > a && Math.abs(x[b - 1]!) < 0.05 * peak) b--;
  const y = x.slice(a, b);
  let e = 0;
  for (const v of y) e += v * v;
  const g = rms / Math.max(1e-9, Math.sqrt(e / Math.max(1, y.length)));
  for (let i = 0; i < y.length; i++) y[i] = y[i]! * g;
  return y;
}

function add(dst: Float64Array, src: Float64Array, at: number, gain = 1): void {
  for (let i = 0; i < src.length && at + i < dst.length; i++) if (at + i >= 0) dst[at + i] = dst[at + i]! + gain * src[i]!;
}

async function phrase(rng: Prng, set: SpeakerSet, rms: number, hardNegatives?: number): Promise<Float64Array> {
  const pick = () => (hardNegatives !== undefined && rng.uniform() < hardNegatives ? rng.pick(CONFUSABLE_WORDS) : rng.pick(OTHER_WORDS));
  const words = Array.from({ length: rng.int(1, 5) }, pick);
  const s = speaker(rng, set);
  return trimmed(await espeak(words.join(" "), s.voice, s.pitch, s.speed), rms);
}

/** Synthetic music: two or three voices of harmonic notes with decaying envelopes. */
function music(rng: Prng, n: number, rms: number): Float64Array {
  const out = new Float64Array(n);
  const voices = rng.int(2, 3);
  for (let v = 0; v < voices; v++) {
    const beat = Math.round(RATE * rng.uniform(0.18, 0.5));
    for (let start = 0; start < n; start += beat) {
      const hz = 440 * 2 ** ((rng.int(45, 81) - 69) / 12);
      const decay = rng.uniform(3, 12);
      const len = Math.min(n - start, beat * rng.int(1, 3));
      for (let i = 0; i < len; i++) {
        const t = i / RATE;
        const env = Math.exp(-decay * t) * Math.min(1, i / 80);
        let s = 0;
        for (let h = 1; h <= 4; h++) if (hz * h < 7500) s += Math.sin(2 * Math.PI * hz * h * t) / h;
        out[start + i] = out[start + i]! + env * s;
      }
    }
  }
  return normalised(out, rms);
}

/** Several talkers at once, each a chain of phrases. */
async function babble(rng: Prng, set: SpeakerSet, n: number, talkers: number, rms: number): Promise<Float64Array> {
  const out = new Float64Array(n);
  for (let k = 0; k < talkers; k++) {
    for (let at = rng.int(0, RATE); at < n; ) {
      const p = await phrase(rng, set, 1);
      add(out, p, at);
      at += p.length + rng.int(RATE / 10, RATE);
    }
  }
  return normalised(out, rms);
}

function normalised(x: Float64Array, rms: number): Float64Array {
  let e = 0;
  for (const v of x) e += v * v;
  const g = rms / Math.max(1e-12, Math.sqrt(e / x.length));
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * g;
  return x;
}

export interface GeneratedStream {
  samples: Int16Array;
  /** Truth windows [start_s, end_s], in stream order. */
  windows: [number, number][];
  /** Other-speech phrases [start_s, end_s] (training labels). */
  speech: [number, number][];
}

/** Background sections as fractions of the stream (MLPerf's long wav: none, quiet speech, music, speech + music, babble). */
async function background(rng: Prng, spec: StreamSpec, out: Float64Array): Promise<void> {
  const n = out.length;
  const at = (f: number) => Math.floor(f * n);
  // noise floor throughout: white or brown
  const brown = rng.uniform() < 0.5;
  const level = rng.uniform(0.001, 0.004);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const w = rng.normal(0, 1);
    acc = brown ? 0.98 * acc + 0.2 * w : w;
    out[i] = out[i]! + level * acc;
  }
  const section = async (from: number, to: number, make: (len: number) => Promise<Float64Array> | Float64Array) =>
    add(out, await make(at(to) - at(from)), at(from));
  await section(0.0833, 0.25, (len) => babble(rng, spec.speakers, len, 1, 0.01));
  await section(0.25, 0.5, (len) => music(rng, len, 0.05));
  await section(0.5, 0.75, (len) => babble(rng, spec.speakers, len, 1, 0.05));
  await section(0.625, 0.75, (len) => music(rng, len, 0.04));
  await section(0.75, 1, (len) => babble(rng, spec.speakers, len, 5, 0.04));
}

export async function makeStream(spec: StreamSpec): Promise<GeneratedStream> {
  const rng = new Prng(spec.seed);
  const n = spec.seconds * RATE;
  const mix = new Float64Array(n);
  await background(rng, spec, mix);
  // the wake words: one per slot of the span, at a random place in it
  const windows: [number, number][] = [];
  const busy: [number, number][] = [];
  const [from, to] = [spec.wakeSpan[0] * spec.seconds, spec.wakeSpan[1] * spec.seconds];
  const slot = (to - from) / Math.max(1, spec.wakeWords);
  for (let i = 0; i < spec.wakeWords; i++) {
    const s = speaker(rng, spec.speakers);
    const word = trimmed(await espeak(WAKE_WORD, s.voice, s.pitch, s.speed), rng.uniform(0.05, 0.12));
    const start = Math.round((from + i * slot + rng.uniform(0, Math.max(0, slot - word.length / RATE - 1.5))) * RATE);
    add(mix, word, start);
    windows.push([start / RATE, (start + word.length) / RATE]);
    busy.push([start / RATE - 1, (start + word.length) / RATE + 1]);
  }
  // other speech in the foreground, never over a wake word (a second of margin either side)
  const speech: [number, number][] = [];
  for (let t = rng.uniform(0.5, 3); t < spec.seconds - 1; t += rng.uniform(2, 7)) {
    const p = await phrase(rng, spec.speakers, rng.uniform(0.04, 0.12), spec.hardNegatives);
    const end = t + p.length / RATE;
    if (end >= spec.seconds || busy.some(([a, b]) => t < b && end > a)) continue;
    add(mix, p, Math.round(t * RATE));
    speech.push([t, end]);
    t = end;
  }
  let peak = 0;
  for (const v of mix) peak = Math.max(peak, Math.abs(v));
  const samples = Int16Array.from(mix, (v) => Math.max(-32768, Math.min(32767, Math.round((v / peak) * 0.95 * 32767))));
  const ms = (v: number) => Math.round(v * 1000) / 1000;
  return { samples, windows: windows.map(([a, b]) => [ms(a), ms(b)]), speech };
}

/** Writes <dir>/<name>.wav and <name>.json (MLPerf's test-file format); returns the WAV's sha256. */
export async function writeStream(spec: StreamSpec, dir: string): Promise<{ sha256: string; truth: StreamTruth }> {
  const g = await makeStream(spec);
  mkdirSync(dir, { recursive: true });
  const wav = encodeWav(g.samples);
  writeFileSync(path.join(dir, `${spec.name}.wav`), wav);
  const truth: StreamTruth = { wav_file: `${spec.name}.wav`, detection_windows: g.windows, length_sec: spec.seconds, sample_rate: RATE };
  writeTruth(path.join(dir, `${spec.name}.json`), truth);
  return { sha256: createHash("sha256").update(wav).digest("hex"), truth };
}

async function main() {
  const { values } = parseArgs({ options: { long: { type: "boolean", default: false } } });
  const started = Date.now();
  const short = await writeStream(STREAMS.short, path.join(HERE, "data"));
  console.log(`short: data/short.wav sha256 ${short.sha256} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (values.long) {
    const long = await writeStream(STREAMS.long, path.join(HERE, "build"));
    console.log(`long: build/long.wav sha256 ${long.sha256} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
