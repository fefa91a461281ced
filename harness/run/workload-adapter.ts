// Turns a workload from the registry (manifest + files) into what the run loop needs, with its host reference.
import { createHash } from "node:crypto";
import { Interpreter } from "../interpreter/interpreter.ts";
import { loadTflite } from "../tflite/model.ts";
import { hostReference } from "../workloads/evaluate.ts";
import { loadDataset, readModel, type Workload } from "../workloads/registry.ts";
import type { SuiteWorkload } from "./suite.ts";

export function suiteWorkload(w: Workload, datasetDir?: string): SuiteWorkload {
  const m = w.manifest;
  const model = readModel(w);
  const dataset = loadDataset(w, datasetDir);
  const interp = new Interpreter(loadTflite(model));
  return {
    id: w.id,
    mlperfModelId: m.mlperfModelId,
    task: m.task,
    manifestSha256: w.manifestSha256,
    modelPath: w.modelPath,
    modelSha256: createHash("sha256").update(model).digest("hex"),
    modelBytes: model.length,
    params: m.model.params,
    macs: m.model.macs,
    inputBytes: m.dataset.window?.bytes ?? m.input.bytes,
    transform: m.input.transform,
    labels: m.output.labels,
    target: { metric: m.metric.name, value: m.metric.target },
    performance: { iterations: m.performance.iterations, warmup: m.performance.warmup },
    dataset: { sha256: dataset.sha256, source: datasetDir ? `imported:${datasetDir}` : "committed", inputs: dataset.entries },
    hostReference: hostReference(interp, m.input.transform),
  };
}
