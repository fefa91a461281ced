// STMicro X-NUCLEO-LPM01A (PowerShield) over its virtual COM port: the ASCII command set MLPerf Tiny's runner uses
// (htc, volt, freq, acqtime, trigsrc, eventsrc d7 fal, output energy, format ascii_dec, pwr, start, stop, hrc),
// each acknowledged `ack <cmd>` or refused `error <cmd>` + `Error detail:`. While acquiring it streams one
// sample per line (`MMMM-EE`: 4-digit mantissa, signed 2-digit exponent; with `output energy` the joules of that
// sample period), `TimeStamp:` lines once a second and `event NN ris` where the DUT's timestamp pin fell.
// Protocol facts: ../shared/reference/power-monitors.md (from mlcommons/tiny's runner and ST's documentation).
import { z } from "zod";
import { SerialTransport } from "../transport/serial.ts";
import { TransportClosed, TransportTimeout, type Transport } from "../transport/types.ts";
import { EnergyError, type EnergyMeter, type WindowEnergy } from "./types.ts";

export const LPM01A_BAUD = 3_686_400;
export const lpm01aSchema = z.object({
  driver: z.literal("lpm01a"),
  serial: z.object({ path: z.string().optional(), usb: z.object({ vid: z.string(), pid: z.string(), serialNumber: z.string().optional() }).optional() }).strict(),
  voltageV: z.number().min(1.8).max(3.3).default(1.8),
  sampleRateHz: z.union([z.literal(1000), z.literal(2000), z.literal(5000), z.literal(10000)]).default(1000),
}).strict();
export type Lpm01aConfig = z.output<typeof lpm01aSchema>;

const SAMPLE = /^\x00?(\d{4})([+-])(\d{2})$/;
const EVENT = /^event (\d+) ris$/;
const PROMPT = "PowerShield > ";

/** `6409-07` -> 6409e-7 */
export function parseLpmValue(text: string): number | undefined {
  const m = SAMPLE.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 10 ** ((m[2] === "-" ? -1 : 1) * Number(m[3]));
}

export class Lpm01aMonitor implements EnergyMeter {
  readonly kind = "measured" as const;
  identity = "STMicro X-NUCLEO-LPM01A";
  private samples: number[] = []; // joules per sample period
  private events: number[] = []; // sample index at each timestamp event
  private consumed = 0;
  private pending: { cmd: string; resolve(line: string): void; reject(e: Error): void } | undefined;
  private failure: Error | undefined;
  private completed = false;
  private started = false;
  private pump: Promise<void> | undefined;

  private constructor(
    private readonly transport: Transport,
    readonly voltageV: number,
    readonly sampleRateHz: number,
    private readonly commandTimeoutMs: number,
  ) {}

  static async open(path: string, cfg: { voltageV: number; sampleRateHz: number; commandTimeoutMs?: number }): Promise<Lpm01aMonitor> {
    const t = await SerialTransport.open(path, LPM01A_BAUD); // stale lines from a previous session are flushed here
    const m = new Lpm01aMonitor(t, cfg.voltageV, cfg.sampleRateHz, cfg.commandTimeoutMs ?? 3000);
    m.pump = m.readLoop();
    return m;
  }

  private async readLoop(): Promise<void> {
    for (;;) {
      let line: string;
      try {
        line = (await this.transport.nextLine(3_600_000)).trim();
      } catch (err) {
        if (err instanceof TransportTimeout) continue;
        this.fail(err instanceof TransportClosed ? new EnergyError(`the LPM01A stopped talking: ${(err as Error).message}`) : (err as Error));
        return;
      }
      if (line.startsWith(PROMPT)) line = line.slice(PROMPT.length);
      const v = parseLpmValue(line);
      if (v !== undefined) {
        this.samples.push(v);
        continue;
      }
      const ev = EVENT.exec(line);
      if (ev) {
        this.events.push(this.samples.length);
        continue;
      }
      if (line === "Acquisition completed") {
        this.completed = true;
        continue;
      }
      if (line.startsWith("TimeStamp:") || line === "") continue;
      const p = this.pending;
      if (p && (line.startsWith(`ack ${p.cmd.split(" ")[0]}`) || line.startsWith("PowerShield present"))) {
        this.pending = undefined;
        p.resolve(line);
      } else if (p && line.startsWith("error")) {
        this.pending = undefined;
        const detail = await this.transport.nextLine(500).catch(() => "");
        p.reject(new EnergyError(`LPM01A refused "${p.cmd}": ${line}${detail ? ` (${detail.trim()})` : ""}`));
      }
      // anything else (stale acks from an earlier session) is not ours: ignored
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.pending?.reject(err);
    this.pending = undefined;
  }

  /** Sends a command and waits for its acknowledgement. */
  async command(cmd: string): Promise<string> {
    if (this.failure) throw this.failure;
    const reply = new Promise<string>((resolve, reject) => {
      this.pending = { cmd, resolve, reject };
    });
    await this.transport.write(`${cmd}\r\n`);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        reply,
        new Promise<string>((_, reject) => {
          timer = setTimeout(() => reject(new EnergyError(`the LPM01A did not acknowledge "${cmd}" within ${this.commandTimeoutMs} ms`)), this.commandTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.pending = undefined;
    }
  }

  /** MLPerf Tiny's setup: host control, supply voltage, rate, infinite acquisition, events on D7, energy output. */
  async begin(): Promise<void> {
    const present = await this.command("powershield");
    const version = await this.command("version");
    this.identity = `STMicro X-NUCLEO-LPM01A ${present.replace("PowerShield present", "id").trim()} fw ${version.replace(/^ack version\s*/, "")}`;
    for (const cmd of ["htc", "pwr off", "acqtime inf", "trigdelay 0", "trigsrc sw", "eventsrc d7 fal", "output energy", "format ascii_dec", `freq ${this.sampleRateHz / 1000}k`, `volt ${Math.round(this.voltageV * 1000)}m`, "pwr on"]) {
      await this.command(cmd);
    }
    this.samples = [];
    this.events = [];
    this.consumed = 0;
    await this.command("start");
    this.started = true;
  }

  async nextWindow(timeoutMs: number): Promise<WindowEnergy> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.events.length >= this.consumed + 2) {
        const from = this.events[this.consumed]!, to = this.events[this.consumed + 1]!;
        this.consumed += 2;
        let joules = 0;
        for (let i = from; i < to; i++) joules += this.samples[i]!;
        return { energyUj: joules * 1e6, durationUs: ((to - from) / this.sampleRateHz) * 1e6 };
      }
      const seen = this.events.length - this.consumed;
      if (this.failure) throw new EnergyError(`${this.failure.message}; ${seen} of the window's 2 timestamp edges had arrived (${this.samples.length} samples kept)`);
      if (this.completed) throw new EnergyError(`the acquisition ended with ${seen} of the window's 2 timestamp edges: a timestamp edge is missing`);
      if (Date.now() > deadline) throw new EnergyError(`only ${seen} of the window's 2 timestamp edges within ${timeoutMs} ms: a timestamp edge is missing (is D7 wired to the DUT's timestamp pin?)`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async end(): Promise<void> {
    try {
      if (!this.failure && this.started) {
        await this.command("stop");
        await this.command("pwr off").catch(() => undefined);
        await this.command("hrc").catch(() => undefined);
      }
    } finally {
      await this.transport.close();
      await this.pump;
    }
  }
}
