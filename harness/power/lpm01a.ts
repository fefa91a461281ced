// STMicro X-NUCLEO-LPM01A (PowerShield) over its virtual COM port: the ASCII command set MLPerf Tiny's runner uses
// (htc, volt, freq, acqtime, trigsrc, eventsrc d7 fal, output energy, format ascii_dec, pwr, start, stop, hrc),
// each acknowledged `ack <cmd>` or refused `error <cmd>` + `Error detail:`. While acquiring it streams one
// sample per line (`MMMM-EE`: 4-digit mantissa, signed 2-digit exponent; with `output energy` the joules of that
// sample period), `TimeStamp:` lines once a second and `event NN ris` where the DUT's timestamp pin fell.
// Protocol facts: ../shared/reference/power-monitors.md (from mlcommons/tiny's runner and ST's documentation).
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { SerialTransport } from "../transport/serial.ts";
import { findSerialPort, serialPortSchema } from "../resources/serial-port.ts";
import { TransportClosed, TransportTimeout, type Transport } from "../transport/types.ts";
import { SampledEnergy, waitForEdges } from "./sampled-energy.ts";
import { EnergyError, type EdgeSpans, type EnergyMeter, type PowerMonitorDriver } from "./types.ts";

export const LPM01A_BAUD = 3_686_400;
export const lpm01aSchema = z
  .object({
    driver: z.literal("lpm01a"),
    serial: serialPortSchema("the monitor"),
    voltageV: z.number().min(1.8).max(3.3).default(1.8),
    sampleRateHz: z.union([z.literal(1000), z.literal(2000), z.literal(5000), z.literal(10000)]).default(1000),
  })
  .strict();
export type Lpm01aConfig = z.output<typeof lpm01aSchema>;

// The LPM01A may put a NUL before a sample line (its binary/ASCII switch): a control character on purpose.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL is part of the device's output
const SAMPLE = /^\x00?(\d{4})([+-])(\d{2})$/;
const EVENT = /^event (\d+) ris$/;
const PROMPT = "PowerShield > ";

/** `6409-07` -> 6409e-7 */
export function parseLpmValue(text: string): number | undefined {
  const m = SAMPLE.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 10 ** ((m[2] === "-" ? -1 : 1) * Number(m[3]));
}

interface PendingCommand {
  cmd: string;
  /** Whether a line is this command's answer: "ack", "error" (a refusal; its `Error detail:` line follows), or neither. */
  answer(line: string): "ack" | "error" | undefined;
  resolve(line: string): void;
  reject(e: Error): void;
}

/** The documented grammar: `ack <cmd> ...` or `error <cmd> ...`; `powershield` answers `PowerShield present <id>`. */
function commandAnswer(cmd: string): PendingCommand["answer"] {
  const op = cmd.split(" ")[0]!;
  return (line) => {
    if (line.startsWith(`ack ${op}`) || (op === "powershield" && line.startsWith("PowerShield present"))) return "ack";
    if (line.startsWith(`error ${op}`)) return "error";
    return undefined;
  };
}

export class Lpm01aMonitor implements EnergyMeter {
  readonly kind = "measured" as const;
  identity = "STMicro X-NUCLEO-LPM01A";
  private readonly data: SampledEnergy; // joules per sample period, and the sample index of each timestamp event
  private pending: PendingCommand | undefined;
  /** A refusal whose `Error detail:` line has not come yet. */
  private refusal: { command: PendingCommand; line: string; timer: NodeJS.Timeout } | undefined;
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
    const t = await SerialTransport.open(path, LPM01A_BAUD); // flushes what had arrived; begin() resynchronises
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
      this.handle(line.startsWith(PROMPT) ? line.slice(PROMPT.length) : line);
    }
  }

  private handle(line: string): void {
    if (this.refusal) {
      const detail = line.startsWith("Error detail:") ? line : undefined;
      this.refuse(detail);
      if (detail) return;
    }
    const v = parseLpmValue(line);
    if (v !== undefined) {
      this.data.add(v);
      return;
    }
    if (EVENT.test(line)) {
      this.data.edge();
      return;
    }
    if (line === "Acquisition completed") {
      this.completed = true;
      return;
    }
    if (line.startsWith("TimeStamp:") || line === "") return;
    const p = this.pending;
    const answer = p?.answer(line);
    if (!p || !answer) return; // not an answer to the command in flight (an earlier session's, an unasked detail): not ours
    this.pending = undefined;
    if (answer === "ack") return p.resolve(line);
    // its detail comes on the next line; a refusal without one is reported all the same
    this.refusal = { command: p, line, timer: setTimeout(() => this.refuse(undefined), 300) };
  }

  private refuse(detail: string | undefined): void {
    const r = this.refusal!;
    this.refusal = undefined;
    clearTimeout(r.timer);
    r.command.reject(new EnergyError(`LPM01A refused "${r.command.cmd}": ${r.line}${detail ? ` (${detail})` : ""}`));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.pending?.reject(err);
    this.pending = undefined;
  }

  /** Sends a command and waits for its answer (by default its `ack`; an `error` rejects, with its detail). */
  async command(cmd: string, answer: PendingCommand["answer"] = commandAnswer(cmd)): Promise<string> {
    if (this.failure) throw this.failure;
    const reply = new Promise<string>((resolve, reject) => {
      this.pending = { cmd, answer, resolve, reject };
    });
    // The answer may come (or the port fail) before the write below returns, or after the timeout: the promise is
    // handled now, so settling it then is never an unhandled rejection (which would end a real run's process).
    reply.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.transport.write(`${cmd}\r\n`);
      return await Promise.race([
        reply,
        new Promise<string>((_, reject) => {
          timer = setTimeout(
            () => reject(new EnergyError(`the LPM01A did not acknowledge "${cmd}" within ${this.commandTimeoutMs} ms`)),
            this.commandTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (this.pending?.cmd === cmd) this.pending = undefined;
    }
  }

  /**
   * Resynchronises with the monitor: bytes of an earlier session may still be queued in the port, or on their way
   * (flushing when the port opens races them). `echo` with a fresh token is answered after everything the monitor sent
   * before it, so every line before the one carrying the token is discarded, whatever the timing. Acknowledged or
   * refused (firmware without `echo`), the answer carries the token.
   */
  private async resynchronise(): Promise<void> {
    const token = `tinyrig-sync-${randomBytes(6).toString("hex")}`;
    await this.command(`echo ${token}`, (line) => (line.includes(token) ? "ack" : undefined));
  }

  /** MLPerf Tiny's setup: host control, supply voltage, rate, infinite acquisition, events on D7, energy output. */
  async begin(): Promise<void> {
    await this.resynchronise();
    const present = await this.command("powershield");
    const version = await this.command("version");
    this.identity = `STMicro X-NUCLEO-LPM01A ${present.replace("PowerShield present", "id").trim()} fw ${version.replace(/^ack version\s*/, "")}`;
    for (const cmd of [
      "htc",
      "pwr off",
      "acqtime inf",
      "trigdelay 0",
      "trigsrc sw",
      "eventsrc d7 fal",
      "output energy",
      "format ascii_dec",
      `freq ${this.sampleRateHz / 1000}k`,
      `volt ${Math.round(this.voltageV * 1000)}m`,
      "pwr on",
    ]) {
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
    const path = await findSerialPort(cfg.serial, { what: "LPM01A", setting: "powerMonitor.serial.usb.serialNumber" });
    return Lpm01aMonitor.open(path, { voltageV: cfg.voltageV, sampleRateHz: cfg.sampleRateHz });
  },
};
