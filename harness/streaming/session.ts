// A stream on an emulated board: the stream engine's commands (firmware/core/stream.h) over the DUT protocol session,
// the audio read by the firmware from the host file through QEMU's semihosting (no I2S in QEMU: the emulator stands in
// for the DMA), detections and processing times recorded by the firmware in stream time (hop index x 32 ms) and in
// the device timer's virtual time, so a run repeats exactly whatever the host's speed. Step for step MLPerf's stream
// step (stop, start, record_detections, play, stop, print_detections, print_dutycycle), with `play` sent in chunks
// of hops so the host can show progress and stop between them.
import { existsSync, readFileSync } from "node:fs";
import { ProtocolError } from "../protocol/parse.ts";
import type { DutSession } from "../protocol/session.ts";
import { BANDS, HOP, SAMPLE_RATE } from "./lfbe.ts";
import type { ProcessingTimes } from "./scoring.ts";

/** One record per hop in the firmware's log: 40 int8 features, 4 output bytes, uint32 processing ticks (LE). */
export const LOG_RECORD_BYTES = 48;
export const HOP_US = (HOP / SAMPLE_RATE) * 1e6;

export interface DeviceStream {
  hops: number;
  /** Hops that pulsed the wake-word line, in order; `dropped` beyond the 10,000 the recorder keeps. */
  detectionHops: number[];
  dropped: number;
  processing: ProcessingTimes;
  ticksPerUs: number;
  /** From the log: every hop's features, raw output bytes and processing ticks. */
  log?: { features: Int8Array; outputs: Uint8Array; outputBytes: 4; ticks: Uint32Array };
}

export interface StreamOptions {
  mode?: "incremental" | "full";
  /** Host file the firmware writes its per-hop log to (semihosting). */
  logPath?: string;
  /** Hops per `play` command. */
  chunkHops?: number;
  /** Stop after this many hops (a test's quick look); default: the whole stream. */
  maxHops?: number;
  onProgress?: (hops: number) => void;
  signal?: AbortSignal;
}

function pathArg(p: string, what: string): string {
  if (/[\s%]/.test(p)) throw new Error(`${what} ${JSON.stringify(p)}: the device's command line cannot carry spaces or %`);
  return p;
}

function kv(line: string | undefined, prefix: string): Record<string, number> {
  if (!line?.startsWith(`${prefix}[`)) throw new ProtocolError(`expected ${prefix}[...], got ${JSON.stringify(line)}`);
  const out: Record<string, number> = {};
  for (const part of line.slice(prefix.length + 1, line.lastIndexOf("]")).split(",")) {
    const [k, v] = part.split("=");
    const n = Number(v);
    if (!k || v === undefined || !Number.isInteger(n) || n < 0) throw new ProtocolError(`${prefix}: ${JSON.stringify(part)} is not key=count`);
    out[k] = n;
  }
  return out;
}

/** Streams a WAV through the device and collects what it recorded. */
export async function streamOnDevice(session: DutSession, wavPath: string, opts: StreamOptions = {}): Promise<DeviceStream> {
  const chunk = opts.chunkHops ?? 1024;
  await session.command("stop");
  await session.command(["start", opts.mode ?? "incremental", ...(opts.logPath ? [pathArg(opts.logPath, "log file")] : [])].join(" "));
  await session.command("record_detections");
  const wav = pathArg(wavPath, "stream file");
  let next = 0;
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("interrupted");
    // a chunk is 32 s of audio; the emulator needs well under that, but the host may be loaded
    const count = Math.min(chunk, (opts.maxHops ?? Infinity) - next);
    const r = kv(
      (await session.command(`play ${wav} ${next} ${count}`, 120_000)).find((l) => l.startsWith("m-play-")),
      "m-play-",
    );
    if (r.next !== next + r.hops!) throw new ProtocolError(`play from hop ${next} answered next=${r.next} after ${r.hops} hops`);
    next = r.next!;
    opts.onProgress?.(next);
    if (r.end === 1 || r.hops === 0 || next >= (opts.maxHops ?? Infinity)) break;
  }
  await session.command("stop");
  const det = await session.command("print_detections");
  const head = kv(
    det.find((l) => l.startsWith("m-detections-")),
    "m-detections-",
  );
  const detectionHops = det.filter((l) => l.startsWith("m-det-[")).flatMap((l) => l.slice(7, l.lastIndexOf("]")).split(",").map(Number));
  if (detectionHops.length !== head.count || detectionHops.some((h) => !Number.isInteger(h) || h < 0 || h >= next)) {
    throw new ProtocolError(`print_detections listed ${detectionHops.length} hops for count=${head.count} (or one outside the stream)`);
  }
  const d = kv(
    (await session.command("print_dutycycle")).find((l) => l.startsWith("m-dutycycle-")),
    "m-dutycycle-",
  );
  if (d.hops !== next) throw new ProtocolError(`the device timed ${d.hops} hops of the ${next} it streamed`);
  const tpu = d["ticks-per-us"]!;
  const result: DeviceStream = {
    hops: next,
    detectionHops,
    dropped: head.dropped!,
    ticksPerUs: tpu,
    processing: { hops: next, totalUs: d.total! / tpu, minUs: d.min! / tpu, maxUs: d.max! / tpu, periodUs: HOP_US },
  };
  if (opts.logPath) result.log = readDeviceLog(opts.logPath, next);
  return result;
}

export function readDeviceLog(file: string, hops: number): NonNullable<DeviceStream["log"]> {
  if (!existsSync(file)) throw new Error(`${file}: the device wrote no log (is QEMU's semihosting on?)`);
  const b = readFileSync(file);
  if (b.length !== hops * LOG_RECORD_BYTES) throw new Error(`${file}: ${b.length} bytes, ${hops} hops of ${LOG_RECORD_BYTES} expected`);
  const features = new Int8Array(hops * BANDS),
    outputs = new Uint8Array(hops * 4),
    ticks = new Uint32Array(hops);
  for (let h = 0; h < hops; h++) {
    const r = h * LOG_RECORD_BYTES;
    features.set(new Int8Array(b.buffer, b.byteOffset + r, BANDS), h * BANDS);
    outputs.set(b.subarray(r + 40, r + 44), h * 4);
    ticks[h] = b.readUInt32LE(r + 44);
  }
  return { features, outputs, outputBytes: 4, ticks };
}
