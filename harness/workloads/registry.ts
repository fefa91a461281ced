// The reference workloads under workloads/: listed, loaded by id, and checked against their manifests' hashes.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { readDataset, type Dataset } from "./dataset.ts";
import { packagePath } from "../paths.ts";
import { ManifestError, readManifest, type Manifest } from "./manifest.ts";

export const WORKLOADS_DIR = packagePath("workloads");

export interface Workload {
  id: string;
  dir: string;
  manifestFile: string;
  manifest: Manifest;
  manifestSha256: string;
  modelPath: string;
}

export function listWorkloads(root = WORKLOADS_DIR): Workload[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, "manifest.yaml")))
    .map((d) => loadWorkload(d.name, root))
    .sort((a, b) => a.id.localeCompare(b.id));
}

export function loadWorkload(id: string, root = WORKLOADS_DIR): Workload {
  const dir = path.join(root, id);
  const manifestFile = path.join(dir, "manifest.yaml");
  if (!existsSync(manifestFile)) {
    const known = existsSync(root) ? readdirSync(root).filter((d) => existsSync(path.join(root, d, "manifest.yaml"))) : [];
    throw new Error(`no workload "${id}" (known: ${known.join(", ")})`);
  }
  const manifest = readManifest(manifestFile);
  if (manifest.id !== id) throw new ManifestError(manifestFile, `id "${manifest.id}" must match the folder name "${id}"`);
  return {
    id,
    dir,
    manifestFile,
    manifest,
    manifestSha256: createHash("sha256").update(readFileSync(manifestFile)).digest("hex"),
    modelPath: path.join(dir, manifest.model.file),
  };
}

/** The model's bytes, refused when they are not what the manifest recorded. */
export function readModel(w: Workload, file = w.manifest.model.file, expected = w.manifest.model.sha256): Uint8Array {
  const full = path.join(w.dir, file);
  const bytes = readFileSync(full);
  const sha = createHash("sha256").update(bytes).digest("hex");
  if (sha !== expected) throw new ManifestError(w.manifestFile, `${file} has sha256 ${sha}, the manifest records ${expected}`);
  return new Uint8Array(bytes);
}

/** The committed test set (or a user's MLPerf-layout folder), checked against the workload's input size. */
export function loadDataset(w: Workload, dir?: string): Dataset {
  const m = w.manifest;
  const ds = readDataset(dir ?? path.join(w.dir, m.dataset.dir), {
    workloadId: w.id,
    inputBytes: m.dataset.window?.bytes ?? m.input.bytes,
    classes: m.task === "anomaly" ? 2 : m.output.labels.length,
    windowed: m.dataset.window !== undefined,
    labelsFile: dir ? undefined : m.dataset.labels,
  });
  if (!dir && ds.sha256 !== m.dataset.sha256) {
    throw new ManifestError(w.manifestFile, `dataset ${m.dataset.dir} has sha256 ${ds.sha256}, the manifest records ${m.dataset.sha256}`);
  }
  return ds;
}
