// Workloads: the reference ones under workloads/ and any in the folders a user configures; listed, loaded by id, and
// checked against their manifests' hashes.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { readDataset, type Dataset } from "./dataset.ts";
import { packagePath } from "../paths.ts";
import { loadConfig } from "../config.ts";
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

/** Workload search path: the user's folders (TINYRIG_WORKLOADS or the config file's) first, then tinyrig's own. */
export function workloadDirs(): string[] {
  return [...loadConfig().workloads.value, WORKLOADS_DIR];
}

/** Workload ids under each folder (a folder with a `manifest`), the earlier folder winning an id. */
export function workloadFolders(roots: string[], manifest = "manifest.yaml"): Map<string, string> {
  const found = new Map<string, string>();
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const d of readdirSync(root, { withFileTypes: true })) {
      if (d.isDirectory() && !found.has(d.name) && existsSync(path.join(root, d.name, manifest))) found.set(d.name, root);
    }
  }
  return found;
}

export function listWorkloads(roots: string | string[] = workloadDirs()): Workload[] {
  const list = typeof roots === "string" ? [roots] : roots;
  return [...workloadFolders(list)].map(([id, root]) => loadWorkload(id, root)).sort((a, b) => a.id.localeCompare(b.id));
}

export function loadWorkload(id: string, roots: string | string[] = workloadDirs()): Workload {
  const list = typeof roots === "string" ? [roots] : roots;
  const folders = workloadFolders(list);
  const root = folders.get(id);
  if (root === undefined) throw new Error(`no workload "${id}" (searched ${list.join(", ")}; known: ${[...folders.keys()].sort().join(", ")})`);
  const dir = path.join(root, id);
  const manifestFile = path.join(dir, "manifest.yaml");
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

/** The workload's own test set's folder; refused, naming the manifest, for a workload that has none. */
export function ownDatasetDir(w: Workload): string {
  const d = w.manifest.dataset;
  if (d.dir === undefined) {
    throw new ManifestError(
      w.manifestFile,
      `workload ${w.id} has no test set of its own${d.source ? ` (${d.source})` : ""}: give one with --dataset DIR (a folder in MLPerf Tiny's layout, y_labels.csv beside the files)`,
    );
  }
  return path.join(w.dir, d.dir);
}

/** The committed test set (or a user's MLPerf-layout folder), checked against the workload's input size. */
export function loadDataset(w: Workload, dir?: string): Dataset {
  const m = w.manifest;
  const ds = readDataset(dir ?? ownDatasetDir(w), {
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
