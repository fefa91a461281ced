// One stream on a physical board, MLPerf's way (streaming-wakeword.md §7-8): the enhanced interface board plays the
// stream from its SD card over I2S into the DUT, which runs sww01 firmware its owner flashed (tinyrig's stream firmware
// reads its audio by semihosting on emulated boards; an I2S input for the physical ports is not written), and
// timestamps the DUT's wake-word pulses and processing pin; a power monitor on the timestamp pin measures the energy
// where the board has one. Scored exactly as the emulated stream is; what the interface board measures says so: its
// timer, and its duty cycle over the first 100 frames (MLPerf's quirk Q2), not the whole stream.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BoardDefinition } from "../boards/schema.ts";
import { loadConfig } from "../config.ts";
import { openPowerMonitor } from "../power/index.ts";
import type { EnergyMeter } from "../power/types.ts";
import { ProtocolError } from "../protocol/parse.ts";
import { findSerialPort } from "../resources/serial-port.ts";
import { consoleKindOf } from "../transport/console-kind.ts";
import { SerialTransport } from "../transport/serial.ts";
import { InterfaceBoard } from "./interface-board.ts";
import { HOP, SAMPLE_RATE } from "./lfbe.ts";
import { streamAudio, type StreamRunOptions, type StreamRunResult } from "./run.ts";
import { meetsTarget, scoreDetections } from "./scoring.ts";
import { encodeWav } from "./wav.ts";

/** The stream as the interface board plays it: two identical channels (it refuses mono), written once beside the builds. */
export function cardFile(stream: string, samples: Int16Array, wavSha256: string): { file: string; name: string } {
  const dir = path.join(loadConfig().build.value, "streams");
  const name = `${stream}-${wavSha256.slice(0, 8)}.wav`; // 8.3-friendly enough for the board's FAT card, and tied to the stream
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, encodeWav(samples, SAMPLE_RATE, 2));
  }
  return { file, name };
}

/** Why a board cannot stream MLPerf's way; undefined: it can. */
export function physicalStreamRefusal(board: BoardDefinition): string | undefined {
  if (board.kind !== "physical") return `${board.name} is emulated: its stream comes through semihosting, not an interface board`;
  if (!board.interfaceBoard)
    return `${board.file}: sww01 on a physical board needs MLPerf's enhanced interface board to play the audio over I2S (interfaceBoard: { kind: stm32h573i-dk, serial: ... })`;
  if (board.interfaceBoard.kind !== "stm32h573i-dk")
    return `${board.file}: interfaceBoard.kind ${board.interfaceBoard.kind} cannot play audio; sww01 needs the enhanced interface board (stm32h573i-dk)`;
  return undefined;
}

export async function runStreamOnInterfaceBoard(opts: StreamRunOptions): Promise<StreamRunResult> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const { board, workload: w } = opts;
  const m = w.manifest;
  const refusal = physicalStreamRefusal(board);
  if (refusal) throw new Error(refusal);
  const rules = opts.rules ?? { tpExtensionS: m.scoring.tpExtensionS, debounceS: m.scoring.debounceS };
  const { pcm, truth, wavSha256 } = await streamAudio(w, opts.stream, log);
  const lengthS = pcm.samples.length / SAMPLE_RATE;
  const card = cardFile(opts.stream, pcm.samples, wavSha256);

  const io = board.interfaceBoard!;
  const portPath = await findSerialPort(io.serial, { what: "interface board", setting: "interfaceBoard.serial", timeoutMs: 15_000 });
  const consoleKind = consoleKindOf(portPath);
  const ib = new InterfaceBoard(await SerialTransport.open(portPath, io.serial.baud.performance));
  let meter: EnergyMeter | undefined;
  try {
    await ib.name();
    const profile = await ib.dut("profile");
    const model = profile.map((l) => /^m-model-\[(.*)\]$/.exec(l)?.[1]).find((x) => x !== undefined);
    if (model !== m.mlperfModelId)
      throw new ProtocolError(
        `the DUT behind the interface board reports model ${model ?? "(none)"}; ${w.id} needs ${m.mlperfModelId}: flash its sww01 firmware`,
      );
    const listing = await ib.command("ls");
    if (!listing.some((l) => l.trim() === card.name))
      throw new Error(`the interface board's SD card has no ${card.name}: copy ${card.file} (stream ${opts.stream}, both channels) to the card's root`);
    if (board.powerMonitor) {
      meter = await openPowerMonitor(board);
      await meter.begin();
      log(`power monitor: ${meter.identity}`);
    }
    opts.onConnected?.({
      settings: {
        stream: opts.stream,
        wavSha256,
        rules,
        emulated: consoleKind.kind !== "serial",
        cardFile: card.name,
        interfaceBoard: consoleKind.description,
        firmware: "the DUT's own sww01 firmware (flashed by its owner; tinyrig did not build it)",
        // the model as the run names it (--model): the DUT's firmware is not read, so this is the user's word
        ...(opts.model?.userFile ? { userModel: { file: opts.model.userFile, sha256: opts.model.sha256, declared: "by the user, not read off the DUT" } } : {}),
      },
    });
    log(`playing ${card.name} (${lengthS.toFixed(0)} s) through the interface board`);
    const played = await ib.stream(card.name, lengthS, meter);
    const score = scoreDetections(played.detectionsS, truth.detection_windows, lengthS, rules);
    const hops = Math.floor(pcm.samples.length / HOP);
    return {
      workload: w.id,
      stream: opts.stream,
      wavSha256,
      lengthS,
      truth,
      hops,
      detections: played.detectionsS.map((timeS, i) => ({ hop: null, timeS, verdict: score.verdicts[i]! })),
      droppedDetections: 0,
      score,
      meetsTarget: meetsTarget(score, m.scoring.target),
      duty: {
        dutyCycle: played.duty.dutyCycle,
        meanProcessingUs: played.duty.meanOnS * 1e6,
        throughputPerS: played.duty.throughputPerS,
        periodUs: played.duty.meanPeriodS * 1e6,
        overruns: played.duty.meanOnS > played.duty.meanPeriodS,
      },
      // over the frames the board kept (the first 100), not the whole stream
      processing: { totalUs: played.duty.meanOnS * played.duty.edges * 1e6, minUs: played.duty.minOnS * 1e6, maxUs: played.duty.maxOnS * 1e6 },
      energy: played.energy && { ...played.energy, kind: "measured", source: played.energy.monitor },
      mode: "incremental",
      emulated: consoleKind.kind !== "serial",
      timeBase: `the interface board's timer (10 us ticks); duty cycle over the first ${played.duty.edges} frames as MLPerf's board stores them (quirk Q2)`,
      console: consoleKind.description,
      wallMs: Date.now() - started,
    };
  } finally {
    await ib.transport.close();
    await meter?.end().catch(() => undefined);
  }
}
