// Generates the person-detection workload's data, deterministically from a seed:
//   npx tsx workloads/person-detection/recipe/generate.ts [--train N] [--test N] [--seed S] [--preview DIR]
// build/train.bin (96x96x3 uint8 per image) + build/train-labels.bin for recipe/train.py; data/ in MLPerf vww01's
// layout (27,648-byte RGB HWC files + y_labels.csv), balanced.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { deflateSync } from "node:zlib";
import { writeMlperfDataset } from "../../common/mlperf-layout.ts";
import { Prng } from "../../common/prng.ts";
import { renderScene, SIZE } from "./scene.ts";

const HERE = path.resolve(import.meta.dirname, "..");
export const IMAGE_BYTES = SIZE * SIZE * 3;

export function image(seed: number, set: "train" | "test", i: number): { label: number; bytes: Uint8Array } {
  const rng = new Prng(seed * 1_000_003 + (set === "test" ? 700_000 : 0) + i);
  const label = i % 2;
  return { label, bytes: renderScene(rng, label) };
}

export const testFileName = (i: number) => `vww_${String(i).padStart(4, "0")}.bin`;

/** A PNG of an RGB image, for looking at the data (zlib from Node, CRC32 computed here). */
export function png(rgb: Uint8Array, w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) raw.set(rgb.subarray(y * w * 3, (y + 1) * w * 3), y * (w * 3 + 1) + 1);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

function main() {
  const { values } = parseArgs({
    options: {
      train: { type: "string", default: "6000" },
      test: { type: "string", default: "200" },
      seed: { type: "string", default: "96" },
      preview: { type: "string" },
    },
  });
  const seed = Number(values.seed),
    nTrain = Number(values.train),
    nTest = Number(values.test);
  if (values.preview) {
    mkdirSync(values.preview, { recursive: true });
    for (let i = 0; i < 16; i++) {
      const t = image(seed, "test", i);
      writeFileSync(path.join(values.preview, `${testFileName(i)}.label${t.label}.png`), png(t.bytes, SIZE, SIZE));
    }
    return;
  }
  const build = path.join(HERE, "build");
  mkdirSync(build, { recursive: true });
  const train = new Uint8Array(nTrain * IMAGE_BYTES);
  const labels = new Uint8Array(nTrain);
  for (let i = 0; i < nTrain; i++) {
    const t = image(seed, "train", i);
    train.set(t.bytes, i * IMAGE_BYTES);
    labels[i] = t.label;
    if (i % 1000 === 0) console.error(`train ${i}/${nTrain}`);
  }
  writeFileSync(path.join(build, "train.bin"), train);
  writeFileSync(path.join(build, "train-labels.bin"), labels);
  writeMlperfDataset(
    path.join(HERE, "data"),
    2,
    Array.from({ length: nTest }, (_, i) => ({ file: testFileName(i), ...image(seed, "test", i) })),
  );
  console.log(`person-detection: ${nTrain} training images, ${nTest} test images (seed ${seed})`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
