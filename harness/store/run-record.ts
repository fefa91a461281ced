// One run with everything it needs to stand on its own in another database: the rows it references (host, board,
// firmware, workload, dataset), its windows, inferences and raw-trace rows. Field names are the store's column names;
// the schema is the single list of what travels, so the store reads and writes exactly these columns and a bundle is
// checked against them once, where it enters (strict: an unknown field is refused, not dropped).
import { createHash } from "node:crypto";
import { z } from "zod";
import { RUN_MODES } from "../modes/types.ts";

/** No single text field larger than this (a board file, an error with a build log, a settings object). */
const MAX_TEXT = 1 << 20;
const text = z.string().max(MAX_TEXT);
const optText = text.nullable();
const int = z.number().int();
const optInt = int.nullable();
const optNum = z.number().nullable();
const flag = z.union([z.literal(0), z.literal(1)]);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 in lowercase hex");
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A column holding JSON text: it must parse (the store parses it on every read). */
const jsonText = text.refine((s) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}, "not JSON text");
const optJsonText = jsonText.nullable();

export const hostRecord = z.strictObject({ hostname: text, os: text, cpu: text, node: text });

export const boardRecord = z
  .strictObject({ name: text, file_sha256: sha256, yaml: text, kind: z.enum(["emulated", "physical"]) })
  .refine((b) => createHash("sha256").update(b.yaml).digest("hex") === b.file_sha256, {
    message: "file_sha256 is not the sha256 of the board's YAML",
    path: ["file_sha256"],
  });

export const firmwareRecord = z.strictObject({
  sha256,
  bytes: int,
  flash_bytes: int,
  ram_bytes: int,
  toolchain: text,
  kernels: text,
  timestamp_mode: text,
  config_json: jsonText,
});

export const workloadRecord = z.strictObject({
  name: text,
  manifest_sha256: sha256,
  model_sha256: sha256,
  model_bytes: int,
  params: optInt,
  macs: optInt,
  variant: optText,
});

export const datasetRecord = z.strictObject({ sha256, count: int, source: text });

export const runColumns = z.strictObject({
  uuid: z.string().regex(UUID_PATTERN, "a UUID in lowercase hex"),
  host_uid: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/)
    .nullable(),
  campaign: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/)
    .nullable(),
  mode: z.enum(RUN_MODES),
  tinyrig_version: text,
  settings_json: jsonText,
  started_at: text,
  ended_at: optText,
  // a run still being measured does not travel: its figures are not final
  status: z.enum(["completed", "failed", "interrupted"]),
  error: optText,
  summary_json: optJsonText,
  simulated: flag,
  modelled: flag,
  owner_pid: int,
  owner_host: text,
  dut_name: optText,
  dut_profile: optText,
  dut_model_id: optText,
  arena_used_bytes: optInt,
  arena_size_bytes: optInt,
  model_bytes_on_device: optInt,
  input_bytes_on_device: optInt,
  output_bytes_on_device: optInt,
  console: optText,
  flasher: optText,
  dut_build_id: optText,
  firmware_provenance: optText,
});

export const windowRecord = z.strictObject({
  idx: int,
  input_index: int,
  iterations: int,
  warmup: int,
  t0_us: optNum,
  t1_us: optNum,
  latency_us: optNum,
  throughput: optNum,
  energy_uj: optNum,
  energy_per_inference_uj: optNum,
  phases_json: optJsonText,
  monitor: optText,
  sample_rate_hz: optNum,
  voltage_v: optNum,
  energy_kind: z.enum(["measured", "modelled"]).nullable(),
});

export const inferenceRecord = z.strictObject({
  input_index: int,
  input_file: text,
  label: int,
  /** The device's raw output bytes in lowercase hex. */
  raw_output: z
    .string()
    .regex(/^([0-9a-f]{2})*$/)
    .max(MAX_TEXT)
    .nullable(),
  outputs_json: jsonText,
  score: z.number(),
  predicted: optInt,
  equals_host_reference: flag.nullable(),
  latency_us: optNum,
});

/** A raw trace's row; `file` is its name inside the bundle (`traces/<uuid>-<window>.f32.gz`), never a path on disk. */
export const traceRecord = z.strictObject({
  window_idx: int,
  file: z.string().regex(/^traces\/[0-9a-f-]{36}-\d{1,6}\.f32\.gz$/),
  sha256,
  bytes: int,
  samples: int,
  unit: z.enum(["J", "A"]),
  sample_rate_hz: z.number(),
  voltage_v: z.number(),
  edges_json: jsonText,
});

export const runRecord = z.strictObject({
  run: runColumns,
  host: hostRecord,
  board: boardRecord,
  firmware: firmwareRecord.nullable(),
  workload: workloadRecord,
  dataset: datasetRecord.nullable(),
  windows: z.array(windowRecord),
  inferences: z.array(inferenceRecord),
  traces: z.array(traceRecord),
});

export type RunRecord = z.infer<typeof runRecord>;
export type TraceRecord = z.infer<typeof traceRecord>;

/** The column names a record part carries, in schema order (the store's SELECT and INSERT lists). */
export const columnsOf = (schema: { shape: Record<string, unknown> }): string[] => Object.keys(schema.shape);

/** A trace's name inside a bundle. */
export const traceEntryName = (uuid: string, window: number): string => `traces/${uuid}-${window}.f32.gz`;

/** JSON with sorted keys: two records are the same run exactly when these strings are equal. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, value) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(
          Object.keys(value as object)
            .sort()
            .map((k) => [k, (value as Record<string, unknown>)[k]]),
        )
      : value,
  );
}
