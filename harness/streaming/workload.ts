// Streaming workloads (workloads/<id>/streaming.yaml): a model that runs on every hop of a continuous stream, and the
// streams it is scored on with their truth windows. Kept apart from the clip workloads' manifest.yaml (which
// harness/workloads reads) because a stream is not a set of inputs; validated once, where it is read.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { WORKLOADS_DIR, workloadDirs, workloadFolders } from "../workloads/registry.ts";

export const STREAMING_MANIFEST = "streaming.yaml";
/** The stream a streaming workload is scored on (its manifest must have it): MLPerf's 20-minute test. */
export const SCORED_STREAM = "long";
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 hex digest");

const stream = z
  .object({
    /** The WAV, relative to the workload folder. */
    file: z.string().min(1),
    /** Its truth windows in MLPerf's test-file format, beside it. */
    truth: z.string().min(1),
    sha256,
    seconds: z.number().positive(),
    wakeWords: z.number().int().nonnegative(),
    /** Generated at build/run time from the recipe's seed rather than committed (too large): how to make it. */
    generate: z.object({ seed: z.number().int(), command: z.string() }).strict().optional(),
  })
  .strict();

export const streamingManifestSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    mlperfModelId: z.string().regex(/^[a-z0-9]+$/),
    title: z.string(),
    wakeWord: z.string(),
    audio: z.object({ sampleRate: z.literal(16000), hop: z.literal(512), window: z.literal(1024) }).strict(),
    features: z.object({ frames: z.literal(30), bands: z.literal(40), definition: z.string() }).strict(),
    output: z
      .object({
        labels: z.array(z.string()).length(3),
        /** A hop is a detection when the int8 score of class `class` exceeds `aboveInt8` (MLPerf: output[0] > 115) on
         * it and on the `minHops` - 1 hops before it (default 1, MLPerf's rule; the recipe chooses both on its
         * validation stream). */
        detect: z
          .object({
            class: z.number().int().nonnegative(),
            aboveInt8: z.number().int().min(-128).max(127),
            minHops: z.number().int().min(1).max(30).optional(),
          })
          .strict(),
      })
      .strict(),
    model: z
      .object({ file: z.string(), sha256, bytes: z.number().int().positive(), params: z.number().int().positive(), macs: z.number().int().positive() })
      .strict()
      .optional(),
    reference: z.object({ params: z.number().int().positive(), macs: z.number().int().positive() }).strict().optional(),
    /** The stream `tinyrig run` scores, and the shorter ones the tests use. */
    streams: z.record(z.string(), stream).refine((s) => SCORED_STREAM in s, `a \`${SCORED_STREAM}\` stream (the scored one) is required`),
    scoring: z
      .object({
        /** A detection within [start, end + this] of a window is a true positive: MLPerf's README says 1 s, its code 2 s. */
        tpExtensionS: z.number().nonnegative(),
        debounceS: z.number().positive(),
        target: z.object({ maxFalsePositives: z.number().int().nonnegative(), maxFalseNegatives: z.number().int().nonnegative() }).strict(),
      })
      .strict(),
    quality: z.record(z.string(), z.unknown()).optional(),
    /** How tinyrig's own streaming workload is regenerated; absent for a model made elsewhere (import-mlperf's sww01). */
    recipe: z
      .object({
        generate: z.string(),
        /** Training streams and the validation stream (run before train). */
        trainingSet: z.string().optional(),
        train: z.string(),
        /** Chooses the detection rule on the validation stream (run after train, with --write). */
        chooseRule: z.string().optional(),
        trainingSeconds: z.number().optional(),
        epochs: z.number().int().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type StreamingManifest = z.output<typeof streamingManifestSchema>;
export type StreamEntry = z.output<typeof stream>;

export interface StreamingWorkload {
  id: string;
  dir: string;
  manifestFile: string;
  manifest: StreamingManifest;
  manifestSha256: string;
}

export class StreamingManifestError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "StreamingManifestError";
  }
}

/** The first of `roots` (the user's workload folders, then tinyrig's) with a streaming workload `id`. */
function streamingRoot(id: string, roots: string | string[]): string | undefined {
  return (typeof roots === "string" ? [roots] : roots).find((root) => existsSync(path.join(root, id, STREAMING_MANIFEST)));
}

export function isStreamingWorkload(id: string, roots: string | string[] = workloadDirs()): boolean {
  return streamingRoot(id, roots) !== undefined;
}

/** Every streaming workload under `roots` (the user's workload folders, then tinyrig's), the earlier folder winning an id. */
export function listStreamingWorkloads(roots: string | string[] = workloadDirs()): StreamingWorkload[] {
  const found = workloadFolders(typeof roots === "string" ? [roots] : roots, STREAMING_MANIFEST);
  return [...found].sort(([a], [b]) => a.localeCompare(b)).map(([id, root]) => loadStreamingWorkload(id, root));
}

export function loadStreamingWorkload(id: string, roots: string | string[] = workloadDirs()): StreamingWorkload {
  const root = streamingRoot(id, roots) ?? (typeof roots === "string" ? roots : WORKLOADS_DIR);
  const dir = path.join(root, id);
  const manifestFile = path.join(dir, STREAMING_MANIFEST);
  if (!existsSync(manifestFile)) throw new Error(`no streaming workload "${id}" (${manifestFile} is missing)`);
  const text = readFileSync(manifestFile);
  let raw: unknown;
  try {
    raw = parse(text.toString("utf8"));
  } catch (err) {
    throw new StreamingManifestError(manifestFile, `cannot read: ${(err as Error).message}`);
  }
  const r = streamingManifestSchema.safeParse(raw);
  if (!r.success) throw new StreamingManifestError(manifestFile, r.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; "));
  if (r.data.id !== id) throw new StreamingManifestError(manifestFile, `id "${r.data.id}" must match the folder name "${id}"`);
  return { id, dir, manifestFile, manifest: r.data, manifestSha256: createHash("sha256").update(text).digest("hex") };
}

/**
 * A stream's WAV path, checked against the manifest's sha256. A generated stream missing from the build folder is made
 * by `make` (the recipe's generator); one that comes out different (another espeak-ng, another Node) is refused, naming
 * both hashes: results on another stream would not be the workload's.
 */
export async function streamFile(w: StreamingWorkload, name: string, make?: (entry: StreamEntry) => Promise<void>): Promise<string> {
  const entry = w.manifest.streams[name];
  if (!entry) throw new StreamingManifestError(w.manifestFile, `no stream "${name}" (streams: ${Object.keys(w.manifest.streams).join(", ")})`);
  const file = path.join(w.dir, entry.file);
  if (!existsSync(file)) {
    if (!entry.generate || !make)
      throw new StreamingManifestError(
        w.manifestFile,
        `streams.${name}: ${file} is missing${entry.generate ? ` (make it with: ${entry.generate.command})` : ""}`,
      );
    await make(entry);
  }
  const sha = createHash("sha256").update(readFileSync(file)).digest("hex");
  if (sha !== entry.sha256) {
    throw new StreamingManifestError(
      w.manifestFile,
      `streams.${name}: ${file} has sha256 ${sha}, the manifest records ${entry.sha256}` +
        (entry.generate ? ` (it is generated with espeak-ng; a different espeak-ng than the recorded one speaks differently: ${entry.generate.command})` : ""),
    );
  }
  return file;
}
