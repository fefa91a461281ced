// Nordic Power Profiler Kit II over its USB CDC port: the driver. Its byte protocol is in ppk2-protocol.ts, the
// sample stream's decoding in ppk2-decoder.ts; this module finds the port, sets the PPK2 up, feeds the stream to the
// decoder and watches it for stalls. The DUT's timestamp pin is sampled in the same 10 us slot as its current.
import { setTimeout as sleep } from "node:timers/promises";
import { SerialPort } from "serialport";
import { z } from "zod";
import type { BoardDefinition } from "../boards/schema.ts";
import { findSerialPort, serialPortSchema, type PortInfo, type SerialPortResource } from "../resources/serial-port.ts";
import { writeToPort } from "../transport/serial.ts";
import { Ppk2StreamDecoder } from "./ppk2-decoder.ts";
import {
  parsePpk2Metadata,
  POWER_MODE,
  PPK2_BAUD,
  PPK2_DEFAULT_CALIBRATION,
  PPK2_OPCODE,
  PPK2_SAMPLE_RATE_HZ,
  type Ppk2Calibration,
  type Ppk2Metadata,
} from "./ppk2-protocol.ts";
import { SampledEnergy, waitForEdges } from "./sampled-energy.ts";
import { EnergyError, type EdgeSpans, type EnergyMeter, type PowerMonitorDriver } from "./types.ts";

const logicPin = z.enum(["D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7"]);
export const ppk2Schema = z
  .object({
    driver: z.literal("ppk2"),
    // By path, or by USB id. The PPK2 shows two CDC ports (data and a debug shell): the driver asks each for its
    // metadata and keeps the one that answers, so a serial number is only needed to tell several PPK2s apart.
    serial: serialPortSchema("the PPK2 (USB 1915:c00a)"),
    /** source: the PPK2 supplies the DUT at voltageV; ampere: the DUT's own supply (at voltageV) runs through the PPK2. */
    mode: z.enum(["source", "ampere"]).default("source"),
    /** Regulator voltage (source mode: the DUT's supply). Energy is voltageV x measured current. */
    voltageV: z.number().min(0.8).max(5.0),
    /** Logic input wired to the DUT's timestamp pin; its falling edges bound the windows (sampled every 10 us). */
    timestampPin: logicPin,
    /** Average N consecutive 10 us samples into one (less memory for long windows); edges round to the nearest N x 10 us. */
    decimation: z.number().int().min(1).max(1000).default(1),
    /** Nordic's filter of the few samples after an automatic range switch (on in their app). */
    spikeFilter: z.boolean().default(true),
  })
  .strict();
export type Ppk2Config = z.output<typeof ppk2Schema>;

// ---- the monitor --------------------------------------------------------------------------------------------------

export interface Ppk2Options {
  mode: "source" | "ampere";
  voltageV: number;
  /** Logic input bit (0..7 for D0..D7) of the DUT's timestamp pin. */
  timestampBit: number;
  decimation?: number;
  spikeFilter?: boolean;
  metadataTimeoutMs?: number;
  /** No byte for this long while streaming is a failure (the device stopped answering). */
  stallMs?: number;
}

export class Ppk2Monitor implements EnergyMeter {
  readonly kind = "measured" as const;
  identity: string;
  readonly voltageV: number;
  readonly sampleRateHz: number;
  metadata: Ppk2Metadata | undefined;
  private readonly data: SampledEnergy;
  private readonly decimation: number;
  private readonly vddMv: number;
  private cal: Ppk2Calibration = PPK2_DEFAULT_CALIBRATION as Ppk2Calibration;
  private textSink: ((chunk: Buffer) => void) | undefined;
  private streaming = false;
  private dutPowered = false;
  private closing = false;
  private failure: Error | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastByteAt = Date.now();
  private stream: Ppk2StreamDecoder | undefined; // since AverageStart

  private constructor(
    private readonly port: SerialPort,
    readonly path: string,
    private readonly opts: Ppk2Options,
  ) {
    this.voltageV = opts.voltageV;
    this.vddMv = Math.round(opts.voltageV * 1000);
    this.decimation = opts.decimation ?? 1;
    this.sampleRateHz = PPK2_SAMPLE_RATE_HZ / this.decimation;
    this.data = new SampledEnergy(this.sampleRateHz, "A", opts.voltageV);
    this.identity = `Nordic PPK2 at ${path}`;
    port.on("data", (chunk: Buffer) => this.onData(chunk));
    port.on("close", () => {
      if (!this.closing) this.fail(new EnergyError(`the PPK2's port ${path} closed after ${this.samplesDecoded()} samples${this.partialWord()}`));
    });
    port.on("error", (err: Error) => this.fail(new EnergyError(`the PPK2's port ${path}: ${err.message}`)));
  }

  /** Opens the port and reads the calibration; on any failure the port is closed again. */
  static async open(path: string, opts: Ppk2Options): Promise<Ppk2Monitor> {
    if (!(opts.timestampBit >= 0 && opts.timestampBit <= 7)) throw new EnergyError(`PPK2 logic input D${opts.timestampBit} does not exist (D0..D7)`);
    if (!(opts.voltageV >= 0.8 && opts.voltageV <= 5)) throw new EnergyError(`PPK2 regulator voltage ${opts.voltageV} V is outside 0.8..5.0 V`);
    const port = await openPort(path);
    const m = new Ppk2Monitor(port, path, opts);
    try {
      // A previous session may have left it streaming: stop it and let the last words drain before asking.
      await m.send([PPK2_OPCODE.AverageStop]);
      await m.quiet(100, 3000);
      const meta = parsePpk2Metadata(await m.readMetadata(opts.metadataTimeoutMs ?? 3000));
      m.metadata = meta;
      m.cal = meta.calibration;
      m.identity =
        `Nordic PPK2 hw ${meta.hw ?? "?"} (${meta.calibrated ? "calibrated" : "calibration flag 0"}${meta.defaulted.length ? `; defaults for ${meta.defaulted.join(",")}` : ""}) ` +
        `${opts.mode} meter ${opts.voltageV} V, timestamp D${opts.timestampBit}, ${PPK2_SAMPLE_RATE_HZ / 1000} kS/s${m.decimation > 1 ? ` / ${m.decimation}` : ""}, ${path}`;
      return m;
    } catch (err) {
      await m.close();
      throw err;
    }
  }

  /** Mode, regulator, DUT power, then the sample stream. The PPK2 acknowledges none of these. */
  async begin(): Promise<void> {
    if (this.failure) throw this.failure;
    const mv = [PPK2_OPCODE.RegulatorSet, this.vddMv >> 8, this.vddMv & 0xff];
    if (this.opts.mode === "source") {
      // Nordic's order: output off before switching to source mode, then the voltage, then the output on.
      await this.send([PPK2_OPCODE.DeviceRunningSet, 0]);
      await this.send([PPK2_OPCODE.SetPowerMode, POWER_MODE.source]);
      await this.send(mv);
    } else {
      await this.send([PPK2_OPCODE.SetPowerMode, POWER_MODE.ampere]);
      await this.send(mv); // the voltage enters the conversion (S x VDD) in ampere mode too
    }
    await this.send([PPK2_OPCODE.DeviceRunningSet, 1]);
    this.dutPowered = true;
    this.resetStream();
    this.streaming = true;
    this.lastByteAt = Date.now();
    const stallMs = this.opts.stallMs ?? 2000;
    const stalled = () => this.streaming && !this.failure && Date.now() - this.lastByteAt > stallMs;
    this.watchdog = setInterval(() => {
      // Confirmed after the event loop's next poll phase, so bytes that queued while this process was busy count.
      if (stalled()) {
        setImmediate(() => {
          if (stalled())
            this.fail(new EnergyError(`the PPK2 stopped streaming: no data for ${stallMs} ms after ${this.samplesDecoded()} samples${this.partialWord()}`));
        });
      }
    }, 50);
    this.watchdog.unref();
    await this.send([PPK2_OPCODE.AverageStart]);
  }

  discardEdges(): void {
    this.data.discardEdges();
    this.stream?.discardEdges();
  }

  async nextSpans(edges: number, timeoutMs: number, opts: { trace?: boolean } = {}): Promise<EdgeSpans> {
    await waitForEdges(edges, timeoutMs, {
      pending: () => this.data.pendingEdges,
      failure: () => this.failure,
      completed: () => false,
      monitor: "PPK2",
      hint: `is logic input D${this.opts.timestampBit} wired to the DUT's timestamp pin, and its pulses at least 10 us long?`,
    });
    return this.data.take(edges, opts.trace);
  }

  /** Stops the stream, switches off the DUT's supply where the PPK2 provides it, and closes the port, whatever happened. */
  async end(): Promise<void> {
    try {
      if (this.port.isOpen) {
        if (this.streaming) await withTimeout(this.send([PPK2_OPCODE.AverageStop]), 500).catch(() => undefined);
        if (this.dutPowered && this.opts.mode === "source") await withTimeout(this.send([PPK2_OPCODE.DeviceRunningSet, 0]), 500).catch(() => undefined);
      }
    } finally {
      this.streaming = false;
      await this.close();
    }
  }

  // ---- internals ----

  private async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.watchdog);
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.streaming = false;
  }

  private samplesDecoded(): number {
    return this.stream?.sampleCount ?? 0;
  }

  private partialWord(): string {
    const n = this.stream?.partialBytes ?? 0;
    return n ? ` (the stream broke off inside a sample word: ${n} of 4 bytes)` : "";
  }

  private send(bytes: number[]): Promise<void> {
    return writeToPort(this.port, Buffer.from(bytes)).catch((err: Error) => {
      throw new EnergyError(`cannot write to the PPK2 at ${this.path}: ${err.message}`);
    });
  }

  /** Sends GetMetadata and collects its text up to the END line. */
  private readMetadata(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      let text = "";
      const timer = setTimeout(() => {
        this.textSink = undefined;
        reject(
          new EnergyError(
            `the PPK2 at ${this.path} did not answer GetMetadata (0x19) within ${timeoutMs} ms` +
              (text ? `; it sent ${text.length} bytes ending ${JSON.stringify(text.slice(-60))}` : "") +
              " (is this the PPK2's data port rather than its shell port?)",
          ),
        );
      }, timeoutMs);
      this.textSink = (chunk) => {
        text += chunk.toString("latin1");
        if (/(?:^|\n)END(?:\r?\n|$)/.test(text)) {
          clearTimeout(timer);
          this.textSink = undefined;
          resolve(text);
        }
      };
      this.send([PPK2_OPCODE.GetMetadata]).catch((err: Error) => {
        clearTimeout(timer);
        this.textSink = undefined;
        reject(err);
      });
    });
  }

  /** Waits until no byte has come for `quietMs` (a stopped stream has drained), at most `maxMs`. */
  private async quiet(quietMs: number, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    this.lastByteAt = Date.now();
    while (Date.now() - this.lastByteAt < quietMs && Date.now() < deadline) await sleep(20);
  }

  private resetStream(): void {
    this.data.reset();
    this.stream = new Ppk2StreamDecoder(
      {
        timestampBit: this.opts.timestampBit,
        decimation: this.decimation,
        calibration: this.cal,
        vddMv: this.vddMv,
        spikeFilter: this.opts.spikeFilter !== false,
      },
      this.data,
    );
  }

  private onData(chunk: Buffer): void {
    this.lastByteAt = Date.now();
    if (this.textSink) return this.textSink(chunk);
    if (!this.streaming || this.failure || !this.stream) return; // before AverageStart (a draining stream) or after a failure
    try {
      this.stream.push(chunk);
    } catch (err) {
      this.fail(err as Error);
    }
  }
}

function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: PPK2_BAUD, autoOpen: false });
  return new Promise((resolve, reject) =>
    port.open((err) => (err ? reject(new EnergyError(`cannot open the PPK2's serial port ${path}: ${err.message}`)) : resolve(port))),
  ).then(() => new Promise<SerialPort>((resolve) => port.flush(() => resolve(port))));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

// ---- finding the port ---------------------------------------------------------------------------------------------

/** Interface number from a Linux by-id name (`...-if01`) or a location (`...:1.2`), for a stable probing order. */
function interfaceOrder(p: PortInfo & { pnpId?: string; locationId?: string }): string {
  const m = /-if(\d+)/.exec(p.pnpId ?? "") ?? /\.(\d+)$/.exec(p.locationId ?? "");
  return `${m ? m[1]!.padStart(3, "0") : "999"} ${p.path}`;
}

/** Whether a port answers GetMetadata: the PPK2's data port does, its debug shell does not. */
async function answersMetadata(path: string): Promise<boolean> {
  try {
    const m = await Ppk2Monitor.open(path, { mode: "ampere", voltageV: 3.3, timestampBit: 0, metadataTimeoutMs: 1500 });
    await m.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * The PPK2's data port by USB id. A PPK2 (firmware of nRF Connect Power Profiler 4.2 on) shows two CDC ports, data and
 * a debug shell, and peer hosts disagree on which is which; so each candidate is asked for its metadata.
 */
export async function findPpk2Port(
  resource: SerialPortResource,
  timeoutMs = 10_000,
  list: () => Promise<PortInfo[]> = () => SerialPort.list(),
  probe: (path: string) => Promise<boolean> = answersMetadata,
): Promise<string> {
  return findSerialPort(resource, {
    what: "PPK2",
    setting: "powerMonitor.serial.usb.serialNumber",
    timeoutMs,
    list,
    choose: async (ports) => {
      const ordered = [...ports].sort((a, b) => interfaceOrder(a).localeCompare(interfaceOrder(b)));
      for (const p of ordered) if (await probe(p.path)) return p.path;
      throw new Error(`none of the PPK2's ports ${ordered.map((p) => p.path).join(", ")} answered GetMetadata; set powerMonitor.serial.path to its data port`);
    },
  });
}

export const ppk2Driver: PowerMonitorDriver<Ppk2Config> = {
  driver: "ppk2",
  schema: ppk2Schema,
  async open(cfg: Ppk2Config, _board: BoardDefinition) {
    const path = await findPpk2Port(cfg.serial, 10_000);
    return Ppk2Monitor.open(path, {
      mode: cfg.mode,
      voltageV: cfg.voltageV,
      timestampBit: Number(cfg.timestampPin.slice(1)),
      decimation: cfg.decimation,
      spikeFilter: cfg.spikeFilter,
    });
  },
};
