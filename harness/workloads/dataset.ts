// Datasets in MLPerf Tiny's layout: a folder with y_labels.csv (`file, classes, class[, bytes_to_send, stride]`,
// no header, with or without spaces after commas) and one binary file per input. Malformed folders are refused
// with the file and row named. The dataset's sha256 is over each row's file name, NUL, the file's sha256, newline.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

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
  const lines = readFileSync(csv, "utf8").split(/\r?\n/);
  const entries: DatasetEntry[] = [];
  const hash = createHash("sha256");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${csv}: row ${i + 1}`;
    const cols = line.split(",").map((c) => c.trim());
    if (cols.length < 3) throw new DatasetError(`${where}: expected "file, classes, class", got ${JSON.stringify(line)}`);
    const [file, classesText, labelText] = cols as [string, string, string];
    const classes = Number(classesText);
    const label = Number(labelText);
    if (!Number.isInteger(classes) || classes < 1) throw new DatasetError(`${where}: class count "${classesText}" is not a number`);
    if (!Number.isInteger(label) || label < 0 || label >= Math.max(classes, expect.classes)) {
      throw new DatasetError(`${where}: class "${labelText}" is not a class index below ${Math.max(classes, expect.classes)}`);
    }
    const full = path.join(dir, file);
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
    hash.update(`${file}\0${createHash("sha256").update(bytes).digest("hex")}\n`);
    entries.push({ index: entries.length, file, label, window, bytes: () => new Uint8Array(readFileSync(full)) });
  });
  if (entries.length === 0) throw new DatasetError(`${csv}: no rows`);
  return { workloadId: expect.workloadId, dir, sha256: hash.digest("hex"), entries };
}
