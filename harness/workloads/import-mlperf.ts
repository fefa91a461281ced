// `tinyrig workloads import-mlperf <checkout>`: MLPerf Tiny's official reference models, read from the user's checkout
// of github.com/mlcommons/tiny, become workload folders (manifest.yaml, the model, and the test set where the checkout
// holds its files) in a folder the user names. Nothing of MLPerf's is part of tinyrig: the paths below are where the
// checkout keeps each trained int8 model and each benchmark's y_labels.csv, and the rest of each entry is the
// benchmark's published rules (docs: ../shared/reference/dut-protocol.md). The input size and transform are read off
// the model itself, so a model the checkout changes is imported as it is.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "yaml";
import type { InputTransform } from "../build/firmware.ts";
import { PACKAGE_ROOT } from "../paths.ts";
import { loadTflite, modelCost } from "../tflite/model.ts";
import { readDataset } from "./dataset.ts";
import { modelInput } from "./model-workload.ts";
import { loadWorkload, WORKLOADS_DIR } from "./registry.ts";

export interface MlperfBenchmark {
  id: "kws01" | "vww01" | "ic01" | "ad01";
  title: string;
  /** The trained int8 model, relative to the checkout. */
  model: string;
  /** The folder holding y_labels.csv (and, where the user copied them, the input files), relative to the checkout. */
  dataset: string;
  task: "classification" | "anomaly";
  labels: string[];
  metric: { name: "top1" | "auc"; target: number };
  /** MLPerf's performance rule: inferences per window and warm-up (its runner's test YAMLs). */
  performance: { iterations: number; warmup: number };
  /** How the files MLPerf's datasets hold become the model's input. */
  transform: InputTransform;
  window?: { bytes: number; stride: number };
}

const TRAINED = "benchmark/training";
const DATASETS = "benchmark/evaluation/datasets";

export const MLPERF_BENCHMARKS: readonly MlperfBenchmark[] = [
  {
    id: "kws01",
    title: "MLPerf Tiny keyword spotting (kws01, DS-CNN), the official reference model",
    model: `${TRAINED}/keyword_spotting/trained_models/kws_ref_model.tflite`,
    dataset: `${DATASETS}/kws01`,
    task: "classification",
    labels: ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"],
    metric: { name: "top1", target: 0.9 },
    performance: { iterations: 70, warmup: 10 },
    transform: "int8", // int8 MFCC files, already quantised
  },
  {
    id: "vww01",
    title: "MLPerf Tiny visual wake words (vww01, MobileNetV1 0.25), the official reference model",
    model: `${TRAINED}/visual_wake_words/trained_models/vww_96_int8.tflite`,
    dataset: `${DATASETS}/vww01`,
    task: "classification",
    labels: ["no person", "person"],
    metric: { name: "top1", target: 0.8 },
    performance: { iterations: 20, warmup: 5 },
    transform: "uint8-minus-128", // uint8 RGB files, input zero point -128
  },
  {
    id: "ic01",
    title: "MLPerf Tiny image classification (ic01, ResNet-8), the official reference model",
    model: `${TRAINED}/image_classification/trained_models/pretrainedResnet_quant.tflite`,
    dataset: `${DATASETS}/ic01`,
    task: "classification",
    labels: ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
    metric: { name: "top1", target: 0.85 },
    performance: { iterations: 20, warmup: 5 },
    transform: "uint8-minus-128",
  },
  {
    id: "ad01",
    title: "MLPerf Tiny anomaly detection (ad01, dense autoencoder), the official reference model",
    model: `${TRAINED}/anomaly_detection/trained_models/ad01_int8.tflite`,
    dataset: `${DATASETS}/ad01`,
    task: "anomaly",
    labels: ["normal", "anomaly"],
    metric: { name: "auc", target: 0.85 },
    performance: { iterations: 1500, warmup: 10 },
    transform: "float32-quantize", // float32 log-mel files, quantised by the firmware
    window: { bytes: 2560, stride: 512 },
  },
];

/**
 * The streaming wake word benchmark (sww01): its model, scored on streams by tinyrig's stream engine, so it becomes a
 * streaming workload (streaming.yaml; harness/streaming/workload.ts). The streams are the runner's WAV files with their
 * truth windows in MLPerf's own JSON (which tinyrig reads as it is); the rules are MLPerf's (streaming-wakeword.md).
 */
const SWW01 = {
  id: "sww01",
  model: `${TRAINED}/streaming_wakeword/trained_models/str_ww_ref_model.tflite`,
  streams: "benchmark/runner/sww_data_dir",
  /** stream name -> its truth file; `long` (20 minutes, 50 wake words) is the scored one. */
  truth: { long: "sww_long_test.json", med: "sww_med_test.json", short: "sww_short_test.json" } as Record<string, string>,
};

export const MLPERF_IDS = [...MLPERF_BENCHMARKS.map((b) => b.id), SWW01.id];

/** A checkout, a folder or a benchmark that cannot be imported: said before anything is written. */
export class ImportUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportUsageError";
  }
}

export interface ImportOptions {
  checkout: string;
  /** The folder the workload folders go in (one per benchmark, named by its id). */
  out: string;
  /** Replace workload folders already there (each only if it is a workload folder). */
  force: boolean;
  only?: readonly string[];
}

export type ImportOutcome =
  | { id: string; status: "imported"; dir: string; dataset: string; streaming?: true }
  | { id: string; status: "failed" | "not imported"; reason: string };

/** Checks the checkout and the folder, then imports each benchmark; a benchmark that fails does not stop the rest. */
export function importMlperf(opts: ImportOptions): ImportOutcome[] {
  const checkout = path.resolve(opts.checkout);
  if (!existsSync(checkout) || !statSync(checkout).isDirectory()) throw new ImportUsageError(`${opts.checkout}: no such folder`);
  const missing = [TRAINED, DATASETS].filter((d) => !existsSync(path.join(checkout, d)));
  if (missing.length) {
    throw new ImportUsageError(
      `${opts.checkout}: not a checkout of MLPerf Tiny (git clone https://github.com/mlcommons/tiny): it has no ${missing.map((d) => `${d}/`).join(" or ")}`,
    );
  }
  const out = path.resolve(opts.out);
  const inside = (parent: string) => out === parent || out.startsWith(parent + path.sep);
  // tinyrig's own workloads, and an installed package, are tinyrig's: imports go to the user's folders
  if (inside(WORKLOADS_DIR) || (inside(PACKAGE_ROOT) && PACKAGE_ROOT.split(path.sep).includes("node_modules"))) {
    throw new ImportUsageError(
      `${opts.out}: inside tinyrig's own files (${inside(WORKLOADS_DIR) ? WORKLOADS_DIR : PACKAGE_ROOT}); import into a folder of yours`,
    );
  }
  const wanted = (id: string) => !opts.only?.length || opts.only.includes(id);
  const chosen = MLPERF_BENCHMARKS.filter((b) => wanted(b.id));
  // nothing is overwritten unasked, and nothing but a workload folder ever: all refused before anything is written
  const taken = MLPERF_IDS.filter((id) => wanted(id) && existsSync(path.join(out, id)));
  const isWorkload = (id: string) => ["manifest.yaml", "streaming.yaml"].some((f) => existsSync(path.join(out, id, f)));
  const notWorkloads = taken.filter((id) => !isWorkload(id));
  if (notWorkloads.length)
    throw new ImportUsageError(
      `${notWorkloads.map((id) => path.join(out, id)).join(", ")}: already there and not a workload folder (no manifest); not touched`,
    );
  if (taken.length && !opts.force)
    throw new ImportUsageError(`${taken.map((id) => path.join(out, id)).join(", ")}: already there; --force replaces ${taken.length > 1 ? "them" : "it"}`);
  mkdirSync(out, { recursive: true });
  const outcomes: ImportOutcome[] = chosen.map((b) => {
    try {
      return importBenchmark(checkout, out, b);
    } catch (err) {
      return { id: b.id, status: "failed", reason: (err as Error).message };
    }
  });
  if (wanted(SWW01.id)) {
    try {
      outcomes.push(importStreaming(checkout, out));
    } catch (err) {
      outcomes.push({ id: SWW01.id, status: "failed", reason: (err as Error).message });
    }
  }
  return outcomes;
}

function importBenchmark(checkout: string, out: string, b: MlperfBenchmark): ImportOutcome {
  const modelFile = path.join(checkout, b.model);
  if (!existsSync(modelFile)) return { id: b.id, status: "failed", reason: `model not found: ${modelFile} (an older or partial checkout?)` };
  const bytes = new Uint8Array(readFileSync(modelFile));
  const model = loadTflite(bytes);
  const inTensor = model.tensors[model.inputs[0]!]!;
  const outTensor = model.tensors[model.outputs[0]!]!;
  // the benchmark's files as its int8 model takes them; a float32 input tensor takes float32 files as they are
  const transform = inTensor.type === "float32" && b.transform === "float32-quantize" ? undefined : b.transform;
  const input = modelInput(modelFile, { type: inTensor.type, elements: inTensor.elements, zeroPoint: inTensor.quantization?.zeroPoint[0] }, transform);
  if (b.window && b.window.bytes !== input.bytes)
    throw new Error(`${modelFile}: takes ${input.bytes} bytes per input; MLPerf's ${b.id} windows are ${b.window.bytes} bytes`);
  if (b.task === "classification" && outTensor.elements !== b.labels.length)
    throw new Error(`${modelFile}: ${outTensor.elements} outputs; MLPerf's ${b.id} has ${b.labels.length} classes`);
  const dir = path.join(out, b.id);
  rmSync(dir, { recursive: true, force: true }); // a workload folder, replaced with --force (checked above)
  mkdirSync(dir, { recursive: true });
  copyFileSync(modelFile, path.join(dir, "model.tflite"));
  const dataset = importDataset(checkout, dir, b, input.bytes);
  const { params, macs } = modelCost(model);
  const manifest = {
    id: b.id,
    mlperfModelId: b.id,
    title: b.title,
    task: b.task,
    input: { shape: inTensor.shape, dtype: fileType(input.transform), bytes: input.bytes, transform: input.transform },
    output: { labels: b.labels },
    metric: b.metric,
    model: { file: "model.tflite", sha256: sha256(bytes), bytes: bytes.length, params, macs },
    dataset: dataset.manifest,
    performance: b.performance,
    notes: `Imported by tinyrig workloads import-mlperf from ${checkout}: ${b.model}${dataset.manifest.dir ? ` and ${b.dataset}` : ""}. MLPerf Tiny's, not tinyrig's; quality not measured here.`,
  };
  writeFileSync(
    path.join(dir, "manifest.yaml"),
    `# ${b.title}, imported from a checkout of MLPerf Tiny (tinyrig workloads import-mlperf); tinyrig ships none of it.\n${stringify(manifest)}`,
  );
  loadWorkload(b.id, out); // what was written loads as a workload (the manifest and the model's hash)
  return { id: b.id, status: "imported", dir, dataset: dataset.said };
}

/** sww01 as a streaming workload: the model, the streams the checkout holds (the long one at least), MLPerf's rules. */
function importStreaming(checkout: string, out: string): ImportOutcome {
  const id = SWW01.id;
  const modelFile = path.join(checkout, SWW01.model);
  if (!existsSync(modelFile)) return { id, status: "failed", reason: `model not found: ${modelFile} (an older or partial checkout?)` };
  const bytes = new Uint8Array(readFileSync(modelFile));
  const model = loadTflite(bytes);
  const inTensor = model.tensors[model.inputs[0]!]!;
  const outTensor = model.tensors[model.outputs[0]!]!;
  if (inTensor.type !== "int8" || inTensor.elements !== 30 * 40 || outTensor.elements !== 3)
    throw new Error(
      `${modelFile}: input ${inTensor.type} [${inTensor.shape.join(",")}], ${outTensor.elements} outputs; MLPerf's sww01 takes int8 [1,30,1,40] (30 frames of 40 log-mel bands) and gives 3 classes`,
    );
  const from = path.join(checkout, SWW01.streams);
  const streams: Record<string, { wav: string; truth: string; seconds: number; wakeWords: number }> = {};
  const absent: string[] = [];
  for (const [name, truthName] of Object.entries(SWW01.truth)) {
    const truth = path.join(from, truthName);
    if (!existsSync(truth)) {
      absent.push(truth);
      continue;
    }
    const [entry] = JSON.parse(readFileSync(truth, "utf8")) as { wav_file: string; length_sec: number; detection_windows: unknown[] }[];
    const wav = entry ? path.join(from, path.basename(entry.wav_file)) : truth;
    // a file still in Git LFS is a text pointer, not a WAV
    if (!entry || !existsSync(wav) || readFileSync(wav).subarray(0, 4).toString("latin1") !== "RIFF") {
      absent.push(wav);
      continue;
    }
    streams[name] = { wav, truth, seconds: entry.length_sec, wakeWords: entry.detection_windows.length };
  }
  if (!streams.long) return { id, status: "failed", reason: `the scored stream is not in the checkout: ${absent.join(", ")} (a Git LFS file not fetched?)` };
  const dir = path.join(out, id);
  rmSync(dir, { recursive: true, force: true }); // a workload folder, replaced with --force (checked above)
  mkdirSync(path.join(dir, "data"), { recursive: true });
  copyFileSync(modelFile, path.join(dir, "model.tflite"));
  const entries = Object.fromEntries(
    Object.entries(streams).map(([name, s]) => {
      for (const f of [s.wav, s.truth]) copyFileSync(f, path.join(dir, "data", path.basename(f)));
      const file = `data/${path.basename(s.wav)}`;
      return [
        name,
        { file, truth: `data/${path.basename(s.truth)}`, sha256: sha256(new Uint8Array(readFileSync(s.wav))), seconds: s.seconds, wakeWords: s.wakeWords },
      ];
    }),
  );
  const { params, macs } = modelCost(model);
  const manifest = {
    id,
    mlperfModelId: id,
    title: "MLPerf Tiny streaming wake word (sww01), the official reference model",
    wakeWord: "marvin",
    audio: { sampleRate: 16000, hop: 512, window: 1024 },
    features: { frames: 30, bands: 40, definition: "MLPerf's sww01 front end as tinyrig computes it (harness/streaming/lfbe.ts, firmware/core/lfbe.c)" },
    output: { labels: ["marvin", "silence", "unknown"], detect: { class: 0, aboveInt8: 115 } },
    model: { file: "model.tflite", sha256: sha256(bytes), bytes: bytes.length, params, macs },
    streams: entries,
    scoring: { tpExtensionS: 1, debounceS: 1, target: { maxFalsePositives: 8, maxFalseNegatives: 8 } },
  };
  writeFileSync(
    path.join(dir, "streaming.yaml"),
    `# MLPerf Tiny's sww01, imported from a checkout (tinyrig workloads import-mlperf); tinyrig ships none of it.\n# From ${checkout}: ${SWW01.model} and ${SWW01.streams}.\n${stringify(manifest)}`,
  );
  // (the streaming manifest's schema sits above this stage: the command loads what was written back)
  return { id, status: "imported", dir, streaming: true, dataset: `streams ${Object.keys(entries).join(", ")} from ${SWW01.streams}` };
}

/** The benchmark's test set, copied into `<dir>/data` where the checkout holds every file its y_labels.csv lists. */
function importDataset(checkout: string, dir: string, b: MlperfBenchmark, inputBytes: number): { manifest: Record<string, unknown>; said: string } {
  const from = path.join(checkout, b.dataset);
  const labels = path.join(from, "y_labels.csv");
  const window = b.window ? { window: b.window } : {};
  const none = (said: string) => ({ manifest: { labels: "y_labels.csv", ...window, source: said }, said });
  if (!existsSync(labels)) return none(`no ${path.join(b.dataset, "y_labels.csv")} in the checkout: run with --dataset DIR`);
  const files = (parse(readFileSync(labels, "utf8"), { trim: true, skip_empty_lines: true, relax_column_count: true }) as string[][]).map((r) => r[0] ?? "");
  // a listed name stays inside the folder (the copy must not write, or read, anywhere else)
  const outside = files.find((f) => path.isAbsolute(f) || !path.resolve(from, f).startsWith(path.resolve(from) + path.sep));
  if (outside !== undefined) throw new Error(`${labels}: file name ${JSON.stringify(outside)} leaves the dataset folder`);
  const present = files.filter((f) => existsSync(path.join(from, f)));
  if (present.length < files.length) {
    return none(
      `MLPerf Tiny's inputs are not redistributed: ${present.length} of the ${files.length} files ${path.join(b.dataset, "y_labels.csv")} lists are in the checkout; ` +
        `copy them beside it and import again with --force, or run with --dataset DIR`,
    );
  }
  const data = path.join(dir, "data");
  mkdirSync(data, { recursive: true });
  copyFileSync(labels, path.join(data, "y_labels.csv"));
  for (const f of files) copyFileSync(path.join(from, f), path.join(data, f));
  const ds = readDataset(data, { workloadId: b.id, inputBytes, classes: b.task === "anomaly" ? 2 : b.labels.length, windowed: b.window !== undefined });
  return {
    manifest: {
      dir: "data",
      labels: "y_labels.csv",
      count: ds.entries.length,
      sha256: ds.sha256,
      ...window,
      source: `${b.dataset} of an MLPerf Tiny checkout`,
    },
    said: `${ds.entries.length} test inputs from ${b.dataset}`,
  };
}

/** What the dataset's files hold, per the transform that reads them. */
function fileType(t: InputTransform): "int8" | "uint8" | "float32" {
  return t === "uint8-minus-128" ? "uint8" : t === "int8" ? "int8" : "float32";
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
