// Generates the vibration workload's data, deterministically from a seed:
//   npx tsx workloads/vibration/recipe/generate.ts [--train N] [--test N] [--seed S]
// writes build/train.bin (int8 windows, for recipe/train.py) with build/train-labels.bin, and the committed test set
// data/ in MLPerf Tiny's layout (768-byte int8 files + y_labels.csv).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { writeMlperfDataset } from "../../common/mlperf-layout.ts";
import { Prng } from "../../common/prng.ts";
import { CLASSES, quantizeWindow, synthesize } from "./signals.ts";

const HERE = path.resolve(import.meta.dirname, "..");

/** Test input i of the committed set: its own stream, so any one can be regenerated alone. */
export function testInput(seed: number, i: number): { label: number; bytes: Int8Array } {
  const rng = new Prng(seed * 1_000_003 + i);
  const label = i % CLASSES.length;
  return { label, bytes: quantizeWindow(synthesize(rng, label)) };
}

export function testFileName(i: number): string {
  return `vib_${String(i).padStart(4, "0")}.bin`;
}

function main() {
  const { values } = parseArgs({
    options: { train: { type: "string", default: "6000" }, test: { type: "string", default: "300" }, seed: { type: "string", default: "1234" } },
  });
  const seed = Number(values.seed);
  const nTrain = Number(values.train);
  const nTest = Number(values.test);
  const build = path.join(HERE, "build");
  mkdirSync(build, { recursive: true });
  const rng = new Prng(seed + 1); // training stream: disjoint from the test streams
  const train = new Int8Array(nTrain * 768);
  const labels = new Uint8Array(nTrain);
  for (let i = 0; i < nTrain; i++) {
    labels[i] = rng.int(0, CLASSES.length - 1);
    train.set(quantizeWindow(synthesize(rng, labels[i]!)), i * 768);
  }
  writeFileSync(path.join(build, "train.bin"), train);
  writeFileSync(path.join(build, "train-labels.bin"), labels);
  const test = Array.from({ length: nTest }, (_, i) => {
    const t = testInput(seed, i);
    return { file: testFileName(i), label: t.label, bytes: new Uint8Array(t.bytes.buffer) };
  });
  writeMlperfDataset(path.join(HERE, "data"), CLASSES.length, test);
  console.log(`vibration: ${nTrain} training windows in build/, ${nTest} test windows in data/ (seed ${seed})`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
