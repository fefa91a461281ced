// Streams in the result store (migration 5): a stream run's score, duty cycle and energy in one row, every detection
// with its verdict in another table, so a report can draw them against the truth windows. Typed rows in and out.
import type { ResultStore } from "./store.ts";

export interface StreamRow {
  runId: number;
  stream: string;
  wavSha256: string;
  lengthS: number;
  hops: number;
  truthWindows: [number, number][];
  rules: { tpExtensionS: number; debounceS: number };
  truePositives: number;
  falseNegatives: number;
  falsePositives: number;
  falseAcceptsPerHour: number;
  meetsTarget: boolean;
  dutyCycle: number;
  meanProcessingUs: number;
  minProcessingUs: number;
  maxProcessingUs: number;
  throughputPerS: number;
  energyUj: number | null;
  powerMw: number | null;
  energyKind: "measured" | "modelled" | null;
  energySource: string | null;
  timeBase: string;
  bitExact: { hops: number; features: number; outputs: number } | null;
  mode: string;
}

export interface StreamDetectionRow {
  index: number;
  /** The hop that detected (emulated boards); null where only a time was reported (an interface board's timer). */
  hop: number | null;
  timeS: number;
  verdict: "tp" | "fp" | "debounced";
  window: number | null;
}

export function recordStream(store: ResultStore, row: StreamRow, detections: StreamDetectionRow[]): void {
  store.db
    .transaction(() => {
      store.db
        .prepare(`INSERT INTO stream_result (run_id, stream, wav_sha256, length_s, hops, truth_json, rules_json, true_positives,
          false_negatives, false_positives, false_accepts_per_hour, meets_target, duty_cycle, mean_processing_us,
          min_processing_us, max_processing_us, throughput_per_s, energy_uj, power_mw, energy_kind, energy_source, time_base,
          bit_exact_json, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(
          row.runId,
          row.stream,
          row.wavSha256,
          row.lengthS,
          row.hops,
          JSON.stringify(row.truthWindows),
          JSON.stringify(row.rules),
          row.truePositives,
          row.falseNegatives,
          row.falsePositives,
          row.falseAcceptsPerHour,
          row.meetsTarget ? 1 : 0,
          row.dutyCycle,
          row.meanProcessingUs,
          row.minProcessingUs,
          row.maxProcessingUs,
          row.throughputPerS,
          row.energyUj,
          row.powerMw,
          row.energyKind,
          row.energySource,
          row.timeBase,
          row.bitExact ? JSON.stringify(row.bitExact) : null,
          row.mode,
        );
      const ins = store.db.prepare("INSERT INTO stream_detection (run_id, idx, hop, time_s, verdict, window_idx) VALUES (?, ?, ?, ?, ?, ?)");
      for (const d of detections) ins.run(row.runId, d.index, d.hop, d.timeS, d.verdict, d.window);
    })
    .immediate();
}

export function streamResult(store: ResultStore, runId: number): { row: StreamRow; detections: StreamDetectionRow[] } | undefined {
  const r = store.db.prepare("SELECT * FROM stream_result WHERE run_id = ?").get(runId) as Record<string, unknown> | undefined;
  if (!r) return undefined;
  const row: StreamRow = {
    runId,
    stream: r.stream as string,
    wavSha256: r.wav_sha256 as string,
    lengthS: r.length_s as number,
    hops: r.hops as number,
    truthWindows: JSON.parse(r.truth_json as string),
    rules: JSON.parse(r.rules_json as string),
    truePositives: r.true_positives as number,
    falseNegatives: r.false_negatives as number,
    falsePositives: r.false_positives as number,
    falseAcceptsPerHour: r.false_accepts_per_hour as number,
    meetsTarget: r.meets_target === 1,
    dutyCycle: r.duty_cycle as number,
    meanProcessingUs: r.mean_processing_us as number,
    minProcessingUs: r.min_processing_us as number,
    maxProcessingUs: r.max_processing_us as number,
    throughputPerS: r.throughput_per_s as number,
    energyUj: r.energy_uj as number | null,
    powerMw: r.power_mw as number | null,
    energyKind: r.energy_kind as StreamRow["energyKind"],
    energySource: r.energy_source as string | null,
    timeBase: r.time_base as string,
    bitExact: r.bit_exact_json ? JSON.parse(r.bit_exact_json as string) : null,
    mode: r.mode as string,
  };
  const detections = (store.db.prepare("SELECT * FROM stream_detection WHERE run_id = ? ORDER BY idx").all(runId) as Record<string, unknown>[]).map((d) => ({
    index: d.idx as number,
    hop: d.hop as number | null,
    timeS: d.time_s as number,
    verdict: d.verdict as StreamDetectionRow["verdict"],
    window: d.window_idx as number | null,
  }));
  return { row, detections };
}
