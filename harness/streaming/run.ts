// One stream on an emulated board, end to end: the stream (generated from its seed if it is not there, checked against
// the manifest's sha256), the stream firmware built for the board, QEMU with semihosting, the stream played hop by hop,
// the device's detections scored as MLPerf's runner does, duty cycle and modelled energy from the device's per-hop
// processing times (virtual time), and every hop's features and output checked bit for bit against the host
// reference (harness/streaming/lfbe.ts + model.ts). The result says what it is: an emulated stream in virtual time.
import { execa } from "execa";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { BoardDefinition } from "../boards/schema.ts";
import { buildFirmware, type FirmwareImage } from "../build/firmware.ts";
import { connectBoard, raceExit, type BoardConnection } from "../run/connect.ts";
import { loadTflite } from "../tflite/model.ts";
import { BANDS, HOP, lfbeThresholds, SAMPLE_RATE, silenceFrame, streamFrames } from "./lfbe.ts";
import { detectionHops, StreamingModel, streamOutputs } from "./model.ts";
import {
  dutyCycle,
  meetsTarget,
  modelledStreamEnergy,
  scoreDetections,
  type DutyCycle,
  type ScoringRules,
  type StreamEnergy,
  type StreamScore,
} from "./scoring.ts";
import { withSemihosting } from "../emulator/semihosting.ts";
import { streamOnDevice, type DeviceStream } from "./session.ts";
import { readStream, type StreamTruth } from "./wav.ts";
import { streamFile, type StreamingWorkload } from "./workload.ts";
import { workloadStreamModel, type StreamModel } from "./stream-model.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface StreamRunOptions {
  board: BoardDefinition;
  workload: StreamingWorkload;
  /** A stream of the manifest (`long` is the scored one). */
  stream: string;
  rules?: ScoringRules;
  mode?: "incremental" | "full";
  /** The model to play (default: the workload's own, stream-model.ts). */
  model?: StreamModel;
  /** Check every hop's features and output against the host reference (the long stream: about a minute of host CPU). */
  hostCheck?: boolean;
  log?: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Called once the board is up, before the stream plays: where a caller opens its stored run. */
  onConnected?: (c: { firmware?: FirmwareImage; connection?: BoardConnection; settings: Record<string, unknown> }) => void;
}

export interface StreamDetection {
  /** The hop that detected; null where only a time was reported (an interface board's timer). */
  hop: number | null;
  /** Stream time of the hop, hop x 32 ms (MLPerf's timestamps, measured from the first frame's pulse, are the same). */
  timeS: number;
  verdict: StreamScore["verdicts"][number];
}

export interface StreamRunResult {
  workload: string;
  stream: string;
  wavSha256: string;
  lengthS: number;
  truth: StreamTruth;
  hops: number;
  detections: StreamDetection[];
  droppedDetections: number;
  score: StreamScore;
  meetsTarget: boolean;
  duty: DutyCycle;
  processing: { totalUs: number; minUs: number; maxUs: number };
  /** Modelled from the processing times (emulated boards), or measured by a power monitor on the timestamp pin. */
  energy?: (StreamEnergy & { kind: "modelled"; source: string }) | { energyUj: number; powerMw: number; durationUs: number; kind: "measured"; source: string };
  /** Hops whose features and output bytes equal the host reference's (undefined when not checked). */
  bitExact?: { hops: number; features: number; outputs: number };
  mode: "incremental" | "full";
  /** An emulated board, or a device reached as a simulated or emulated one (a PTY held by a program): not hardware. */
  emulated: boolean;
  /** Where the times come from: the emulator's virtual time, or the interface board's timer. */
  timeBase: string;
  /** The firmware tinyrig built and ran; undefined where the device runs firmware flashed by its owner. */
  firmwareSha256?: string;
  /** How the device was reached (the interface board's port and what holds it). */
  console?: string;
  wallMs: number;
}

/**
 * A stream of the workload, ready to play: its WAV (made from its seed the first time it is needed, then checked against
 * the manifest's sha256 by streamFile, which is therefore its hash), its samples and its truth windows.
 */
export async function streamAudio(
  w: StreamingWorkload,
  stream: string,
  log: (line: string) => void,
): Promise<{ wavPath: string; pcm: ReturnType<typeof readStream>["pcm"]; truth: StreamTruth; wavSha256: string }> {
  const wavPath = await streamFile(w, stream, async (e) => {
    log(`generating ${e.file} from seed ${e.generate!.seed} (espeak-ng; once, then kept in ${path.dirname(e.file)}/)`);
    const [cmd, ...args] = e.generate!.command.split(" ");
    // its progress goes to stderr: stdout is the run's results (--json)
    await execa(cmd!, args, { cwd: ROOT, stdin: "ignore", stdout: 2, stderr: "inherit" });
  });
  const entry = w.manifest.streams[stream]!;
  const { pcm, truth } = readStream(wavPath, path.join(w.dir, entry.truth));
  return { wavPath, pcm, truth, wavSha256: entry.sha256 };
}

export async function runStream(opts: StreamRunOptions): Promise<StreamRunResult> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const w = opts.workload;
  const m = w.manifest;
  const rules = opts.rules ?? { tpExtensionS: m.scoring.tpExtensionS, debounceS: m.scoring.debounceS };
  const mode = opts.mode ?? "incremental";
  const model = opts.model ?? workloadStreamModel(w);
  const modelPath = model.path;
  const modelBytes = model.bytes;
  const { wavPath, pcm, truth, wavSha256 } = await streamAudio(w, opts.stream, log);
  const board = withSemihosting(opts.board);
  const firmware = await buildFirmware(
    {
      board,
      modelId: m.mlperfModelId,
      modelPath,
      modelKind: "stream",
      streamDetect: model.detect,
      inputBytes: 1200,
      transform: "int8",
      timestampMode: "performance",
    },
    (l) => log(l),
  );
  log(`stream firmware ${firmware.sha256.slice(0, 12)}: flash ${firmware.sizes.flash} B, ram ${firmware.sizes.ram} B, kernels ${firmware.kernels}`);
  const logDir = path.join(firmware.dir, "streams");
  mkdirSync(logDir, { recursive: true });
  const logPath = path.join(logDir, `${opts.stream}-${process.pid}-${Date.now()}.bin`);
  const connection = await connectBoard(board, firmware, { mode: "accuracy", log, signal: opts.signal });
  const totalHops = Math.floor(pcm.samples.length / HOP);
  let device: DeviceStream;
  try {
    opts.onConnected?.({
      firmware,
      connection,
      settings: {
        stream: opts.stream,
        wavSha256,
        rules,
        mode,
        hostCheck: opts.hostCheck ?? true,
        emulated: true,
        detect: model.detect,
        ...(model.userFile ? { userModel: { file: model.userFile, sha256: model.sha256 } } : {}),
      },
    });
    device = await raceExit(
      streamOnDevice(connection.session, wavPath, { mode, logPath, onProgress: (h) => opts.onProgress?.(h, totalHops), signal: opts.signal }),
      connection.console,
    );
  } finally {
    await connection.close();
  }
  if (device.dropped) throw new Error(`the device recorded only 10,000 of ${10_000 + device.dropped} detection hops: the stream's score would be wrong`);
  if (device.hops !== totalHops) throw new Error(`the device streamed ${device.hops} hops of ${totalHops}`);
  let bitExact: StreamRunResult["bitExact"];
  if (opts.hostCheck ?? true) {
    log("checking every hop against the host reference");
    const sm = new StreamingModel(loadTflite(new Uint8Array(modelBytes)));
    const q = sm.interpreter.input.quantization!;
    const thresholds = lfbeThresholds(Math.fround(q.scale[0]!), q.zeroPoint[0]!);
    const frames = streamFrames(pcm.samples, thresholds);
    const host = streamOutputs(sm, frames, silenceFrame(thresholds), "incremental");
    let features = 0,
      outputs = 0;
    const dev = device.log!;
    for (let h = 0; h < device.hops; h++) {
      let same = true;
      for (let b = 0; b < BANDS; b++) if (dev.features[h * BANDS + b] !== frames[h * BANDS + b]) same = false;
      if (same) features++;
      same = true;
      for (let k = 0; k < host.outputBytes; k++) if (dev.outputs[h * 4 + k] !== host.outputs[h * host.outputBytes + k]) same = false;
      if (same) outputs++;
    }
    bitExact = { hops: device.hops, features, outputs };
    const hostHops = detectionHops(host, model.detect);
    if (outputs === device.hops && hostHops.join() !== device.detectionHops.join())
      throw new Error("the device's detections differ from its own per-hop outputs");
  }
  rmSync(logPath, { force: true });
  const hopS = HOP / SAMPLE_RATE;
  const times = device.detectionHops.map((h) => h * hopS);
  const lengthS = pcm.samples.length / SAMPLE_RATE;
  const score = scoreDetections(times, truth.detection_windows, lengthS, rules);
  const duty = dutyCycle(device.processing);
  const pm = opts.board.powerModel;
  return {
    workload: w.id,
    stream: opts.stream,
    wavSha256,
    lengthS,
    truth,
    hops: device.hops,
    detections: device.detectionHops.map((hop, i) => ({ hop, timeS: times[i]!, verdict: score.verdicts[i]! })),
    droppedDetections: device.dropped,
    score,
    meetsTarget: meetsTarget(score, m.scoring.target),
    duty,
    processing: { totalUs: device.processing.totalUs, minUs: device.processing.minUs, maxUs: device.processing.maxUs },
    energy: pm ? { ...modelledStreamEnergy(device.processing, pm), kind: "modelled", source: pm.source } : undefined,
    bitExact,
    mode,
    emulated: true,
    timeBase: "virtual (QEMU -icount) processing time; detections in stream time (hop x 32 ms)",
    firmwareSha256: firmware.sha256,
    wallMs: Date.now() - started,
  };
}
