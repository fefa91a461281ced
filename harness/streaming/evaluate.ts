// Host-measured quality of a streaming workload's int8 model: the host reference (fixed-point features + the
// incremental model, bit-exact with the firmware) on every hop of each stream, scored as MLPerf's runner does. With
// --write, records the model's hash and cost and these figures in streaming.yaml.
//   npx tsx harness/streaming/evaluate.ts streaming-wake-word [--write]
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { loadTflite, modelCost } from "../tflite/model.ts";
import { HOP, lfbeThresholds, SAMPLE_RATE, silenceFrame, streamFrames } from "./lfbe.ts";
import { detectionHops, StreamingModel, streamOutputs } from "./model.ts";
import { scoreDetections, type StreamScore } from "./scoring.ts";
import { readStream } from "./wav.ts";
import { loadStreamingWorkload, streamFile, type StreamingWorkload } from "./workload.ts";

export function hostScore(
  w: StreamingWorkload,
  modelBytes: Uint8Array,
  wavFile: string,
  truthFile: string,
  tpExtensionS = w.manifest.scoring.tpExtensionS,
): StreamScore {
  const { pcm, truth } = readStream(wavFile, truthFile);
  const model = new StreamingModel(loadTflite(modelBytes));
  const q = model.interpreter.input.quantization!;
  const thresholds = lfbeThresholds(Math.fround(q.scale[0]!), q.zeroPoint[0]!);
  const out = streamOutputs(model, streamFrames(pcm.samples, thresholds), silenceFrame(thresholds));
  const d = w.manifest.output.detect;
  const times = detectionHops(out, d.class, d.aboveInt8).map((h) => (h * HOP) / SAMPLE_RATE);
  return scoreDetections(times, truth.detection_windows, pcm.samples.length / SAMPLE_RATE, { tpExtensionS, debounceS: w.manifest.scoring.debounceS });
}

async function main() {
  const [id, flag] = process.argv.slice(2);
  if (!id) throw new Error("usage: evaluate.ts <streaming workload> [--write]");
  const w = loadStreamingWorkload(id);
  const modelFile = path.join(w.dir, "model.tflite");
  const bytes = new Uint8Array(readFileSync(modelFile));
  const cost = modelCost(loadTflite(bytes));
  const quality: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(w.manifest.streams)) {
    const wav = await streamFile(w, name);
    for (const ext of [1, 2]) {
      const started = Date.now();
      const s = hostScore(w, bytes, wav, path.join(w.dir, entry.truth), ext);
      console.log(
        `${name} (window end + ${ext} s): TP ${s.truePositives} FN ${s.falseNegatives} FP ${s.falsePositives} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      quality[ext === 1 ? name : `${name}-end-plus-2s`] = {
        truePositives: s.truePositives,
        falseNegatives: s.falseNegatives,
        falsePositives: s.falsePositives,
      };
    }
  }
  if (flag !== "--write") return;
  const doc = parseDocument(readFileSync(w.manifestFile, "utf8"));
  doc.set("model", {
    file: "model.tflite",
    sha256: createHash("sha256").update(bytes).digest("hex"),
    bytes: bytes.length,
    params: cost.params,
    macs: cost.macs,
  });
  const floatFile = path.join(w.dir, "build", "float-quality.json");
  const fq = existsSync(floatFile) ? (JSON.parse(readFileSync(floatFile, "utf8")) as { float32WindowAccuracy?: number; trainingSeconds?: number }) : {};
  doc.set("quality", {
    ...quality,
    float32WindowAccuracy: fq.float32WindowAccuracy,
    measuredBy: `npx tsx harness/streaming/evaluate.ts ${id} --write (host reference: fixed-point features + incremental int8 model, bit-exact with the firmware)`,
  });
  if (fq.trainingSeconds !== undefined) doc.setIn(["recipe", "trainingSeconds"], fq.trainingSeconds);
  writeFileSync(w.manifestFile, doc.toString({ lineWidth: 120 }));
  console.log(`updated ${w.manifestFile}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
