// Streams as files: 16 kHz 16-bit PCM WAV with the canonical 44-byte header (what MLPerf's interface board parses),
// and beside each its truth file in MLPerf's test-file format: a JSON list of
// { wav_file, detection_windows: [[start_s, end_s], ...], length_sec, sample_rate }. Validated once, where read.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

export const STREAM_SAMPLE_RATE = 16000;

export class StreamFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StreamFileError";
  }
}

export interface PcmStream {
  sampleRate: number;
  channels: number;
  /** The first (left) channel, as the DUT uses it. */
  samples: Int16Array;
}

/** A canonical 44-byte-header 16-bit PCM WAV of `samples` (mono, or the same signal on `channels` channels). */
export function encodeWav(samples: Int16Array, sampleRate = STREAM_SAMPLE_RATE, channels = 1): Buffer {
  const data = samples.length * 2 * channels;
  const buf = Buffer.alloc(44 + data);
  buf.write("RIFF", 0, "latin1");
  buf.writeUInt32LE(36 + data, 4);
  buf.write("WAVEfmt ", 8, "latin1");
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2 * channels, 28);
  buf.writeUInt16LE(2 * channels, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36, "latin1");
  buf.writeUInt32LE(data, 40);
  for (let i = 0; i < samples.length; i++) for (let c = 0; c < channels; c++) buf.writeInt16LE(samples[i]!, 44 + 2 * (i * channels + c));
  return buf;
}

/** Parses a canonical 16-bit PCM WAV (the layout the interface board and tinyrig's firmware accept), naming the file
 * and the byte that is wrong. */
export function decodeWav(buf: Uint8Array, file = "stream"): PcmStream {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new StreamFileError(`${file}: not a canonical 16-bit PCM WAV: ${what}`);
  };
  expect(b.length >= 44, `${b.length} bytes, shorter than the 44-byte header`);
  expect(b.toString("latin1", 0, 4) === "RIFF", "bytes 0-3 are not RIFF");
  expect(b.toString("latin1", 8, 16) === "WAVEfmt ", "bytes 8-15 are not WAVEfmt (the fmt chunk must come first)");
  expect(b.readUInt32LE(16) === 16, `fmt chunk of ${b.readUInt32LE(16)} bytes at byte 16 (16 expected)`);
  expect(b.readUInt16LE(20) === 1, `format ${b.readUInt16LE(20)} at byte 20 (1 = PCM expected)`);
  const channels = b.readUInt16LE(22);
  expect(channels === 1 || channels === 2, `${channels} channels at byte 22 (1 or 2 expected)`);
  const sampleRate = b.readUInt32LE(24);
  expect(b.readUInt16LE(34) === 16, `${b.readUInt16LE(34)} bits per sample at byte 34 (16 expected)`);
  expect(b.toString("latin1", 36, 40) === "data", "bytes 36-39 are not data (the data chunk must follow fmt)");
  const bytes = Math.min(b.readUInt32LE(40), b.length - 44);
  const frames = Math.floor(bytes / (2 * channels));
  const samples = new Int16Array(frames);
  for (let i = 0; i < frames; i++) samples[i] = b.readInt16LE(44 + 2 * i * channels);
  return { sampleRate, channels, samples };
}

const window = z.tuple([z.number().nonnegative(), z.number().nonnegative()]).refine(([s, e]) => e >= s, "a window ends before it starts");
const truthEntry = z
  .object({
    wav_file: z.string().min(1),
    detection_windows: z.array(window),
    length_sec: z.number().positive(),
    sample_rate: z.number().int().positive(),
  })
  .strict();
export const truthSchema = z.array(truthEntry).min(1);
export type StreamTruth = z.output<typeof truthEntry>;

export function readTruth(file: string): StreamTruth[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new StreamFileError(`${file}: cannot read: ${(err as Error).message}`);
  }
  const r = truthSchema.safeParse(raw);
  if (!r.success) throw new StreamFileError(`${file}: ${r.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`);
  return r.data;
}

export function writeTruth(file: string, entry: StreamTruth): void {
  writeFileSync(file, JSON.stringify([entry], null, 1) + "\n");
}

/** A stream and its truth windows, read and checked against each other. */
export function readStream(wavFile: string, truthFile: string): { pcm: PcmStream; truth: StreamTruth } {
  const pcm = decodeWav(readFileSync(wavFile), wavFile);
  const entry = readTruth(truthFile).find((t) => t.wav_file === path.basename(wavFile));
  if (!entry) throw new StreamFileError(`${truthFile}: no entry for ${path.basename(wavFile)}`);
  if (entry.sample_rate !== pcm.sampleRate) throw new StreamFileError(`${truthFile}: sample_rate ${entry.sample_rate}, ${wavFile} has ${pcm.sampleRate}`);
  return { pcm, truth: entry };
}
