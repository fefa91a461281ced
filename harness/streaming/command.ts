// What `tinyrig run --workload <streaming workload>` does with one: the stream run, stored, and its summary printed.
// Kept here so the run command only dispatches to it.
import { lockBoard } from "../boards/lock.ts";
import type { BoardDefinition } from "../boards/schema.ts";
import type { Progress } from "../run/progress.ts";
import type { ResultStore } from "../store/store.ts";
import { runAndStoreStream, type StoredStream } from "./stored.ts";
import { loadStreamingWorkload, SCORED_STREAM } from "./workload.ts";
import { userStreamModel } from "./stream-model.ts";

export interface StreamCommandOptions {
  ids: string[];
  board: BoardDefinition;
  store: ResultStore;
  progress: Progress;
  signal?: AbortSignal;
  /** The manifest stream to score (default `long`). */
  stream?: string;
  /** Seconds after a window's end that still count (default: the manifest's, MLPerf's README 1; its code 2). */
  tpExtensionS?: number;
  hostCheck?: boolean;
  /** A user's model file (`--model`) to play instead of the workload's own. */
  modelFile?: string;
}

export async function runStreamingWorkloads(o: StreamCommandOptions): Promise<{ id: string; stored: StoredStream }[]> {
  // a physical board (its interface board and DUT) is one tinyrig's at a time, host-wide
  const held = o.board.kind === "physical" ? await lockBoard(o.board, `tinyrig run ${o.ids.join(",")}`) : undefined;
  try {
    return await streamAll(o);
  } finally {
    held?.release();
  }
}

async function streamAll(o: StreamCommandOptions): Promise<{ id: string; stored: StoredStream }[]> {
  const out: { id: string; stored: StoredStream }[] = [];
  for (const id of o.ids) {
    const w = loadStreamingWorkload(id);
    const stream = o.stream ?? SCORED_STREAM;
    const rules = { tpExtensionS: o.tpExtensionS ?? w.manifest.scoring.tpExtensionS, debounceS: w.manifest.scoring.debounceS };
    const how = o.board.kind === "emulated" ? "emulated: audio through semihosting, virtual time" : "played by the interface board over I2S, its timer";
    o.progress.log(`\n== ${id} (${w.manifest.mlperfModelId}) stream ${stream} on ${o.board.name} (${how})`);
    let started = false;
    const model = o.modelFile ? userStreamModel(w, o.modelFile) : undefined;
    if (model) o.progress.log(`  your model ${model.path} (sha256 ${model.sha256.slice(0, 12)}), detection rule MLPerf's: output[0] > 115`);
    const stored = await runAndStoreStream(o.store, {
      board: o.board,
      workload: w,
      model,
      stream,
      rules,
      hostCheck: o.hostCheck,
      signal: o.signal,
      log: (l) => o.progress.log(`  ${l}`),
      onProgress: (done, total) => {
        if (!started) o.progress.start(`${id} ${stream}`, total, "hops");
        started = true;
        o.progress.update(done);
      },
    });
    o.progress.stop();
    if (stored.error) o.progress.log(`  ✗ ${stored.error}`);
    out.push({ id, stored });
  }
  return out;
}

export function streamSummaryLine(r: StoredStream): string {
  if (!r.result) return r.error?.split("\n")[0] ?? r.status;
  const s = r.result;
  const e = !s.energy
    ? ""
    : `; ${(s.energy.energyUj / 1e6).toFixed(3)} J, ${s.energy.powerMw.toFixed(2)} mW (${
        s.energy.kind === "measured" ? `measured: ${s.energy.source}` : `modelled${s.energy.idleFromBoard ? "" : ", no idle figure: active current throughout"}`
      })`;
  const be = s.bitExact ? `; bit-exact with host ${s.bitExact.outputs}/${s.bitExact.hops} hops` : "";
  const target = s.stream === SCORED_STREAM ? `MLPerf's target FP<=8, FN<=8 ${s.meetsTarget ? "met" : "not met"}; ` : "";
  return (
    `TP ${s.score.truePositives} FN ${s.score.falseNegatives} FP ${s.score.falsePositives} of ${s.truth.detection_windows.length} (${target}` +
    `window end + ${s.score.rules.tpExtensionS} s), ${s.score.falseAcceptsPerHour.toFixed(1)} false accepts/h; duty cycle ${(s.duty.dutyCycle * 100).toFixed(2)}%, ` +
    `${s.duty.throughputPerS.toFixed(1)} inf./s${e}${be}`
  );
}
