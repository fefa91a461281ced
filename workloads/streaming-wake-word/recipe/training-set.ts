// The training set: streams generated like the test streams but with the training speakers and more wake words, run
// through the same fixed-point front end the device uses (harness/streaming/lfbe.ts), with a label per hop for the
// 30-frame window ending there: 0 the wake word is wholly inside the window, 1 silence/background (no speech in the
// foreground), 2 other speech (a phrase, or less than a third of a wake word), 255 ignored (a wake word partly in view).
//   npx tsx workloads/streaming-wake-word/recipe/training-set.ts
// writes build/train-frames.bin (40 int8 per hop), build/train-labels.bin (one per hop), build/train-index.json, and
// the validation stream: build/validation.wav + validation.json (truth) + validation-frames.bin (40 int8 per hop).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { BANDS, FRAMES, HOP, lfbeThresholds, SAMPLE_RATE, streamFrames } from "../../../harness/streaming/lfbe.ts";
import { readStream } from "../../../harness/streaming/wav.ts";
import { makeStream, VALIDATION_STREAM, writeStream, type StreamSpec } from "./generate.ts";

/** The model input's quantisation (MLPerf's sww01 reference model: scale 0.0037010426, zero point -128). */
export const INPUT_SCALE = 0.003701042616739869;
export const INPUT_ZERO_POINT = -128;

/** 24 five-minute streams (2 h): wake words dense or sparse, every third stream's phrases half made of words that
 * sound like the wake word (the false accepts that matter). */
export const TRAIN_STREAMS: StreamSpec[] = Array.from({ length: 24 }, (_, i) => ({
  name: `train-${i}`,
  seconds: 300,
  wakeWords: i % 2 ? 25 : 60,
  wakeSpan: [0.01, 0.99],
  seed: 2001 + i,
  speakers: "train",
  ...(i % 3 === 2 ? { hardNegatives: 0.5 } : {}),
}));

export function hopLabels(hops: number, windows: [number, number][], speech: [number, number][]): Uint8Array {
  const labels = new Uint8Array(hops);
  const hopS = HOP / SAMPLE_RATE;
  for (let h = 0; h < hops; h++) {
    const [a, b] = [(h - FRAMES) * hopS, (h + 1) * hopS]; // the audio the window at hop h has seen
    const overlap = ([s, e]: [number, number]) => Math.max(0, Math.min(b, e) - Math.max(a, s));
    let label = 1;
    if (speech.some((p) => overlap(p) > 0.15)) label = 2;
    for (const w of windows) {
      const frac = overlap(w) / Math.max(1e-9, w[1] - w[0]);
      if (frac >= 0.999) label = 0;
      else if (frac > 1 / 3 && label !== 0) label = 255;
      else if (frac > 0.05 && label === 1) label = 2;
    }
    labels[h] = label;
  }
  return labels;
}

export async function writeTrainingSet(dir: string): Promise<void> {
  const thresholds = lfbeThresholds(INPUT_SCALE, INPUT_ZERO_POINT);
  const frames: Int8Array[] = [];
  const labels: Uint8Array[] = [];
  const index: { name: string; hops: number }[] = [];
  for (const spec of TRAIN_STREAMS) {
    const started = Date.now();
    const g = await makeStream(spec);
    const f = streamFrames(g.samples, thresholds);
    const hops = f.length / BANDS;
    const l = hopLabels(hops, g.windows, g.speech);
    frames.push(f);
    labels.push(l);
    index.push({ name: spec.name, hops });
    const count = (v: number) => l.filter((x) => x === v).length;
    console.log(
      `${spec.name}: ${hops} hops, wake ${count(0)}, silence ${count(1)}, other ${count(2)}, ignored ${count(255)} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  writeFileSync(path.join(dir, "train-frames.bin"), Buffer.concat(frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength))));
  writeFileSync(path.join(dir, "train-labels.bin"), Buffer.concat(labels));
  writeFileSync(path.join(dir, "train-index.json"), JSON.stringify(index));
  // the validation stream (validation speakers, its own seed), as a WAV and truth like the test streams, and its frames
  const started = Date.now();
  const v = await writeStream(VALIDATION_STREAM, dir);
  const { pcm } = readStream(path.join(dir, "validation.wav"), path.join(dir, "validation.json"));
  const vf = streamFrames(pcm.samples, thresholds);
  writeFileSync(path.join(dir, "validation-frames.bin"), vf);
  console.log(`validation: ${vf.length / BANDS} hops, ${v.truth.detection_windows.length} wake words (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await writeTrainingSet(path.resolve(import.meta.dirname, "..", "build"));
