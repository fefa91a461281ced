// The emulated board's power monitor: the firmware's timestamp pulses, timestamped in virtual time by tinyrig's
// QEMU plugin (harness/emulator/pin-plugin.ts), and the board file's power model (a current drawn at a voltage,
// from a real chip's published figures). Energy = V x I x virtual time: reproducible to the microjoule, and
// always labelled modelled, never measured. The core draws the active current while it works and, where the board
// file gives one, the idle current while it sleeps (WFI) waiting for the host's bytes.
import { setTimeout as sleep } from "node:timers/promises";
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import type { BoardDefinition } from "../boards/schema.ts";
import { parsePinLog } from "../emulator/pin-plugin.ts";
import { EnergyError, type EdgeSpans, type EnergyMeter, type Span, type SpanOptions } from "./types.ts";

/** UART frame of one byte at 8N1: start bit, 8 data bits, stop bit. */
const BITS_PER_UART_BYTE = 10;

export class ModelledMeter implements EnergyMeter {
  readonly kind = "modelled" as const;
  readonly identity: string;
  readonly voltageV: number;
  private readonly activeCurrentA: number;
  private readonly idleCurrentA: number | undefined;
  /** Instruction count of every falling edge seen (a pulse is a write of 1 then of 0: its edge is the second). */
  private falls: number[] = [];
  private writes = 0;
  private next = 0; // index in `falls` of the first edge not yet consumed
  private offset = 0; // bytes of the log already parsed
  private partial = "";

  constructor(
    board: BoardDefinition,
    private readonly pinLog: { file: string; icountShift: number },
  ) {
    const model = board.powerModel;
    if (!model) throw new EnergyError(`${board.file}: powerModel is needed to model energy on an emulated board`);
    this.voltageV = model.voltageV;
    this.activeCurrentA = model.activeCurrentA;
    this.idleCurrentA = model.idleCurrentA;
    const mA = (a: number) => `${+(a * 1000).toFixed(4)} mA`;
    const idle = model.idleCurrentA === undefined ? "no idle figure: active while waiting" : `${mA(model.idleCurrentA)} idle`;
    this.identity = `modelled: ${board.name} power model (${model.voltageV} V x ${mA(model.activeCurrentA)} active, ${idle}; ${model.source})`;
  }

  /** Reads what the plugin appended since the last call. */
  private poll(): void {
    if (!existsSync(this.pinLog.file)) return;
    const fd = openSync(this.pinLog.file, "r");
    try {
      const chunk = Buffer.alloc(1 << 20);
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, this.offset);
        if (n === 0) break;
        this.offset += n;
        const text = this.partial + chunk.toString("latin1", 0, n);
        const cut = text.lastIndexOf("\n") + 1;
        this.partial = text.slice(cut);
        for (const w of parsePinLog(text.slice(0, cut), this.pinLog.icountShift).writes) {
          if (this.writes++ % 2 === 1) this.falls.push(w.instructions);
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  async begin(): Promise<void> {
    this.discardEdges();
  }

  discardEdges(): void {
    this.poll();
    this.next = this.falls.length; // the boot pulse and anything earlier belong to no window
  }

  /** Energy of a span of virtual time: the power model's active current throughout (the CPU runs the whole span). */
  private span(fromInstructions: number, toInstructions: number): Span {
    // from the integer instruction counts, so the figure does not depend on where in the run the span fell
    const durationUs = ((toInstructions - fromInstructions) * 2 ** this.pinLog.icountShift) / 1000;
    return { durationUs, energyUj: this.voltageV * this.activeCurrentA * durationUs };
  }

  /**
   * An input's transfer over the console. How long it takes is the line's doing (the emulator's PTY delivers bytes at
   * whatever pace the host manages), so its length is modelled from the bytes on the wire at the board's baud rate.
   * What the core does in it is observed: the firmware waits for each byte in its idle section (asleep in WFI,
   * ports/idle.h), which the plugin does not count, so the instructions counted between the two marks are the work of
   * taking the bytes. That work draws the active current, the rest of the line time the idle current (the active one
   * where the board file has no idle figure). A core slower than the line would hold the host up, so the span is never
   * shorter than its work.
   */
  private transferSpan(fromInstructions: number, toInstructions: number, transfer: { wireBytes: number; baud: number }): Span {
    const busyUs = ((toInstructions - fromInstructions) * 2 ** this.pinLog.icountShift) / 1000;
    const lineUs = (transfer.wireBytes * BITS_PER_UART_BYTE * 1e6) / transfer.baud;
    const durationUs = Math.max(lineUs, busyUs);
    const idleA = this.idleCurrentA ?? this.activeCurrentA;
    // written so that without an idle figure the work term is exactly 0, whatever the count
    return { durationUs, energyUj: this.voltageV * (idleA * durationUs + (this.activeCurrentA - idleA) * busyUs) };
  }

  async nextSpans(edges: number, timeoutMs: number, opts: SpanOptions = {}): Promise<EdgeSpans> {
    if (edges < 2) throw new EnergyError(`a span needs 2 edges, asked for ${edges}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.poll();
      if (this.falls.length >= this.next + edges) {
        const at = this.falls.slice(this.next, this.next + edges);
        this.next += edges;
        if (this.next > 1 << 16) {
          this.falls = this.falls.slice(this.next);
          this.next = 0;
        }
        if (opts.transfer && edges === 2) return { spans: [this.transferSpan(at[0]!, at[1]!, opts.transfer)] };
        return { spans: at.slice(1).map((to, k) => this.span(at[k]!, to)) };
      }
      if (Date.now() > deadline) {
        throw new EnergyError(
          `only ${this.falls.length - this.next} of the window's ${edges} timestamp edges in ${this.pinLog.file} within ${timeoutMs} ms; is the firmware built in energy mode?`,
        );
      }
      await sleep(20);
    }
  }

  async end(): Promise<void> {}
}
