// The PPK2's sample stream, decoded: 4-byte little-endian words (ADC bits 0-13, range 14-16, a 6-bit counter 18-23,
// the eight logic inputs D0-D7 24-31), converted to amperes with the device's calibration (Nordic's formula and spike
// filter), checked for lost samples by the counter, decimated, and the timestamp pin's falling edges placed at their
// sample. The driver (ppk2.ts) feeds it the port's bytes; the tests call these same functions.
import type { Ppk2Calibration } from "./ppk2-protocol.ts";
import type { SampledEnergy } from "./sampled-energy.ts";
import { EnergyError } from "./types.ts";

/** One 4-byte sample word. */
export function decodePpk2Word(word: number): { adc: number; range: number; counter: number; logic: number } {
  return { adc: word & 0x3fff, range: (word >>> 14) & 0x7, counter: (word >>> 18) & 0x3f, logic: (word >>> 24) & 0xff };
}

const ADC_MULT = 1.8 / 163840;

/** Nordic's conversion of a 14-bit ADC value in a range to amperes (before the spike filter). */
export function ppk2Amperes(adc: number, range: number, cal: Ppk2Calibration, vddMv: number): number {
  const x = (adc * 4 - cal.o[range]!) * (ADC_MULT / cal.r[range]!);
  return cal.ug[range]! * (x * (cal.gs[range]! * x + cal.gi[range]!) + (cal.s[range]! * (vddMv / 1000) + cal.i[range]!));
}

/**
 * Nordic's spike filter: for a few samples after an automatic range switch the output is an exponential average
 * (a slower one in the highest range), which hides the switching transient. The averages run on every sample.
 */
export class Ppk2SpikeFilter {
  private static readonly ALPHA = 0.18;
  private static readonly ALPHA_RANGE4 = 0.06;
  private static readonly SAMPLES = 3;
  private avg: number | undefined;
  private avg4: number | undefined;
  private prevRange: number | undefined;
  private afterSwitch = 0;
  private sinceSwitch = 0;

  apply(amps: number, range: number): number {
    const prevAvg = this.avg;
    const prevAvg4 = this.avg4;
    this.avg = prevAvg === undefined ? amps : Ppk2SpikeFilter.ALPHA * amps + (1 - Ppk2SpikeFilter.ALPHA) * prevAvg;
    this.avg4 = prevAvg4 === undefined ? amps : Ppk2SpikeFilter.ALPHA_RANGE4 * amps + (1 - Ppk2SpikeFilter.ALPHA_RANGE4) * prevAvg4;
    this.prevRange ??= range;
    let out = amps;
    if (this.prevRange !== range || this.afterSwitch > 0) {
      if (this.prevRange !== range) {
        this.sinceSwitch = 0;
        this.afterSwitch = Ppk2SpikeFilter.SAMPLES;
      } else {
        this.sinceSwitch++;
      }
      if (range === 4) {
        if (this.sinceSwitch < 2) {
          this.avg = prevAvg;
          this.avg4 = prevAvg4;
        }
        out = this.avg4!;
      } else {
        out = this.avg!;
      }
      this.afterSwitch--;
    }
    this.prevRange = range;
    return out;
  }
}

export interface Ppk2StreamOptions {
  /** Logic input bit (0..7 for D0..D7) of the DUT's timestamp pin. */
  timestampBit: number;
  /** Average N consecutive 10 us samples into one. */
  decimation: number;
  calibration: Ppk2Calibration;
  vddMv: number;
  spikeFilter: boolean;
}

/** One AverageStart's stream: bytes in (reads are not aligned to words), amperes and edges out into `out`. */
export class Ppk2StreamDecoder {
  private remainder: Buffer = Buffer.alloc(0);
  private expectedCounter: number | undefined;
  private samples = 0; // 10 us samples decoded
  private level: number | undefined; // last level of the timestamp bit
  private blockSum = 0;
  private blockCount = 0;
  private pendingEdges: number[] = []; // decimated positions of edges whose samples have not all arrived
  private readonly spike: Ppk2SpikeFilter | undefined;

  constructor(
    private readonly opts: Ppk2StreamOptions,
    private readonly out: SampledEnergy,
  ) {
    this.spike = opts.spikeFilter ? new Ppk2SpikeFilter() : undefined;
  }

  /** 10 us samples decoded so far. */
  get sampleCount(): number {
    return this.samples;
  }

  /** Bytes of a word not yet complete. */
  get partialBytes(): number {
    return this.remainder.length;
  }

  /** Feeds the port's bytes. Throws EnergyError once the stream cannot be trusted (lost samples, a corrupt word). */
  push(chunk: Buffer): void {
    const buf = this.remainder.length ? Buffer.concat([this.remainder, chunk]) : chunk;
    const whole = buf.length - (buf.length % 4);
    for (let off = 0; off < whole; off += 4) this.word(buf.readUInt32LE(off));
    this.remainder = Buffer.from(buf.subarray(whole));
  }

  /** Forgets edges not yet placed (with SampledEnergy.discardEdges). */
  discardEdges(): void {
    this.pendingEdges.length = 0;
  }

  private word(raw: number): void {
    const { adc, range, counter, logic } = decodePpk2Word(raw);
    if (this.expectedCounter !== undefined && counter !== this.expectedCounter) {
      const lost = (counter - this.expectedCounter) & 0x3f;
      throw new EnergyError(
        `the PPK2 lost ${lost} samples (${(lost * 10) / 1000} ms) after sample ${this.samples}: its 6-bit counter went from ` +
          `${(this.expectedCounter - 1) & 0x3f} to ${counter} (a loss of 64 or more samples, or a misaligned stream, reads the same); ` +
          "energy is not integrated over a gap",
      );
    }
    this.expectedCounter = (counter + 1) & 0x3f;
    if (range > 4) {
      throw new EnergyError(
        `PPK2 sample word 0x${(raw >>> 0).toString(16).padStart(8, "0")} after sample ${this.samples} has range ${range} (0..4 exist): a corrupt or misaligned stream`,
      );
    }
    let amps = ppk2Amperes(adc, range, this.opts.calibration, this.opts.vddMv);
    if (this.spike) amps = this.spike.apply(amps, range);
    const level = (logic >>> this.opts.timestampBit) & 1;
    if (this.level === 1 && level === 0) {
      // MLPerf's timestamp pin idles high and pulses low: a falling edge opens the sample it is seen in.
      const n = this.opts.decimation;
      const block = Math.floor(this.samples / n);
      this.pendingEdges.push(this.samples % n < n / 2 ? block : block + 1);
    }
    this.level = level;
    this.samples++;
    this.blockSum += amps;
    if (++this.blockCount === this.opts.decimation) {
      this.out.add(this.blockSum / this.opts.decimation);
      this.blockSum = 0;
      this.blockCount = 0;
    }
    while (this.pendingEdges.length && this.pendingEdges[0]! <= this.out.sampleCount) this.out.edgeAt(this.pendingEdges.shift()!);
  }
}
