// What the published site reads beyond RunRow, each in one pass over its table (a site of 10,000 runs must not ask
// per run): provenance rows, every window, and per-run statistics of the stored inferences.
import type { ResultStore } from "./store.ts";

export interface RunProvenance {
  boardSha256: string;
  host: { hostname: string; os: string; cpu: string; node: string };
  manifestSha256: string;
  modelSha256: string;
  /** The measured model's size and MACs as the workload row recorded them. */
  modelBytes: number;
  macs: number | null;
}

export interface BoardFile {
  name: string;
  sha256: string;
  yaml: string;
  kind: "emulated" | "physical";
}

export interface SiteWindow {
  idx: number;
  iterations: number;
  latencyUs: number | null;
  energyPerInferenceUj: number | null;
  energyKind: "measured" | "modelled" | null;
}

export interface InferenceStats {
  count: number;
  /** Inferences compared with the host's reference output, and how many matched it bit for bit. */
  compared: number;
  bitExact: number;
  /** Per-inference latency, µs, where the run stored one (sorted quantiles of those that have it). */
  latency: { n: number; min: number; p5: number; median: number; p95: number; max: number } | null;
}

export function runProvenance(store: ResultStore): Map<number, RunProvenance> {
  const rows = store.db
    .prepare(`SELECT r.id, b.file_sha256, h.hostname, h.os, h.cpu, h.node, w.manifest_sha256, w.model_sha256, w.model_bytes, w.macs
      FROM run r JOIN board b ON b.id = r.board_id JOIN host h ON h.id = r.host_id JOIN workload w ON w.id = r.workload_id`)
    .raw()
    .all() as [number, string, string, string, string, string, string, string, number, number | null][];
  return new Map(
    rows.map(([id, boardSha256, hostname, os, cpu, node, manifestSha256, modelSha256, modelBytes, macs]) => [
      id,
      { boardSha256, host: { hostname, os, cpu, node }, manifestSha256, modelSha256, modelBytes, macs },
    ]),
  );
}

export function boardFiles(store: ResultStore): BoardFile[] {
  return store.db.prepare("SELECT name, file_sha256 AS sha256, yaml, kind FROM board ORDER BY id").all() as BoardFile[];
}

export function windowsByRun(store: ResultStore): Map<number, SiteWindow[]> {
  const out = new Map<number, SiteWindow[]>();
  const rows = store.db
    .prepare("SELECT run_id, idx, iterations, latency_us, energy_per_inference_uj, energy_kind FROM window ORDER BY run_id, idx")
    .raw()
    .iterate() as Iterable<[number, number, number, number | null, number | null, SiteWindow["energyKind"]]>;
  for (const [runId, idx, iterations, latencyUs, energyPerInferenceUj, energyKind] of rows) {
    let list = out.get(runId);
    if (!list) out.set(runId, (list = []));
    list.push({ idx, iterations, latencyUs, energyPerInferenceUj, energyKind });
  }
  return out;
}

export function inferenceStats(store: ResultStore): Map<number, InferenceStats> {
  // Counted in SQLite (the (run_id, input_index) index groups them), the latencies passed as one text per run: for a
  // million inferences several times faster than a row per inference into JavaScript.
  const rows = store.db
    .prepare("SELECT run_id, count(*), count(equals_host_reference), total(equals_host_reference), group_concat(latency_us) FROM inference GROUP BY run_id")
    .raw()
    .all() as [number, number, number, number, string | null][];
  const out = new Map<number, InferenceStats>();
  for (const [runId, count, compared, bitExact, latencies] of rows) {
    const l = latencies ? Float64Array.from(latencies.split(","), Number).sort() : new Float64Array();
    const q = (p: number) => l[Math.min(l.length - 1, Math.floor(p * l.length))]!;
    const latency = l.length ? { n: l.length, min: l[0]!, p5: q(0.05), median: q(0.5), p95: q(0.95), max: l[l.length - 1]! } : null;
    out.set(runId, { count, compared, bitExact, latency });
  }
  return out;
}
