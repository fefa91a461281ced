// The power-monitor registry: a board file's `powerMonitor.driver` names a driver; this maps the name to its module
// and validates the section with that driver's own schema, naming the board file and field on a mistake.
import type { BoardDefinition } from "../boards/schema.ts";
import { js220Driver } from "./js220.ts";
import { lpm01aDriver } from "./lpm01a.ts";
import { otiiDriver } from "./otii.ts";
import { ppk2Driver } from "./ppk2.ts";
import type { EnergyMeter, PowerMonitorDriver } from "./types.ts";

export type { PowerMonitorDriver };

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
