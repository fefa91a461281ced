// Generates the wake-word workload's data, deterministically from a seed: words spoken by espeak-ng (many voices,
// variants, pitches and speeds), placed at a random offset in 1 s, band-limited, with room-like reverb, background
// noise and gain; plus silence/background clips. Test clips use voice/variant pairs the training set never hears.
//   npx tsx workloads/wake-word/recipe/generate.ts [--train N] [--test N] [--seed S]
// writes build/train.bin (int8 49x10 MFCC per clip) + build/train-labels.bin, and data/ in MLPerf's layout.
import { execa } from "execa";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { writeMlperfDataset } from "../../common/mlperf-layout.ts";
import { Prng } from "../../common/prng.ts";
import { mfcc, quantizeMfcc, SAMPLE_RATE } from "./mfcc.ts";

const HERE = path.resolve(import.meta.dirname, "..");
export const LABELS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"] as const;
const KEYWORDS = LABELS.slice(0, 10);
const OTHER_WORDS = [
  "bed",
  "bird",
  "cat",
  "dog",
  "eight",
  "five",
  "four",
  "happy",
  "house",
  "marvin",
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
];
const VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029"];
const VARIANTS = ["", "+m1", "+m2", "+m3", "+m4", "+m5", "+m6", "+m7", "+f1", "+f2", "+f3", "+f4", "+f5", "+klatt", "+Alex", "+Andrea"];
/** Voice/variant pairs kept out of training: the test set's speakers are new to the model. */
const isTestSpeaker = (voice: number, variant: number) => (voice * 7 + variant * 3) % 9 === 0;

interface Utterance {
  word: string;
  voice: string;
  pitch: number;
  speed: number;
}

async function speak(u: Utterance, cacheDir: string): Promise<Float64Array> {
  const args = ["-v", u.voice, "-p", String(u.pitch), "-s", String(u.speed), "--stdout", u.word];
  const key = createHash("sha256").update(args.join("\0")).digest("hex").slice(0, 16);
  const file = path.join(cacheDir, `${key}.wav`);
  if (!existsSync(file)) {
    const r = await execa("espeak-ng", args, { encoding: "buffer" });
    writeFileSync(file, r.stdout);
  }
  return resample(parseWav(readFileSync(file)));
}

/** 16-bit PCM mono WAV -> samples in [-1, 1] and the sample rate. */
export function parseWav(buf: Buffer): { samples: Float64Array; rate: number } {
  if (buf.toString("latin1", 0, 4) !== "RIFF") throw new Error("espeak-ng did not produce a WAV file");
  const rate = buf.readUInt32LE(24);
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString("latin1", off, off + 4);
    let size = buf.readUInt32LE(off + 4);
    if (id === "data") {
      if (size === 0 || size > buf.length - off - 8) size = buf.length - off - 8; // streamed WAVs leave it unset
      const n = size >> 1;
      return { samples: Float64Array.from({ length: n }, (_, i) => buf.readInt16LE(off + 8 + 2 * i) / 32768), rate };
    }
    off += 8 + size;
  }
  throw new Error("WAV without a data chunk");
}

/** Band-limited resampling to 16 kHz (windowed-sinc interpolation). */
function resample({ samples, rate }: { samples: Float64Array; rate: number }): Float64Array {
  if (rate === SAMPLE_RATE) return samples;
  const ratio = rate / SAMPLE_RATE;
  const n = Math.floor(samples.length / ratio);
  const out = new Float64Array(n);
  const cutoff = Math.min(1, 1 / ratio);
  const half = 16;
  for (let i = 0; i < n; i++) {
    const center = i * ratio;
    let s = 0;
    for (let k = Math.ceil(center - half); k <= Math.floor(center + half); k++) {
      if (k < 0 || k >= samples.length) continue;
      const x = center - k;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * cutoff * x) / (Math.PI * cutoff * x);
      const w = 0.5 + 0.5 * Math.cos((Math.PI * x) / half);
      s += samples[k]! * cutoff * sinc * w;
    }
    out[i] = s;
  }
  return out;
}

/** Places speech in a 1 s clip with room reverb, band-limiting, noise and gain. */
function mix(rng: Prng, speech: Float64Array | undefined): Float64Array {
  const clip = new Float64Array(SAMPLE_RATE);
  if (speech) {
    // trim leading/trailing near-silence, then a random offset that keeps the word inside the second
    let a = 0,
      b = speech.length;
    while (a < b && Math.abs(speech[a]!) < 0.01) a++;
    while (b > a && Math.abs(speech[b - 1]!) < 0.01) b--;
    const word = speech.subarray(a, Math.min(b, a + SAMPLE_RATE));
    const offset = rng.int(0, Math.max(0, SAMPLE_RATE - word.length));
    const gain = rng.uniform(0.3, 1.0) / Math.max(1e-3, Math.max(...Array.from(word, Math.abs)));
    for (let i = 0; i < word.length; i++) clip[offset + i] = word[i]! * gain;
    // room: a few decaying echoes
    const echoes = rng.int(0, 4);
    for (let e = 0; e < echoes; e++) {
      const delay = rng.int(200, 2400),
        g = rng.uniform(0.05, 0.35);
      for (let i = clip.length - 1; i >= delay; i--) clip[i] = clip[i]! + g * clip[i - delay]!;
    }
    // band-limiting: a one-pole low-pass with a random corner
    const alpha = rng.uniform(0.3, 1.0);
    for (let i = 1; i < clip.length; i++) clip[i] = alpha * clip[i]! + (1 - alpha) * clip[i - 1]!;
  }
  // background: white or brown noise, sometimes a hum
  const level = speech ? rng.uniform(0.001, 0.05) : rng.uniform(0.0005, 0.1);
  const brown = rng.uniform() < 0.5;
  let acc = 0;
  const hum = rng.uniform() < 0.3 ? rng.uniform(0.002, 0.03) : 0;
  const humHz = rng.pick([50, 60, 120]);
  for (let i = 0; i < clip.length; i++) {
    const w = rng.normal(0, 1);
    acc = brown ? 0.98 * acc + 0.2 * w : w;
    clip[i] = clip[i]! + level * acc + hum * Math.sin((2 * Math.PI * humHz * i) / SAMPLE_RATE);
  }
  for (let i = 0; i < clip.length; i++) clip[i] = Math.max(-1, Math.min(1, clip[i]!));
  return clip;
}

function utterance(rng: Prng, word: string, test: boolean): Utterance {
  for (;;) {
    const v = rng.int(0, VOICES.length - 1),
      vr = rng.int(0, VARIANTS.length - 1);
    if (isTestSpeaker(v, vr) !== test) continue;
    return { word, voice: `${VOICES[v]}${VARIANTS[vr]}`, pitch: rng.int(20, 80), speed: rng.int(110, 220) };
  }
}

/** Clip i of a set (train or test): label by position, everything else from the clip's own stream. */
export async function makeClip(seed: number, set: "train" | "test", i: number, cacheDir: string): Promise<{ label: number; bytes: Int8Array }> {
  const rng = new Prng(seed * 1_000_003 + (set === "test" ? 500_000 : 0) + i);
  const label = i % LABELS.length;
  const name = LABELS[label]!;
  let speech: Float64Array | undefined;
  if (name === "unknown") speech = await speak(utterance(rng, rng.pick(OTHER_WORDS), set === "test"), cacheDir);
  else if (name !== "silence") speech = await speak(utterance(rng, name, set === "test"), cacheDir);
  return { label, bytes: quantizeMfcc(mfcc(mix(rng, speech))) };
}

export const testFileName = (i: number) => `kws_${String(i).padStart(4, "0")}.bin`;
export const CACHE_DIR = path.join(HERE, "build", "wav");

async function main() {
  const { values } = parseArgs({
    options: { train: { type: "string", default: "4800" }, test: { type: "string", default: "360" }, seed: { type: "string", default: "2024" } },
  });
  const seed = Number(values.seed),
    nTrain = Number(values.train),
    nTest = Number(values.test);
  mkdirSync(CACHE_DIR, { recursive: true });
  const train = new Int8Array(nTrain * 490);
  const labels = new Uint8Array(nTrain);
  for (let i = 0; i < nTrain; i++) {
    const c = await makeClip(seed, "train", i, CACHE_DIR);
    train.set(c.bytes, i * 490);
    labels[i] = c.label;
    if (i % 500 === 0) console.error(`train ${i}/${nTrain}`);
  }
  writeFileSync(path.join(HERE, "build", "train.bin"), train);
  writeFileSync(path.join(HERE, "build", "train-labels.bin"), labels);
  const test = [];
  for (let i = 0; i < nTest; i++) {
    const c = await makeClip(seed, "test", i, CACHE_DIR);
    test.push({ file: testFileName(i), label: c.label, bytes: new Uint8Array(c.bytes.buffer) });
  }
  writeMlperfDataset(path.join(HERE, "data"), LABELS.length, test);
  console.log(`wake-word: ${nTrain} training clips, ${nTest} test clips (seed ${seed})`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
