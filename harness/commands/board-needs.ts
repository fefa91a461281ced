// What a board's flasher and power monitor need (their programs, the monitor's serial device), from the flash and
// power registries, for the board status `tinyrig boards` and `tinyrig doctor` print (harness/boards/status.ts).
import type { BoardDefinition } from "../boards/schema.ts";
import type { BoardNeeds } from "../boards/status.ts";
import { flasherFor } from "../flash/index.ts";
import { powerMonitorFor } from "../power/index.ts";
import type { UsbSerialId } from "../resources/serial-port.ts";

export function boardNeeds(board: BoardDefinition): BoardNeeds {
  const needs: BoardNeeds = { tools: [], problems: [] };
  // an emulated board has no flasher (its emulator, checked in boards/status.ts, loads the image)
  if (board.kind === "physical") {
    try {
      const { flasher, config } = flasherFor(board);
      needs.tools.push(...flasher.binaries(config));
    } catch (err) {
      needs.problems.push((err as Error).message);
    }
  }
  if (board.powerMonitor) {
    try {
      const { driver, config } = powerMonitorFor(board);
      needs.tools.push(...(driver.binaries?.(config) ?? []));
      needs.monitorSerial = (config as { serial?: { path?: string; usb?: UsbSerialId } }).serial;
    } catch (err) {
      needs.problems.push((err as Error).message);
    }
  }
  return needs;
}
