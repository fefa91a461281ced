// The result store on real SQLite files: migrations, round trips, exports, refusal of future schemas and of files
// that are not SQLite (left untouched).
import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import type { FirmwareImage } from "../harness/build/firmware.ts";
import type { BoardConnection } from "../harness/run/connect.ts";
import type { SuiteWorkload } from "../harness/run/suite.ts";
import { exportRows, toCsv } from "../harness/store/export.ts";
import { hostId } from "../harness/store/host-id.ts";
import { LATEST_VERSION, MIGRATIONS } from "../harness/store/migrations.ts";
import { UUID_PATTERN } from "../harness/store/run-record.ts";
import { ResultStore, StoreError } from "../harness/store/store.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-store-"));
const board = findBoard("mps2-an386");
const firmware = {
  sha256: "ab".repeat(32),
  bytes: 1000,
  sizes: { text: 900, data: 100, bss: 50, flash: 1000, ram: 150 },
  toolchain: "gcc 12",
  kernels: "dsp",
  timestampMode: "performance",
  config: { PORT: "cmsdk" },
} as unknown as FirmwareImage;
const workload = {
  id: "vibration",
  manifestSha256: "cd".repeat(32),
  modelSha256: "ef".repeat(32),
  modelBytes: 10,
  params: 5,
  macs: 7,
  dataset: { sha256: "01".repeat(32), source: "committed", inputs: [] },
} as unknown as SuiteWorkload;
const connection = { identity: { name: "tinyrig-mps2-an386", profile: "tinyrig-0.1.0", model: "vib01" } } as unknown as BoardConnection;

describe("ResultStore", () => {
  it("keeps what the device reported of its model (tinyrig caps), and nulls for MLPerf firmware", () => {
    const store = ResultStore.open(path.join(dir, "caps.db"));
    const withCaps = {
      identity: {
        name: "tinyrig-mps2-an386",
        profile: "tinyrig-0.1.0",
        model: "vib01",
        caps: { arenaUsed: 4096, arenaSize: 4096, modelBytes: 10192, inputBytes: 768, outputBytes: 5 },
      },
    } as unknown as BoardConnection;
    const a = store.startRun({ mode: "accuracy", board, workload, firmware, connection: withCaps, settings: {}, simulated: true });
    expect(store.getRun(a)!.device).toEqual({
      name: "tinyrig-mps2-an386",
      profile: "tinyrig-0.1.0",
      modelId: "vib01",
      arenaUsedBytes: 4096,
      arenaSizeBytes: 4096,
      modelBytes: 10192,
      inputBytes: 768,
      outputBytes: 5,
    });
    expect(store.getRun(a)!.firmwareBytes).toEqual({ flash: 1000, ram: 150 });
    const b = store.startRun({ mode: "accuracy", board, workload, firmware, connection, settings: {}, simulated: true });
    expect(store.getRun(b)!.device).toMatchObject({ modelId: "vib01", arenaUsedBytes: null, modelBytes: null });
    store.close();
  });

  it("keeps a window's raw trace compressed beside the database, checked by its sha256 on the way back", () => {
    const store = ResultStore.open(path.join(dir, "traces.db"));
    const id = store.startRun({ mode: "energy", board, workload, firmware, connection, settings: {}, simulated: false });
    const samples = Float32Array.from({ length: 5000 }, (_, i) => 1e-7 * (1 + (i % 7)));
    store.trace(id, 0, { unit: "J", sampleRateHz: 1000, voltageV: 1.8, samples, edges: [0, 4999] });
    expect(store.traceWindows(id)).toEqual([0]);
    const back = store.readTrace(id, 0);
    expect(back).toEqual({ unit: "J", sampleRateHz: 1000, voltageV: 1.8, samples, edges: [0, 4999] });
    const file = path.join(store.traceDir, `run-${id}-window-0.f32.gz`);
    expect(readFileSync(file).length).toBeLessThan(samples.byteLength / 4); // compressed
    writeFileSync(file, Buffer.from("tampered"));
    expect(() => store.readTrace(id, 0)).toThrow(/does not match the sha256 stored for it/);
    store.close();
  });

  it("migrates an empty file, and every row round-trips", () => {
    const store = ResultStore.open(path.join(dir, "a.db"));
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    const id = store.startRun({ mode: "accuracy", board, workload, firmware, connection, settings: { inputs: 2 }, simulated: true });
    store.inference(id, {
      inputIndex: 0,
      file: "a,b.bin",
      label: 1,
      outputs: [0.25, 0.75],
      rawOutput: Uint8Array.from([0x80, 0x7f]),
      score: 0.75,
      predicted: 1,
      equalsHostReference: true,
      latencyUs: 12.5,
    });
    store.window(id, { index: 0, inputIndex: 0, iterations: 10, warmup: 1, t0Us: 5, t1Us: 105, latencyUs: 10, throughput: 1e5 });
    store.finishRun(id, { metric: "top1", value: 1 });
    const run = store.getRun(id)!;
    expect(run).toMatchObject({
      mode: "accuracy",
      board: "mps2-an386",
      boardKind: "emulated",
      workload: "vibration",
      status: "completed",
      simulated: true,
      firmwareSha256: firmware.sha256,
      datasetSha256: workload.dataset.sha256,
      settings: { inputs: 2 },
      summary: { metric: "top1", value: 1 },
    });
    expect(store.inferences(id)).toEqual([
      {
        runId: id,
        inputIndex: 0,
        file: "a,b.bin",
        label: 1,
        outputs: [0.25, 0.75],
        rawOutput: Uint8Array.from([0x80, 0x7f]),
        score: 0.75,
        predicted: 1,
        equalsHostReference: true,
        latencyUs: 12.5,
      },
    ]);
    expect(store.windows(id)[0]).toMatchObject({ iterations: 10, t0Us: 5, t1Us: 105, latencyUs: 10, energyUj: null });
    // the board's YAML is stored with the run
    const sql = new Database(path.join(dir, "a.db"), { readonly: true });
    expect((sql.prepare("SELECT yaml FROM board").get() as { yaml: string }).yaml).toBe(board.text);
    sql.close();
    // CSV quoting survives a comma in a file name; JSON export parses back
    const csv = toCsv(exportRows(store, "inferences"));
    expect(csv.split("\n")[1]).toContain('"a,b.bin"');
    expect(JSON.parse(JSON.stringify(exportRows(store, "runs")))[0].id).toBe(id);
    store.close();
  });

  it("gives runs stored before schema v6 a UUID each; new runs get one, this host's id and the store's campaign", () => {
    const file = path.join(dir, "v5.db");
    const sql = new Database(file);
    sql.exec("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
    for (const m of MIGRATIONS.filter((m) => m.version <= 5)) {
      sql.exec(m.sql);
      sql.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)").run(m.version, "2026-01-01");
    }
    sql.exec(`INSERT INTO host (hostname, os, cpu, node) VALUES ('h', 'linux', 'cpu', 'v20');
      INSERT INTO board (name, file_sha256, yaml, kind) VALUES ('b', 'x', 'y', 'emulated');
      INSERT INTO workload (name, manifest_sha256, model_sha256, model_bytes) VALUES ('w', 'm', 'n', 1);`);
    for (let i = 0; i < 3; i++) {
      sql.exec(`INSERT INTO run (mode, host_id, board_id, workload_id, tinyrig_version, settings_json, started_at, status, simulated, owner_pid, owner_host)
        VALUES ('performance', 1, 1, 1, '0.1.0', '{}', '2026-01-01', 'completed', 1, 1, 'h')`);
    }
    sql.close();
    const store = ResultStore.open(file);
    const old = store.listRuns();
    expect(old.map((r) => r.uuid).every((u) => UUID_PATTERN.test(u))).toBe(true);
    expect(new Set(old.map((r) => r.uuid)).size).toBe(3);
    expect(old.map((r) => [r.hostId, r.campaign])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
    store.campaign = "nightly-1";
    const id = store.startRun({ mode: "accuracy", board, workload, firmware, connection, settings: {}, simulated: true });
    const run = store.getRun(id)!;
    expect(run.uuid).toMatch(UUID_PATTERN);
    expect(run.hostId).toBe(hostId());
    expect(run.campaign).toBe("nightly-1");
    store.close();
  });

  it("drops the run table's CHECK on mode from a database made before it went, keeping every run, window and inference", () => {
    const file = path.join(dir, "v9.db");
    const sql = new Database(file);
    sql.pragma("foreign_keys = ON");
    sql.exec("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
    for (const m of MIGRATIONS.filter((m) => m.version <= 9)) {
      sql.exec(m.sql);
      sql.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)").run(m.version, "2026-01-01");
    }
    sql.exec(`INSERT INTO host (hostname, os, cpu, node) VALUES ('h', 'linux', 'cpu', 'v20');
      INSERT INTO board (name, file_sha256, yaml, kind) VALUES ('b', 'x', 'y', 'emulated');
      INSERT INTO workload (name, manifest_sha256, model_sha256, model_bytes) VALUES ('w', 'm', 'n', 1);
      INSERT INTO run (mode, host_id, board_id, workload_id, tinyrig_version, settings_json, started_at, status, simulated, owner_pid, owner_host, uuid)
        VALUES ('performance', 1, 1, 1, '0.1.0', '{}', '2026-01-01', 'completed', 1, 1, 'h', '00000000-0000-4000-8000-000000000001');
      INSERT INTO window (run_id, idx, input_index, iterations, warmup, t0_us, t1_us, latency_us, throughput) VALUES (1, 0, 0, 10, 1, 0, 425, 42.5, 23529.4);
      INSERT INTO inference (run_id, input_index, input_file, label, outputs_json, score) VALUES (1, 0, 'a.bin', 1, '[1]', 1);`);
    const unknownMode = `INSERT INTO run (mode, host_id, board_id, workload_id, tinyrig_version, settings_json, started_at, status, simulated, owner_pid, owner_host)
      VALUES ('a-new-mode', 1, 1, 1, '0.1.0', '{}', '2026-01-01', 'failed', 1, 1, 'h')`;
    expect(() => sql.exec(unknownMode)).toThrow(/CHECK constraint failed/);
    sql.close();
    const store = ResultStore.open(file);
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    expect(store.listRuns().map((r) => [r.id, r.mode])).toEqual([[1, "performance"]]);
    expect(store.windows(1).map((w) => w.latencyUs)).toEqual([42.5]);
    expect(store.inferences(1)).toHaveLength(1);
    store.close();
    const after = new Database(file);
    expect((after.prepare("SELECT sql FROM sqlite_schema WHERE name = 'run'").get() as { sql: string }).sql).not.toMatch(/CHECK \(mode/);
    expect(after.pragma("integrity_check", { simple: true })).toBe("ok");
    after.exec(unknownMode); // the mode is the code's to check now (harness/modes/types.ts MODES)
    after.close();
    // and a new database has no such CHECK either
    const fresh = path.join(dir, "fresh-modes.db");
    ResultStore.open(fresh).close();
    const f = new Database(fresh);
    expect((f.prepare("SELECT sql FROM sqlite_schema WHERE name = 'run'").get() as { sql: string }).sql).not.toMatch(/CHECK \(mode/);
    f.close();
  });

  it("refuses a database from a newer tinyrig", () => {
    const file = path.join(dir, "future.db");
    ResultStore.open(file).close();
    const sql = new Database(file);
    sql.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)").run(LATEST_VERSION + 1, "2099-01-01");
    sql.close();
    expect(() => ResultStore.open(file)).toThrow(/schema version \d+ is newer than this tinyrig knows/);
  });

  it("refuses a file that is not SQLite, naming it, and leaves it untouched", () => {
    const file = path.join(dir, "notes.db");
    writeFileSync(file, "these are my lab notes\n");
    expect(() => ResultStore.open(file)).toThrow(StoreError);
    expect(() => ResultStore.open(file)).toThrow(/notes\.db: not a SQLite database/);
    expect(readFileSync(file, "utf8")).toBe("these are my lab notes\n");
  });
});
