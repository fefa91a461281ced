// A board that hangs, disappears or prints garbage mid-run ends the run with a clear error, and what was already
// stored stays intact. A tinyrig process killed mid-run leaves a run that the next one marks interrupted.
import Database from "better-sqlite3";
import { execa } from "execa";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ResultStore } from "../harness/store/store.ts";
import { childPids, progressReached, ROOT, tinyrig } from "./helpers/cli.ts";

const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-faults-"));
const accuracyArgs = (db: string) => ["run", "--workload", "vibration", "--mode", "accuracy", "--db", db, "--json"];

function stored(db: string) {
  const sql = new Database(db, { readonly: true });
  const run = sql.prepare("SELECT id, status, error FROM run").get() as { id: number; status: string; error: string };
  const n = (sql.prepare("SELECT COUNT(*) AS n FROM inference WHERE run_id = ?").get(run.id) as { n: number }).n;
  sql.close();
  return { ...run, inferences: n };
}

describe("faults during a run", () => {
  it("a board that hangs: the run fails naming the command, earlier inferences are kept", async () => {
    const db = path.join(dir, "hang.db");
    const child = tinyrig(accuracyArgs(db));
    await progressReached(child, "vibration accuracy", 5);
    const [qemu] = await childPids(child.pid!, "qemu-system");
    expect(qemu).toBeDefined();
    process.kill(qemu!, "SIGSTOP"); // the board stops answering
    const r = await child;
    expect(r.exitCode).toBe(1);
    const s = stored(db);
    expect(s.status).toBe("failed");
    expect(s.error).toMatch(/did not finish "(infer 1 0|db .*|dbraw \d+ [0-9a-f]{8}|outraw|db load \d+)" within \d+ ms/);
    expect(s.inferences).toBeGreaterThanOrEqual(5);
  }, 120_000);

  it("a board that disappears: the run fails at once, earlier inferences are kept", async () => {
    const db = path.join(dir, "gone.db");
    const child = tinyrig(accuracyArgs(db));
    await progressReached(child, "vibration accuracy", 5);
    const [qemu] = await childPids(child.pid!, "qemu-system");
    process.kill(qemu!, "SIGKILL");
    const r = await child;
    expect(r.exitCode).toBe(1);
    const s = stored(db);
    expect(s.status).toBe("failed");
    expect(s.error).toMatch(/emulated board stopped|connection closed/);
    expect(s.inferences).toBeGreaterThanOrEqual(5);
  }, 120_000);

  it("garbage on the serial line: the error names the byte", async () => {
    const device = execa(TSX, [path.join(ROOT, "test/fixtures/pty-device.ts"), "garbage", "--model", "vib01", "--outputs", "5"], {
      stdin: "pipe",
      buffer: false,
      reject: false,
    });
    const pty = await new Promise<string>((resolve) => device.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
    const an386 = (await import("node:fs")).readFileSync(path.join(ROOT, "boards/mps2-an386.yaml"), "utf8");
    // A "physical" board on the fake device's PTY, flashed by hand, built like an386.
    const board = an386
      .replace("name: mps2-an386", "name: garbage-board")
      .replace(/console:\n  emulator:\n(    .*\n)+?(?=build:)/, `console:\n  serial: { path: "${pty}" }\nflasher:\n  tool: manual\n`);
    const boardFile = path.join(dir, "garbage-board.yaml");
    writeFileSync(boardFile, board);
    const db = path.join(dir, "garbage.db");
    const r = await tinyrig(["run", "--board", boardFile, "--workload", "vibration", "--mode", "accuracy", "--limit", "3", "--db", db, "--json"]);
    device.stdin!.end();
    await device;
    expect(r.exitCode, r.all).toBe(1);
    expect(stored(db).error).toMatch(/garbage on the serial line .*byte 0xff at column 16/);
  }, 120_000);

  it("a tinyrig killed mid-run keeps its inferences, and the next open marks the run interrupted", async () => {
    const db = path.join(dir, "killed.db");
    const child = tinyrig(accuracyArgs(db));
    await progressReached(child, "vibration accuracy", 5);
    const qemus = await childPids(child.pid!, "qemu-system");
    child.kill("SIGKILL");
    await child;
    for (const q of qemus) {
      try {
        process.kill(q, "SIGKILL"); // its emulator, where the kernel did not end it with tinyrig (harness/emulator/guard.ts)
      } catch {
        /* gone with tinyrig */
      }
    }
    expect(stored(db).status).toBe("running");
    const store = ResultStore.open(db);
    const marked = store.markInterrupted();
    const run = store.getRun(marked[0]!)!;
    expect(run.status).toBe("interrupted");
    const kept = store.inferences(run.id);
    expect(kept.length).toBeGreaterThanOrEqual(5);
    store.close();

    // --resume continues the same run: the stored inferences stay as they were, the rest are added
    const resumed = await tinyrig(["run", "--resume", String(run.id), "--db", db, "--json"]);
    expect(resumed.exitCode, resumed.all).toBe(0);
    const after = ResultStore.open(db);
    expect(after.getRun(run.id)!.status).toBe("completed");
    const all = after.inferences(run.id);
    expect(all.map((i) => i.inputIndex)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(all.slice(0, kept.length)).toEqual(kept);
    expect((after.getRun(run.id)!.summary as { count: number }).count).toBe(300);
    after.close();
  }, 240_000);
});
