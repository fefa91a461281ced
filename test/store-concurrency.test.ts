// Several processes writing one result database at once (the board workers of `tinyrig run --board a b c`): every
// run is stored whole, none fails with "database is locked". A write transaction that began by reading (SQLite's
// deferred BEGIN) cannot wait for another writer and fails at once; the store's write transactions take the write lock
// up front (BEGIN IMMEDIATE), which waits its turn (busy_timeout).
import Database from "better-sqlite3";
import { execa } from "execa";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { ResultStore } from "../harness/store/store.ts";
import { ROOT } from "./helpers/cli.ts";

const TSX = path.join(ROOT, "node_modules/.bin/tsx");

it("four writers, thirty runs each, at once: 120 runs stored, each with its inferences, no 'database is locked'", async () => {
  const db = path.join(mkdtempSync(path.join(tmpdir(), "tinyrig-store-concurrency-")), "r.db");
  ResultStore.open(db).close(); // created and migrated once, as `tinyrig run --board a b c` does before its workers
  const start = Date.now() + 4000; // after every writer has loaded
  const writers = await Promise.all(
    [0, 1, 2, 3].map(() => execa(TSX, [path.join(ROOT, "test/fixtures/store-writer.ts"), db, "30", String(start)], { reject: false })),
  );
  const results = writers.map((w) => JSON.parse(w.stdout.trim().split("\n").at(-1)!) as { ids: number[]; error?: string });
  expect(results.map((r) => r.error ?? "ok")).toEqual(["ok", "ok", "ok", "ok"]);
  const sql = new Database(db, { readonly: true });
  const counts = sql.prepare("SELECT COUNT(*) AS runs, SUM(status = 'completed') AS completed, (SELECT COUNT(*) FROM inference) AS inferences FROM run").get();
  sql.close();
  expect(counts).toEqual({ runs: 120, completed: 120, inferences: 360 });
}, 120_000);
