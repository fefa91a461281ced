// STMicro X-NUCLEO-LPM01A (PowerShield) over its virtual COM port: the ASCII command set MLPerf Tiny's runner uses
// (htc, volt, freq, acqtime, trigsrc, eventsrc d7 fal, output energy, format ascii_dec, pwr, start, stop, hrc),
// each acknowledged `ack <cmd>` or refused `error <cmd>` + `Error detail:`. While acquiring it streams one
// sample per line (`MMMM-EE`: 4-digit mantissa, signed 2-digit exponent; with `output energy` the joules of that
// sample period), `TimeStamp:` lines once a second and `event NN ris` where the DUT's timestamp pin fell.
// Protocol facts: ../shared/reference/power-monitors.md (from mlcommons/tiny's runner and ST's documentation).
import { z } from "zod";
import { SerialTransport } from "../transport/serial.ts";
import { waitForUsbSerial } from "../transport/find.ts";
import type { PowerMonitorDriver } from "./index.ts";
import { TransportClosed, TransportTimeout, type Transport } from "../transport/types.ts";
import { SampledEnergy, waitForEdges } from "./sampled-energy.ts";
import { EnergyError, type EdgeSpans, type EnergyMeter } from "./types.ts";

export const LPM01A_BAUD = 3_686_400;
export const lpm01aSchema = z.object({
  driver: z.literal("lpm01a"),
  serial: z
    .object({ path: z.string().optional(), usb: z.object({ vid: z.string(), pid: z.string(), serialNumber: z.string().optional() }).optional() })
    .strict()
    .refine((s) => s.path !== undefined || s.usb !== undefined, { message: "needs a `path` or a `usb` id to find the monitor by" }),
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
  private readonly data: SampledEnergy; // joules per sample period, and the sample index of each timestamp event
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
  ) {
    this.data = new SampledEnergy(sampleRateHz, "J", voltageV);
  }

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
        this.data.add(v);
        continue;
      }
      if (EVENT.test(line)) {
        this.data.edge();
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
    this.data.reset();
    await this.command("start");
    this.started = true;
  }

  discardEdges(): void {
    this.data.discardEdges();
  }

  async nextSpans(edges: number, timeoutMs: number, opts: { trace?: boolean } = {}): Promise<EdgeSpans> {
    await waitForEdges(edges, timeoutMs, {
      pending: () => this.data.pendingEdges,
      failure: () => this.failure,
      completed: () => this.completed,
      monitor: "LPM01A",
      hint: "is D7 wired to the DUT's timestamp pin?",
    });
    return this.data.take(edges, opts.trace);
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

export const lpm01aDriver: PowerMonitorDriver<Lpm01aConfig> = {
  driver: "lpm01a",
  schema: lpm01aSchema,
  async open(cfg) {
    // a USB CDC device re-enumerates when the board is power-cycled: wait for it rather than fail at once
    const path = cfg.serial.path ?? (await waitForUsbSerial(cfg.serial.usb!, 10_000));
    return Lpm01aMonitor.open(path, { voltageV: cfg.voltageV, sampleRateHz: cfg.sampleRateHz });
  },
};
