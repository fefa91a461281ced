// `tinyrig run --board a b c`: each board in a worker process of its own, all into one database. A board whose emulator
// cannot start fails alone: the others complete, the summary has a line per board, the exit code says one failed.
import Database from "better-sqlite3";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { ROOT, tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-multi-board-"));
const db = path.join(dir, "boards.db");
// a valid board file whose QEMU machine does not exist: builds, then fails to start (an infrastructure failure)
const broken = path.join(dir, "broken-board.yaml");
writeFileSync(
  broken,
  readFileSync(path.join(ROOT, "boards/mps2-an386.yaml"), "utf8")
    .replace(/^name: mps2-an386$/m, "name: broken-board")
    .replace(/machine: mps2-an386/, "machine: no-such-machine"),
);

/** The per-board summary: the lines after its header, as [board, status, runs]. */
function boardLines(stdout: string): string[][] {
  const lines = stdout.split("\n");
  const header = lines.findIndex((l) => /^board\s+status\s+runs\s+result$/.test(l));
  expect(header, stdout).toBeGreaterThanOrEqual(0);
  return lines
    .slice(header + 1)
    .filter(Boolean)
    .map((l) => l.split(/\s{2,}/).slice(0, 3));
}

function runs(): { board: string; status: string; mode: string; workload: string }[] {
  const sql = new Database(db, { readonly: true });
  try {
    return sql
      .prepare(
        "SELECT b.name AS board, r.status, r.mode, w.name AS workload FROM run r JOIN board b ON b.id = r.board_id JOIN workload w ON w.id = r.workload_id ORDER BY b.name, r.id",
      )
      .all() as never;
  } finally {
    sql.close();
  }
}

const args = ["--workload", "vibration", "--mode", "accuracy", "--limit", "3", "--db", db, "--jobs", "2"];

it("two emulated boards and a broken one: the broken one fails alone, a line per board, exit 1", async () => {
  const r = await tinyrig(["run", "--board", "mps2-an386", "riscv32-virt", broken, ...args]);
  expect(r.exitCode, r.all).toBe(1);
  const lines = boardLines(r.stdout);
  expect(lines.map(([board, status]) => [board, status])).toEqual([
    ["mps2-an386", "completed"],
    ["riscv32-virt", "completed"],
    ["broken-board", "failed"],
  ]);
  expect(r.stdout).toMatch(/broken-board\s+failed\s+\d+\s+0 of 1 measurements completed: flash and connect: QEMU exited before the board started/);
  // each board's log lines come through named
  expect(r.stderr).toContain("[riscv32-virt]   connected to");
  expect(r.stderr).toContain("[broken-board] qemu-system-arm: unsupported machine type");
  const stored = runs();
  expect(stored.map((x) => [x.board, x.workload, x.mode, x.status])).toEqual([
    ["broken-board", "vibration", "accuracy", "failed"],
    ["mps2-an386", "vibration", "accuracy", "completed"],
    ["riscv32-virt", "vibration", "accuracy", "completed"],
  ]);
  // the run ids on each board's line are that board's stored runs
  const ids = new Map(lines.map(([board, , ids]) => [board, ids]));
  const sql = new Database(db, { readonly: true });
  const byId = (id: string) =>
    (sql.prepare("SELECT b.name FROM run r JOIN board b ON b.id = r.board_id WHERE r.id = ?").get(Number(id)) as { name: string }).name;
  for (const board of ["mps2-an386", "riscv32-virt", "broken-board"]) expect(byId(ids.get(board)!)).toBe(board);
  sql.close();
}, 300_000);

it("every board completing exits 0; the database gathers both runs", async () => {
  const r = await tinyrig(["run", "--board", "riscv32-virt", "mps2-an386", ...args]);
  expect(r.exitCode, r.all).toBe(0);
  expect(boardLines(r.stdout).map(([board, status]) => [board, status])).toEqual([
    ["riscv32-virt", "completed"],
    ["mps2-an386", "completed"],
  ]);
  expect(runs().filter((x) => x.status === "completed")).toHaveLength(4);
}, 300_000);

it("SIGTERM reaches every board's worker: each stores its run as interrupted, tinyrig exits 143", async () => {
  const signalled = path.join(dir, "signalled.db");
  const child = tinyrig(["run", "--board", "mps2-an386", "riscv32-virt", "--workload", "vibration", "--mode", "accuracy", "--db", signalled]);
  // both boards measuring: each has reported progress (its progress lines come through as JSON naming the board)
  await new Promise<void>((resolve, reject) => {
    const seen = new Set<string>();
    let buf = "";
    child.stderr!.on("data", (d: Buffer) => {
      buf += d.toString();
      for (const m of buf.matchAll(/^\{"board":"([^"]+)","progress":"vibration accuracy","done":([1-9]\d*)/gm)) seen.add(m[1]!);
      if (seen.size === 2) resolve();
    });
    child.then(() => reject(new Error("tinyrig ended before both boards measured")), reject);
  });
  child.kill("SIGTERM");
  const r = await child;
  expect(r.exitCode, r.all).toBe(143);
  expect(
    boardLines(r.stdout)
      .map(([board, status]) => [board, status])
      .sort(),
  ).toEqual([
    ["mps2-an386", "interrupted"],
    ["riscv32-virt", "interrupted"],
  ]);
  const sql = new Database(signalled, { readonly: true });
  const stored = sql.prepare("SELECT r.status, r.error, (SELECT count(*) FROM inference i WHERE i.run_id = r.id) AS inferences FROM run r").all() as {
    status: string;
    error: string;
    inferences: number;
  }[];
  sql.close();
  expect(stored).toHaveLength(2);
  for (const run of stored) {
    expect(run).toMatchObject({ status: "interrupted", error: "interrupted by SIGTERM" });
    expect(run.inferences).toBeGreaterThan(0);
  }
}, 300_000);

it("usage errors exit 2 before any work: an unknown board among several, --resume with several", async () => {
  const fresh = path.join(dir, "never.db");
  const unknown = await tinyrig(["run", "--board", "mps2-an386", "no-such-board", "--db", fresh]);
  expect(unknown.exitCode, unknown.all).toBe(2);
  expect(unknown.stderr).toContain('no board named "no-such-board"');
  const resume = await tinyrig(["run", "--board", "mps2-an386", "riscv32-virt", "--resume", "1", "--db", fresh]);
  expect(resume.exitCode, resume.all).toBe(2);
  expect(resume.stderr).toContain("--resume");
  expect(existsSync(fresh)).toBe(false);
}, 60_000);
