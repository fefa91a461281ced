// A workload's models: the main int8 model and its variants (docs/architecture.md, "Workload manifest"). What can
// run on a board (int8 .tflite, classical C), each with its own host reference; the float32 reference cannot.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { forestOutputs, forestReference, readForestTables } from "../classical/spectral-forest.ts";
import { Interpreter } from "../interpreter/interpreter.ts";
import { loadTflite } from "../tflite/model.ts";
import { hostReference, outputValues } from "./evaluate.ts";
import { ManifestError, type Variant } from "./manifest.ts";
import { readModel, type Workload } from "./registry.ts";

/** The main model's id where a variant id is expected (`--variant model`). */
export const MAIN_MODEL = "model";

export class VariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VariantError";
  }
}

/** One model of a workload, ready to build and to check bit for bit. */
export interface BoardModel {
  /** undefined: the main model. */
  variant?: string;
  kind: "tflite" | "classical";
  path: string;
  sha256: string;
  bytes: number;
  params: number;
  macs: number;
  /** Raw output bytes the device must produce for these input bytes. */
  hostReference: (input: Uint8Array) => Uint8Array;
  /** The output vector (what the firmware prints in m-results) of raw output bytes. */
  outputs: (raw: Uint8Array) => number[];
}

/** Ids that can run on a board: the main model first, then the runnable variants in manifest order. */
export function boardModelIds(w: Workload): string[] {
  return [MAIN_MODEL, ...w.manifest.variants.filter((v) => v.kind !== "float32").map((v) => v.id)];
}

export function findVariant(w: Workload, id: string): Variant {
  const v = w.manifest.variants.find((x) => x.id === id);
  if (!v) throw new VariantError(`${w.id}: no variant "${id}" (its variants: ${[MAIN_MODEL, ...w.manifest.variants.map((x) => x.id)].join(", ")})`);
  return v;
}

/** The model `id` names (MAIN_MODEL or undefined: the main one), its files checked against the manifest. */
export function boardModel(w: Workload, id?: string): BoardModel {
  const m = w.manifest;
  if (id === undefined || id === MAIN_MODEL) {
    const bytes = readModel(w);
    const interp = new Interpreter(loadTflite(bytes));
    return {
      kind: "tflite",
      path: w.modelPath,
      sha256: m.model.sha256,
      bytes: bytes.length,
      params: m.model.params,
      macs: m.model.macs,
      hostReference: hostReference(interp, m.input.transform),
      outputs: (raw) => outputValues(interp, raw),
    };
  }
  const v = runnableVariant(w, id);
  if (v.kind === "tflite") {
    const bytes = readModel(w, v.file, v.sha256);
    const interp = new Interpreter(loadTflite(bytes));
    return {
      variant: v.id,
      kind: "tflite",
      path: path.join(w.dir, v.file),
      sha256: v.sha256,
      bytes: bytes.length,
      params: v.params,
      macs: v.macs,
      hostReference: hostReference(interp, m.input.transform),
      outputs: (raw) => outputValues(interp, raw),
    };
  }
  const source = readModel(w, v.file, v.sha256); // the C the firmware compiles
  const tablesFile = path.join(w.dir, v.tables);
  if (!existsSync(tablesFile)) throw new ManifestError(w.manifestFile, `${v.tables} (variant ${v.id}'s tables) is missing`);
  const tablesSha = createHash("sha256").update(readFileSync(tablesFile)).digest("hex");
  if (tablesSha !== v.tablesSha256) throw new ManifestError(w.manifestFile, `${v.tables} has sha256 ${tablesSha}, the manifest records ${v.tablesSha256}`);
  if (m.input.transform !== "int8")
    throw new VariantError(`${w.id}: classical variant ${v.id} needs the int8 input transform, the workload has ${m.input.transform}`);
  const tables = readForestTables(tablesFile);
  return {
    variant: v.id,
    kind: "classical",
    path: path.join(w.dir, v.file),
    sha256: createHash("sha256").update(source).digest("hex"),
    bytes: v.bytes,
    params: v.params,
    macs: v.macs,
    hostReference: forestReference(tables),
    outputs: (raw) => forestOutputs(tables, raw),
  };
}

/** A variant that can run on a board; the float32 reference (host only) and unknown ids are refused, saying why. */
export function runnableVariant(w: Workload, id: string): Exclude<Variant, { kind: "float32" }> {
  const m = w.manifest;
  const v = findVariant(w, id);
  if (v.kind === "float32") {
    throw new VariantError(
      `${w.id}: variant "${v.id}" is the float32 reference model: host only. It cannot run on a board (tinyrig firmware runs ` +
        `int8 .tflite models and classical models compiled to C); its accuracy (${m.metric.name === "top1" ? `top-1 ${(v.float32 * 100).toFixed(1)}%` : `AUC ${v.float32}`}) ` +
        `was measured on the host by the training recipe, and the manifest records its ${v.bytes} bytes of float32 weights and ${v.macs} MACs. ` +
        `Variants that run on a board: ${boardModelIds(w).join(", ")}.`,
    );
  }
  return v;
}

/** The models `--variant` names: ids, `all` (the main model and every variant that runs on a board), or `model`. */
export function selectBoardModels(w: Workload, ids: string[]): string[] {
  if (ids.includes("all")) return boardModelIds(w);
  for (const id of ids) if (id !== MAIN_MODEL) runnableVariant(w, id); // refuses float32 and unknown ids before anything is built
  return ids;
}
