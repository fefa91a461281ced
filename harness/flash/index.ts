// The flasher registry: board files name a tool; this maps the name to its module.
import type { BoardDefinition } from "../boards/schema.ts";
import { arduinoFlasher } from "./arduino.ts";
import { dfuUtilFlasher } from "./dfu-util.ts";
import { esptoolFlasher } from "./esptool.ts";
import { jlinkFlasher } from "./jlink.ts";
import { manualFlasher } from "./manual.ts";
import { nrfjprogFlasher } from "./nrfjprog.ts";
import { nrfutilFlasher } from "./nrfutil.ts";
import { openocdFlasher } from "./openocd.ts";
import { picotoolFlasher } from "./picotool.ts";
import { pyocdFlasher } from "./pyocd.ts";
import { stFlashFlasher } from "./stflash.ts";
import { stm32CubeProgFlasher } from "./stm32cubeprog.ts";
import type { Flasher } from "./types.ts";

const flashers = new Map<string, Flasher<any>>(
  [
    manualFlasher,
    openocdFlasher,
    pyocdFlasher,
    stm32CubeProgFlasher,
    stFlashFlasher,
    esptoolFlasher,
    nrfjprogFlasher,
    nrfutilFlasher,
    picotoolFlasher,
    jlinkFlasher,
    arduinoFlasher,
    dfuUtilFlasher,
  ].map((f) => [f.tool, f]),
);

export function registerFlasher(flasher: Flasher<any>): void {
  flashers.set(flasher.tool, flasher);
}

export function flasherNames(): string[] {
  return [...flashers.keys()].sort();
}

/** The flasher module a board file's `flasher.tool` names, undefined when there is none. */
export function flasherNamed(tool: string): Flasher<any> | undefined {
  return flashers.get(tool);
}

/** The board's flasher and its validated configuration; errors name the board file and field. */
export function flasherFor(board: BoardDefinition): { flasher: Flasher<any>; config: { tool: string } } {
  if (!board.flasher)
    throw new Error(
      `${board.file}: no flasher section (${board.kind === "emulated" ? "an emulated board's emulator loads its image" : "a physical board needs one"})`,
    );
  const flasher = flashers.get(board.flasher.tool);
  if (!flasher) {
    throw new Error(`${board.file}: flasher.tool "${board.flasher.tool}" is not one of: ${flasherNames().join(", ")}`);
  }
  const parsed = flasher.schema.safeParse(board.flasher);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `flasher.${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`${board.file}: ${issues}`);
  }
  return { flasher, config: parsed.data };
}
