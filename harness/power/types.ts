// What the energy mode needs from a power monitor, whatever it is: the energy between the device's timestamp-pin
// edges. A physical monitor measures it; an emulated board's monitor models it. Each monitor's driver module
// implements these; the registry (index.ts) only maps board files to drivers.
import type { z } from "zod";
import type { BoardDefinition } from "../boards/schema.ts";

/** The energy and time between two consecutive timestamp edges. */
export interface Span {
  energyUj: number;
  durationUs: number;
}

/** The raw samples behind a set of spans, for the optional compressed trace a run keeps. */
export interface EnergyTrace {
  /** What one sample is: joules per sample period (LPM01A energy output), or amperes. */
  unit: "J" | "A";
  sampleRateHz: number;
  voltageV: number;
  samples: Float32Array;
  /** Sample index of each edge, relative to samples[0]. */
  edges: number[];
}

export interface EdgeSpans {
  /** edges - 1 spans: from each consumed edge to the next. */
  spans: Span[];
  trace?: EnergyTrace;
}

export interface SpanOptions {
  /** Keep the raw samples behind the spans (EdgeSpans.trace), where the monitor has samples. */
  trace?: boolean;
  /**
   * The 2 edges bound the transfer of one input over the console line. A meter that cannot observe it faithfully
   * (the emulator's: virtual time spent waiting for bytes depends on the host) models it from the bytes on the wire
   * at the line's baud rate; a physical monitor measures it like any span.
   */
  transfer?: { wireBytes: number; baud: number };
}

export interface EnergyMeter {
  /** e.g. "STMicro X-NUCLEO-LPM01A id ... fw 1.0.6" or "modelled: mps2-an386 power model". */
  readonly identity: string;
  readonly kind: "measured" | "modelled";
  readonly voltageV: number;
  readonly sampleRateHz?: number;
  /** Starts observing; edges before this belong to no window. */
  begin(): Promise<void>;
  /**
   * Consumes the next `edges` timestamp edges (at least 2) not yet consumed and returns the spans between them. An MLPerf
   * window is 2 edges (its start and end pulses); a window whose firmware marks phases has more.
   */
  nextSpans(edges: number, timeoutMs: number, opts?: SpanOptions): Promise<EdgeSpans>;
  /** Forgets the edges seen so far: the device's boot pulse, anything before its first window. */
  discardEdges(): void;
  end(): Promise<void>;
}

export class EnergyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnergyError";
  }
}

/** One module per monitor, behind this: the board-file section it reads, and how to open the monitor. */
export interface PowerMonitorDriver<C> {
  /** The board file's `powerMonitor.driver`, e.g. "lpm01a". */
  driver: string;
  schema: z.ZodType<C>;
  /** Executables the driver runs, for `tinyrig doctor` (most drivers talk to a port and need none). */
  binaries?(config: C): string[];
  open(config: C, board: BoardDefinition): Promise<EnergyMeter>;
}
