// Typed rows in and out of the store: what each table's INSERT takes (named columns, from the record schemas of
// run-record.ts, so a bundle and the store write the same shapes) and what a SELECT gives back, checked once where
// it leaves SQLite. Reading checks types only, not the formats a bundle is held to (a run stored by an older tinyrig
// must stay readable).
import type Database from "better-sqlite3";
import { z } from "zod";
import { RUN_MODES } from "../modes/types.ts";
import type { datasetRecord, firmwareRecord, hostRecord, inferenceRecord, runColumns, traceRecord, windowRecord, workloadRecord } from "./run-record.ts";

export const RUN_STATUSES = ["running", "completed", "failed", "interrupted"] as const;

export type HostInsert = z.input<typeof hostRecord>;
export type BoardInsert = { name: string; file_sha256: string; yaml: string; kind: "emulated" | "physical" };
export type FirmwareInsert = z.input<typeof firmwareRecord>;
export type WorkloadInsert = z.input<typeof workloadRecord>;
export type DatasetInsert = z.input<typeof datasetRecord>;
/** A run row: its own columns (run-record.ts) and the ids of the rows it references. */
export type RunInsert = Omit<z.input<typeof runColumns>, "status"> & {
  status: (typeof RUN_STATUSES)[number];
  host_id: number;
  board_id: number;
  firmware_id: number | null;
  workload_id: number;
  dataset_id: number | null;
};
export type WindowInsert = z.input<typeof windowRecord> & { run_id: number };
/** The raw output is a BLOB in the database (hex in a bundle). */
export type InferenceInsert = Omit<z.input<typeof inferenceRecord>, "raw_output"> & { raw_output: Buffer | null; run_id: number };
export type TraceInsert = z.input<typeof traceRecord> & { run_id: number };

export interface TableRows {
  host: HostInsert;
  board: BoardInsert;
  firmware: FirmwareInsert;
  workload: WorkloadInsert;
  dataset: DatasetInsert;
  run: RunInsert;
  window: WindowInsert;
  inference: InferenceInsert;
  trace: TraceInsert;
}

/** INSERT by column name; the new row's id. */
export function insertRow<T extends keyof TableRows>(db: Database.Database, table: T, row: TableRows[T]): number {
  const cols = Object.keys(row);
  return Number(db.prepare(`INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})`).run(row).lastInsertRowid);
}

/** The id of the row with exactly these values, added when there is none. */
export function upsertRow<T extends "host" | "board" | "workload" | "dataset">(db: Database.Database, table: T, row: TableRows[T]): number {
  const cols = Object.keys(row);
  const found = db.prepare(`SELECT id FROM ${table} WHERE ${cols.map((c) => `${c} IS @${c}`).join(" AND ")}`).get(row) as { id: number } | undefined;
  return found?.id ?? insertRow(db, table, row);
}

const str = z.string();
const optStr = z.string().nullable();
const num = z.number();
const optNum = z.number().nullable();

/** A run as RUN_SELECT reads it: the run's columns and what its joins add. */
export const storedRun = z.object({
  id: num,
  uuid: str,
  host_uid: optStr,
  campaign: optStr,
  mode: z.enum(RUN_MODES),
  status: z.enum(RUN_STATUSES),
  started_at: str,
  ended_at: optStr,
  error: optStr,
  summary_json: optStr,
  settings_json: str,
  simulated: num,
  modelled: num,
  tinyrig_version: str,
  owner_pid: num,
  owner_host: str,
  dut_name: optStr,
  dut_profile: optStr,
  dut_model_id: optStr,
  arena_used_bytes: optNum,
  arena_size_bytes: optNum,
  model_bytes_on_device: optNum,
  input_bytes_on_device: optNum,
  output_bytes_on_device: optNum,
  console: optStr.optional(),
  flasher: optStr.optional(),
  dut_build_id: optStr.optional(),
  firmware_provenance: optStr.optional(),
  board_name: str,
  board_kind: z.enum(["emulated", "physical"]),
  workload_name: str,
  variant_name: optStr,
  fw_sha: optStr,
  toolchain: optStr,
  kernels: optStr,
  fw_flash: optNum,
  fw_ram: optNum,
  ds_sha: optStr,
  ds_source: optStr,
  ds_count: optNum,
});
export type StoredRun = z.output<typeof storedRun>;

/** Every window tinyrig measures has its timestamps, latency and throughput. */
export const storedWindow = z.object({
  idx: num,
  input_index: num,
  iterations: num,
  warmup: num,
  t0_us: num,
  t1_us: num,
  latency_us: num,
  throughput: num,
  energy_uj: optNum,
  energy_per_inference_uj: optNum,
  phases_json: optStr,
  energy_kind: z.enum(["measured", "modelled"]).nullable(),
  monitor: optStr,
});

export const storedInference = z.object({
  input_index: num,
  input_file: str,
  label: num,
  raw_output: z.instanceof(Buffer).nullable(),
  outputs_json: str,
  score: num,
  predicted: optNum,
  equals_host_reference: optNum,
  latency_us: optNum,
});

export const storedTrace = z.object({
  file: str,
  sha256: str,
  unit: z.enum(["J", "A"]),
  sample_rate_hz: num,
  voltage_v: num,
  edges_json: str,
});

/** Rows of a SELECT, each checked against its schema; a row that does not fit names the table, the row and the field. */
export function readRows<S extends z.ZodType>(schema: S, rows: unknown[], table: string): z.output<S>[] {
  return rows.map((row, i) => {
    const r = schema.safeParse(row);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new Error(`${table} row ${(row as { id?: number }).id ?? i + 1}: ${issue.path.join(".")}: ${issue.message}`);
    }
    return r.data;
  });
}
