// Measures a workload's int8 model (and variants) on its test set with the host reference interpreter: top-1 for
// classifiers, ROC AUC of the mean window reconstruction error for anomaly detection. With --write, records the
// figures and hashes in the manifest (the float32 figures come from the recipe's build/float-quality.json). Variants:
// the float32 reference (host only), the .tflite ones listed, and classical models the recipe wrote to variants/
// (<id>.json tables for the TypeScript reference + <id>.c for the firmware), measured with their host reference.
//   npx tsx harness/workloads/evaluate.ts <workload> [--write]
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { Interpreter } from "../interpreter/interpreter.ts";
import { quantizeF32S8 } from "../interpreter/quantize.ts";
import { argmax, rocAuc } from "../modes/stats.ts";
import { loadTflite, modelCost } from "../tflite/model.ts";
import { readDataset, type Dataset } from "./dataset.ts";
import { loadWorkload, ownDatasetDir, type Workload } from "./registry.ts";
import type { Variant } from "./manifest.ts";
import { FOREST_FORMAT, forestCost, forestOutputs, forestReference, OPS_DEFINITION, readForestTables } from "../classical/spectral-forest.ts";
import { classicalCodeSize } from "../classical/code-size.ts";
import { DEFAULT_BOARD, findBoard } from "../boards/load.ts";

export interface Evaluation {
  metric: "top1" | "auc";
  value: number;
  count: number;
}

/** Host reference output for one inference input (what the firmware must reproduce bit for bit). */
export function hostReference(interp: Interpreter, transform: string): (input: Uint8Array) => Uint8Array {
  return (input) => {
    if (transform === "uint8-minus-128") return interp.invoke(Int8Array.from(input, (v) => v - 128));
    if (transform === "float32-quantize" && (interp.input.type === "int8" || interp.input.type === "int16")) {
      // as the firmware's load step: its QUANTIZE kernel, with the interpreter's semantics (ties away from zero)
      const q = interp.input.quantization!;
      const out = interp.input.type === "int16" ? new Int16Array(interp.input.elements) : new Int8Array(interp.input.elements);
      quantizeF32S8(new Float32Array(input.slice().buffer), q.scale[0]!, q.zeroPoint[0]!, out, interp.quantizeDivision);
      return interp.invoke(new Uint8Array(out.buffer));
    }
    return interp.invoke(input);
  };
}

/** Dequantised output vector of a raw output tensor. */
export function outputValues(interp: Interpreter, raw: Uint8Array): number[] {
  if (interp.output.type === "float32") return Array.from(new Float32Array(raw.slice().buffer));
  const q = interp.outputQuantization!;
  const values = interp.output.type === "int16" ? new Int16Array(raw.slice().buffer) : new Int8Array(raw.buffer, raw.byteOffset, raw.length);
  return Array.from(values, (v) => q.scale * (v - q.zeroPoint));
}

export function evaluateModel(w: Workload, modelBytes: Uint8Array, dataset: Dataset): Evaluation {
  const interp = new Interpreter(loadTflite(modelBytes));
  return evaluateReference(w, hostReference(interp, w.manifest.input.transform), (raw) => outputValues(interp, raw), dataset);
}

/** The task's metric of a host reference (raw output per input, and its output vector) over a dataset. */
export function evaluateReference(w: Workload, run: (input: Uint8Array) => Uint8Array, outputs: (raw: Uint8Array) => number[], dataset: Dataset): Evaluation {
  const m = w.manifest;
  if (m.task === "anomaly") {
    const scores: number[] = [];
    const labels: number[] = [];
    for (const e of dataset.entries) {
      const bytes = e.bytes();
      const { bytes: wb, stride } = e.window!;
      let sum = 0;
      let n = 0;
      for (let off = 0; off + wb <= bytes.length; off += stride) {
        const win = bytes.slice(off, off + wb);
        const x = new Float32Array(win.buffer);
        const y = outputs(run(win));
        let mse = 0;
        for (let i = 0; i < y.length; i++) mse += (x[i]! - y[i]!) ** 2;
        sum += mse / y.length;
        n++;
      }
      scores.push(sum / n);
      labels.push(e.label);
    }
    return { metric: "auc", value: rocAuc(scores, labels), count: scores.length };
  }
  let correct = 0;
  for (const e of dataset.entries) if (argmax(outputs(run(e.bytes()))) === e.label) correct++;
  return { metric: "top1", value: correct / dataset.entries.length, count: dataset.entries.length };
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const round4 = (v: number) => Math.round(v * 10000) / 10000;

function main() {
  const [id, flag] = process.argv.slice(2);
  if (!id) throw new Error("usage: evaluate.ts <workload> [--write]");
  const w = loadWorkload(id);
  const m = w.manifest;
  const ds = readDataset(ownDatasetDir(w), {
    workloadId: w.id,
    inputBytes: m.dataset.window?.bytes ?? m.input.bytes,
    classes: m.task === "anomaly" ? 2 : m.output.labels.length,
    windowed: m.dataset.window !== undefined,
  });
  const floatFile = path.join(w.dir, "build", "float-quality.json");
  const floatQ = existsSync(floatFile)
    ? (JSON.parse(readFileSync(floatFile, "utf8")) as Record<string, { float32?: number }> & { trainingSeconds?: number })
    : {};
  const started = Date.now();
  const modelBytes = new Uint8Array(readFileSync(w.modelPath));
  const main = evaluateModel(w, modelBytes, ds);
  const cost = modelCost(loadTflite(modelBytes));
  console.log(
    `${id}: int8 ${main.metric} ${main.value.toFixed(4)} over ${main.count} (${((Date.now() - started) / 1000).toFixed(1)} s), params ${cost.params}, MACs ${cost.macs}`,
  );
  const variants: Variant[] = [];
  // the float32 reference: host only, the recipe's float32 accuracy, its weights 4 bytes each
  const f32 = floatQ.model?.float32 ?? m.quality?.float32 ?? Number.NaN;
  const old32 = m.variants.find((v) => v.kind === "float32");
  variants.push({
    id: old32?.id ?? "float32",
    kind: "float32",
    note: "the float32 model the int8 one was quantised from (host only); bytes = 4 x params; accuracy measured in float32 by the recipe",
    bytes: 4 * cost.params,
    params: cost.params,
    macs: cost.macs,
    float32: round4(f32),
  });
  console.log(`  float32: ${main.metric} ${f32.toFixed(4)} (recipe), ${4 * cost.params} bytes of weights (host only)`);
  for (const v of m.variants) {
    if (v.kind !== "tflite") continue;
    const bytes = new Uint8Array(readFileSync(path.join(w.dir, v.file)));
    const e = evaluateModel(w, bytes, ds);
    const c = modelCost(loadTflite(bytes));
    console.log(`  ${v.id}: int8 ${e.metric} ${e.value.toFixed(4)}, params ${c.params}, MACs ${c.macs}`);
    variants.push({
      ...v,
      sha256: sha(bytes),
      bytes: bytes.length,
      params: c.params,
      macs: c.macs,
      int8: round4(e.value),
      float32: floatQ[v.id]?.float32 !== undefined ? round4(floatQ[v.id]!.float32!) : v.float32,
    });
  }
  // classical models compiled to C: variants/<id>.json tables (the host reference reads them) beside variants/<id>.c
  const vdir = path.join(w.dir, "variants");
  const tableFiles = existsSync(vdir)
    ? readdirSync(vdir)
        .filter((f) => f.endsWith(".json"))
        .sort()
    : [];
  for (const f of tableFiles) {
    const tablesPath = path.join(vdir, f);
    if ((JSON.parse(readFileSync(tablesPath, "utf8")) as { format?: string }).format !== FOREST_FORMAT) continue;
    const id = f.replace(/\.json$/, "");
    const cFile = path.join(vdir, `${id}.c`);
    if (!existsSync(cFile)) throw new Error(`${tablesPath}: no ${id}.c beside it (the recipe writes both)`);
    const tables = readForestTables(tablesPath);
    const e = evaluateReference(w, forestReference(tables), (raw) => forestOutputs(tables, raw), ds);
    const fc = forestCost(tables);
    const size = classicalCodeSize(cFile, findBoard(DEFAULT_BOARD));
    const old = m.variants.find((v) => v.id === id);
    console.log(`  ${id}: classical ${e.metric} ${e.value.toFixed(4)}, ${size.flash} bytes flash (+${size.ram} RAM), params ${fc.params}, ops ${fc.ops}`);
    variants.push({
      id,
      kind: "classical",
      file: `variants/${id}.c`,
      sha256: sha(readFileSync(cFile)),
      bytes: size.flash,
      params: fc.params,
      macs: fc.ops,
      tables: `variants/${f}`,
      tablesSha256: sha(readFileSync(tablesPath)),
      accuracy: round4(e.value),
      note: old?.note ?? `${tables.trees.length}-tree random forest on integer spectral features, compiled to C`,
      cost:
        `bytes: flash of its code + const tables (${size.ram} B of RAM scratch apart), ${size.measuredWith}; ` +
        `params: ${fc.splits} split thresholds + ${fc.leaves} leaves x ${tables.classes.length} scores; macs: ${OPS_DEFINITION}`,
    });
  }
  if (flag !== "--write") return;
  const doc = parseDocument(readFileSync(w.manifestFile, "utf8"));
  doc.setIn(["model", "sha256"], sha(modelBytes));
  doc.setIn(["model", "bytes"], modelBytes.length);
  doc.setIn(["model", "params"], cost.params);
  doc.setIn(["model", "macs"], cost.macs);
  doc.setIn(["quality", "float32"], round4(f32));
  doc.setIn(["quality", "int8"], round4(main.value));
  doc.setIn(["quality", "drop"], round4(f32 - main.value));
  doc.setIn(["quality", "measuredBy"], `npx tsx harness/workloads/evaluate.ts ${id} --write (host reference interpreter, ${main.count} test inputs)`);
  doc.setIn(["dataset", "sha256"], ds.sha256);
  doc.setIn(["dataset", "count"], ds.entries.length);
  if (floatQ.trainingSeconds !== undefined) doc.setIn(["recipe", "trainingSeconds"], floatQ.trainingSeconds);
  doc.set("variants", variants);
  writeFileSync(w.manifestFile, doc.toString({ lineWidth: 120 }));
  console.log(`updated ${w.manifestFile}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
