// Where a run's inputs came from, as stored with it (dataset.source): the workload's committed test set, a test set
// its manifest declares (a `--dataset` folder whose hash is declared there), or any other folder (exploratory). The
// folder is kept so a resumed run and a reproduction command can find the inputs again.

export type DatasetSource = { kind: "committed" } | { kind: "declared"; id: string; dir: string } | { kind: "imported"; dir: string };

export function formatDatasetSource(s: DatasetSource): string {
  if (s.kind === "committed") return "committed";
  if (s.kind === "declared") return `declared:${s.id}:${s.dir}`;
  return `imported:${s.dir}`;
}

/** undefined for a value no tinyrig wrote (then nothing about the dataset is trusted). */
export function parseDatasetSource(text: string | null | undefined): DatasetSource | undefined {
  if (text === "committed") return { kind: "committed" };
  const declared = /^declared:([a-z0-9][a-z0-9-]*):(.+)$/s.exec(text ?? "");
  if (declared) return { kind: "declared", id: declared[1]!, dir: declared[2]! };
  if (text?.startsWith("imported:") && text.length > "imported:".length) return { kind: "imported", dir: text.slice("imported:".length) };
  return undefined;
}

/** The committed test set or a declared one: inputs a headline may be measured on. */
export function isHeadlineDataset(text: string | null | undefined): boolean {
  const s = parseDatasetSource(text);
  return s?.kind === "committed" || s?.kind === "declared";
}

/** The folder the inputs were read from; undefined: the workload's committed test set. */
export function datasetDirOf(text: string | null | undefined): string | undefined {
  const s = parseDatasetSource(text);
  return s && s.kind !== "committed" ? s.dir : undefined;
}

/** How a report or export names it: "committed", "declared <id>", or "imported <dir>". */
export function describeDatasetSource(text: string | null | undefined): string {
  const s = parseDatasetSource(text);
  if (!s) return text ?? "unknown";
  return s.kind === "committed" ? "committed" : s.kind === "declared" ? `declared ${s.id}` : `imported ${s.dir}`;
}
