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
import { insertRow, readRows, storedInference, storedRun, storedTrace, storedWindow, upsertRow, type StoredRun } from "./rows.ts";
import { hostId as thisHostId } from "./host-id.ts";
import {
  boardRecord,
  canonicalJson,
  columnsOf,
  datasetRecord,
  firmwareRecord,
  hostRecord,
  inferenceRecord,
  runColumns,
  runRecord,
  traceEntryName,
  traceRecord,
  windowRecord,
  workloadRecord,
  type RunRecord,
} from "./run-record.ts";

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
  device: {
    name: string | null;
    profile: string | null;
    modelId: string | null;
    arenaUsedBytes: number | null;
    arenaSizeBytes: number | null;
    modelBytes: number | null;
    inputBytes: number | null;
    outputBytes: number | null;
  };
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

  private constructor(
    readonly file: string,
    db: Database.Database,
    private readonly copyDir?: string,
  ) {
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
      throw new StoreError(
        `${this.file}: schema version ${current} is newer than this tinyrig knows (${LATEST_VERSION}); upgrade tinyrig rather than risk the data`,
      );
    }
    if (current === LATEST_VERSION) return;
    // One write transaction taken up front (BEGIN IMMEDIATE, which waits its turn under busy_timeout), the version read
    // again inside it: two processes opening an old database at once migrate it once.
    this.db
      .transaction(() => {
        const now = schemaVersionOf(this.db);
        for (const m of MIGRATIONS) {
          if (m.version <= now) continue;
          this.db.exec(m.sql);
          m.run?.(this.db);
          this.db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)").run(m.version, new Date().toISOString());
        }
      })
      .immediate();
  }

  get schemaVersion(): number {
    return (this.db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number }).v;
  }

  startRun(s: RunStart): number {
    return this.db
      .transaction(() => {
        const db = this.db;
        const hostId = upsertRow(db, "host", {
          hostname: hostname(),
          os: `${platform()} ${release()}`,
          cpu: cpus()[0]?.model ?? "unknown",
          node: process.version,
        });
        const boardId = upsertRow(db, "board", { name: s.board.name, file_sha256: s.board.fileSha256, yaml: s.board.text, kind: s.board.kind });
        const fw = s.firmware; // undefined: the build failed, and the run is stored failed
        // firmware is named by its sha256 alone (UNIQUE): the same image is the same row
        const firmwareId = fw
          ? ((db.prepare("SELECT id FROM firmware WHERE sha256 = ?").get(fw.sha256) as { id: number } | undefined)?.id ??
            insertRow(db, "firmware", {
              sha256: fw.sha256,
              bytes: fw.bytes,
              flash_bytes: fw.sizes.flash,
              ram_bytes: fw.sizes.ram,
              toolchain: fw.toolchain,
              kernels: fw.kernels,
              timestamp_mode: fw.timestampMode,
              config_json: JSON.stringify(fw.config),
            }))
          : null;
        const w = s.workload;
        const workloadId = upsertRow(db, "workload", {
          name: w.id,
          manifest_sha256: w.manifestSha256,
          model_sha256: w.modelSha256,
          model_bytes: w.modelBytes,
          params: w.params ?? null,
          macs: w.macs ?? null,
          variant: w.variant ?? null,
        });
        const datasetId = upsertRow(db, "dataset", { sha256: w.dataset.sha256, count: w.dataset.inputs.length, source: w.dataset.source });
        const identity = s.connection?.identity;
        const caps = identity?.caps; // tinyrig firmware reports its sizes; MLPerf firmware does not
        const p = s.provenance;
        return insertRow(db, "run", {
          mode: s.mode,
          host_id: hostId,
          board_id: boardId,
          firmware_id: firmwareId,
          workload_id: workloadId,
          dataset_id: datasetId,
          tinyrig_version: firmwareVersion(),
          settings_json: JSON.stringify(s.settings),
          started_at: new Date().toISOString(),
          ended_at: null,
          status: "running",
          error: null,
          summary_json: null,
          simulated: s.simulated ? 1 : 0,
          modelled: s.modelled ? 1 : 0,
          owner_pid: process.pid,
          owner_host: hostname(),
          dut_name: identity?.name ?? null,
          dut_profile: identity?.profile ?? null,
          dut_model_id: identity?.model || null,
          arena_used_bytes: caps?.arenaUsed ?? null,
          arena_size_bytes: caps?.arenaSize ?? null,
          model_bytes_on_device: caps?.modelBytes ?? null,
          input_bytes_on_device: caps?.inputBytes ?? null,
          output_bytes_on_device: caps?.outputBytes ?? null,
          console: p?.console ?? null,
          flasher: p?.flasher ?? null,
          dut_build_id: p?.deviceBuildId ?? null,
          firmware_provenance: p?.firmware ?? null,
          uuid: randomUUID(),
          host_uid: thisHostId(),
          campaign: this.campaign,
        });
      })
      .immediate();
  }

  window(runId: number, w: WindowMeasurement | EnergyWindowMeasurement, source?: EnergySource): void {
    const energy = "energyUj" in w ? w : undefined;
    insertRow(this.db, "window", {
      run_id: runId,
      idx: w.index,
      input_index: w.inputIndex,
      iterations: w.iterations,
      warmup: w.warmup,
      t0_us: w.t0Us,
      t1_us: w.t1Us,
      latency_us: w.latencyUs,
      throughput: w.throughput,
      energy_uj: energy?.energyUj ?? null,
      energy_per_inference_uj: energy?.energyPerInferenceUj ?? null,
      phases_json: energy?.phasesUj ? JSON.stringify(energy.phasesUj) : null,
      monitor: source?.monitor ?? null,
      sample_rate_hz: source?.sampleRateHz ?? null,
      voltage_v: source?.voltageV ?? null,
      energy_kind: energy ? (source?.kind ?? null) : null,
    });
  }

  inference(runId: number, i: InferenceMeasurement): void {
    insertRow(this.db, "inference", {
      run_id: runId,
      input_index: i.inputIndex,
      input_file: i.file,
      label: i.label,
      raw_output: i.rawOutput ? Buffer.from(i.rawOutput) : null,
      outputs_json: JSON.stringify(i.outputs),
      score: i.score,
      predicted: i.predicted ?? null,
      equals_host_reference: i.equalsHostReference === undefined ? null : i.equalsHostReference ? 1 : 0,
      latency_us: i.latencyUs ?? null,
    });
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
    insertRow(this.db, "trace", {
      run_id: runId,
      window_idx: window,
      file: name,
      sha256: createHash("sha256").update(data).digest("hex"),
      bytes: data.length,
      samples: t.samples.length,
      unit: t.unit,
      sample_rate_hz: t.sampleRateHz,
      voltage_v: t.voltageV,
      edges_json: JSON.stringify(t.edges),
    });
  }

  /** A stored trace, read back and checked against its hash. */
  readTrace(runId: number, window: number): EnergyTrace {
    const [r] = readRows(storedTrace, this.db.prepare("SELECT * FROM trace WHERE run_id = ? AND window_idx = ?").all(runId, window), "trace");
    if (!r) throw new StoreError(`${this.file}: run ${runId} has no raw trace for window ${window}`);
    const data = this.readTraceFile(runId, window, r.file, r.sha256);
    const raw = gunzipSync(data);
    const samples = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    return { unit: r.unit, sampleRateHz: r.sample_rate_hz, voltageV: r.voltage_v, samples, edges: JSON.parse(r.edges_json) as number[] };
  }

  traceWindows(runId: number): number[] {
    return (this.db.prepare("SELECT window_idx FROM trace WHERE run_id = ? ORDER BY window_idx").all(runId) as { window_idx: number }[]).map(
      (r) => r.window_idx,
    );
  }

  finishRun(runId: number, summary: Record<string, unknown>): void {
    this.db
      .prepare("UPDATE run SET status = 'completed', ended_at = ?, summary_json = ? WHERE id = ?")
      .run(new Date().toISOString(), JSON.stringify(summary), runId);
  }

  /**
   * Takes an interrupted or failed run over for resuming, in one statement: of two processes resuming the same run at
   * once, exactly one changes the row; the other is refused, told who has it.
   */
  claimForResume(runId: number): void {
    const claimed = this.db
      .prepare(
        "UPDATE run SET status = 'running', ended_at = NULL, error = NULL, owner_pid = ?, owner_host = ? WHERE id = ? AND status IN ('interrupted', 'failed') AND (host_uid IS NULL OR host_uid = ?)",
      )
      .run(process.pid, hostname(), runId, thisHostId()).changes;
    if (claimed === 1) return;
    const r = this.getRun(runId);
    if (!r) throw new StoreError(`no run ${runId} in ${this.file}`);
    // a run measured elsewhere (imported from a bundle) is finished here: one run, one host
    if (r.hostId !== null && r.hostId !== thisHostId())
      throw new StoreError(`run ${runId} (${r.uuid}) was measured on host ${r.hostId}, not this one (${thisHostId()}): resume it there`);
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
    const rows = this.db.prepare("SELECT id, owner_pid, owner_host FROM run WHERE status = 'running'").all() as {
      id: number;
      owner_pid: number;
      owner_host: string;
    }[];
    const dead = rows.filter((r) => r.owner_host === hostname() && !isAlive(r.owner_pid)).map((r) => r.id);
    const stmt = this.db.prepare(
      "UPDATE run SET status = 'interrupted', error = COALESCE(error, 'the process running it ended without finishing') WHERE id = ?",
    );
    for (const id of dead) stmt.run(id);
    return dead;
  }

  listRuns(f: RunFilter = {}): RunRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.board) where.push("b.name = ?"), params.push(f.board);
    if (f.workload) where.push("w.name = ?"), params.push(f.workload);
    if (f.variant !== undefined) where.push("w.variant IS ?"), params.push(f.variant === "model" ? null : f.variant);
    if (f.mode) where.push("r.mode = ?"), params.push(f.mode);
    if (f.campaign) where.push("r.campaign = ?"), params.push(f.campaign);
    if (f.status) where.push("r.status = ?"), params.push(f.status);
    if (f.since) where.push("r.started_at >= ?"), params.push(f.since);
    const sql = `${RUN_SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY r.id DESC ${f.limit ? `LIMIT ${Math.floor(f.limit)}` : ""}`;
    return readRows(storedRun, this.db.prepare(sql).all(...params), "run").map(toRunRow);
  }

  getRun(id: number): RunRow | undefined {
    const [row] = readRows(storedRun, this.db.prepare(`${RUN_SELECT} WHERE r.id = ?`).all(id), "run");
    return row ? toRunRow(row) : undefined;
  }

  windows(runId: number): WindowRow[] {
    const rows = readRows(storedWindow, this.db.prepare("SELECT * FROM window WHERE run_id = ? ORDER BY idx").all(runId), "window");
    return rows.map((r) => ({
      runId,
      index: r.idx,
      inputIndex: r.input_index,
      iterations: r.iterations,
      warmup: r.warmup,
      t0Us: r.t0_us,
      t1Us: r.t1_us,
      latencyUs: r.latency_us,
      throughput: r.throughput,
      energyUj: r.energy_uj,
      energyPerInferenceUj: r.energy_per_inference_uj,
      phases: r.phases_json ? (JSON.parse(r.phases_json) as Record<string, number>) : null,
      energyKind: r.energy_kind,
      monitor: r.monitor,
    }));
  }

  inferences(runId: number): InferenceRow[] {
    const rows = readRows(storedInference, this.db.prepare("SELECT * FROM inference WHERE run_id = ? ORDER BY input_index").all(runId), "inference");
    return rows.map((r) => ({
      runId,
      inputIndex: r.input_index,
      file: r.input_file,
      label: r.label,
      rawOutput: r.raw_output ? new Uint8Array(r.raw_output) : undefined,
      outputs: JSON.parse(r.outputs_json) as number[],
      score: r.score,
      predicted: r.predicted ?? undefined,
      equalsHostReference: r.equals_host_reference === null ? undefined : r.equals_host_reference === 1,
      latencyUs: r.latency_us ?? undefined,
    }));
  }

  /** The run with everything another database needs to hold it (see run-record.ts); its trace files' bytes beside it. */
  runRecord(runId: number, opts: { traces?: boolean } = {}): { record: RunRecord; traceFiles: Map<string, Buffer> } {
    const one = (sql: string, id: unknown) => this.db.prepare(sql).get(id) as Record<string, unknown> | undefined;
    const r = one(`SELECT ${columnsOf(runColumns).join(", ")}, host_id, board_id, firmware_id, workload_id, dataset_id FROM run WHERE id = ?`, runId);
    if (!r) throw new StoreError(`no run ${runId} in ${this.file}`);
    if (r.status === "running")
      throw new StoreError(`run ${runId} (${r.uuid as string}) is still running: only finished runs (completed, failed, interrupted) can leave this database`);
    const part = (table: string, schema: { shape: Record<string, unknown> }, id: unknown) =>
      id === null ? null : one(`SELECT ${columnsOf(schema).join(", ")} FROM ${table} WHERE id = ?`, id)!;
    const rows = (table: string, schema: { shape: Record<string, unknown> }, order: string) =>
      this.db.prepare(`SELECT ${columnsOf(schema).join(", ")} FROM ${table} WHERE run_id = ? ORDER BY ${order}`).all(runId) as Record<string, unknown>[];
    const uuid = r.uuid as string;
    const traceFiles = new Map<string, Buffer>();
    const traces = !opts.traces
      ? []
      : rows("trace", traceRecord, "window_idx").map((t) => {
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
      inferences: rows("inference", inferenceRecord, "input_index").map((i) => ({
        ...i,
        raw_output: i.raw_output ? (i.raw_output as Buffer).toString("hex") : null,
      })),
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
    const db = this.db;
    try {
      this.db
        .transaction(() => {
          for (const rec of records) {
            const local = this.db.prepare("SELECT id FROM run WHERE uuid = ?").get(rec.run.uuid) as { id: number } | undefined;
            if (local) {
              // a bundle without raw traces holds the same run as this database with them
              const here = this.runRecord(local.id, { traces: rec.traces.length > 0 }).record;
              if (canonicalJson(here) !== canonicalJson(rec)) {
                throw new StoreError(
                  `run ${rec.run.uuid} is already in ${this.file} (run ${local.id}) with different contents; refusing to replace or duplicate it`,
                );
              }
              present.push(rec.run.uuid);
              continue;
            }
            // firmware is named by its sha256 alone (UNIQUE): the same image is the same row
            const firmwareId = rec.firmware
              ? ((this.db.prepare("SELECT id FROM firmware WHERE sha256 = ?").get(rec.firmware.sha256) as { id: number } | undefined)?.id ??
                insertRow(db, "firmware", rec.firmware))
              : null;
            const runId = insertRow(db, "run", {
              ...rec.run,
              host_id: upsertRow(db, "host", rec.host),
              board_id: upsertRow(db, "board", rec.board),
              firmware_id: firmwareId,
              workload_id: upsertRow(db, "workload", rec.workload),
              dataset_id: rec.dataset ? upsertRow(db, "dataset", rec.dataset) : null,
            });
            for (const w of rec.windows) insertRow(db, "window", { ...w, run_id: runId });
            for (const i of rec.inferences)
              insertRow(db, "inference", { ...i, run_id: runId, raw_output: i.raw_output === null ? null : Buffer.from(i.raw_output, "hex") });
            for (const t of rec.traces) {
              const data = traceFiles.get(t.file);
              if (!data) throw new StoreError(`run ${rec.run.uuid}: its trace ${t.file} is not in the bundle`);
              mkdirSync(this.traceDir, { recursive: true });
              const name = `run-${runId}-window-${t.window_idx}.f32.gz`;
              writeFileSync(path.join(this.traceDir, name), data);
              written.push(path.join(this.traceDir, name));
              insertRow(db, "trace", { ...t, file: name, run_id: runId });
            }
            added.push(rec.run.uuid);
          }
        })
        .immediate();
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
    this.db
      .prepare("INSERT OR REPLACE INTO baseline (board, workload, variant, mode, run_uuid, set_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(r.board, r.workload, r.variant ?? "", r.mode, r.uuid, new Date().toISOString());
  }

  /** The recorded baselines' runs (tinyrig baseline set). */
  baselineRuns(): RunRow[] {
    return readRows(storedRun, this.db.prepare(`${RUN_SELECT} JOIN baseline bl ON bl.run_uuid = r.uuid ORDER BY r.id`).all(), "run").map(toRunRow);
  }

  /** The campaigns in this database, the newest (by its latest run) first. */
  campaigns(): string[] {
    return (
      this.db.prepare("SELECT campaign FROM run WHERE campaign IS NOT NULL GROUP BY campaign ORDER BY MAX(started_at) DESC, MAX(id) DESC").all() as {
        campaign: string;
      }[]
    ).map((r) => r.campaign);
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
    return readRows(storedRun, this.db.prepare(`${RUN_SELECT} WHERE r.status = 'completed' ORDER BY r.id DESC`).all(), "run").map(toRunRow);
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

const RUN_SELECT = `SELECT r.*, b.name AS board_name, b.kind AS board_kind, w.name AS workload_name, w.variant AS variant_name, f.sha256 AS fw_sha,
  f.toolchain AS toolchain, f.kernels AS kernels, f.flash_bytes AS fw_flash, f.ram_bytes AS fw_ram, d.sha256 AS ds_sha, d.source AS ds_source, d.count AS ds_count FROM run r JOIN board b ON b.id = r.board_id
  JOIN workload w ON w.id = r.workload_id LEFT JOIN firmware f ON f.id = r.firmware_id LEFT JOIN dataset d ON d.id = r.dataset_id`;

function toRunRow(r: StoredRun): RunRow {
  const row: Omit<RunRow, "validity"> = {
    id: r.id,
    uuid: r.uuid,
    hostId: r.host_uid,
    campaign: r.campaign,
    mode: r.mode,
    board: r.board_name,
    boardKind: r.board_kind,
    workload: r.workload_name,
    variant: r.variant_name,
    status: r.status,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
    summary: r.summary_json ? (JSON.parse(r.summary_json) as Record<string, unknown>) : null,
    settings: JSON.parse(r.settings_json) as Record<string, unknown>,
    simulated: r.simulated === 1,
    modelled: r.modelled === 1,
    firmwareSha256: r.fw_sha,
    toolchain: r.toolchain,
    kernels: r.kernels,
    datasetSha256: r.ds_sha,
    datasetSource: r.ds_source,
    datasetCount: r.ds_count,
    tinyrigVersion: r.tinyrig_version,
    ownerPid: r.owner_pid,
    ownerHost: r.owner_host,
    device: {
      name: r.dut_name,
      profile: r.dut_profile,
      modelId: r.dut_model_id,
      arenaUsedBytes: r.arena_used_bytes,
      arenaSizeBytes: r.arena_size_bytes,
      modelBytes: r.model_bytes_on_device,
      inputBytes: r.input_bytes_on_device,
      outputBytes: r.output_bytes_on_device,
    },
    firmwareBytes: r.fw_flash === null || r.fw_ram === null ? null : { flash: r.fw_flash, ram: r.fw_ram },
    provenance: { console: r.console ?? null, flasher: r.flasher ?? null, deviceBuildId: r.dut_build_id ?? null, firmware: r.firmware_provenance ?? null },
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
    throw new StoreError(
      `${file}: not a SQLite database (it starts with ${JSON.stringify(head.toString("latin1", 0, Math.min(n, 16)))}); refusing to touch it`,
    );
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
    throw new StoreError(
      `${file}: the result database is damaged (SQLite quick_check: ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? "; ..." : ""}); nothing was written to it. Restore it from a backup, or save what is readable with sqlite3's .recover`,
    );
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
  return /READONLY|CANTOPEN|EACCES|EPERM|EROFS/.test(code)
    ? " (is the file or its folder read-only? results list, show, export and report can still read it)"
    : "";
}
