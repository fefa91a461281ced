// CSV and JSON export of runs, windows and inferences.
import type { ResultStore } from "./store.ts";

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: Record<string, unknown>[]): string {
  if (!rows.length) return "";
  const cols = Object.keys(rows[0]!);
  return [cols.join(","), ...rows.map((r) => cols.map((c) => csvField(r[c])).join(","))].join("\n") + "\n";
}

export type ExportTable = "runs" | "windows" | "inferences";

export function exportRows(store: ResultStore, table: ExportTable, runIds?: number[]): Record<string, unknown>[] {
  const runs = runIds?.length ? runIds.map((id) => store.getRun(id)).filter((r) => r !== undefined) : store.listRuns();
  if (table === "runs")
    return runs.map((r) => ({ ...r, summary: r.summary, settings: r.settings, validity: r.validity.class, validityReasons: r.validity.reasons.join("; ") }));
  // Every window and inference row carries its run's status and validity, and says what was emulated or modelled.
  const of = (r: (typeof runs)[number]) => ({ runStatus: r.status, validity: r.validity.class, emulated: r.boardKind === "emulated" || r.simulated });
  if (table === "windows")
    return runs.flatMap((r) => store.windows(r.id).map((w) => ({ ...w, phases: w.phases, ...of(r), modelled: w.energyKind === "modelled" })));
  return runs.flatMap((r) => store.inferences(r.id).map((i) => ({ ...i, rawOutput: i.rawOutput ? Buffer.from(i.rawOutput).toString("hex") : null, ...of(r) })));
}
