// A stream run kept in the result store: a run row (mode `accuracy`: TP/FN/FP is the stream's accuracy; settings say
// it is a stream, emulated, in virtual time) opened once the board is up, the stream's row and its detections written
// when it is scored, the run failed with the error otherwise. Nothing partial is stored as a result.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { SuiteWorkload } from "../run/types.ts";
import type { ResultStore } from "../store/store.ts";
import { recordStream } from "../store/streams.ts";
import { f1 } from "./scoring.ts";
import { runStreamOnInterfaceBoard } from "./physical.ts";
import { runStream, type StreamRunOptions, type StreamRunResult } from "./run.ts";
import { SCORED_STREAM } from "./workload.ts";
import { workloadStreamModel } from "./stream-model.ts";

export interface StoredStream {
  runId?: number;
  status: "completed" | "failed" | "interrupted";
  result?: StreamRunResult;
  error?: string;
}

export async function runAndStoreStream(store: ResultStore, opts: StreamRunOptions): Promise<StoredStream> {
  const w = opts.workload;
  const m = w.manifest;
  let runId: number | undefined;
  try {
    const model = opts.model ?? workloadStreamModel(w);
    // an emulated board streams through semihosting; a physical one through MLPerf's interface board
    const result = await (opts.board.kind === "physical" ? runStreamOnInterfaceBoard : runStream)({
      ...opts,
      model,
      onConnected: ({ firmware, connection, settings }) => {
        const entry = m.streams[opts.stream]!;
        const wavFile = path.join(w.dir, entry.file);
        const workload: SuiteWorkload = {
          id: w.id,
          mlperfModelId: m.mlperfModelId,
          task: "classification",
          manifestSha256: w.manifestSha256,
          // a user's model (--model) is kept apart from the workload's own: a variant named after its file
          ...(model.userFile ? { variant: `model:${path.basename(model.userFile)}`, modelFile: model.userFile } : {}),
          modelPath: model.path,
          modelSha256: model.sha256,
          modelBytes: model.bytes.length,
          params: model.params,
          macs: model.macs,
          inputBytes: 1200,
          transform: "int8",
          labels: m.output.labels,
          target: { metric: "top1", value: 0 },
          performance: { warmup: 0 },
          dataset: {
            sha256: settings.wavSha256 as string,
            // every stream is the manifest's, checked against its sha256 (streamFile): the long one is generated from its
            // seed rather than committed, but it is the same bytes
            source: "committed",
            inputs: [{ index: 0, file: entry.file, label: 0, bytes: () => new Uint8Array(readFileSync(wavFile)) }],
          },
        };
        runId = store.startRun({
          mode: "accuracy",
          board: opts.board,
          workload,
          firmware,
          connection,
          simulated: settings.emulated !== false,
          modelled: opts.board.kind === "emulated" && opts.board.powerModel !== undefined,
          settings: {
            ...settings,
            kind: "stream",
            timeBase:
              opts.board.kind === "emulated"
                ? "virtual time (QEMU -icount); detections in stream time (hop x 32 ms)"
                : "the interface board's timer (10 us ticks); detections measured from the first frame's sync pulse",
          },
          provenance: settings.interfaceBoard
            ? {
                console: String(settings.interfaceBoard),
                flasher: opts.board.flasher?.tool ?? "manual",
                firmware: "unconfirmed: the DUT's own sww01 firmware, flashed by its owner; tinyrig did not build it",
              }
            : undefined,
        });
        opts.onConnected?.({ firmware, connection, settings });
      },
    });
    if (runId === undefined) throw new Error("the stream ran without a stored run");
    recordStream(
      store,
      {
        runId,
        stream: result.stream,
        wavSha256: result.wavSha256,
        lengthS: result.lengthS,
        hops: result.hops,
        truthWindows: result.truth.detection_windows as [number, number][],
        rules: result.score.rules,
        truePositives: result.score.truePositives,
        falseNegatives: result.score.falseNegatives,
        falsePositives: result.score.falsePositives,
        falseAcceptsPerHour: result.score.falseAcceptsPerHour,
        meetsTarget: result.meetsTarget,
        dutyCycle: result.duty.dutyCycle,
        meanProcessingUs: result.duty.meanProcessingUs,
        minProcessingUs: result.processing.minUs,
        maxProcessingUs: result.processing.maxUs,
        throughputPerS: result.duty.throughputPerS,
        energyUj: result.energy?.energyUj ?? null,
        powerMw: result.energy?.powerMw ?? null,
        energyKind: result.energy?.kind ?? null,
        energySource: result.energy?.source ?? null,
        timeBase: result.timeBase,
        bitExact: result.bitExact ?? null,
        mode: result.mode,
      },
      result.detections.map((d, i) => ({
        index: i,
        hop: d.hop,
        timeS: d.timeS,
        verdict: d.verdict.kind,
        window: d.verdict.kind === "tp" ? d.verdict.window : null,
      })),
    );
    store.finishRun(runId, {
      metric: "sww",
      value: f1(result.score),
      stream: result.stream,
      // a headline scores the workload's long stream; a shorter one (the tests') is partial
      scoredStream: result.stream === SCORED_STREAM,
      truePositives: result.score.truePositives,
      falseNegatives: result.score.falseNegatives,
      falsePositives: result.score.falsePositives,
      falseAcceptsPerHour: result.score.falseAcceptsPerHour,
      meetsTarget: result.meetsTarget,
      target: m.scoring.target,
      rules: result.score.rules,
      dutyCycle: result.duty.dutyCycle,
      throughputPerS: result.duty.throughputPerS,
      meanProcessingUs: result.duty.meanProcessingUs,
      energyUj: result.energy?.energyUj,
      powerMw: result.energy?.powerMw,
      bitExact: result.bitExact,
    });
    return { runId, status: "completed", result };
  } catch (err) {
    const interrupted = opts.signal?.aborted ?? false;
    const error = (err as Error).message;
    if (runId !== undefined) store.failRun(runId, error, interrupted ? "interrupted" : "failed");
    return { runId, status: interrupted ? "interrupted" : "failed", error };
  }
}
