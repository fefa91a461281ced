// A user's own model as a workload, without a manifest (`tinyrig run --model X.tflite --dataset DIR`): what the
// firmware and the run loop need is read off the model itself. The input tensor gives the input's size and type
// (int8 or int16 as sent; float32 data quantised by the firmware into an int8 or int16 input, or passed to a float32
// input whose model quantises it), the output tensor the class count; the dataset folder (MLPerf Tiny's layout) is checked against both.
// What the model cannot say (a quality target) is left out, so its runs are figures, never judged against one.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { InputTransform } from "../build/firmware.ts";
import { Interpreter } from "../interpreter/interpreter.ts";
import { loadTflite, modelCost } from "../tflite/model.ts";
import { readDataset, type Dataset } from "./dataset.ts";
import { hostReference, outputValues } from "./evaluate.ts";

/** What the firmware answers in m-model-[...] for a user's model. */
export const USER_MODEL_ID = "custom";

export class ModelWorkloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelWorkloadError";
  }
}

export interface ModelInput {
  /** How the dataset's bytes become the model's input (build/firmware.ts InputTransform). */
  transform: InputTransform;
  /** Bytes per dataset file. */
  bytes: number;
}

/**
 * The input a model takes: an int8 input tensor takes int8 files as they are, or float32 files the firmware quantises
 * (`float32-quantize`), or uint8 images shifted by 128 (`uint8-minus-128`, for a zero point of -128); a float32 input
 * tensor takes float32 files as they are. An int16 input tensor (int16x8 models) takes int16 files as they are (`raw`,
 * two bytes a value, little-endian) or float32 files the firmware quantises. `givenBytes` (--input-bytes) must agree.
 */
export function modelInput(
  modelFile: string,
  input: { type: string; elements: number; zeroPoint?: number },
  transform?: InputTransform,
  givenBytes?: number,
): ModelInput {
  let chosen: ModelInput;
  if (input.type === "int8") {
    const t = transform ?? "int8";
    if (t === "raw") throw new ModelWorkloadError(`${modelFile}: --input-transform raw is for a float32 input tensor; this model's input is int8`);
    if (t === "uint8-minus-128" && input.zeroPoint !== -128) {
      throw new ModelWorkloadError(`${modelFile}: --input-transform uint8-minus-128 needs an input zero point of -128 (this model's is ${input.zeroPoint})`);
    }
    chosen = { transform: t, bytes: t === "float32-quantize" ? 4 * input.elements : input.elements };
  } else if (input.type === "int16") {
    const t = transform ?? "raw";
    if (t !== "raw" && t !== "float32-quantize")
      throw new ModelWorkloadError(`${modelFile}: the input tensor is int16: its files are int16 as they are (raw) or float32 (float32-quantize), not ${t}`);
    chosen = { transform: t, bytes: (t === "raw" ? 2 : 4) * input.elements };
  } else if (input.type === "float32") {
    if (transform !== undefined && transform !== "raw")
      throw new ModelWorkloadError(
        `${modelFile}: the input tensor is float32, so the files are sent as they are; --input-transform ${transform} does not apply`,
      );
    chosen = { transform: "raw", bytes: 4 * input.elements };
  } else {
    throw new ModelWorkloadError(
      `${modelFile}: the input tensor is ${input.type}; tinyrig runs models with an int8, int16 or float32 input (convert with inference_input_type int8, or keep float32)`,
    );
  }
  if (givenBytes !== undefined && givenBytes !== chosen.bytes) {
    throw new ModelWorkloadError(
      `${modelFile}: --input-bytes ${givenBytes} disagrees with the model: its ${input.type} input of ${input.elements} elements takes ${chosen.bytes} bytes per input (${chosen.transform})`,
    );
  }
  return chosen;
}

export interface ModelWorkload {
  id: string;
  modelFile: string;
  modelSha256: string;
  modelBytes: number;
  params: number;
  macs: number;
  input: ModelInput;
  classes: number;
  labels: string[];
  dataset: Dataset;
  /** sha256 of what stands in for a manifest (the model's hash and what was read off it), stored as the workload's. */
  manifestSha256: string;
  hostReference: (input: Uint8Array) => Uint8Array;
  /** The model's dequantised output values for a raw output. */
  hostOutputs: (raw: Uint8Array) => number[];
}

/** The workload a model file and a dataset folder make; refused, naming the file, where they disagree. */
export function modelWorkload(modelFile: string, datasetDir: string, opts: { transform?: InputTransform; inputBytes?: number } = {}): ModelWorkload {
  const file = path.resolve(modelFile);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (err) {
    throw new ModelWorkloadError(`${modelFile}: cannot read the model: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const model = (() => {
    try {
      return loadTflite(bytes);
    } catch (err) {
      throw new ModelWorkloadError(`${modelFile}: ${(err as Error).message}`);
    }
  })();
  const interp = (() => {
    try {
      return new Interpreter(model);
    } catch (err) {
      throw new ModelWorkloadError(`${modelFile}: ${(err as Error).message}`);
    }
  })();
  const inTensor = interp.input;
  const outTensor = interp.output;
  const input = modelInput(
    modelFile,
    { type: inTensor.type, elements: inTensor.elements, zeroPoint: inTensor.quantization?.zeroPoint[0] },
    opts.transform,
    opts.inputBytes,
  );
  if (outTensor.type !== "int8" && outTensor.type !== "int16" && outTensor.type !== "float32")
    throw new ModelWorkloadError(`${modelFile}: the output tensor is ${outTensor.type}; tinyrig reads int8, int16 or float32 outputs`);
  const classes = outTensor.elements;
  if (classes < 2)
    throw new ModelWorkloadError(
      `${modelFile}: the output has ${classes} value; a classifier's has one per class (an anomaly model runs as a workload folder)`,
    );
  const id = path
    .basename(file)
    .replace(/\.tflite$/i, "")
    .replace(/[^A-Za-z0-9._-]/g, "_");
  const dataset = readDataset(datasetDir, { workloadId: id, inputBytes: input.bytes, classes, windowed: false });
  const { params, macs } = modelCost(model);
  const modelSha256 = createHash("sha256").update(bytes).digest("hex");
  const manifest = { model: modelSha256, input, classes, id };
  return {
    id,
    modelFile: file,
    modelSha256,
    modelBytes: bytes.length,
    params,
    macs,
    input,
    classes,
    labels: Array.from({ length: classes }, (_, i) => `class ${i}`),
    dataset,
    manifestSha256: createHash("sha256").update(JSON.stringify(manifest)).digest("hex"),
    hostReference: hostReference(interp, input.transform),
    hostOutputs: (raw) => outputValues(interp, raw),
  };
}
