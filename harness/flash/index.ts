// The flasher registry: board files name a tool; this maps the name to its module.
import type { BoardDefinition } from "../boards/schema.ts";
import { manualFlasher } from "./manual.ts";
import { qemuFlasher } from "./qemu.ts";
import type { Flasher } from "./types.ts";

const flashers = new Map<string, Flasher<any>>([qemuFlasher, manualFlasher].map((f) => [f.tool, f]));

export function registerFlasher(flasher: Flasher<any>): void {
  flashers.set(flasher.tool, flasher);
}

export function flasherNames(): string[] {
  return [...flashers.keys()].sort();
}

/** The board's flasher and its validated configuration; errors name the board file and field. */
export function flasherFor(board: BoardDefinition): { flasher: Flasher<any>; config: { tool: string } } {
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
