// The workload manifest (workloads/<id>/manifest.yaml; docs/architecture.md): validated once, where it is read.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 hex digest");
const modelFile = z.object({
  file: z.string().min(1),
  sha256,
  bytes: z.number().int().positive(),
  params: z.number().int().nonnegative(),
  macs: z.number().int().nonnegative(),
}).strict();

export const manifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  mlperfModelId: z.string().regex(/^[a-z0-9]+$/),
  title: z.string(),
  task: z.enum(["classification", "anomaly"]),
  input: z.object({
    shape: z.array(z.number().int().positive()),
    dtype: z.enum(["int8", "uint8", "float32"]),
    bytes: z.number().int().positive(),
    transform: z.enum(["int8", "uint8-minus-128", "float32-quantize", "raw"]),
  }).strict(),
  output: z.object({ labels: z.array(z.string()).min(1) }).strict(),
  metric: z.object({ name: z.enum(["top1", "auc"]), target: z.number().min(0).max(1) }).strict(),
  model: modelFile,
  reference: z.object({ params: z.number().int().positive(), macs: z.number().int().positive() }).strict().optional(),
  quality: z.object({
    float32: z.number().min(0).max(1),
    int8: z.number().min(0).max(1),
    drop: z.number(),
    measuredBy: z.string(),
  }).strict(),
  variants: z.array(modelFile.extend({ id: z.string(), float32: z.number().optional(), int8: z.number().optional(), note: z.string().optional() })).default([]),
  dataset: z.object({
    dir: z.string(),
    labels: z.string().default("y_labels.csv"),
    count: z.number().int().positive(),
    sha256,
    seed: z.number().int(),
    window: z.object({ bytes: z.number().int().positive(), stride: z.number().int().positive() }).strict().optional(),
  }).strict(),
  performance: z.object({ iterations: z.number().int().positive(), warmup: z.number().int().nonnegative() }).strict(),
  recipe: z.object({ generate: z.string(), train: z.string(), trainingSeconds: z.number().optional() }).strict(),
  notes: z.string().optional(),
}).strict();

export type Manifest = z.output<typeof manifestSchema>;

export class ManifestError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "ManifestError";
  }
}

export function readManifest(file: string): Manifest {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ManifestError(file, `cannot read: ${(err as Error).message}`);
  }
  const r = manifestSchema.safeParse(raw);
  if (!r.success) {
    throw new ManifestError(file, r.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; "));
  }
  return r.data;
}
