// Which model a stream run plays: the workload's own (its manifest's file, checked against the recorded sha256, with the
// detection rule the recipe chose for it) or a user's (`tinyrig run --workload <streaming> --model X.tflite`, e.g.
// MLPerf's sww01 .tflite, brought by the user: nothing of MLPerf's is committed here), read and checked once, where it
// enters: an int8 [1, frames, 1, features] input of the workload's shape, int8 outputs one per label, convolutions the
// firmware can run one row at a time. A user's model gets MLPerf's detection rule (output[0] > 115 on a hop), since
// the workload's rule was chosen for the workload's model.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadTflite, modelCost } from "../tflite/model.ts";
import { StreamingModel, type DetectionRule } from "./model.ts";
import { StreamingManifestError, type StreamingWorkload } from "./workload.ts";

/** MLPerf's reference firmware: a detection on every hop whose int8 output[0] is above 115 (P > ~0.949). */
export const MLPERF_DETECTION_RULE: DetectionRule = { class: 0, aboveInt8: 115, minHops: 1 };

export interface StreamModel {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  params: number;
  macs: number;
  /** The user's file (`--model`), or undefined for the workload's own model. */
  userFile?: string;
  detect: DetectionRule;
}

export class StreamModelError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "StreamModelError";
  }
}

export function workloadStreamModel(w: StreamingWorkload): StreamModel {
  const m = w.manifest;
  if (!m.model) throw new StreamingManifestError(w.manifestFile, "no model yet (train it: recipe/train.py)");
  const file = path.join(w.dir, m.model.file);
  const bytes = new Uint8Array(readFileSync(file));
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== m.model.sha256)
    throw new StreamingManifestError(w.manifestFile, `${m.model.file} has sha256 ${sha256}, the manifest records ${m.model.sha256}`);
  return { path: file, bytes, sha256, params: m.model.params, macs: m.model.macs, detect: m.output.detect };
}

export function userStreamModel(w: StreamingWorkload, file: string): StreamModel {
  const m = w.manifest;
  const abs = path.resolve(file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(abs));
  } catch (err) {
    throw new StreamModelError(file, `cannot read the model: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let sm: StreamingModel;
  try {
    sm = new StreamingModel(loadTflite(bytes));
  } catch (err) {
    throw new StreamModelError(file, `not a streaming model tinyrig can run: ${(err as Error).message}`);
  }
  if (sm.frames !== m.features.frames || sm.features !== m.features.bands)
    throw new StreamModelError(file, `its input is ${sm.frames} frames x ${sm.features} features; ${w.id} feeds ${m.features.frames} x ${m.features.bands}`);
  const out = sm.interpreter.output;
  if (out.type !== "int8" || out.elements !== m.output.labels.length)
    throw new StreamModelError(
      file,
      `its output is ${out.type} x ${out.elements}; ${w.id} reads int8 x ${m.output.labels.length} (${m.output.labels.join(", ")})`,
    );
  const { params, macs } = modelCost(sm.model);
  return { path: abs, bytes, sha256: createHash("sha256").update(bytes).digest("hex"), params, macs, userFile: abs, detect: MLPERF_DETECTION_RULE };
}
