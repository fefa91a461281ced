// Bundles between two real databases: runs measured once on the default emulated board (host A), exported, imported
// into a merge database; then hostile and damaged bundles, each refused with what was stored left exactly as it was.
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { Readable } from "node:stream";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { writeReport } from "../harness/report/report.ts";
import type { SuiteWorkload } from "../harness/run/suite.ts";
import { importBundle, writeBundle } from "../harness/store/bundle.ts";
import { canonicalJson, type RunRecord } from "../harness/store/run-record.ts";
import { ResultStore } from "../harness/store/store.ts";
import { tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-bundles-"));
const hostA = path.join(dir, "host-a.db");
const merged = path.join(dir, "merged.db");
const bundleA = path.join(dir, "a.tinyrig.tgz");
const HOST_A = { TINYRIG_HOST_ID: "host-a" };

interface Entry {
  name: string;
  data: Buffer;
  type?: "file" | "symlink";
  linkname?: string;
}

async function unpack(file: string): Promise<Entry[]> {
  const extract = tar.extract();
  Readable.from([gunzipSync(readFileSync(file))]).pipe(extract);
  const out: Entry[] = [];
  for await (const e of extract) {
    const parts: Buffer[] = [];
    for await (const p of e) parts.push(p as Buffer);
    out.push({ name: e.header.name, data: Buffer.concat(parts) });
  }
  return out;
}

/** Writes entries as a bundle; with `manifest`, bundle.json's file list is made to match them (sizes and sha256). */
async function pack(file: string, entries: Entry[], opts: { manifest?: boolean } = {}): Promise<void> {
  if (opts.manifest) {
    const head = entries.find((e) => e.name === "bundle.json")!;
    const d = JSON.parse(head.data.toString()) as { files: { path: string; bytes: number; sha256: string }[]; runs: { uuid: string }[] };
    d.files = entries
      .filter((e) => e.name !== "bundle.json" && (e.type ?? "file") === "file")
      .map((e) => ({ path: e.name, bytes: e.data.length, sha256: createHash("sha256").update(e.data).digest("hex") }));
    const runs = entries.find((e) => e.name === "runs.jsonl");
    if (runs) {
      const uuids = runs.data
        .toString()
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as RunRecord).run.uuid);
      d.runs = uuids.map((uuid) => ({ ...(d.runs.find((r) => r.uuid === uuid) ?? d.runs[0]!), uuid }));
    }
    head.data = Buffer.from(JSON.stringify(d));
  }
  const p = tar.pack();
  for (const e of entries) {
    if (e.type === "symlink") p.entry({ name: e.name, type: "symlink", linkname: e.linkname });
    else p.entry({ name: e.name }, e.data);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  writeFileSync(file, gzipSync(Buffer.concat(chunks)));
}

/** Every row of every table: what "nothing changed" is checked against. */
function snapshot(db: string): string {
  const sql = new Database(db, { readonly: true });
  try {
    const tables = (sql.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    return JSON.stringify(tables.map((t) => [t, sql.prepare(`SELECT * FROM "${t}"`).all()]));
  } finally {
    sql.close();
  }
}

function records(db: string): Map<string, RunRecord> {
  const store = ResultStore.open(db, { readOnly: true });
  try {
    return new Map(store.listRuns().map((r) => [r.uuid, store.runRecord(r.id, { traces: true }).record]));
  } finally {
    store.close();
  }
}

const runsOf = (entries: Entry[]) =>
  entries
    .find((e) => e.name === "runs.jsonl")!
    .data.toString()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunRecord);
const withRuns = (entries: Entry[], runs: RunRecord[]) =>
  entries.map((e) => (e.name === "runs.jsonl" ? { ...e, data: Buffer.from(runs.map((r) => JSON.stringify(r) + "\n").join("")) } : e));

/** The bundle is refused with `message` (through the CLI: exit 1) and every stored row is as it was. */
async function refused(file: string, message: RegExp, opts: { cli?: boolean } = {}): Promise<void> {
  const before = snapshot(merged);
  if (opts.cli) {
    const r = await tinyrig(["results", "import", file, "--db", merged, "--max-bytes", "2000000"]);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.all).toMatch(message);
  } else {
    // in this process: a CLI start costs seconds on a loaded machine, and the CLI's path is covered above
    const store = ResultStore.open(merged);
    try {
      await expect(importBundle(store, file, { maxBytes: 2_000_000 })).rejects.toThrow(message);
    } finally {
      store.close();
    }
  }
  expect(snapshot(merged)).toBe(before);
}

describe("bundles", () => {
  beforeAll(async () => {
    const run = await tinyrig(
      ["run", "--workload", "vibration", "--limit", "5", "--windows", "1", "--min-window-seconds", "0.5", "--campaign", "nightly-7", "--db", hostA],
      { env: HOST_A },
    );
    expect(run.exitCode, run.all).toBe(0);
    const exported = await tinyrig(["results", "export", "--bundle", bundleA, "--campaign", "nightly-7", "--traces", "--db", hostA]);
    expect(exported.exitCode, exported.all).toBe(0);
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("carries every run, window, inference and provenance to another database, UUID, host and campaign kept", async () => {
    const r = await tinyrig(["results", "import", bundleA, "--db", merged]);
    expect(r.exitCode, r.all).toBe(0);
    const a = records(hostA);
    const b = records(merged);
    expect(a.size).toBeGreaterThanOrEqual(2);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [uuid, rec] of a) expect(canonicalJson(b.get(uuid))).toBe(canonicalJson(rec));
    const all = [...b.values()];
    expect(all.every((x) => x.run.host_uid === "host-a" && x.run.campaign === "nightly-7")).toBe(true);
    expect(all.some((x) => x.windows.length > 0) && all.some((x) => x.inferences.length === 5)).toBe(true);
    const list = await tinyrig(["results", "list", "--db", merged, "--campaign", "nightly-7"]);
    expect(list.stdout).toContain(all[0]!.run.uuid.slice(0, 8));
    expect(list.stdout).toContain("campaign nightly-7");
  }, 120_000);

  it("importing the same bundle again changes nothing", async () => {
    const before = snapshot(merged);
    const r = await tinyrig(["results", "import", bundleA, "--db", merged]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/0 runs added, \d+ already here \(unchanged\)/);
    expect(snapshot(merged)).toBe(before);
  }, 60_000);

  it("refuses a run whose UUID is already stored with different contents, naming it, and stores none of the bundle", async () => {
    const entries = await unpack(bundleA);
    const [first, ...rest] = runsOf(entries);
    const changed = structuredClone(first!);
    changed.run.error = "changed elsewhere";
    // a run that is new here comes first: all or nothing means it must not be stored either
    const fresh = structuredClone(rest[0] ?? first!);
    fresh.run.uuid = "00000000-0000-4000-8000-000000000001";
    fresh.traces = [];
    const file = path.join(dir, "conflict.tgz");
    await pack(file, withRuns(entries, [fresh, changed]), { manifest: true });
    await refused(file, new RegExp(`run ${changed.run.uuid} is already in .* with different contents`), { cli: true });
    expect(records(merged).has(fresh.run.uuid)).toBe(false);
  }, 60_000);

  it("refuses a bundle changed after export (sha256 in the manifest)", async () => {
    const entries = await unpack(bundleA);
    const runs = runsOf(entries);
    runs[0]!.windows.forEach((w) => (w.latency_us = (w.latency_us ?? 0) * 0.5));
    const file = path.join(dir, "tampered.tgz");
    await pack(file, withRuns(entries, runs));
    await refused(file, /runs\.jsonl (is \d+ bytes, the manifest says|does not match its sha256)/);
  }, 60_000);

  it("refuses an oversize bundle and one that inflates past the cap, before unpacking it", async () => {
    const big = path.join(dir, "big.tgz");
    writeFileSync(big, Buffer.alloc(2_000_001, 1));
    await refused(big, /2000001 bytes: larger than the 2000000-byte cap/);
    const entries = await unpack(bundleA);
    const bomb = path.join(dir, "bomb.tgz");
    await pack(bomb, [...entries, { name: "zeros", data: Buffer.alloc(4_000_000) }], { manifest: true });
    expect(readFileSync(bomb).length).toBeLessThan(100_000);
    await refused(bomb, /decompresses to more than the 2000000-byte cap/);
  }, 60_000);

  it("refuses entries that climb out, are absolute, or are links, and writes nothing outside the database", async () => {
    const entries = await unpack(bundleA);
    for (const [name, evil] of [
      ["dotdot", { name: "../escaped.txt", data: Buffer.from("x") }],
      ["absolute", { name: path.join(dir, "absolute.txt"), data: Buffer.from("x") }],
    ] as const) {
      const file = path.join(dir, `${name}.tgz`);
      await pack(file, [...entries, evil]);
      await refused(file, /not a plain relative name/);
    }
    const link = path.join(dir, "link.tgz");
    await pack(link, [...entries, { name: "traces/evil", data: Buffer.alloc(0), type: "symlink", linkname: "/etc/passwd" }]);
    await refused(link, /is a symlink: a bundle holds plain files only/);
    expect(existsSync(path.join(path.dirname(dir), "escaped.txt")) || existsSync(path.join(dir, "absolute.txt"))).toBe(false);
  }, 60_000);

  // The emulated board's energy is modelled, with no raw samples: a stored trace stands in for a monitor's here.
  it("carries raw traces with --traces, each checked by its sha256, under names the importing database makes", async () => {
    const db = path.join(dir, "traces.db");
    const store = ResultStore.open(db);
    const board = findBoard("mps2-an386");
    const workload = {
      id: "vibration",
      manifestSha256: "cd".repeat(32),
      modelSha256: "ef".repeat(32),
      modelBytes: 10,
      dataset: { sha256: "01".repeat(32), source: "committed", inputs: [] },
    } as unknown as SuiteWorkload;
    const id = store.startRun({ mode: "energy", board, workload, settings: {}, simulated: false });
    const samples = Float32Array.from({ length: 3000 }, (_, i) => 1e-7 * (1 + (i % 5)));
    store.trace(id, 0, { unit: "J", sampleRateHz: 1000, voltageV: 1.8, samples, edges: [0, 2999] });
    store.failRun(id, "stopped after one window", "failed");
    store.close();
    const file = path.join(dir, "traces.tgz");
    const exporting = ResultStore.open(db, { readOnly: true });
    await writeBundle(exporting, [id], file, { traces: true }).finally(() => exporting.close());
    const entries = await unpack(file);
    expect(entries.map((e) => e.name)).toContain(`traces/${runsOf(entries)[0]!.run.uuid}-0.f32.gz`);
    const into = path.join(dir, "traces-into.db");
    const back = ResultStore.open(into);
    try {
      expect((await importBundle(back, file)).added).toHaveLength(1);
      const [run] = back.listRuns();
      expect(back.readTrace(run!.id, 0)).toEqual({ unit: "J", sampleRateHz: 1000, voltageV: 1.8, samples, edges: [0, 2999] });
    } finally {
      back.close();
    }
    // the trace's bytes changed and the manifest redone to match: the row's sha256 still refuses it
    const swapped = entries.map((e) => (e.name.startsWith("traces/") ? { ...e, data: gzipSync(Buffer.alloc(12000)) } : e));
    const tampered = path.join(dir, "traces-tampered.tgz");
    await pack(tampered, swapped, { manifest: true });
    const other = ResultStore.open(path.join(dir, "traces-tampered.db"));
    await expect(importBundle(other, tampered)).rejects.toThrow(/trace traces\/.* does not match its row's size and sha256/);
    expect(other.listRuns()).toEqual([]);
    other.close();
  }, 60_000);

  it("keeps a hostile string as data: markup in an imported board name is escaped in the report", async () => {
    const entries = await unpack(bundleA);
    const runs = runsOf(entries)
      .filter((r) => r.run.status === "completed")
      .slice(0, 1);
    runs[0]!.run.uuid = "00000000-0000-4000-8000-000000000002";
    runs[0]!.board.name = "<script>alert(1)</script>";
    runs[0]!.traces = [];
    const file = path.join(dir, "markup.tgz");
    await pack(
      file,
      withRuns(
        entries.filter((e) => !e.name.startsWith("traces/")),
        runs,
      ),
      { manifest: true },
    );
    const db = path.join(dir, "markup.db");
    const store = ResultStore.open(db);
    try {
      expect((await importBundle(store, file)).added).toHaveLength(1);
      const out = await writeReport({ store, outDir: path.join(dir, "report") });
      const html = readFileSync(path.join(out.endsWith(".html") ? out : path.join(out, "index.html")), "utf8");
      expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(html).not.toContain("<script>alert(1)");
    } finally {
      store.close();
    }
  }, 120_000);
});
