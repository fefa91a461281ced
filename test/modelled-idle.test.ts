// The emulated power model's idle current: the firmware waits for the host's bytes in its idle section (asleep in WFI
// after a short spin, ports/idle.h), which tinyrig's QEMU plugin does not count, so the instructions counted between
// the input-load marks are the work of taking the bytes, and the rest of the line time draws the board file's idle
// current. Unit checks of the arithmetic on a pin log written here, then the real thing on
// mps2-an500, whose power model has both currents from one datasheet.
import Database from "better-sqlite3";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { ModelledMeter } from "../harness/power/modelled.ts";
import { tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-idle-"));
const BAUD = 115200;

/** A pin log as tinyrig's QEMU plugin writes it: one line per store to the pin, at its instruction count. */
function pinLog(name: string, falls: number[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, falls.map((n) => `${n - 2} 0x1\n${n} 0x0\n`).join(""));
  return file;
}

describe("modelled transfer energy", () => {
  const an500 = findBoard("mps2-an500"); // 3.3 V, 83 mA active, 20 mA idle
  const an386 = findBoard("mps2-an386"); // 1.8 V, 22.5 mA active, no idle figure

  it("draws the active current for the instructions retired between the marks and the idle current for the rest of the line", async () => {
    // 1000 wire bytes = 86,805.6 us of line; 125,000 instructions at 8 ns = 1,000 us of work
    // (no begin(): that would drop the edges already in the log, as it drops a real board's boot pulse)
    const meter = new ModelledMeter(an500, { file: pinLog("a.log", [10_000, 135_000]), icountShift: 3 });
    const { spans } = await meter.nextSpans(2, 1000, { transfer: { wireBytes: 1000, baud: BAUD } });
    const lineUs = (1000 * 10 * 1e6) / BAUD;
    expect(spans[0]!.durationUs).toBeCloseTo(lineUs, 9);
    expect(spans[0]!.energyUj).toBeCloseTo(3.3 * (0.083 * 1000 + 0.02 * (lineUs - 1000)), 9);
    expect(meter.identity).toContain("83 mA active, 20 mA idle");
  });

  it("takes the active current throughout where the board file has no idle figure, and says so", async () => {
    const meter = new ModelledMeter(an386, { file: pinLog("c.log", [2, 125_002]), icountShift: 3 });
    const { spans } = await meter.nextSpans(2, 1000, { transfer: { wireBytes: 1000, baud: BAUD } });
    const lineUs = (1000 * 10 * 1e6) / BAUD;
    expect(spans[0]!.energyUj).toBeCloseTo(1.8 * 0.0225 * lineUs, 9);
    expect(meter.identity).toContain("no idle figure: active while waiting");
  });

  it("never makes a transfer shorter than the core's work on it", async () => {
    // 20 M instructions = 160 ms of work on 10 wire bytes (868 us of line)
    const meter = new ModelledMeter(an500, { file: pinLog("d.log", [2, 20_000_002]), icountShift: 3 });
    const { spans } = await meter.nextSpans(2, 1000, { transfer: { wireBytes: 10, baud: BAUD } });
    expect(spans[0]!.durationUs).toBe(160_000);
    expect(spans[0]!.energyUj).toBeCloseTo(3.3 * 0.083 * 160_000, 6);
  });
});

describe("idle current on an emulated board (mps2-an500, real QEMU)", () => {
  it("the input load costs more than idling through the line and less than running through it; windows repeat exactly", async () => {
    const run = async (name: string) => {
      const db = path.join(dir, name);
      const r = await tinyrig([
        "run",
        "--board",
        "mps2-an500",
        "--workload",
        "vibration",
        "--mode",
        "energy",
        "--windows",
        "2",
        "--min-window-seconds",
        "0.3",
        "--db",
        db,
        "--json",
      ]);
      expect(r.exitCode, r.all).toBe(0);
      const sql = new Database(db, { readonly: true });
      const rows = sql.prepare("SELECT iterations, energy_uj, phases_json, monitor FROM window ORDER BY idx").all() as {
        iterations: number;
        energy_uj: number;
        phases_json: string;
        monitor: string;
      }[];
      sql.close();
      return rows.map((w) => ({ ...w, phases: JSON.parse(w.phases_json) as Record<"load" | "pre" | "inference" | "post", number> }));
    };
    const a = await run("a.db");
    const b = await run("b.db");
    expect(a[0]!.monitor).toContain("20 mA idle");
    // Vibration's 768-byte input goes as one raw block: "db load 768%" (12 bytes), "dbraw 768 xxxxxxxx%" (19) and the
    // 768 bytes: 799 bytes on the wire.
    const lineUs = (799 * 10 * 1e6) / BAUD;
    for (const w of [...a, ...b]) {
      const load = w.phases.load;
      expect(load).toBeGreaterThan(3.3 * 0.02 * lineUs);
      expect(load).toBeLessThan(3.3 * 0.083 * lineUs);
      // the work of taking the bytes, from the energy above the idle floor: tens of instructions per byte, not the line
      const busyUs = (load - 3.3 * 0.02 * lineUs) / (3.3 * (0.083 - 0.02));
      expect(busyUs / 0.008 / 799).toBeGreaterThan(10);
      expect(busyUs / 0.008 / 799).toBeLessThan(300); // measured: 88 a byte; counting the wait's spin, over 600
    }
    // The windows, their inferences and the pre/post phases execute the same instructions every run: equal to the bit.
    const exact = (rows: typeof a) => rows.map((w) => [w.iterations, w.energy_uj, w.phases.pre, w.phases.inference, w.phases.post]);
    expect(exact(b)).toEqual(exact(a));
    // The load's work can differ by a few instructions (a SysTick wrap during the wait runs its handler, and how many
    // wraps fall in a wait depends on how long the host took): well under a microjoule (measured: 0.04 uJ at most).
    for (let i = 0; i < a.length; i++) expect(Math.abs(b[i]!.phases.load - a[i]!.phases.load)).toBeLessThan(1);
  }, 300_000);
});
