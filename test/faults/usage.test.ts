// Fault matrix, "bad options": a mistyped or impossible option is a usage error: exit 2, the option named, and
// nothing built, flashed or written (the database named by --db is not even created).
import Database from "better-sqlite3";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tinyrig } from "../helpers/cli.ts";
import { ResultStore } from "../../harness/store/store.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-usage-"));

describe("bad options are usage errors, refused before any work", () => {
  const cases: [string[], RegExp][] = [
    [["--limt", "2"], /Unknown argument: limt/],
    [["--dbb", "x.db"], /Unknown argument: dbb/],
    [["--windows", "abc"], /--windows abc: not a number/],
    [["--windows", "0"], /--windows 0: not a whole number of at least 1/],
    [["--windows", "-1"], /--windows -1: not a whole number of at least 1/],
    [["--limit", "0"], /--limit 0: not a whole number of at least 1/],
    [["--limit", "-1"], /--limit -1: not a whole number of at least 1/],
    [["--limit", "abc"], /--limit abc: not a number/],
    [["--iterations", "0"], /--iterations 0: not a whole number of at least 1/],
    [["--min-window-seconds", "-5"], /--min-window-seconds -5: not a number above 0/],
    [["--mode", "fast"], /Invalid values:\s+Argument: mode, Given: "fast"/],
    [["--mode", "accuracy", "--energy-flow", "sideways"], /Argument: energy-flow, Given: "sideways"/],
    [["--input-channel", "file"], /--input-channel file goes with --mode accuracy/],
    [["--mode", "accuracy", "--input-channel", "file", "--board", "riscv32-virt"], /--input-channel file: riscv32-virt is an emulated riscv board/],
  ];
  it.each(cases)(
    "run %j",
    async (extra, message) => {
      const db = path.join(dir, `${extra.join("_").replace(/\W/g, "")}.db`);
      const r = await tinyrig(["run", "--workload", "vibration", "--db", db, ...extra]);
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.all).not.toMatch(/make -C|starting qemu|results stored/);
      expect(existsSync(db)).toBe(false);
    },
    120_000,
  ); // one CLI start each, one at a time: a start under a loaded machine can take several seconds

  it("results show abc: usage error; results show / export of a run that is not there: exit 1, named", async () => {
    const db = path.join(dir, "results.db");
    ResultStore.open(db).close();
    const show = await tinyrig(["results", "show", "abc", "--db", db]);
    expect(show.exitCode, show.all).toBe(2);
    expect(show.stderr).toMatch(/run id abc: not a number/);
    const missing = await tinyrig(["results", "show", "999", "--db", db]);
    expect(missing.exitCode, missing.all).toBe(1);
    expect(missing.stderr).toContain(`no run 999 in ${db}`);
    const exported = await tinyrig(["results", "export", "--run", "999", "--db", db]);
    expect(exported.exitCode, exported.all).toBe(1);
    expect(exported.stderr).toContain(`no run 999 in ${db}`);
    expect(exported.stdout).toBe("");
    const sql = new Database(db, { readonly: true });
    expect((sql.prepare("SELECT COUNT(*) AS n FROM run").get() as { n: number }).n).toBe(0);
    sql.close();
  }, 120_000);
});
