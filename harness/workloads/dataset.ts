// Datasets in MLPerf Tiny's layout: a folder with y_labels.csv (`file, classes, class[, bytes_to_send, stride]`,
// no header, with or without spaces after commas, quoted fields as CSV quotes them) and one binary file per input.
// Malformed folders are refused with the file and row named; file names stay inside the folder. The dataset's sha256 is
// over each row's file name, class count, label and window (NUL-separated) and the file's sha256, newline-terminated.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";

export interface DatasetEntry {
  index: number;
  file: string;
  label: number;
  bytes(): Uint8Array;
  window?: { bytes: number; stride: number };
}

export interface Dataset {
  workloadId: string;
  dir: string;
  sha256: string;
  entries: DatasetEntry[];
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetError";
  }
}

export interface DatasetExpectations {
  workloadId: string;
  /** Bytes per file (non-windowed) or per window. */
  inputBytes: number;
  classes: number;
  /** Files are sent as sliding windows (MLPerf ad01). */
  windowed: boolean;
  labelsFile?: string;
}

export function readDataset(dir: string, expect: DatasetExpectations): Dataset {
  const csv = path.join(dir, expect.labelsFile ?? "y_labels.csv");
  if (!existsSync(csv)) throw new DatasetError(`${csv}: missing (an MLPerf Tiny dataset folder has y_labels.csv beside its input files)`);
  let rows: { cols: string[]; line: number }[];
  try {
    // A CSV library, so a quoted file name (with a comma in it) is one field; spaces after commas are trimmed.
    rows = (
      parse(readFileSync(csv, "utf8"), { trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as {
        record: string[];
        info: { lines: number };
      }[]
    ).map((r) => ({ cols: r.record, line: r.info.lines }));
  } catch (err) {
    throw new DatasetError(`${csv}: not a CSV file MLPerf Tiny's layout can be read from: ${(err as Error).message}`);
  }
  const root = path.resolve(dir);
  const entries: DatasetEntry[] = [];
  const hash = createHash("sha256");
  for (const { cols, line } of rows) {
    const where = `${csv}: row ${line}`;
    if (cols.length < 3) throw new DatasetError(`${where}: expected "file, classes, class", got ${JSON.stringify(cols.join(","))}`);
    const [file, classesText, labelText] = cols as [string, string, string];
    const classes = Number(classesText);
    const label = Number(labelText);
    if (!Number.isInteger(classes) || classes < 1) throw new DatasetError(`${where}: class count "${classesText}" is not a number`);
    if (classes !== expect.classes) throw new DatasetError(`${where}: ${classes} classes, the model has ${expect.classes}`);
    if (!Number.isInteger(label) || label < 0 || label >= expect.classes) {
      throw new DatasetError(`${where}: class "${labelText}" is not a class index below ${expect.classes}`);
    }
    // The label file names files in its own folder: an absolute name or a `..` would read from anywhere.
    const full = path.resolve(root, file);
    if (path.isAbsolute(file) || !full.startsWith(root + path.sep))
      throw new DatasetError(`${where}: file name ${JSON.stringify(file)} leaves the dataset folder ${root}`);
    if (!existsSync(full)) throw new DatasetError(`${full}: missing (listed in ${where})`);
    const size = statSync(full).size;
    let window: DatasetEntry["window"];
    if (expect.windowed) {
      const wb = Number(cols[3] ?? expect.inputBytes);
      const stride = Number(cols[4] ?? wb);
      if (wb !== expect.inputBytes) throw new DatasetError(`${where}: window of ${cols[3]} bytes, the model takes ${expect.inputBytes}`);
      if (!Number.isInteger(stride) || stride <= 0) throw new DatasetError(`${where}: stride "${cols[4]}" is not a positive number`);
      if (size < wb) throw new DatasetError(`${full}: ${size} bytes, shorter than one ${wb}-byte window`);
      window = { bytes: wb, stride };
    } else if (size !== expect.inputBytes) {
      throw new DatasetError(`${full}: ${size} bytes, the model takes ${expect.inputBytes}`);
    }
    const bytes = readFileSync(full);
    hash.update(datasetRowDigest(file, classes, label, window, createHash("sha256").update(bytes).digest("hex")));
    entries.push({ index: entries.length, file, label, window, bytes: () => new Uint8Array(readFileSync(full)) });
  }
  if (entries.length === 0) throw new DatasetError(`${csv}: no rows`);
  return { workloadId: expect.workloadId, dir, sha256: hash.digest("hex"), entries };
}

/** One row's part of the dataset hash: what the row says (name, class count, label, window) and the file's sha256, so
 * an edited label changes the hash as an edited input does. */
function datasetRowDigest(file: string, classes: number, label: number, window: DatasetEntry["window"], fileSha256: string): string {
  return `${file}\0${classes}\0${label}\0${window ? `${window.bytes}\0${window.stride}` : "\0"}\0${fileSha256}\n`;
}
