// The emulated board's power monitor: the firmware's timestamp pulses, timestamped in virtual time by tinyrig's
// QEMU plugin (harness/emulator/pin-plugin.ts), and the board file's power model (a current drawn at a voltage,
// from a real chip's published measurement). Energy = V x I x virtual time: reproducible to the microjoule, and
// always labelled modelled, never measured.
import { readFileSync, existsSync } from "node:fs";
import type { BoardDefinition } from "../boards/schema.ts";
import { parsePinLog, type PinWrite } from "../emulator/pin-plugin.ts";
import { EnergyError, type EnergyMeter, type WindowEnergy } from "./types.ts";

export class ModelledMeter implements EnergyMeter {
  readonly kind = "modelled" as const;
  readonly identity: string;
  readonly voltageV: number;
  private readonly currentA: number;
  /** Index of the next unconsumed pulse (a pulse is a rising and a falling write). */
  private nextPulse = 0;

  constructor(
    board: BoardDefinition,
    private readonly pinLog: { file: string; icountShift: number },
  ) {
    const model = board.powerModel;
    if (!model) throw new EnergyError(`${board.file}: powerModel is needed to model energy on an emulated board`);
    this.voltageV = model.voltageV;
    this.currentA = model.activeCurrentA;
    this.identity = `modelled: ${board.name} power model (${model.voltageV} V x ${model.activeCurrentA * 1000} mA; ${model.source})`;
  }

  private pulses(): PinWrite[][] {
    if (!existsSync(this.pinLog.file)) return [];
    const { writes } = parsePinLog(readFileSync(this.pinLog.file, "utf8"), this.pinLog.icountShift);
    const out: PinWrite[][] = [];
    for (let i = 0; i + 1 < writes.length; i += 2) out.push([writes[i]!, writes[i + 1]!]);
    return out;
  }

  async begin(): Promise<void> {
    this.nextPulse = this.pulses().length; // the boot pulse and anything earlier belong to no window
  }

  async nextWindow(timeoutMs: number): Promise<WindowEnergy> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pulses = this.pulses();
      if (pulses.length >= this.nextPulse + 2) {
        // MLPerf counts falling edges: the window runs from one pulse's fall to the next one's
        const start = pulses[this.nextPulse]![1], end = pulses[this.nextPulse + 1]![1];
        this.nextPulse += 2;
        // from the integer instruction counts, so the figure does not depend on where in the run the window fell
        const durationUs = ((end.instructions - start.instructions) * 2 ** this.pinLog.icountShift) / 1000;
        return { durationUs, energyUj: this.voltageV * this.currentA * durationUs };
      }
      if (Date.now() > deadline) {
        throw new EnergyError(`no timestamp edge pair in ${this.pinLog.file} within ${timeoutMs} ms (saw ${pulses.length - this.nextPulse} new pulse(s)); is the firmware built in energy mode?`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async end(): Promise<void> {}
}
