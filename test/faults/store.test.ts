// Fault matrix, store rows: a damaged database is named and left untouched; a read-only one can still be listed,
// exported and reported; two resumes of one run: the second is refused; a resumed run keeps its settings (a conflicting
// option refused by name, the board from its stored YAML); a partial run never becomes the headline.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findBoard, loadBoardFile } from "../../harness/boards/load.ts";
import type { FirmwareImage } from "../../harness/build/firmware.ts";
import type { BoardConnection } from "../../harness/run/connect.ts";
import { restoreRun } from "../../harness/run/resume.ts";
import { suiteWorkload } from "../../harness/run/workload-adapter.ts";
import { exportRows } from "../../harness/store/export.ts";
import { ResultStore } from "../../harness/store/store.ts";
import { loadWorkload } from "../../harness/workloads/registry.ts";
import { ROOT, tinyrig } from "../helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-store-faults-"));
const board = findBoard("mps2-an386");
const firmware = {
  sha256: "ab".repeat(32),
  bytes: 1000,
  sizes: { text: 900, data: 100, bss: 50, flash: 1000, ram: 150 },
  toolchain: "gcc 12",
  kernels: "dsp",
  timestampMode: "performance",
  config: {},
} as unknown as FirmwareImage;
const connection = {
  identity: { name: "tinyrig-mps2-an386", profile: "tinyrig-0.1.0", model: "vib01" },
  loaded: { by: "qemu", argv: [], durationMs: 0 },
  consoleKind: { kind: "emulator", description: "QEMU" },
} as unknown as BoardConnection;
const vibration = suiteWorkload(loadWorkload("vibration"));
const inference = (i: number) => ({
  inputIndex: i,
  file: `vib_${i}.bin`,
  label: i % 5,
  outputs: [0.1, 0.2, 0.3, 0.2, 0.2],
  score: 0.3,
  predicted: 2,
  latencyUs: 10,
});

/** A database with one completed full accuracy run and one interrupted partial one. */
function populate(file: string): { full: number; partial: number } {
  const store = ResultStore.open(file);
  const full = store.startRun({ mode: "accuracy", board, workload: vibration, firmware, connection, settings: { inputs: 300, limit: null }, simulated: true });
  for (let i = 0; i < 300; i++) store.inference(full, inference(i));
  store.finishRun(full, { metric: "top1", value: 0.95, count: 300, bitExact: { matched: 300, compared: 300 } });
  const partial = store.startRun({
    mode: "accuracy",
    board,
    workload: vibration,
    firmware,
    connection,
    settings: { inputs: 10, limit: 10, boardFile: path.join(dir, "gone", "mps2-an386.yaml") },
    simulated: true,
  });
  for (let i = 0; i < 4; i++) store.inference(partial, inference(i));
  store.failRun(partial, "the process running it ended without finishing", "interrupted");
  store.close();
  return { full, partial };
}

const immutable: string[] = [];
/** Read-only even for root (CI runs as root, whom chmod does not stop): the immutable attribute where we are root. */
function makeReadOnly(...paths: string[]) {
  if (process.getuid?.() === 0) {
    execFileSync("chattr", ["+i", ...paths]);
    immutable.push(...paths);
  } else execFileSync("chmod", ["a-w", ...paths]);
}
afterAll(() => {
  if (immutable.length) execFileSync("chattr", ["-i", ...immutable]);
});

describe("damaged and read-only databases", () => {
  it("a damaged database is named when opened, and nothing is written to it", async () => {
    const file = path.join(dir, "damaged.db");
    populate(file);
    const bytes = readFileSync(file);
    bytes.fill(0x5a, 4096 * 2, 4096 * 4); // two pages of the inference table overwritten
    writeFileSync(file, bytes);
    for (const args of [
      ["results", "list"],
      ["results", "export"],
      ["run", "--workload", "vibration", "--mode", "accuracy", "--limit", "1"],
    ]) {
      const r = await tinyrig([...args, "--db", file]);
      expect(r.exitCode, r.all).toBe(1);
      expect(r.stderr).toContain(`${file}: the result database is damaged (SQLite quick_check:`);
      expect(r.all).not.toMatch(/make -C/);
    }
    expect(readFileSync(file).equals(bytes)).toBe(true);
  }, 60_000);

  it("a read-only database (file and folder) can be listed, exported and reported; a run names it", async () => {
    const ro = path.join(dir, "archive");
    mkdirSync(ro);
    const file = path.join(ro, "old.db");
    const { full, partial } = populate(file);
    const before = readFileSync(file);
    makeReadOnly(file, ro);
    const list = await tinyrig(["results", "list", "--db", file]);
    expect(list.exitCode, list.all).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^\\s+${partial} .* interrupted`, "m"));
    const exported = await tinyrig(["results", "export", "--format", "json", "--db", file]);
    expect(exported.exitCode, exported.all).toBe(0);
    const rows = JSON.parse(exported.stdout) as { id: number; status: string; validity: string }[];
    expect(rows.map((r) => [r.id, r.status, r.validity])).toEqual([
      [partial, "interrupted", "not a result"],
      [full, "completed", "headline"],
    ]);
    const report = await tinyrig(["report", "--db", file, "--out", path.join(dir, "ro-report")]);
    expect(report.exitCode, report.all).toBe(0);
    const run = await tinyrig(["run", "--workload", "vibration", "--mode", "accuracy", "--limit", "1", "--db", file]);
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stderr).toContain(`${file}: cannot open the result database for writing`);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
  }, 90_000);
});

describe("resume", () => {
  it("two resumes of one run: the second is refused (one UPDATE decides), naming who has it", () => {
    const file = path.join(dir, "claim.db");
    const { partial } = populate(file);
    const a = ResultStore.open(file);
    const b = ResultStore.open(file);
    a.claimForResume(partial);
    expect(() => b.claimForResume(partial)).toThrow(new RegExp(`run ${partial} is running \\(pid ${process.pid} on .*\\): it cannot be resumed twice at once`));
    expect(b.getRun(partial)!.status).toBe("running");
    expect(b.inferences(partial)).toHaveLength(4);
    a.close();
    b.close();
  });

  it("a resumed run keeps its settings: an option that says otherwise is refused by name, before anything is built", async () => {
    const file = path.join(dir, "settings.db");
    const { partial } = populate(file);
    const r = await tinyrig(["run", "--resume", String(partial), "--limit", "5", "--windows", "3", "--dataset", dir, "--db", file]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toContain(`--limit 5 (run ${partial}: 10)`);
    expect(r.stderr).toContain(`--windows 3 (run ${partial}: 5 windows)`);
    expect(r.stderr).toContain(`--dataset ${dir} (run ${partial}: the committed test set)`);
    expect(r.all).not.toMatch(/make -C/);
    const store = ResultStore.open(file);
    expect(store.getRun(partial)!.status).toBe("interrupted");
    expect(store.inferences(partial)).toHaveLength(4);
    store.close();
  }, 60_000);

  it("restores board (from its stored YAML when the file is gone), dataset and limit", () => {
    const file = path.join(dir, "restore.db");
    const custom = path.join(dir, "yaml-board");
    mkdirSync(custom);
    copyFileSync(path.join(ROOT, "boards/mps2-an386.yaml"), path.join(custom, "mps2-an386.yaml"));
    const store = ResultStore.open(file);
    const fromPath = loadBoardFile(path.join(custom, "mps2-an386.yaml"));
    const id = store.startRun({
      mode: "accuracy",
      board: fromPath,
      workload: vibration,
      firmware,
      connection,
      settings: { inputs: 10, limit: 10, boardFile: fromPath.file },
      simulated: true,
    });
    store.failRun(id, "connection closed", "failed");
    expect(restoreRun(store, id).board.file).toBe(fromPath.file);
    rmSync(custom, { recursive: true });
    const r = restoreRun(store, id);
    expect(r.board.name).toBe("mps2-an386");
    expect(r.board.fileSha256).toBe(fromPath.fileSha256);
    expect(r.boardMatches(fromPath.file)).toBe(true);
    expect(r).toMatchObject({ mode: "accuracy", limit: 10, datasetDir: undefined });
    expect(r.workload.dataset.sha256).toBe(vibration.dataset.sha256);
    store.close();
  });
});

describe("validity", () => {
  it("a newer partial run never becomes the headline; exports carry status and validity", () => {
    const file = path.join(dir, "validity.db");
    const { full } = populate(file);
    const store = ResultStore.open(file);
    const quick = store.startRun({ mode: "accuracy", board, workload: vibration, firmware, connection, settings: { inputs: 3, limit: 3 }, simulated: true });
    for (let i = 0; i < 3; i++) store.inference(quick, inference(i));
    store.finishRun(quick, { metric: "top1", value: 1, count: 3, bitExact: { matched: 3, compared: 3 } });
    const perf = store.startRun({ mode: "performance", board, workload: vibration, firmware, connection, settings: {}, simulated: true });
    store.finishRun(perf, { windows: 2, iterations: 1000, medianLatencyUs: 500, minLatencyUs: 500, maxLatencyUs: 500 });
    expect(store.getRun(quick)!.validity).toEqual({ class: "partial", reasons: ["3 of 300 inputs"] });
    expect(store.getRun(perf)!.validity).toEqual({
      class: "partial",
      reasons: ["2 windows (a headline needs 5)", "shortest window 0.50 s (a headline needs 10 s)"],
    });
    expect(store.headlineRuns().map((r) => r.id)).toEqual([full]);
    const inferences = exportRows(store, "inferences", [quick]);
    expect(inferences[0]).toMatchObject({ runStatus: "completed", validity: "partial", emulated: true });
    store.close();
  });
});
