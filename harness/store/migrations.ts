// Schema migrations, applied in order; schema_version records how far a database has come. A database newer than
// this code is refused rather than guessed at. A migration is history: its SQL never changes once released.
import type Database from "better-sqlite3";

export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** Work SQL alone cannot say, run after `sql` in the same transaction. */
  run?: (db: Database.Database) => void;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "hosts, boards, firmware, workloads, datasets, runs, windows, inferences",
    sql: `
      CREATE TABLE host (id INTEGER PRIMARY KEY, hostname TEXT NOT NULL, os TEXT NOT NULL, cpu TEXT NOT NULL,
        node TEXT NOT NULL, UNIQUE (hostname, os, cpu, node));
      CREATE TABLE board (id INTEGER PRIMARY KEY, name TEXT NOT NULL, file_sha256 TEXT NOT NULL, yaml TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('emulated', 'physical')), UNIQUE (name, file_sha256));
      CREATE TABLE firmware (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, bytes INTEGER NOT NULL,
        flash_bytes INTEGER NOT NULL, ram_bytes INTEGER NOT NULL, toolchain TEXT NOT NULL, kernels TEXT NOT NULL,
        timestamp_mode TEXT NOT NULL, config_json TEXT NOT NULL);
      CREATE TABLE workload (id INTEGER PRIMARY KEY, name TEXT NOT NULL, manifest_sha256 TEXT NOT NULL,
        model_sha256 TEXT NOT NULL, model_bytes INTEGER NOT NULL, params INTEGER, macs INTEGER,
        UNIQUE (name, manifest_sha256, model_sha256));
      CREATE TABLE dataset (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, count INTEGER NOT NULL, source TEXT NOT NULL,
        UNIQUE (sha256, source));
      CREATE TABLE run (id INTEGER PRIMARY KEY, mode TEXT NOT NULL CHECK (mode IN ('performance', 'accuracy', 'energy')),
        host_id INTEGER NOT NULL REFERENCES host(id), board_id INTEGER NOT NULL REFERENCES board(id),
        firmware_id INTEGER REFERENCES firmware(id), workload_id INTEGER NOT NULL REFERENCES workload(id),
        dataset_id INTEGER REFERENCES dataset(id), tinyrig_version TEXT NOT NULL, settings_json TEXT NOT NULL,
        started_at TEXT NOT NULL, ended_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
        error TEXT, summary_json TEXT, simulated INTEGER NOT NULL, modelled INTEGER NOT NULL DEFAULT 0,
        owner_pid INTEGER NOT NULL, owner_host TEXT NOT NULL, dut_name TEXT, dut_profile TEXT);
      CREATE INDEX run_by_target ON run (board_id, workload_id, mode, status);
      CREATE TABLE window (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, input_index INTEGER NOT NULL, iterations INTEGER NOT NULL, warmup INTEGER NOT NULL,
        t0_us REAL, t1_us REAL, latency_us REAL, throughput REAL,
        energy_uj REAL, energy_per_inference_uj REAL, phases_json TEXT, monitor TEXT, sample_rate_hz REAL,
        voltage_v REAL, energy_kind TEXT CHECK (energy_kind IN ('measured', 'modelled')), UNIQUE (run_id, idx));
      CREATE TABLE inference (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        input_index INTEGER NOT NULL, input_file TEXT NOT NULL, label INTEGER NOT NULL, raw_output BLOB,
        outputs_json TEXT NOT NULL, score REAL NOT NULL, predicted INTEGER, equals_host_reference INTEGER,
        latency_us REAL, UNIQUE (run_id, input_index));
    `,
  },
  {
    version: 2,
    description: "raw monitor traces of energy windows, compressed files beside the database",
    sql: `
      CREATE TABLE trace (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        window_idx INTEGER NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL,
        samples INTEGER NOT NULL, unit TEXT NOT NULL CHECK (unit IN ('J', 'A')), sample_rate_hz REAL NOT NULL,
        voltage_v REAL NOT NULL, edges_json TEXT NOT NULL, UNIQUE (run_id, window_idx));
    `,
  },
  {
    version: 3,
    description: "the workload row names the model variant a run measured (NULL: the workload's main model)",
    sql: `ALTER TABLE workload ADD COLUMN variant TEXT;`,
  },
  {
    version: 4,
    description: "what the device itself reported of its model: arena used and reserved, model, input and output bytes",
    sql: `
      ALTER TABLE run ADD COLUMN dut_model_id TEXT;
      ALTER TABLE run ADD COLUMN arena_used_bytes INTEGER;
      ALTER TABLE run ADD COLUMN arena_size_bytes INTEGER;
      ALTER TABLE run ADD COLUMN model_bytes_on_device INTEGER;
      ALTER TABLE run ADD COLUMN input_bytes_on_device INTEGER;
      ALTER TABLE run ADD COLUMN output_bytes_on_device INTEGER;
    `,
  },
  {
    version: 5,
    description: "provenance: what the console was (hardware serial, emulator, other PTY), which flasher, what the device confirmed of its firmware",
    sql: `
      ALTER TABLE run ADD COLUMN console TEXT;
      ALTER TABLE run ADD COLUMN flasher TEXT;
      ALTER TABLE run ADD COLUMN dut_build_id TEXT;
      ALTER TABLE run ADD COLUMN firmware_provenance TEXT;
    `,
  },
  {
    version: 6,
    description: "runs that travel: a UUID per run (old rows get one here), the measuring host's stable id, the campaign (e.g. a CI run id)",
    // SQLite has no UUID function: a version-4 UUID from randomblob, the variant nibble drawn from 8, 9, a or b.
    sql: `
      ALTER TABLE run ADD COLUMN uuid TEXT;
      ALTER TABLE run ADD COLUMN host_uid TEXT;
      ALTER TABLE run ADD COLUMN campaign TEXT;
      UPDATE run SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
        || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
      CREATE UNIQUE INDEX run_by_uuid ON run (uuid);
      CREATE INDEX run_by_campaign ON run (campaign);
    `,
  },
  {
    version: 7,
    description: "streams (MLPerf sww01): one scored stream per run, and every detection with its verdict",
    sql: `
      CREATE TABLE stream_result (run_id INTEGER PRIMARY KEY REFERENCES run(id) ON DELETE CASCADE, stream TEXT NOT NULL,
        wav_sha256 TEXT NOT NULL, length_s REAL NOT NULL, hops INTEGER NOT NULL, truth_json TEXT NOT NULL,
        rules_json TEXT NOT NULL, true_positives INTEGER NOT NULL, false_negatives INTEGER NOT NULL,
        false_positives INTEGER NOT NULL, false_accepts_per_hour REAL NOT NULL, meets_target INTEGER NOT NULL,
        duty_cycle REAL NOT NULL, mean_processing_us REAL NOT NULL, min_processing_us REAL NOT NULL,
        max_processing_us REAL NOT NULL, throughput_per_s REAL NOT NULL, energy_uj REAL, power_mw REAL,
        energy_kind TEXT CHECK (energy_kind IN ('measured', 'modelled')), energy_source TEXT,
        time_base TEXT NOT NULL, bit_exact_json TEXT, mode TEXT NOT NULL);
      CREATE TABLE stream_detection (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, hop INTEGER, time_s REAL NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('tp', 'fp', 'debounced')), window_idx INTEGER, UNIQUE (run_id, idx));
    `,
  },
  {
    version: 8,
    description: "published MLPerf Tiny results (the checker's CSV), kept apart from runs measured here",
    sql: `
      CREATE TABLE published_result (id INTEGER PRIMARY KEY, row_sha256 TEXT NOT NULL UNIQUE, source_file TEXT NOT NULL,
        source_line INTEGER NOT NULL, imported_at TEXT NOT NULL, organization TEXT NOT NULL, availability TEXT NOT NULL,
        division TEXT NOT NULL, board_name TEXT NOT NULL, system_desc TEXT NOT NULL, model TEXT NOT NULL,
        mlperf_model TEXT NOT NULL, throughput REAL NOT NULL, accuracy REAL, power REAL, power_unit TEXT NOT NULL,
        host_processor TEXT NOT NULL, host_frequency TEXT NOT NULL, host_memory TEXT NOT NULL, accelerator TEXT NOT NULL,
        accelerator_frequency TEXT NOT NULL, accelerator_memory TEXT NOT NULL, hardware_notes TEXT NOT NULL,
        inference_framework TEXT NOT NULL, software_libraries TEXT NOT NULL, software_notes TEXT NOT NULL,
        false_positives INTEGER, false_negatives INTEGER, duty_cycle REAL);
    `,
  },
  {
    version: 9,
    description: "baselines: the run a regression gate compares against, one per board x workload x variant x mode",
    // variant '' is the workload's main model (a primary key cannot hold NULL)
    sql: `
      CREATE TABLE baseline (board TEXT NOT NULL, workload TEXT NOT NULL, variant TEXT NOT NULL, mode TEXT NOT NULL,
        run_uuid TEXT NOT NULL REFERENCES run(uuid), set_at TEXT NOT NULL, PRIMARY KEY (board, workload, variant, mode));
    `,
  },
  {
    version: 10,
    description: "the run table keeps its mode as text, checked by the code that writes it (harness/modes/types.ts MODES): a new mode needs no migration",
    sql: "",
    run: dropRunModeCheck,
  },
];

/**
 * Removes the CHECK on run.mode. SQLite cannot drop a constraint, and rebuilding the table would cascade-delete every
 * window and inference (foreign keys are on, and cannot be turned off inside the migration's transaction). A CHECK
 * leaves the stored rows as they are, so SQLite's documented procedure for removing one applies (lang_altertable,
 * "Making Other Kinds Of Table Schema Changes"): rewrite the table's SQL in sqlite_schema, bump schema_version, and
 * check the database's integrity before committing.
 */
function dropRunModeCheck(db: Database.Database): void {
  const row = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'run'").get() as { sql: string } | undefined;
  if (!row) throw new Error("no run table to migrate");
  const next = row.sql.replace(/(\bmode TEXT NOT NULL) CHECK \(mode IN \([^)]*\)\)/, "$1");
  if (next === row.sql) return; // no CHECK there
  const version = db.pragma("schema_version", { simple: true }) as number;
  db.unsafeMode(true); // better-sqlite3 runs SQLite in defensive mode, which forbids writing sqlite_schema
  try {
    db.pragma("writable_schema = ON");
    db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'run'").run(next);
    db.pragma(`schema_version = ${version + 1}`);
    db.pragma("writable_schema = OFF");
  } finally {
    db.unsafeMode(false);
  }
  const problems = (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).filter((m) => m !== "ok");
  if (problems.length) throw new Error(`the run table's new schema fails SQLite's integrity check: ${problems.join("; ")}`);
}

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;
