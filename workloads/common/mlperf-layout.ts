// Writes a dataset in MLPerf Tiny's layout: one binary file per input and y_labels.csv (`file, classes, class`).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface LabelledInput {
  file: string;
  label: number;
  bytes: Uint8Array;
  /** AD: sent as windows of `window.bytes`, `window.stride` apart */
  window?: { bytes: number; stride: number };
}

export function writeMlperfDataset(dir: string, classes: number, inputs: LabelledInput[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rows: string[] = [];
  for (const input of inputs) {
    writeFileSync(path.join(dir, input.file), input.bytes);
    rows.push([input.file, classes, input.label, ...(input.window ? [input.window.bytes, input.window.stride] : [])].join(","));
  }
  writeFileSync(path.join(dir, "y_labels.csv"), rows.join("\n") + "\n");
}
