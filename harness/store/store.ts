// The result store: one SQLite file (WAL), every result committed the moment it arrives, so a run killed at any
// point keeps what it measured. No SQL outside harness/store/.
import Database from "better-sqlite3";
import { createHash, randomUUID } from "node:crypto";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { cpus, hostname, platform, release, tmpdir } from "node:os";
import path from "node:path";
import { LATEST_VERSION, MIGRATIONS } from "./migrations.ts";
import type { EnergySource, RunStart, SuiteStore } from "./run-start.ts";

export type { EnergySource } from "./run-start.ts";
import type { EnergyWindowMeasurement, InferenceMeasurement, RunMode, WindowMeasurement } from "../modes/types.ts";
import type { EnergyTrace } from "../power/types.ts";
import { firmwareVersion } from "../paths.ts";
import { classifyRun, type Validity } from "./validity.ts";
import { hostId as thisHostId } from "./host-id.ts";
import { boardRecord, canonicalJson, columnsOf, datasetRecord, firmwareRecord, hostRecord, inferenceRecord, runColumns, runRecord, traceEntryName, traceRecord, windowRecord, workloadRecord, type RunRecord } from "./run-record.ts";

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreError";
  }
}

export interface RunRow {
  /** This database's own number for the run; `uuid` is the run's name everywhere else (bundles, merged databases). */
  id: number;
  uuid: string;
  /** The measuring host's stable id (see host-id.ts); null on runs stored before schema v6. */
  hostId: string | null;
  /** The campaign the run belongs to (one nightly = one campaign, e.g. a CI run id); null: none given. */
  campaign: string | null;
  mode: RunMode;
  board: string;
  boardKind: "emulated" | "physical";
  workload: string;
  /** The model variant measured (manifest variant id); null: the workload's main model. */
  variant: string | null;
  status: "running" | "completed" | "failed" | "interrupted";
  startedAt: string;
  endedAt: string | null;
  error: string | null;
  summary: Record<string, unknown> | null;
  settings: Record<string, unknown>;
  simulated: boolean;
  modelled: boolean;
  firmwareSha256: string | null;
  toolchain: string | null;
  kernels: string | null;
  datasetSha256: string | null;
  /** `committed`, `declared:<id>:<folder>` or `imported:<folder>`: harness/store/dataset-source.ts. */
  datasetSource: string | null;
  /** Inputs in the dataset the run drew from (all of them, whatever --limit took). */
  datasetCount: number | null;
  tinyrigVersion: string;
  ownerPid: number;
  ownerHost: string;
  /** What the device reported of itself (tinyrig firmware's caps; null on MLPerf firmware). */
  device: { name: string | null; profile: string | null; modelId: string | null; arenaUsedBytes: number | null; arenaSizeBytes: number | null; modelBytes: number | null; inputBytes: number | null; outputBytes: number | null };
  firmwareBytes: { flash: number; ram: number } | null;
  /** Where the figures came from: the console (hardware serial, an emulator, another PTY), the flasher, the build id
   * the device reported and what that confirms of the firmware. Null on runs stored before schema v5. */
  provenance: { console: string | null; flasher: string | null; deviceBuildId: string | null; firmware: string | null };
  /** Headline, partial, exploratory or not a result (harness/store/validity.ts), with the reasons. */
  validity: Validity;
}

export interface WindowRow extends WindowMeasurement {
  runId: number;
  energyUj: number | null;
  energyPerInferenceUj: number | null;
  phases: Record<string, number> | null;
  energyKind: "measured" | "modelled" | null;
  monitor: string | null;
}

export interface InferenceRow extends InferenceMeasurement {
  runId: number;
}

export interface RunFilter {
  board?: string;
  workload?: string;
  /** A variant id; "model" or null: runs of the main model. */
  variant?: string | null;
  mode?: string;
  campaign?: string;
  status?: string;
  since?: string;
  limit?: number;
}

export class ResultStore implements SuiteStore {
  readonly db: Database.Database;
  /** The campaign runs started through this store belong to (`tinyrig run --campaign`); null: none. */
  campaign: string | null = null;

  private constructor(readonly file: string, db: Database.Database, private readonly copyDir?: string) {
    this.db = db;
  }

  /**
   * Opens (or creates) a result database. `readOnly`: for commands that only read (list, show, export, report); a
   * database they cannot open in place (a read-only folder, where SQLite cannot make its WAL index, or an older
   * schema they must not migrate) is read from a private copy. Every open checks the file (SQLite's quick_check)
   * and names it when it is damaged; nothing is written to a damaged file.
   */
  static open(file: string, opts: { mustExist?: boolean; readOnly?: boolean } = {}): ResultStore {
    const abs = path.resolve(file);
    const exists = existsSync(abs);
    if (!exists && (opts.mustExist || opts.readOnly)) throw new StoreError(`${abs}: no such result database`);
    if (exists) refuseNonSqlite(abs);
    else {
      try {
        mkdirSync(path.dirname(abs), { recursive: true });
      } catch (err) {
        throw new StoreError(`${abs}: cannot create the result database's folder ${path.dirname(abs)}: ${fsReason(err)}`);
      }
    }
    if (opts.readOnly) return ResultStore.openForReading(abs);
    let db: Database.Database | undefined;
    try {
      db = new Database(abs);
      checkIntegrity(db, abs);
      db.pragma("journal_mode = WAL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
    } catch (err) {
      db?.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError(`${abs}: cannot open the result database for writing: ${fsReason(err)}${readOnlyHint(err)}`);
    }
    const store = new ResultStore(abs, db);
    try {
      store.migrate();
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError(`${abs}: cannot bring the result database up to date: ${fsReason(err)}${readOnlyHint(err)}`);
    }
    return store;
  }

  private static openForReading(abs: string): ResultStore {
    let db: Database.Database | undefined;
    try {
      db = new Database(abs, { readonly: true, fileMustExist: true });
      checkIntegrity(db, abs);
      db.pragma("busy_timeout = 5000");
      if (schemaVersionOf(db) === LATEST_VERSION) return new ResultStore(abs, db);
    } catch (err) {
      if (err instanceof StoreError) {
        db?.close();
        throw err;
      }
    }
    db?.close();
    // A private copy (with its WAL, which holds the newest commits until a checkpoint), migrated there, never written back.
    const copyDir = mkdtempSync(path.join(tmpdir(), "tinyrig-readonly-"));
    const copy = path.join(copyDir, path.basename(abs));
    try {
      copyFileSync(abs, copy);
      if (existsSync(`${abs}-wal`)) copyFileSync(`${abs}-wal`, `${copy}-wal`);
      db = new Database(copy);
      checkIntegrity(db, abs);
    } catch (err) {
      db?.close();
      rmSync(copyDir, { recursive: true, force: true });
      if (err instanceof StoreError) throw err;
      throw new StoreError(`${abs}: cannot read the result database: ${fsReason(err)}`);
    }
    const store = new ResultStore(abs, db, copyDir);
    store.migrate();
    return store;
  }

  close(): void {
    this.db.close();
    if (this.copyDir) rmSync(this.copyDir, { recursive: true, force: true });
  }

  private migrate(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
    const current = schemaVersionOf(this.db);
    if (current > LATEST_VERSION) {
      throw new StoreError(`${this.file}: schema version ${current} is newer than this tinyrig knows (${LATEST_VERSION}); upgrade tinyrig rather than risk the data`);
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)").run(m.version, new Date().toISOString());
      })();
    }
  }

  get schemaVersion(): number {
    return (this.db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number }).v;
  }

  private upsert(select: string, insert: string, params: unknown[]): number {
    const row = this.db.prepare(select).get(...params) as { id: number } | undefined;
    if (row) return row.id;
    return Number(this.db.prepare(insert).run(...params).lastInsertRowid);
  }

  startRun(s: RunStart): number {
    return this.db.transaction(() => {
      const hostId = this.upsert(
        "SELECT id FROM host WHERE hostname = ? AND os = ? AND cpu = ? AND node = ?",
        "INSERT INTO host (hostname, os, cpu, node) VALUES (?, ?, ?, ?)",
        [hostname(), `${platform()} ${release()}`, cpus()[0]?.model ?? "unknown", process.version],
      );
      const boardId = this.upsert(
        "SELECT id FROM board WHERE name = ? AND file_sha256 = ? AND yaml = ? AND kind = ?",
        "INSERT INTO board (name, file_sha256, yaml, kind) VALUES (?, ?, ?, ?)",
        [s.board.name, s.board.fileSha256, s.board.text, s.board.kind],
      );
      const fw = s.firmware; // undefined: the build failed, and the run is stored failed
      let firmwareId: number | null = null;
      if (fw) {
        firmwareId = (this.db.prepare("SELECT id FROM firmware WHERE sha256 = ?").get(fw.sha256) as { id: number } | undefined)?.id ?? Number(
          this.db
            .prepare("INSERT INTO firmware (sha256, bytes, flash_bytes, ram_bytes, toolchain, kernels, timestamp_mode, config_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .run(fw.sha256, fw.bytes, fw.sizes.flash, fw.sizes.ram, fw.toolchain, fw.kernels, fw.timestampMode, JSON.stringify(fw.config)).lastInsertRowid,
        );
      }
      const w = s.workload;
      const identity = s.connection?.identity;
      const caps = identity?.caps; // tinyrig firmware reports its sizes; MLPerf firmware does not
      const p = s.provenance;
      const workloadId = this.upsert(
        "SELECT id FROM workload WHERE name = ? AND manifest_sha256 = ? AND model_sha256 = ? AND model_bytes = ? AND params IS ? AND macs IS ? AND variant IS ?",
        "INSERT INTO workload (name, manifest_sha256, model_sha256, model_bytes, params, macs, variant) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [w.id, w.manifestSha256, w.modelSha256, w.modelBytes, w.params ?? null, w.macs ?? null, w.variant ?? null],
      );
      const datasetId = this.upsert(
        "SELECT id FROM dataset WHERE sha256 = ? AND count = ? AND source = ?",
        "INSERT INTO dataset (sha256, count, source) VALUES (?, ?, ?)",
        [w.dataset.sha256, w.dataset.inputs.length, w.dataset.source],
      );
      const id = this.db
        .prepare(
          `INSERT INTO run (mode, host_id, board_id, firmware_id, workload_id, dataset_id, tinyrig_version, settings_json,
             started_at, status, simulated, modelled, owner_pid, owner_host, dut_name, dut_profile, dut_model_id,
             arena_used_bytes, arena_size_bytes, model_bytes_on_device, input_bytes_on_device, output_bytes_on_device,
             console, flasher, dut_build_id, firmware_provenance, uuid, host_uid, campaign)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(s.mode, hostId, boardId, firmwareId, workloadId, datasetId, firmwareVersion(), JSON.stringify(s.settings),
          new Date().toISOString(), s.simulated ? 1 : 0, s.modelled ? 1 : 0, process.pid, hostname(),
          identity?.name ?? null, identity?.profile ?? null, identity?.model || null,
          caps?.arenaUsed ?? null, caps?.arenaSize ?? null, caps?.modelBytes ?? null, caps?.inputBytes ?? null, caps?.outputBytes ?? null,
          p?.console ?? null, p?.flasher ?? null, p?.deviceBuildId ?? null, p?.firmware ?? null, randomUUID(), thisHostId(), this.campaign).lastInsertRowid;
      return Number(id);
    })();
  }

  window(runId: number, w: WindowMeasurement | EnergyWindowMeasurement, source?: EnergySource): void {
    const energy = "energyUj" in w ? w : undefined;
    this.db
      .prepare(
        `INSERT INTO window (run_id, idx, input_index, iterations, warmup, t0_us, t1_us, latency_us, throughput,
           energy_uj, energy_per_inference_uj, phases_json, monitor, sample_rate_hz, voltage_v, energy_kind)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(runId, w.index, w.inputIndex, w.iterations, w.warmup, w.t0Us, w.t1Us, w.latencyUs, w.throughput,
        energy?.energyUj ?? null, energy?.energyPerInferenceUj ?? null, energy?.phasesUj ? JSON.stringify(energy.phasesUj) : null,
        source?.monitor ?? null, source?.sampleRateHz ?? null, source?.voltageV ?? null, energy ? (source?.kind ?? null) : null);
  }

  inference(runId: number, i: InferenceMeasurement): void {
    this.db
      .prepare(
        `INSERT INTO inference (run_id, input_index, input_file, label, raw_output, outputs_json, score, predicted,
           equals_host_reference, latency_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(runId, i.inputIndex, i.file, i.label, i.rawOutput ? Buffer.from(i.rawOutput) : null, JSON.stringify(i.outputs),
        i.score, i.predicted ?? null, i.equalsHostReference === undefined ? null : i.equalsHostReference ? 1 : 0, i.latencyUs ?? null);
  }

  /** Where a database's raw traces live: a folder beside it (`results/tinyrig.db` -> `results/tinyrig.traces/`). */
  get traceDir(): string {
    return this.file.replace(/(\.db)?$/, ".traces");
  }

  /**
   * A window's raw monitor samples: gzip-compressed little-endian float32 in a file beside the database, its sha256
   * and the edges in a row of its own. The file is written before the row, so a row always has its file.
   */
  trace(runId: number, window: number, t: EnergyTrace): void {
    mkdirSync(this.traceDir, { recursive: true });
    const name = `run-${runId}-window-${window}.f32.gz`;
    const data = gzipSync(Buffer.from(t.samples.buffer, t.samples.byteOffset, t.samples.byteLength));
    writeFileSync(path.join(this.traceDir, name), data);
    this.db
      .prepare(`INSERT INTO trace (run_id, window_idx, file, sha256, bytes, samples, unit, sample_rate_hz, voltage_v, edges_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(runId, window, name, createHash("sha256").update(data).digest("hex"), data.length, t.samples.length, t.unit, t.sampleRateHz, t.voltageV, JSON.stringify(t.edges));
  }

  /** A stored trace, read back and checked against its hash. */
  readTrace(runId: number, window: number): EnergyTrace {
    const r = this.db.prepare("SELECT * FROM trace WHERE run_id = ? AND window_idx = ?").get(runId, window) as Record<string, unknown> | undefined;
    if (!r) throw new StoreError(`${this.file}: run ${runId} has no raw trace for window ${window}`);
    const data = this.readTraceFile(runId, window, r.file as string, r.sha256 as string);
    const raw = gunzipSync(data);
    const samples = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    return { unit: r.unit as "J" | "A", sampleRateHz: r.sample_rate_hz as number, voltageV: r.voltage_v as number, samples, edges: JSON.parse(r.edges_json as string) as number[] };
  }

  traceWindows(runId: number): number[] {
    return (this.db.prepare("SELECT window_idx FROM trace WHERE run_id = ? ORDER BY window_idx").all(runId) as { window_idx: number }[]).map((r) => r.window_idx);
  }

  finishRun(runId: number, summary: Record<string, unknown>): void {
    this.db.prepare("UPDATE run SET status = 'completed', ended_at = ?, summary_json = ? WHERE id = ?").run(new Date().toISOString(), JSON.stringify(summary), runId);
  }

  /**
   * Takes an interrupted or failed run over for resuming, in one statement: of two processes resuming the same run at
   * once, exactly one changes the row; the other is refused, told who has it.
   */
  claimForResume(runId: number): void {
    const claimed = this.db
      .prepare("UPDATE run SET status = 'running', ended_at = NULL, error = NULL, owner_pid = ?, owner_host = ? WHERE id = ? AND status IN ('interrupted', 'failed') AND (host_uid IS NULL OR host_uid = ?)")
      .run(process.pid, hostname(), runId, thisHostId()).changes;
    if (claimed === 1) return;
    const r = this.getRun(runId);
    if (!r) throw new StoreError(`no run ${runId} in ${this.file}`);
    // a run measured elsewhere (imported from a bundle) is finished here: one run, one host
    if (r.hostId !== null && r.hostId !== thisHostId()) throw new StoreError(`run ${runId} (${r.uuid}) was measured on host ${r.hostId}, not this one (${thisHostId()}): resume it there`);
    throw new StoreError(
      r.status === "running"
        ? `run ${runId} is running (pid ${r.ownerPid} on ${r.ownerHost}): it cannot be resumed twice at once`
        : `run ${runId} is ${r.status}; only interrupted or failed runs can be resumed`,
    );
  }

  /** The board file's text as a run stored it. */
  boardText(runId: number): string {
    const row = this.db.prepare("SELECT b.yaml FROM run r JOIN board b ON b.id = r.board_id WHERE r.id = ?").get(runId) as { yaml: string } | undefined;
    if (!row) throw new StoreError(`no run ${runId} in ${this.file}`);
    return row.yaml;
  }

  failRun(runId: number, error: string, status: "failed" | "interrupted"): void {
    this.db.prepare("UPDATE run SET status = ?, ended_at = ?, error = ? WHERE id = ?").run(status, new Date().toISOString(), error, runId);
  }

  /** Runs left `running` by a process that is gone (same host, pid not alive) become `interrupted`. */
  markInterrupted(isAlive: (pid: number) => boolean = pidAlive): number[] {
    const rows = this.db.prepare("SELECT id, owner_pid, owner_host FROM run WHERE status = 'running'").all() as { id: number; owner_pid: number; owner_host: string }[];
    const dead = rows.filter((r) => r.owner_host === hostname() && !isAlive(r.owner_pid)).map((r) => r.id);
    const stmt = this.db.prepare("UPDATE run SET status = 'interrupted', error = COALESCE(error, 'the process running it ended without finishing') WHERE id = ?");
    for (const id of dead) stmt.run(id);
    return dead;
  }

  listRuns(f: RunFilter = {}): RunRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.board) (where.push("b.name = ?"), params.push(f.board));
    if (f.workload) (where.push("w.name = ?"), params.push(f.workload));
    if (f.variant !== undefined) (where.push("w.variant IS ?"), params.push(f.variant === "model" ? null : f.variant));
    if (f.mode) (where.push("r.mode = ?"), params.push(f.mode));
    if (f.campaign) (where.push("r.campaign = ?"), params.push(f.campaign));
    if (f.status) (where.push("r.status = ?"), params.push(f.status));
    if (f.since) (where.push("r.started_at >= ?"), params.push(f.since));
    const sql = `${RUN_SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY r.id DESC ${f.limit ? `LIMIT ${Math.floor(f.limit)}` : ""}`;
    return (this.db.prepare(sql).all(...params) as RawRun[]).map(toRunRow);
  }

  getRun(id: number): RunRow | undefined {
    const row = this.db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(id) as RawRun | undefined;
    return row ? toRunRow(row) : undefined;
  }

  windows(runId: number): WindowRow[] {
    return (this.db.prepare("SELECT * FROM window WHERE run_id = ? ORDER BY idx").all(runId) as Record<string, unknown>[]).map((r) => ({
      runId, index: r.idx as number, inputIndex: r.input_index as number, iterations: r.iterations as number, warmup: r.warmup as number,
      t0Us: r.t0_us as number, t1Us: r.t1_us as number, latencyUs: r.latency_us as number, throughput: r.throughput as number,
      energyUj: r.energy_uj as number | null, energyPerInferenceUj: r.energy_per_inference_uj as number | null,
      phases: r.phases_json ? JSON.parse(r.phases_json as string) : null, energyKind: r.energy_kind as WindowRow["energyKind"], monitor: r.monitor as string | null,
    }));
  }

  inferences(runId: number): InferenceRow[] {
    return (this.db.prepare("SELECT * FROM inference WHERE run_id = ? ORDER BY input_index").all(runId) as Record<string, unknown>[]).map((r) => ({
      runId, inputIndex: r.input_index as number, file: r.input_file as string, label: r.label as number,
      rawOutput: r.raw_output ? new Uint8Array(r.raw_output as Buffer) : undefined, outputs: JSON.parse(r.outputs_json as string) as number[],
      score: r.score as number, predicted: (r.predicted as number | null) ?? undefined,
      equalsHostReference: r.equals_host_reference === null ? undefined : r.equals_host_reference === 1,
      latencyUs: (r.latency_us as number | null) ?? undefined,
    }));
  }

  /** The run with everything another database needs to hold it (see run-record.ts); its trace files' bytes beside it. */
  runRecord(runId: number, opts: { traces?: boolean } = {}): { record: RunRecord; traceFiles: Map<string, Buffer> } {
    const one = (sql: string, id: unknown) => this.db.prepare(sql).get(id) as Record<string, unknown> | undefined;
    const r = one(`SELECT ${columnsOf(runColumns).join(", ")}, host_id, board_id, firmware_id, workload_id, dataset_id FROM run WHERE id = ?`, runId);
    if (!r) throw new StoreError(`no run ${runId} in ${this.file}`);
    if (r.status === "running") throw new StoreError(`run ${runId} (${r.uuid as string}) is still running: only finished runs (completed, failed, interrupted) can leave this database`);
    const part = (table: string, schema: { shape: Record<string, unknown> }, id: unknown) =>
      id === null ? null : one(`SELECT ${columnsOf(schema).join(", ")} FROM ${table} WHERE id = ?`, id)!;
    const rows = (table: string, schema: { shape: Record<string, unknown> }, order: string) =>
      this.db.prepare(`SELECT ${columnsOf(schema).join(", ")} FROM ${table} WHERE run_id = ? ORDER BY ${order}`).all(runId) as Record<string, unknown>[];
    const uuid = r.uuid as string;
    const traceFiles = new Map<string, Buffer>();
    const traces = !opts.traces ? [] : rows("trace", traceRecord, "window_idx").map((t) => {
      const name = traceEntryName(uuid, t.window_idx as number);
      const stored = this.readTraceFile(runId, t.window_idx as number, t.file as string, t.sha256 as string);
      traceFiles.set(name, stored);
      return { ...t, file: name };
    });
    const { host_id, board_id, firmware_id, workload_id, dataset_id, ...run } = r;
    const record = runRecord.parse({
      run,
      host: part("host", hostRecord, host_id),
      board: part("board", boardRecord, board_id),
      firmware: part("firmware", firmwareRecord, firmware_id),
      workload: part("workload", workloadRecord, workload_id),
      dataset: part("dataset", datasetRecord, dataset_id),
      windows: rows("window", windowRecord, "idx"),
      inferences: rows("inference", inferenceRecord, "input_index").map((i) => ({ ...i, raw_output: i.raw_output ? (i.raw_output as Buffer).toString("hex") : null })),
      traces,
    });
    return { record, traceFiles };
  }

  /**
   * Adds runs from elsewhere (a bundle), all or none, in one transaction. A run whose UUID is here already is left as
   * it is when it is the same run (importing twice changes nothing) and refused, named, when it differs. Trace files
   * are written under this database's trace folder with names made here; a failure removes the ones written.
   */
  importRecords(records: RunRecord[], traceFiles: ReadonlyMap<string, Buffer>): { added: string[]; present: string[] } {
    const added: string[] = [];
    const present: string[] = [];
    const written: string[] = [];
    const insert = (table: string, row: Record<string, unknown>) => {
      const cols = Object.keys(row);
      return Number(this.db.prepare(`INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`).run(...cols.map((c) => row[c])).lastInsertRowid);
    };
    /** The id of the row with exactly these values, added when there is none. */
    const upsert = (table: string, row: Record<string, unknown>) => {
      const cols = Object.keys(row);
      const found = this.db.prepare(`SELECT id FROM ${table} WHERE ${cols.map((c) => `${c} IS ?`).join(" AND ")}`).get(...cols.map((c) => row[c])) as { id: number } | undefined;
      return found?.id ?? insert(table, row);
    };
    try {
      this.db.transaction(() => {
        for (const rec of records) {
          const local = this.db.prepare("SELECT id FROM run WHERE uuid = ?").get(rec.run.uuid) as { id: number } | undefined;
          if (local) {
            // a bundle without raw traces holds the same run as this database with them
            const here = this.runRecord(local.id, { traces: rec.traces.length > 0 }).record;
            if (canonicalJson(here) !== canonicalJson(rec)) {
              throw new StoreError(`run ${rec.run.uuid} is already in ${this.file} (run ${local.id}) with different contents; refusing to replace or duplicate it`);
            }
            present.push(rec.run.uuid);
            continue;
          }
          // firmware is named by its sha256 alone (UNIQUE): the same image is the same row
          const firmwareId = rec.firmware
            ? ((this.db.prepare("SELECT id FROM firmware WHERE sha256 = ?").get(rec.firmware.sha256) as { id: number } | undefined)?.id ?? insert("firmware", rec.firmware))
            : null;
          const runId = insert("run", {
            ...rec.run,
            host_id: upsert("host", rec.host), board_id: upsert("board", rec.board), firmware_id: firmwareId,
            workload_id: upsert("workload", rec.workload), dataset_id: rec.dataset ? upsert("dataset", rec.dataset) : null,
          });
          for (const w of rec.windows) insert("window", { ...w, run_id: runId });
          for (const i of rec.inferences) insert("inference", { ...i, run_id: runId, raw_output: i.raw_output === null ? null : Buffer.from(i.raw_output, "hex") });
          for (const t of rec.traces) {
            const data = traceFiles.get(t.file);
            if (!data) throw new StoreError(`run ${rec.run.uuid}: its trace ${t.file} is not in the bundle`);
            mkdirSync(this.traceDir, { recursive: true });
            const name = `run-${runId}-window-${t.window_idx}.f32.gz`;
            writeFileSync(path.join(this.traceDir, name), data);
            written.push(path.join(this.traceDir, name));
            insert("trace", { ...t, file: name, run_id: runId });
          }
          added.push(rec.run.uuid);
        }
      })();
    } catch (err) {
      for (const f of written) rmSync(f, { force: true });
      throw err;
    }
    return { added, present };
  }

  /** A stored trace file's bytes, checked against the sha256 its row holds. */
  private readTraceFile(runId: number, window: number, name: string, sha: string): Buffer {
    const file = path.join(this.traceDir, name);
    if (!existsSync(file)) throw new StoreError(`${file}: the raw trace of run ${runId} window ${window} is missing`);
    const data = readFileSync(file);
    if (createHash("sha256").update(data).digest("hex") !== sha) throw new StoreError(`${file}: does not match the sha256 stored for it`);
    return data;
  }

  /** Records a run as the baseline of its board x workload x variant x mode, replacing the one there. */
  setBaseline(runId: number): void {
    const r = this.getRun(runId);
    if (!r) throw new StoreError(`no run ${runId} in ${this.file}`);
    this.db.prepare("INSERT OR REPLACE INTO baseline (board, workload, variant, mode, run_uuid, set_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(r.board, r.workload, r.variant ?? "", r.mode, r.uuid, new Date().toISOString());
  }

  /** The recorded baselines' runs (tinyrig baseline set). */
  baselineRuns(): RunRow[] {
    return (this.db.prepare(`${RUN_SELECT} JOIN baseline bl ON bl.run_uuid = r.uuid ORDER BY r.id`).all() as RawRun[]).map(toRunRow);
  }

  /** The campaigns in this database, the newest (by its latest run) first. */
  campaigns(): string[] {
    return (this.db.prepare("SELECT campaign FROM run WHERE campaign IS NOT NULL GROUP BY campaign ORDER BY MAX(started_at) DESC, MAX(id) DESC").all() as { campaign: string }[]).map((r) => r.campaign);
  }

  /**
   * The headline per (board, workload, variant, mode): the newest completed run that is a headline result (validity.ts).
   * Partial and exploratory runs never take its place, however new.
   */
  headlineRuns(): RunRow[] {
    return this.newestPerTarget(this.completedRuns().filter((r) => r.validity.class === "headline"));
  }

  /** The newest completed run per (board, workload, variant, mode), whatever its validity (for marking, not charts). */
  latestRuns(): RunRow[] {
    return this.newestPerTarget(this.completedRuns());
  }

  private completedRuns(): RunRow[] {
    return (this.db.prepare(`${RUN_SELECT} WHERE r.status = 'completed' ORDER BY r.id DESC`).all() as RawRun[]).map(toRunRow);
  }

  private newestPerTarget(runs: RunRow[]): RunRow[] {
    const newest = new Map<string, RunRow>();
    for (const r of runs) {
      const key = `${r.board}\0${r.workload}\0${r.variant ?? ""}\0${r.mode}`;
      if ((newest.get(key)?.id ?? -1) < r.id) newest.set(key, r);
    }
    return [...newest.values()].sort((a, b) => a.workload.localeCompare(b.workload) || a.board.localeCompare(b.board) || a.mode.localeCompare(b.mode));
  }
}

type RawRun = Record<string, unknown>;
const RUN_SELECT = `SELECT r.*, b.name AS board_name, b.kind AS board_kind, w.name AS workload_name, w.variant AS variant_name, f.sha256 AS fw_sha,
  f.toolchain AS toolchain, f.kernels AS kernels, f.flash_bytes AS fw_flash, f.ram_bytes AS fw_ram, d.sha256 AS ds_sha, d.source AS ds_source, d.count AS ds_count FROM run r JOIN board b ON b.id = r.board_id
  JOIN workload w ON w.id = r.workload_id LEFT JOIN firmware f ON f.id = r.firmware_id LEFT JOIN dataset d ON d.id = r.dataset_id`;

function toRunRow(r: RawRun): RunRow {
  const row: Omit<RunRow, "validity"> = {
    id: r.id as number, uuid: r.uuid as string, hostId: (r.host_uid as string | null) ?? null, campaign: (r.campaign as string | null) ?? null, mode: r.mode as RunRow["mode"], board: r.board_name as string, boardKind: r.board_kind as RunRow["boardKind"],
    workload: r.workload_name as string, variant: (r.variant_name as string | null) ?? null, status: r.status as RunRow["status"], startedAt: r.started_at as string,
    endedAt: r.ended_at as string | null, error: r.error as string | null,
    summary: r.summary_json ? (JSON.parse(r.summary_json as string) as Record<string, unknown>) : null,
    settings: JSON.parse(r.settings_json as string) as Record<string, unknown>, simulated: r.simulated === 1, modelled: r.modelled === 1,
    firmwareSha256: r.fw_sha as string | null, toolchain: r.toolchain as string | null, kernels: r.kernels as string | null,
    datasetSha256: r.ds_sha as string | null, datasetSource: (r.ds_source as string | null) ?? null, datasetCount: (r.ds_count as number | null) ?? null, tinyrigVersion: r.tinyrig_version as string, ownerPid: r.owner_pid as number, ownerHost: r.owner_host as string,
    device: {
      name: r.dut_name as string | null, profile: r.dut_profile as string | null, modelId: r.dut_model_id as string | null,
      arenaUsedBytes: r.arena_used_bytes as number | null, arenaSizeBytes: r.arena_size_bytes as number | null,
      modelBytes: r.model_bytes_on_device as number | null, inputBytes: r.input_bytes_on_device as number | null, outputBytes: r.output_bytes_on_device as number | null,
    },
    firmwareBytes: r.fw_flash === null || r.fw_flash === undefined ? null : { flash: r.fw_flash as number, ram: r.fw_ram as number },
    provenance: { console: (r.console as string | null) ?? null, flasher: (r.flasher as string | null) ?? null, deviceBuildId: (r.dut_build_id as string | null) ?? null, firmware: (r.firmware_provenance as string | null) ?? null },
  };
  return { ...row, validity: classifyRun(row) };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** An existing file that is not SQLite is refused (and left untouched) instead of being overwritten. */
function refuseNonSqlite(file: string): void {
  let head: Buffer;
  let n: number;
  try {
    if (statSync(file).isDirectory()) throw new StoreError(`${file}: is a folder, not a result database (name a file, e.g. ${path.join(file, "tinyrig.db")})`);
    const fd = openSync(file, "r");
    head = Buffer.alloc(16);
    n = readSync(fd, head, 0, 16, 0);
    closeSync(fd);
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(`${file}: cannot read the result database: ${fsReason(err)}`);
  }
  if (n === 0) return; // an empty file: SQLite initialises it
  if (head.toString("latin1", 0, 16) !== "SQLite format 3\0") {
    throw new StoreError(`${file}: not a SQLite database (it starts with ${JSON.stringify(head.toString("latin1", 0, Math.min(n, 16)))}); refusing to touch it`);
  }
}

/** SQLite's quick check (structure and every page, not the index contents): a damaged file is named, not written. */
function checkIntegrity(db: Database.Database, file: string): void {
  let problems: string[];
  try {
    problems = (db.pragma("quick_check") as { quick_check: string }[]).map((r) => r.quick_check).filter((m) => m !== "ok");
  } catch (err) {
    // Only corruption is damage; a file SQLite cannot open (a read-only folder) is a different error, passed on.
    if (!/^SQLITE_(CORRUPT|NOTADB)/.test((err as { code?: string }).code ?? "")) throw err;
    problems = [(err as Error).message];
  }
  if (problems.length) {
    throw new StoreError(`${file}: the result database is damaged (SQLite quick_check: ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? "; ..." : ""}); nothing was written to it. Restore it from a backup, or save what is readable with sqlite3's .recover`);
  }
}

function schemaVersionOf(db: Database.Database): number {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!table) return 0;
  return (db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null }).v ?? 0;
}

/** An error's reason with its code, e.g. "EISDIR: illegal operation on a directory" or "SQLITE_READONLY: ...". */
function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const message = (e.message ?? String(err)).replace(/,? (open|mkdir|read|scandir) '[^']*'$/, "");
  return e.code && !message.startsWith(e.code) ? `${e.code}: ${message}` : message;
}

function readOnlyHint(err: unknown): string {
  const code = (err as { code?: string }).code ?? "";
  return /READONLY|CANTOPEN|EACCES|EPERM|EROFS/.test(code) ? " (is the file or its folder read-only? results list, show, export and report can still read it)" : "";
}
