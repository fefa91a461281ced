// Bundles: runs that travel between databases (one host's nightly to the merge job). A bundle is a gzip-compressed
// tar (tar-stream: a maintained parser that hands us every header, so links and odd names are refused here rather
// than trusted) holding
//   bundle.json   what it is: format and version, tinyrig version, the exporting host, the runs, and a manifest
//                 (path, bytes, sha256) of every other entry;
//   runs.jsonl    one run per line: the run, the rows it references, its windows, inferences and raw-trace rows
//                 (run-record.ts says which fields, and checks them);
//   traces/...    raw monitor traces, only with --traces.
// Tar rather than a home-made container: `tar tzf` lists a bundle anywhere. Import reads and checks the whole bundle
// (sizes capped before and while decompressing, names, entry types, hashes, every record) before one transaction
// writes it; nothing in a bundle names a file on disk.
import { createHash } from "node:crypto";
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { hostname } from "node:os";
import path from "node:path";
import tar from "tar-stream";
import { z } from "zod";
import { firmwareVersion } from "../paths.ts";
import { hostId } from "./host-id.ts";
import { runRecord, UUID_PATTERN, type RunRecord } from "./run-record.ts";
import { StoreError, type ResultStore } from "./store.ts";

export const BUNDLE_FORMAT = "tinyrig-bundle";
export const BUNDLE_FORMAT_VERSION = 1;
/** Default cap on a bundle, compressed and decompressed alike: a gzip bomb stops here, not in memory. */
export const DEFAULT_MAX_BUNDLE_BYTES = 512 * 1024 * 1024;
const MAX_ENTRIES = 100_000;

export class BundleError extends StoreError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "BundleError";
  }
}

/** An entry name: relative, `/`-separated, plain segments only (no `..`, `.`, empty or hidden-root segments). */
const ENTRY_NAME = /^(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

const manifestEntry = z.strictObject({
  path: z.string().regex(ENTRY_NAME, "a relative path of plain segments"),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const bundleDescription = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  tinyrigVersion: z.string().max(200),
  createdAt: z.string().max(64),
  host: z.strictObject({ id: z.string().max(64), hostname: z.string().max(256) }),
  runs: z.array(
    z.strictObject({
      uuid: z.string().regex(UUID_PATTERN),
      mode: z.string().max(32),
      board: z.string().max(1024),
      workload: z.string().max(1024),
      variant: z.string().max(1024).nullable(),
      status: z.string().max(32),
      campaign: z.string().max(128).nullable(),
    }),
  ),
  files: z.array(manifestEntry),
});
export type BundleDescription = z.infer<typeof bundleDescription>;

export interface Bundle {
  description: BundleDescription;
  records: RunRecord[];
  traceFiles: Map<string, Buffer>;
}

/** Writes the runs (store ids) as a bundle; with `traces`, their raw monitor traces too. Returns what it wrote. */
export async function writeBundle(store: ResultStore, runIds: number[], file: string, opts: { traces?: boolean } = {}): Promise<BundleDescription> {
  const records: RunRecord[] = [];
  const entries = new Map<string, Buffer>();
  for (const id of runIds) {
    const { record, traceFiles } = store.runRecord(id, { traces: opts.traces });
    for (const [name, data] of traceFiles) entries.set(name, data);
    records.push(record);
  }
  entries.set("runs.jsonl", Buffer.from(records.map((r) => JSON.stringify(r) + "\n").join("")));
  const description: BundleDescription = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    tinyrigVersion: firmwareVersion(),
    createdAt: new Date().toISOString(),
    host: { id: hostId(), hostname: hostname() },
    runs: records.map((r) => ({
      uuid: r.run.uuid,
      mode: r.run.mode,
      board: r.board.name,
      workload: r.workload.name,
      variant: r.workload.variant,
      status: r.run.status,
      campaign: r.run.campaign,
    })),
    files: [...entries].map(([p, data]) => ({ path: p, bytes: data.length, sha256: sha256(data) })),
  };
  const pack = tar.pack();
  const mtime = new Date(description.createdAt);
  pack.entry({ name: "bundle.json", mode: 0o644, mtime }, JSON.stringify(description, null, 2) + "\n");
  for (const [name, data] of entries) pack.entry({ name, mode: 0o644, mtime }, data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  // written beside, then renamed: a reader never sees half a bundle
  const abs = path.resolve(file);
  const partial = `${abs}.partial-${process.pid}`;
  try {
    writeFileSync(partial, gzipSync(Buffer.concat(chunks)));
    renameSync(partial, abs);
  } catch (err) {
    rmSync(partial, { force: true });
    const e = err as NodeJS.ErrnoException;
    throw new BundleError(abs, `cannot write the bundle (${e.code ?? e.message})`);
  }
  return description;
}

/** Reads and checks a bundle completely; nothing is written anywhere. Every refusal names the file and what is wrong. */
export async function readBundle(file: string, opts: { maxBytes?: number } = {}): Promise<Bundle> {
  const abs = path.resolve(file);
  const max = opts.maxBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  const fail = (msg: string): never => {
    throw new BundleError(abs, msg);
  };
  let size: number;
  try {
    const st = statSync(abs);
    if (!st.isFile()) fail("not a file");
    size = st.size;
  } catch (err) {
    if (err instanceof BundleError) throw err;
    return fail(`cannot read the bundle (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (size > max) fail(`${size} bytes: larger than the ${max}-byte cap on a bundle`);
  let raw: Buffer;
  try {
    // maxOutputLength stops inflating at the cap: a small file that expands without end is refused, not unpacked
    raw = gunzipSync(readFileSync(abs), { maxOutputLength: max });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return fail(
      e.code === "ERR_BUFFER_TOO_LARGE" ? `decompresses to more than the ${max}-byte cap on a bundle` : `not a gzip-compressed bundle (${e.code ?? e.message})`,
    );
  }
  const entries = new Map<string, Buffer>();
  try {
    const extract = tar.extract();
    Readable.from([raw]).pipe(extract);
    for await (const entry of extract) {
      const h = entry.header;
      if (h.type !== "file")
        fail(`entry ${JSON.stringify(h.name)} is a ${h.type ?? "special entry"}: a bundle holds plain files only (no links, folders or devices)`);
      if (!ENTRY_NAME.test(h.name))
        fail(`entry ${JSON.stringify(h.name)}: not a plain relative name (absolute paths, "..", "." and odd characters are refused)`);
      if (entries.has(h.name)) fail(`entry ${JSON.stringify(h.name)} appears twice`);
      if (entries.size >= MAX_ENTRIES) fail(`more than ${MAX_ENTRIES} entries`);
      const parts: Buffer[] = [];
      for await (const part of entry) parts.push(part as Buffer);
      entries.set(h.name, Buffer.concat(parts));
    }
  } catch (err) {
    if (err instanceof BundleError) throw err;
    fail(`not a valid tar archive inside the gzip (${(err as Error).message})`);
  }
  const head = entries.get("bundle.json") ?? fail("no bundle.json: not a tinyrig bundle");
  const description = parseJson(abs, "bundle.json", head, bundleDescription);
  // the manifest and the archive say the same: every entry listed, sized and hashed; nothing unlisted
  const listed = new Set(description.files.map((f) => f.path));
  for (const name of entries.keys()) if (name !== "bundle.json" && !listed.has(name)) fail(`entry ${name} is not in the manifest`);
  for (const f of description.files) {
    const data = entries.get(f.path) ?? fail(`${f.path} is in the manifest but not in the bundle`);
    if (data.length !== f.bytes) fail(`${f.path} is ${data.length} bytes, the manifest says ${f.bytes}`);
    if (sha256(data) !== f.sha256) fail(`${f.path} does not match its sha256 in the manifest (changed after export?)`);
  }
  const runsText = (entries.get("runs.jsonl") ?? fail("no runs.jsonl")).toString("utf8");
  const records = runsText
    .split("\n")
    .filter((l) => l !== "")
    .map((line, i) => parseJson(abs, `runs.jsonl line ${i + 1}`, Buffer.from(line), runRecord));
  const uuids = records.map((r) => r.run.uuid);
  const twice = uuids.find((u, i) => uuids.indexOf(u) !== i);
  if (twice) fail(`run ${twice} appears twice in runs.jsonl`);
  if (uuids.join() !== description.runs.map((r) => r.uuid).join()) fail("bundle.json's run list does not match runs.jsonl");
  const traceFiles = new Map<string, Buffer>();
  for (const rec of records) {
    for (const t of rec.traces) {
      if (!t.file.startsWith(`traces/${rec.run.uuid}-`)) fail(`run ${rec.run.uuid}: its trace ${t.file} is named for another run`);
      const data = entries.get(t.file) ?? fail(`run ${rec.run.uuid}: its trace ${t.file} is not in the bundle`);
      if (data.length !== t.bytes || sha256(data) !== t.sha256) fail(`run ${rec.run.uuid}: trace ${t.file} does not match its row's size and sha256`);
      traceFiles.set(t.file, data);
    }
  }
  return { description, records, traceFiles };
}

/** Reads, checks, then adds a bundle's runs to the store in one transaction: all of them or none. */
export async function importBundle(store: ResultStore, file: string, opts: { maxBytes?: number } = {}): Promise<{ added: string[]; present: string[] }> {
  const bundle = await readBundle(file, opts);
  try {
    return store.importRecords(bundle.records, bundle.traceFiles);
  } catch (err) {
    if (err instanceof StoreError) throw new BundleError(path.resolve(file), `${err.message}; nothing from this bundle was stored`);
    throw err;
  }
}

function parseJson<T>(file: string, where: string, data: Buffer, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(data.toString("utf8"));
  } catch (err) {
    throw new BundleError(file, `${where}: not JSON (${(err as Error).message})`);
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new BundleError(file, `${where}: ${issue.path.join(".") || "(top)"}: ${issue.message}`);
  }
  return r.data;
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
