// The host side of MLPerf Tiny's sww01 set-up on physical boards (streaming-wakeword.md §7-8): the "enhanced" interface
// board (STM32H573I-DK) plays a WAV from its SD card over I2S into the DUT, timestamps the DUT's wake-word pulses and
// its processing pin in 10 µs ticks, and relays DUT commands (`dut <cmd>`); a power monitor integrates between the
// DUT's timestamp-pin pulses at `start` and `stop`. The stream step is MLPerf's: dut stop, dut start,
// record_detections, play, 0.25 s, dut stop, print_detections, print_dutycycle. Its quirks are kept and said: the
// first detection is the first frame's sync pulse (dropped; the others are measured from it), and the duty cycle
// covers only the first 100 processing edges the board stores (Q2), so it describes the stream's first ~3.2 s.
import { setTimeout as sleep } from "node:timers/promises";
import { ProtocolError } from "../protocol/parse.ts";
import type { EnergyMeter } from "../power/types.ts";
import { TransportTimeout, type Transport } from "../transport/types.ts";

export const INTERFACE_BOARD_NAME = "tinyML Enhanced Interface Board";

export interface BoardStream {
  /** Detection times in seconds from the first frame's sync pulse (MLPerf's time base), the sync pulse removed. */
  detectionsS: number[];
  /** Raw `print_detections` values (ms from record_detections), sync pulse included. */
  rawDetectionsMs: number[];
  /** From the first edges the board stored (at most 100 each). */
  duty: {
    dutyCycle: number;
    meanOnS: number;
    minOnS: number;
    maxOnS: number;
    meanPeriodS: number;
    throughputPerS: number;
    edges: number;
    periodSpread: number;
  };
  /** The DUT's lines while stopping (MLPerf's firmware prints its per-frame activations there). */
  dutStopLines: string[];
  energy?: { energyUj: number; durationUs: number; powerMw: number; monitor: string; kind: "measured" | "modelled" };
}

export class InterfaceBoard {
  readonly lines: string[] = [];
  constructor(
    readonly transport: Transport,
    private readonly trace: (direction: "tx" | "rx", line: string) => void = () => {},
  ) {}

  /** `cmd%`, then the board's lines up to its `m-ready`. */
  async command(cmd: string, timeoutMs = 10_000): Promise<string[]> {
    this.trace("tx", `${cmd}%`);
    await this.transport.write(`${cmd}%`);
    return this.until((l) => l === "m-ready", cmd, timeoutMs);
  }

  private async until(done: (line: string) => boolean, what: string, timeoutMs: number): Promise<string[]> {
    const out: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let line: string;
      try {
        line = await this.transport.nextLine(Math.max(1, deadline - Date.now()));
      } catch (err) {
        if (err instanceof TransportTimeout)
          throw new ProtocolError(`the interface board did not finish "${what}" within ${timeoutMs} ms (last line: ${JSON.stringify(out.at(-1) ?? "")})`);
        throw err;
      }
      this.trace("rx", line);
      this.lines.push(line);
      if (done(line)) return out;
      out.push(line);
    }
  }

  async name(): Promise<string> {
    const lines = await this.command("name");
    const name = lines.find((l) => l.trim() !== "")?.trim() ?? "";
    if (name !== INTERFACE_BOARD_NAME)
      throw new ProtocolError(
        `${this.transport.description} answered name with ${JSON.stringify(name)}, not the enhanced interface board ("${INTERFACE_BOARD_NAME}"): sww01 needs it to play audio`,
      );
    return name;
  }

  /** A DUT command through the board: its `m-dut-passthrough(...)` and `m-ready`, then the DUT's lines up to its m-ready. */
  async dut(cmd: string, timeoutMs = 10_000): Promise<string[]> {
    const own = await this.command(`dut ${cmd}`, timeoutMs);
    if (!own.some((l) => l.startsWith("m-dut-passthrough("))) throw new ProtocolError(`"dut ${cmd}" was not passed through (${JSON.stringify(own)})`);
    const relayed = await this.until((l) => l === "[dut]: m-ready", `dut ${cmd}`, timeoutMs);
    return relayed.filter((l) => l.startsWith("[dut]: ")).map((l) => l.slice(7));
  }

  /**
   * MLPerf's stream step. `wavOnCard`: the file's name on the board's SD card (a 2-channel 16 kHz WAV: the board refuses
   * mono); `lengthS` bounds the playback's wait (+ 10 s, as MLPerf's runner). `meter`: a power monitor already begun,
   * watching the DUT's timestamp pin.
   */
  async stream(wavOnCard: string, lengthS: number, meter?: EnergyMeter): Promise<BoardStream> {
    await this.dut("stop");
    meter?.discardEdges();
    await this.dut("start");
    await this.command("record_detections");
    const played = await this.command(`play ${wavOnCard}`, (lengthS + 10) * 1000);
    if (!played.some((l) => l.includes("succeeded")))
      throw new ProtocolError(`play ${wavOnCard}: ${played.filter((l) => l.trim()).join(" / ") || "no answer"}`);
    await sleep(250);
    const dutStopLines = await this.dut("stop", 60_000);
    const rawDetectionsMs = parseDetections(await this.command("print_detections"));
    if (rawDetectionsMs.length === 0)
      throw new ProtocolError(
        "print_detections listed nothing: not even the first frame's sync pulse (does the DUT pulse its wake-word line on its first frame?)",
      );
    const [sync, ...rest] = rawDetectionsMs;
    const duty = parseDutyCycle(await this.command("print_dutycycle"));
    let energy: BoardStream["energy"];
    if (meter) {
      const { spans } = await meter.nextSpans(2, 30_000);
      const s = spans[0]!;
      energy = { energyUj: s.energyUj, durationUs: s.durationUs, powerMw: (s.energyUj / s.durationUs) * 1000, monitor: meter.identity, kind: meter.kind };
    }
    return { detectionsS: rest.map((ms) => (ms - sync!) / 1000), rawDetectionsMs, duty, dutStopLines, energy };
  }
}

/** `Detection Timestamps (ms)` then one `<ms>,` per line. */
export function parseDetections(lines: string[]): number[] {
  const start = lines.findIndex((l) => l.startsWith("Detection Timestamps"));
  if (start < 0) throw new ProtocolError(`print_detections: no "Detection Timestamps (ms)" header in ${JSON.stringify(lines.slice(0, 3))}`);
  return lines
    .slice(start + 1)
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const v = Number(l.trim().replace(/,$/, ""));
      if (!Number.isFinite(v) || v < 0) throw new ProtocolError(`print_detections: ${JSON.stringify(l)} is not a time in ms`);
      return v;
    });
}

/**
 * `Duty cycle start times (s)` / `Duty cycle stop times (s)`, each followed by rows of `<ticks>, `. The values are 10 µs
 * ticks, whatever the header says (Q2); the lists are truncated to the shorter, as MLPerf's runner does.
 */
export function parseDutyCycle(lines: string[]): BoardStream["duty"] {
  const a = lines.findIndex((l) => l.startsWith("Duty cycle start times"));
  const b = lines.findIndex((l) => l.startsWith("Duty cycle stop times"));
  if (a < 0 || b < a) throw new ProtocolError("print_dutycycle: missing its start/stop headers");
  const nums = (ls: string[]) =>
    ls
      .flatMap((l) =>
        l
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean),
      )
      .map((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new ProtocolError(`print_dutycycle: ${JSON.stringify(v)} is not a tick count`);
        return n * 1e-5;
      });
  const starts = nums(lines.slice(a + 1, b)),
    stops = nums(lines.slice(b + 1));
  const n = Math.min(starts.length, stops.length);
  if (n < 2) throw new ProtocolError(`print_dutycycle: ${n} processing edges, two are needed`);
  const on = Array.from({ length: n }, (_, i) => stops[i]! - starts[i]!);
  const periods = Array.from({ length: n - 1 }, (_, i) => starts[i + 1]! - starts[i]!);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const meanOnS = mean(on),
    meanPeriodS = mean(periods);
  return {
    dutyCycle: meanOnS / meanPeriodS,
    meanOnS,
    minOnS: Math.min(...on),
    maxOnS: Math.max(...on),
    meanPeriodS,
    throughputPerS: 1 / meanOnS,
    edges: n,
    periodSpread: (Math.max(...periods) - Math.min(...periods)) / meanPeriodS,
  };
}
