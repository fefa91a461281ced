// Workloads outside tinyrig (issue 14): a workload folder found through TINYRIG_WORKLOADS whose manifest has no quality
// fields (no host-measured quality, no target, no recipe) loads, lists and runs, and its run stores no quality verdict;
// a workload without a test set of its own asks for --dataset.
import Database from "better-sqlite3";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { ROOT, tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-workload-folders-"));
const folders = path.join(dir, "workloads");
const env = { TINYRIG_WORKLOADS: folders, TINYRIG_LOCK_DIR: path.join(dir, "locks") };

/** tinyrig's vibration workload copied as `id`, its manifest edited by `edit`. */
function userWorkload(id: string, edit: (doc: ReturnType<typeof parseDocument>) => void): string {
  const to = path.join(folders, id);
  mkdirSync(to, { recursive: true });
  cpSync(path.join(ROOT, "workloads/vibration/model.tflite"), path.join(to, "model.tflite"));
  cpSync(path.join(ROOT, "workloads/vibration/data"), path.join(to, "data"), { recursive: true });
  const doc = parseDocument(readFileSync(path.join(ROOT, "workloads/vibration/manifest.yaml"), "utf8"));
  doc.set("id", id);
  for (const key of ["quality", "recipe", "variants"]) doc.delete(key);
  doc.deleteIn(["metric", "target"]);
  edit(doc);
  writeFileSync(path.join(to, "manifest.yaml"), doc.toString());
  return to;
}

describe("a user's workload folder", () => {
  it("without quality fields: loads, lists, runs, and its run stores no quality verdict", async () => {
    userWorkload("my-vibration", () => {});
    const list = await tinyrig(["workloads", "list"], { env });
    expect(list.exitCode, list.all).toBe(0);
    expect(list.stdout).toMatch(/my-vibration +vib01 .* quality not measured \(no target\) +300 test inputs/);
    const db = path.join(dir, "run.db");
    const r = await tinyrig(["run", "--workload", "my-vibration", "--mode", "accuracy", "--limit", "3", "--db", db, "--json"], { env });
    expect(r.exitCode, r.all).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ workload: "my-vibration", status: "completed", accuracy: { count: 3 } });
    const sql = new Database(db, { readonly: true });
    const { summary_json } = sql.prepare("SELECT summary_json FROM run").get() as { summary_json: string };
    sql.close();
    const summary = JSON.parse(summary_json) as Record<string, unknown>;
    expect(summary).toMatchObject({ metric: "top1", count: 3 });
    expect(summary).not.toHaveProperty("target");
  }, 180_000);

  it("without a test set of its own: named, with --dataset DIR as the way to give one", async () => {
    userWorkload("no-data", (doc) => {
      for (const key of ["dir", "count", "sha256", "seed"]) doc.deleteIn(["dataset", key]);
      doc.setIn(["dataset", "source"], "inputs from elsewhere");
    });
    const r = await tinyrig(["run", "--workload", "no-data", "--mode", "accuracy", "--db", path.join(dir, "no-data.db")], { env });
    expect(r.exitCode, r.all).not.toBe(0);
    expect(r.stderr).toMatch(/no-data[/\\]manifest\.yaml: workload no-data has no test set of its own \(inputs from elsewhere\): give one with --dataset DIR/);
    expect(r.all).not.toMatch(/make -C/);
  }, 60_000);
});
