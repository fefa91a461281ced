// Turns a workload from the registry (manifest + files) into what the run loop needs, with its host reference:
// the main model, or one of its variants (`--variant`), each checked against its own model.
import { boardModel } from "../workloads/variants.ts";
import { formatDatasetSource, type DatasetSource } from "../store/dataset-source.ts";
import { loadDataset, type Workload } from "../workloads/registry.ts";
import { USER_MODEL_ID, type ModelWorkload } from "../workloads/model-workload.ts";
import type { SuiteWorkload } from "./types.ts";

/** `variant`: a manifest variant id (or "model"); undefined: the main model, exactly as without --variant. */
export function suiteWorkload(w: Workload, datasetDir?: string, variant?: string): SuiteWorkload {
  const m = w.manifest;
  const model = boardModel(w, variant);
  const dataset = loadDataset(w, datasetDir);
  return {
    id: w.id,
    ...(model.variant ? { variant: model.variant } : {}),
    ...(model.kind === "classical" ? { modelKind: "classical" as const } : {}),
    mlperfModelId: m.mlperfModelId,
    task: m.task,
    manifestSha256: w.manifestSha256,
    modelPath: model.path,
    modelSha256: model.sha256,
    modelBytes: model.bytes,
    params: model.params,
    macs: model.macs,
    inputBytes: m.dataset.window?.bytes ?? m.input.bytes,
    transform: m.input.transform,
    labels: m.output.labels,
    // no target in the manifest (a user's or an imported model): no verdict, rather than one made up
    ...(m.metric.target === undefined ? {} : { target: { metric: m.metric.name, value: m.metric.target } }),
    performance: { iterations: m.performance.iterations, warmup: m.performance.warmup },
    dataset: { sha256: dataset.sha256, source: formatDatasetSource(datasetSource(w, datasetDir, dataset.sha256)), inputs: dataset.entries },
    hostReference: model.hostReference,
    hostOutputs: model.outputs,
  };
}

/**
 * A `--dataset` folder is the committed test set when it hashes the same (names, bytes and labels), a declared one
 * when the manifest declares its hash, and exploratory otherwise.
 */
function datasetSource(w: Workload, dir: string | undefined, sha256: string): DatasetSource {
  if (dir === undefined || sha256 === w.manifest.dataset.sha256) return { kind: "committed" };
  const declared = w.manifest.declaredDatasets.find((d) => d.sha256 === sha256);
  return declared ? { kind: "declared", id: declared.id, dir } : { kind: "imported", dir };
}

/** A user's model (`--model`, workloads/model-workload.ts) as the run loop measures it: a classifier with no target. */
export function modelSuiteWorkload(m: ModelWorkload): SuiteWorkload {
  return {
    id: m.id,
    mlperfModelId: USER_MODEL_ID,
    task: "classification",
    manifestSha256: m.manifestSha256,
    modelPath: m.modelFile,
    modelSha256: m.modelSha256,
    modelBytes: m.modelBytes,
    params: m.params,
    macs: m.macs,
    inputBytes: m.input.bytes,
    transform: m.input.transform,
    labels: m.labels,
    performance: { warmup: 10 },
    dataset: { sha256: m.dataset.sha256, source: formatDatasetSource({ kind: "imported", dir: m.dataset.dir }), inputs: m.dataset.entries },
    hostReference: m.hostReference,
    hostOutputs: m.hostOutputs,
    modelFile: m.modelFile,
  };
}
