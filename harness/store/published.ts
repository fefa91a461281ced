// Published MLPerf Tiny results, read from the submission checker's CSV (`--csv`, see
// ../shared/reference/mlperf-submission.md §9) and kept in a table of their own: they were measured by someone else,
// never here, and never mix with tinyrig's runs. The CSV is checked once, where it enters; an error names the file,
// the line and the column.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { canonicalJson } from "./run-record.ts";
import { StoreError, type ResultStore } from "./store.ts";

/** The checker's header (rounds before v1.3 stop after SoftwareNotes). */
export const PUBLISHED_COLUMNS = [
  "Organization",
  "Availability",
  "Division",
  "BoardName",
  "SystemDesc",
  "Model",
  "MlperfModel",
  "Result",
  "ResultUnit",
  "Accuracy",
  "HasPower",
  "Power",
  "PowerUnit",
  "HostProcessorModelName",
  "HostProcessorFrequency",
  "HostProcessorMemory",
  "AcceleratorModelName",
  "AcceleratorFrequency",
  "AcceleratorMemory",
  "HardwareNotes",
  "InferenceFramework",
  "SoftwareLibraries",
  "SoftwareNotes",
  "FalsePositives",
  "FalseNegatives",
  "DutyCycle",
] as const;
const BEFORE_V13 = 23;
const MAX_FIELD = 4096;
const MAX_BYTES = 16 << 20;

export interface PublishedResult {
  organization: string;
  availability: string;
  division: "closed" | "open" | "network";
  boardName: string;
  systemDesc: string;
  model: string;
  /** The official benchmark name: ad01, ic01, kws01, vww01, sww01 ... */
  mlperfModel: string;
  /** Median throughput, inferences per second (the latency the results table shows is 1000 / this, ms). */
  throughput: number;
  /** As the checker found it: Top-1 in %, AUC for ad, F1 for sww; null where none was given. */
  accuracy: number | null;
  /** µJ per inference (mW for sww); null without an energy result. */
  power: number | null;
  powerUnit: "uJ/inf." | "mW";
  hostProcessor: string;
  hostFrequency: string;
  hostMemory: string;
  accelerator: string;
  acceleratorFrequency: string;
  acceleratorMemory: string;
  hardwareNotes: string;
  inferenceFramework: string;
  softwareLibraries: string;
  softwareNotes: string;
  falsePositives: number | null;
  falseNegatives: number | null;
  dutyCycle: number | null;
}

export interface PublishedRow extends PublishedResult {
  id: number;
  sourceFile: string;
  sourceLine: number;
  importedAt: string;
}

/** A CSV that does not follow the checker's format: file, line and column named. */
export class PublishedCsvError extends StoreError {
  constructor(file: string, line: number, column: string | undefined, message: string) {
    super(`${file}:${line}${column ? `: column ${column}` : ""}: ${message}`);
  }
}

/** Reads and checks a checker CSV; nothing is stored unless every row is good. */
/** A checked row and the CSV line it came from. */
export interface PublishedLine {
  line: number;
  result: PublishedResult;
}

export function readPublishedCsv(file: string): PublishedLine[] {
  let text: string;
  try {
    const buf = readFileSync(file);
    if (buf.length > MAX_BYTES) throw new PublishedCsvError(file, 1, undefined, `${buf.length} bytes: more than ${MAX_BYTES} is not a results table`);
    text = buf.toString("utf8");
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(`${path.resolve(file)}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parsePublishedCsv(text, file);
}

export function parsePublishedCsv(text: string, file: string): PublishedLine[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ""), { info: true, skip_empty_lines: true, relax_column_count: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new PublishedCsvError(file, e.lines ?? 1, undefined, `not CSV: ${e.message}`);
  }
  if (!records.length) throw new PublishedCsvError(file, 1, undefined, "empty: the checker's header line and one row per result are expected");
  const header = records[0]!.record;
  const expected = header.length === BEFORE_V13 ? PUBLISHED_COLUMNS.slice(0, BEFORE_V13) : PUBLISHED_COLUMNS;
  for (let i = 0; i < Math.max(header.length, expected.length); i++) {
    if (header[i] !== expected[i]) {
      throw new PublishedCsvError(
        file,
        1,
        String(i + 1),
        `header field ${JSON.stringify(header[i] ?? "")}, the checker writes ${JSON.stringify(expected[i] ?? "(nothing more)")} (header: ${PUBLISHED_COLUMNS.join(",")})`,
      );
    }
  }
  if (records.length === 1) throw new PublishedCsvError(file, 1, undefined, "a header and no results");
  return records.slice(1).map(({ record, info }) => ({ line: info.lines, result: parseRow(record, header.length, file, info.lines) }));
}

function parseRow(fields: string[], width: number, file: string, line: number): PublishedResult {
  if (fields.length !== width) throw new PublishedCsvError(file, line, undefined, `${fields.length} fields, the header has ${width}`);
  const at = (name: (typeof PUBLISHED_COLUMNS)[number]) => {
    const i = PUBLISHED_COLUMNS.indexOf(name);
    const v = i < width ? fields[i]! : "";
    if (v.length > MAX_FIELD) throw new PublishedCsvError(file, line, name, `${v.length} characters (at most ${MAX_FIELD})`);
    return v;
  };
  const fail = (name: string, message: string): never => {
    throw new PublishedCsvError(file, line, name, message);
  };
  const text = (name: (typeof PUBLISHED_COLUMNS)[number], required = false) => {
    const v = at(name).trim();
    if (required && !v) fail(name, "empty");
    return v;
  };
  const number = (name: (typeof PUBLISHED_COLUMNS)[number], opts: { optional?: boolean; positive?: boolean; integer?: boolean } = {}): number | null => {
    const v = at(name).trim();
    if (opts.optional && (v === "" || v === "None")) return null;
    const n = Number(v);
    if (v === "" || !Number.isFinite(n)) return fail(name, `${JSON.stringify(v)} is not a number`);
    if (opts.positive ? !(n > 0) : n < 0) return fail(name, `${v}: must be ${opts.positive ? "above 0" : "0 or more"}`);
    if (opts.integer && !Number.isInteger(n)) return fail(name, `${v}: not a whole number`);
    return n;
  };
  const division = text("Division", true).toLowerCase();
  if (division !== "closed" && division !== "open" && division !== "network") fail("Division", `${JSON.stringify(division)}: closed, open or network`);
  const mlperfModel = text("MlperfModel", true);
  if (!/^[a-z]+[0-9]*$/.test(mlperfModel)) fail("MlperfModel", `${JSON.stringify(mlperfModel)}: an official benchmark name such as kws01`);
  if (at("ResultUnit").trim() !== "inf./sec.") fail("ResultUnit", `${JSON.stringify(at("ResultUnit"))}: the checker writes "inf./sec."`);
  const powerUnit = at("PowerUnit").trim();
  if (powerUnit !== "uJ/inf." && powerUnit !== "mW") fail("PowerUnit", `${JSON.stringify(powerUnit)}: "uJ/inf." or "mW"`);
  const hasPower = at("HasPower").trim();
  if (hasPower !== "True" && hasPower !== "False") fail("HasPower", `${JSON.stringify(hasPower)}: True or False`);
  const power = number("Power")!;
  if ((hasPower === "True") !== power > 0) fail("HasPower", `${hasPower} with Power ${power} (the checker writes True exactly when Power > 0)`);
  return {
    organization: text("Organization", true),
    availability: text("Availability", true).toLowerCase(),
    division: division as PublishedResult["division"],
    boardName: text("BoardName", true),
    systemDesc: text("SystemDesc", true),
    model: text("Model", true),
    mlperfModel,
    throughput: number("Result", { positive: true })!,
    accuracy: number("Accuracy", { optional: true }),
    power: power > 0 ? power : null,
    powerUnit: powerUnit as PublishedResult["powerUnit"],
    hostProcessor: text("HostProcessorModelName"),
    hostFrequency: text("HostProcessorFrequency"),
    hostMemory: text("HostProcessorMemory"),
    accelerator: text("AcceleratorModelName"),
    acceleratorFrequency: text("AcceleratorFrequency"),
    acceleratorMemory: text("AcceleratorMemory"),
    hardwareNotes: text("HardwareNotes"),
    inferenceFramework: text("InferenceFramework"),
    softwareLibraries: text("SoftwareLibraries"),
    softwareNotes: text("SoftwareNotes"),
    falsePositives: number("FalsePositives", { optional: true, integer: true }),
    falseNegatives: number("FalseNegatives", { optional: true, integer: true }),
    dutyCycle: number("DutyCycle", { optional: true }),
  };
}

const COLUMN_OF: Record<keyof PublishedResult, string> = {
  organization: "organization",
  availability: "availability",
  division: "division",
  boardName: "board_name",
  systemDesc: "system_desc",
  model: "model",
  mlperfModel: "mlperf_model",
  throughput: "throughput",
  accuracy: "accuracy",
  power: "power",
  powerUnit: "power_unit",
  hostProcessor: "host_processor",
  hostFrequency: "host_frequency",
  hostMemory: "host_memory",
  accelerator: "accelerator",
  acceleratorFrequency: "accelerator_frequency",
  acceleratorMemory: "accelerator_memory",
  hardwareNotes: "hardware_notes",
  inferenceFramework: "inference_framework",
  softwareLibraries: "software_libraries",
  softwareNotes: "software_notes",
  falsePositives: "false_positives",
  falseNegatives: "false_negatives",
  dutyCycle: "duty_cycle",
};
const FIELDS = Object.keys(COLUMN_OF) as (keyof PublishedResult)[];

/** Stores checked rows, all or none; a row already imported (same values) is not stored twice. */
export function addPublished(store: ResultStore, rows: PublishedLine[], sourceFile: string): { added: number; present: number } {
  const cols = ["row_sha256", "source_file", "source_line", "imported_at", ...FIELDS.map((f) => COLUMN_OF[f])];
  const insert = store.db.prepare(`INSERT OR IGNORE INTO published_result (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`);
  const now = new Date().toISOString();
  let added = 0;
  store.db
    .transaction(() => {
      for (const { line, result } of rows) {
        const sha = createHash("sha256").update(canonicalJson(result)).digest("hex");
        added += insert.run(sha, path.basename(sourceFile), line, now, ...FIELDS.map((f) => result[f])).changes;
      }
    })
    .immediate();
  return { added, present: rows.length - added };
}

export function publishedResults(store: ResultStore): PublishedRow[] {
  return (store.db.prepare("SELECT * FROM published_result ORDER BY id").all() as Record<string, unknown>[]).map((r) => ({
    id: r.id as number,
    sourceFile: r.source_file as string,
    sourceLine: r.source_line as number,
    importedAt: r.imported_at as string,
    ...(Object.fromEntries(FIELDS.map((f) => [f, r[COLUMN_OF[f]]])) as unknown as PublishedResult),
  }));
}
