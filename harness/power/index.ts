// The power-monitor registry: a board file's `powerMonitor.driver` names a driver; this maps the name to its module
// and validates the section with that driver's own schema, naming the board file and field on a mistake.
import type { z } from "zod";
import type { BoardDefinition } from "../boards/schema.ts";
import { js220Driver } from "./js220.ts";
import { lpm01aDriver } from "./lpm01a.ts";
import { otiiDriver } from "./otii.ts";
import { ppk2Driver } from "./ppk2.ts";
import type { EnergyMeter } from "./types.ts";

/** One module per monitor, behind this: the board-file section it reads, and how to open the monitor. */
export interface PowerMonitorDriver<C> {
  /** The board file's `powerMonitor.driver`, e.g. "lpm01a". */
  driver: string;
  schema: z.ZodType<C>;
  /** Executables the driver runs, for `tinyrig doctor` (most drivers talk to a port and need none). */
  binaries?(config: C): string[];
  open(config: C, board: BoardDefinition): Promise<EnergyMeter>;
}

const drivers = new Map<string, PowerMonitorDriver<any>>([lpm01aDriver, ppk2Driver, otiiDriver, js220Driver].map((d) => [d.driver, d]));

export function powerMonitorNames(): string[] {
  return [...drivers.keys()].sort();
}

/** The board's monitor driver and its validated section. */
export function powerMonitorFor(board: BoardDefinition): { driver: PowerMonitorDriver<any>; config: unknown } {
  const section = board.powerMonitor;
  if (!section) throw new Error(`${board.file}: powerMonitor is not set: energy mode on a physical board needs a power monitor`);
  const driver = drivers.get(section.driver);
  if (!driver) throw new Error(`${board.file}: powerMonitor.driver "${section.driver}" is not one of: ${powerMonitorNames().join(", ")}`);
  const parsed = driver.schema.safeParse(section);
  if (!parsed.success) throw new Error(`${board.file}: ${parsed.error.issues.map((i) => `powerMonitor.${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return { driver, config: parsed.data };
}

export async function openPowerMonitor(board: BoardDefinition): Promise<EnergyMeter> {
  const { driver, config } = powerMonitorFor(board);
  return driver.open(config, board);
}
