// Chooses the detection rule (the int8 threshold on P(wake word) and how many consecutive hops above it make a
// detection) for the trained int8 model on the VALIDATION stream (build/validation.wav: its own seed and speakers, laid
// out like the long test stream; recipe/training-set.ts makes it), never on a test stream. The host reference (the
// fixed-point features and the incremental int8 model, bit-exact with the firmware) runs once; each candidate rule is
// scored as MLPerf's runner does. The rule with the fewest misses plus false accepts wins (ties: the fewer of the
// larger, then the higher threshold, then fewer hops). With --write, streaming.yaml's output.detect and
// quality.validation get the choice.
//   npx tsx workloads/streaming-wake-word/recipe/choose-rule.ts [--write]
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { hostOutputs, scoreOutputs } from "../../../harness/streaming/evaluate.ts";
import { SAMPLE_RATE } from "../../../harness/streaming/lfbe.ts";
import type { DetectionRule } from "../../../harness/streaming/model.ts";
import { readStream } from "../../../harness/streaming/wav.ts";
import { loadStreamingWorkload } from "../../../harness/streaming/workload.ts";

const THRESHOLDS = Array.from({ length: 127 - 40 }, (_, i) => 40 + i); // int8 above 40 (P > 0.66) .. above 126
const MIN_HOPS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

async function main() {
  const write = process.argv.includes("--write");
  const w = loadStreamingWorkload("streaming-wake-word");
  const build = path.join(w.dir, "build");
  const { pcm, truth } = readStream(path.join(build, "validation.wav"), path.join(build, "validation.json"));
  const started = Date.now();
  const out = hostOutputs(new Uint8Array(readFileSync(path.join(w.dir, "model.tflite"))), pcm.samples);
  console.log(`validation stream: ${out.hops} hops, ${truth.detection_windows.length} wake words (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const lengthS = pcm.samples.length / SAMPLE_RATE;
  const cls = w.manifest.output.detect.class;
  const rows = THRESHOLDS.flatMap((aboveInt8) =>
    MIN_HOPS.map((minHops) => {
      const rule: DetectionRule = { class: cls, aboveInt8, minHops };
      const s = scoreOutputs(w, out, rule, truth, lengthS);
      return { rule, tp: s.truePositives, fn: s.falseNegatives, fp: s.falsePositives };
    }),
  );
  const key = (r: (typeof rows)[number]) => [r.fn + r.fp, Math.max(r.fn, r.fp), -r.rule.aboveInt8, r.rule.minHops!];
  rows.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return 0;
  });
  const show = (r: (typeof rows)[number]) => `above ${r.rule.aboveInt8}, ${r.rule.minHops} hop(s): TP ${r.tp} FN ${r.fn} FP ${r.fp}`;
  const mlperf = rows.find((r) => r.rule.aboveInt8 === 115 && r.rule.minHops === 1)!;
  console.log(`MLPerf's rule (${show(mlperf)})`);
  for (const r of rows.slice(0, 8)) console.log(`  ${show(r)}`);
  const best = rows[0]!;
  console.log(`chosen: ${show(best)}`);
  if (!write) return;
  const doc = parseDocument(readFileSync(w.manifestFile, "utf8"));
  doc.setIn(["output", "detect"], doc.createNode({ class: cls, aboveInt8: best.rule.aboveInt8, minHops: best.rule.minHops }, { flow: true }));
  doc.setIn(["quality", "validation"], {
    truePositives: best.tp,
    falseNegatives: best.fn,
    falsePositives: best.fp,
    chosenBy: "npx tsx workloads/streaming-wake-word/recipe/choose-rule.ts --write (validation stream: seed 1602, validation speakers)",
  });
  writeFileSync(w.manifestFile, doc.toString({ lineWidth: 120 }));
  console.log(`updated ${w.manifestFile}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
