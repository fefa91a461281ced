// Generates the anomaly-detection workload's data, deterministically from a seed:
//   npx tsx workloads/anomaly-detection/recipe/generate.ts [--train N] [--test N] [--frames F] [--seed S]
// build/train.bin: 5-frame windows (640 float32) of normal clips only, for recipe/train.py; data/: test clips in
// MLPerf ad01's layout (F x 128 float32 per file, rows `file,2,label,2560,512`), half normal, half anomalous.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { writeMlperfDataset } from "../../common/mlperf-layout.ts";
import { Prng } from "../../common/prng.ts";
import { ANOMALIES, clip, FRAMES_PER_WINDOW, logMel, machine, MELS } from "./sounds.ts";

const HERE = path.resolve(import.meta.dirname, "..");
export const WINDOW_BYTES = FRAMES_PER_WINDOW * MELS * 4;
export const STRIDE_BYTES = MELS * 4;

/** Test clip i: its own stream, so any one can be regenerated alone. */
export function testClip(seed: number, i: number, frames: number): { label: number; features: Float32Array } {
  const m = machine(new Prng(seed));
  const rng = new Prng(seed * 1_000_003 + 7919 + i);
  const label = i % 2;
  const anomaly = label ? ANOMALIES[(i >> 1) % ANOMALIES.length] : undefined;
  return { label, features: logMel(clip(rng, m, frames, anomaly)) };
}

export const testFileName = (i: number) => `ad_${String(i).padStart(4, "0")}.bin`;

function main() {
  const { values } = parseArgs({
    options: {
      train: { type: "string", default: "600" },
      test: { type: "string", default: "80" },
      frames: { type: "string", default: "12" },
      seed: { type: "string", default: "4321" },
    },
  });
  const seed = Number(values.seed),
    nTrain = Number(values.train),
    nTest = Number(values.test),
    frames = Number(values.frames);
  const m = machine(new Prng(seed));
  const rng = new Prng(seed + 1);
  const windows: Float32Array[] = [];
  for (let c = 0; c < nTrain; c++) {
    const f = logMel(clip(rng, m, frames, undefined));
    for (let w = 0; w + FRAMES_PER_WINDOW <= frames; w++) windows.push(f.slice(w * MELS, (w + FRAMES_PER_WINDOW) * MELS));
  }
  const build = path.join(HERE, "build");
  mkdirSync(build, { recursive: true });
  const train = new Float32Array(windows.length * FRAMES_PER_WINDOW * MELS);
  windows.forEach((w, i) => train.set(w, i * w.length));
  writeFileSync(path.join(build, "train.bin"), new Uint8Array(train.buffer));
  const test = Array.from({ length: nTest }, (_, i) => {
    const t = testClip(seed, i, frames);
    return { file: testFileName(i), label: t.label, bytes: new Uint8Array(t.features.buffer), window: { bytes: WINDOW_BYTES, stride: STRIDE_BYTES } };
  });
  writeMlperfDataset(path.join(HERE, "data"), 2, test);
  console.log(`anomaly-detection: ${windows.length} normal training windows from ${nTrain} clips, ${nTest} test clips of ${frames} frames (seed ${seed})`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
