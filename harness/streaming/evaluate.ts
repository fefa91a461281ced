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
import { detectionHops, StreamingModel, streamOutputs, type DetectionRule, type HopOutput } from "./model.ts";
import { scoreDetections, type StreamScore } from "./scoring.ts";
import { readStream, type StreamTruth } from "./wav.ts";
import { loadStreamingWorkload, streamFile, type StreamingWorkload } from "./workload.ts";

/** The host reference's int8 outputs on every hop of a WAV (fixed-point features + the incremental model). */
export function hostOutputs(modelBytes: Uint8Array, samples: Int16Array): HopOutput {
  const model = new StreamingModel(loadTflite(modelBytes));
  const q = model.interpreter.input.quantization!;
  const thresholds = lfbeThresholds(Math.fround(q.scale[0]!), q.zeroPoint[0]!);
  return streamOutputs(model, streamFrames(samples, thresholds), silenceFrame(thresholds));
}

/** A stream's detections under `rule`, scored as MLPerf's runner does. */
export function scoreOutputs(
  w: StreamingWorkload,
  out: HopOutput,
  rule: DetectionRule,
  truth: StreamTruth,
  lengthS: number,
  tpExtensionS = w.manifest.scoring.tpExtensionS,
): StreamScore {
  const times = detectionHops(out, rule).map((h) => (h * HOP) / SAMPLE_RATE);
  return scoreDetections(times, truth.detection_windows, lengthS, { tpExtensionS, debounceS: w.manifest.scoring.debounceS });
}

export function hostScore(
  w: StreamingWorkload,
  modelBytes: Uint8Array,
  wavFile: string,
  truthFile: string,
  tpExtensionS = w.manifest.scoring.tpExtensionS,
): StreamScore {
  const { pcm, truth } = readStream(wavFile, truthFile);
  const out = hostOutputs(modelBytes, pcm.samples);
  return scoreOutputs(w, out, w.manifest.output.detect, truth, pcm.samples.length / SAMPLE_RATE, tpExtensionS);
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
  const fq = existsSync(floatFile)
    ? (JSON.parse(readFileSync(floatFile, "utf8")) as { float32TrainingHopAccuracy?: number; epochs?: number; trainingSeconds?: number })
    : {};
  doc.set("quality", {
    ...quality,
    // the detection rule's choice on the validation stream (recipe/choose-rule.ts) stays
    validation: doc.getIn(["quality", "validation"]),
    float32TrainingHopAccuracy: fq.float32TrainingHopAccuracy,
    measuredBy: `npx tsx harness/streaming/evaluate.ts ${id} --write (host reference: fixed-point features + incremental int8 model, bit-exact with the firmware)`,
  });
  if (fq.trainingSeconds !== undefined) doc.setIn(["recipe", "trainingSeconds"], fq.trainingSeconds);
  if (fq.epochs !== undefined) doc.setIn(["recipe", "epochs"], fq.epochs);
  writeFileSync(w.manifestFile, doc.toString({ lineWidth: 120 }));
  console.log(`updated ${w.manifestFile}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
