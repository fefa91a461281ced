// Latency on an emulated board is virtual time under -icount: the same firmware and input give the same microseconds
// on every run. Shown for every emulated board: two runs, windows of about 1 s (long enough to hold timer wraps on the
// SysTick boards, and to start at any phase of any slower timer), identical iteration counts and window lengths.
import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { boardDirs, listBoardFiles, loadBoardFile } from "../harness/boards/load.ts";
import { tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-repro-"));
const emulated = listBoardFiles(boardDirs())
  .map(loadBoardFile)
  .filter((b) => b.kind === "emulated");

async function windows(board: string, name: string): Promise<{ iterations: number; span: number; latency: number }[]> {
  const db = path.join(dir, `${name}.db`);
  const r = await tinyrig([
    "run",
    "--board",
    board,
    "--workload",
    "vibration",
    "--mode",
    "performance",
    "--windows",
    "3",
    "--min-window-seconds",
    "1",
    "--db",
    db,
  ]);
  expect(r.exitCode, r.all).toBe(0);
  const sql = new Database(db, { readonly: true });
  const rows = sql.prepare("SELECT iterations, t1_us - t0_us AS span, latency_us AS latency FROM window ORDER BY idx").all() as {
    iterations: number;
    span: number;
    latency: number;
  }[];
  sql.close();
  return rows;
}

describe("latency repeats to the microsecond on every emulated board", () => {
  for (const board of emulated) {
    it(board.name, async () => {
      const a = await windows(board.name, `${board.name}-a`);
      const b = await windows(board.name, `${board.name}-b`);
      expect(a).toHaveLength(3);
      for (const w of a) expect(w.span).toBeGreaterThanOrEqual(1_000_000);
      expect(b).toEqual(a);
    }, 300_000);
  }
});
