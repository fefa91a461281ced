// The workload manifest (workloads/<id>/manifest.yaml; docs/architecture.md): validated once, where it is read.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 hex digest");
const modelFile = z
  .object({
    file: z.string().min(1),
    sha256,
    bytes: z.number().int().positive(),
    params: z.number().int().nonnegative(),
    macs: z.number().int().nonnegative(),
  })
  .strict();

const variantId = z
  .string()
  .regex(/^[a-z0-9-]+$/)
  .refine((id) => id !== "all" && id !== "model", '"all" and "model" are reserved');
/** An int8 .tflite model beside the main one (pruned, distilled...): runs on a board like the main model. */
const tfliteVariant = modelFile
  .extend({
    id: variantId,
    kind: z.literal("tflite"),
    note: z.string().optional(),
    /** Host accuracy (the task's metric) of the int8 model, and of the float32 model it was quantised from. */
    int8: z.number().optional(),
    float32: z.number().optional(),
  })
  .strict();
/** The float32 model the int8 one was quantised from: host only, measured by the training recipe. */
const float32Variant = z
  .object({
    id: variantId,
    kind: z.literal("float32"),
    note: z.string().optional(),
    /** Bytes of its float32 weights (4 x params). */
    bytes: z.number().int().positive(),
    params: z.number().int().nonnegative(),
    macs: z.number().int().nonnegative(),
    float32: z.number().min(0).max(1),
  })
  .strict();
/** A classical model compiled to C (firmware/core/classical.h), with the tables its TypeScript host reference reads. */
const classicalVariant = modelFile
  .extend({
    id: variantId,
    kind: z.literal("classical"),
    note: z.string().optional(),
    tables: z.string().min(1),
    tablesSha256: sha256,
    /** Host accuracy of the TypeScript reference (the device's outputs equal it bit for bit). */
    accuracy: z.number().min(0).max(1),
    /** What `bytes` and `macs` count for a model that is not a network. */
    cost: z.string(),
  })
  .strict();
const variant = z.preprocess(
  (v) => (v && typeof v === "object" && !("kind" in v) ? { ...v, kind: "tflite" } : v),
  z.discriminatedUnion("kind", [tfliteVariant, float32Variant, classicalVariant]),
);

export const manifestSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    mlperfModelId: z.string().regex(/^[a-z0-9]+$/),
    title: z.string(),
    task: z.enum(["classification", "anomaly"]),
    input: z
      .object({
        shape: z.array(z.number().int().positive()),
        dtype: z.enum(["int8", "uint8", "float32"]),
        bytes: z.number().int().positive(),
        transform: z.enum(["int8", "uint8-minus-128", "float32-quantize", "raw"]),
      })
      .strict(),
    output: z.object({ labels: z.array(z.string()).min(1) }).strict(),
    /** `target`: the quality the workload's author aims at; a user's model may have none (its runs get no verdict). */
    metric: z.object({ name: z.enum(["top1", "auc"]), target: z.number().min(0).max(1).optional() }).strict(),
    model: modelFile,
    reference: z.object({ params: z.number().int().positive(), macs: z.number().int().positive() }).strict().optional(),
    /** The host-measured quality of the models (harness/workloads/evaluate.ts --write); absent until measured, as for
     * a user's or an imported model. */
    quality: z
      .object({
        float32: z.number().min(0).max(1),
        int8: z.number().min(0).max(1),
        drop: z.number(),
        measuredBy: z.string(),
      })
      .strict()
      .optional(),
    variants: z.array(variant).default([]),
    /**
     * The workload's own test set (`dir`, `count`, `sha256`, all three or none: a workload whose inputs cannot be
     * shipped, such as MLPerf's, has none and runs with `--dataset DIR`), and how its inputs are read.
     */
    dataset: z
      .object({
        dir: z.string().optional(),
        labels: z.string().default("y_labels.csv"),
        count: z.number().int().positive().optional(),
        sha256: sha256.optional(),
        seed: z.number().int().optional(),
        window: z.object({ bytes: z.number().int().positive(), stride: z.number().int().positive() }).strict().optional(),
        /** Where the inputs come from when there is no test set here (e.g. MLPerf Tiny's instructions). */
        source: z.string().optional(),
      })
      .strict()
      .refine((d) => (d.dir === undefined) === (d.count === undefined) && (d.dir === undefined) === (d.sha256 === undefined), {
        message: "dir, count and sha256 go together: all three (the workload's own test set) or none (inputs from --dataset)",
      }),
    /**
     * Test sets other than the committed one that the workload's author declares fit for headline results (e.g. the
     * official test set, which cannot be committed): a `--dataset` folder whose sha256 (file names, bytes and labels)
     * is one of these is measured as that declared set; any other folder is exploratory.
     */
    declaredDatasets: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and dashes"),
            title: z.string(),
            count: z.number().int().positive(),
            sha256,
            source: z.string(),
          })
          .strict(),
      )
      .default([]),
    performance: z.object({ iterations: z.number().int().positive(), warmup: z.number().int().nonnegative() }).strict(),
    /** How tinyrig's own workloads are regenerated (`tinyrig workloads build`); absent for a model made elsewhere. */
    recipe: z
      .object({
        generate: z.string(),
        train: z.string(),
        /** A TypeScript step after training that writes classical variants (variants/<id>.json + .c). */
        classical: z.string().optional(),
        trainingSeconds: z.number().optional(),
      })
      .strict()
      .optional(),
    notes: z.string().optional(),
  })
  .strict();

export type Manifest = z.output<typeof manifestSchema>;
export type Variant = Manifest["variants"][number];

/** A variant's host-measured quality in the workload's metric: what it scores as it would run. */
export function variantAccuracy(v: Variant): number | undefined {
  if (v.kind === "tflite") return v.int8;
  if (v.kind === "float32") return v.float32;
  return v.accuracy;
}

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
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
