// `--board a b c`, `--board emulated`, `--board attached`: the boards a run measures, each named by its board file.
// Every name is resolved (and every file validated) before anything is built.
import type { BoardDefinition } from "./schema.ts";
import { findBoard, listBoardFiles, loadBoardFile } from "./load.ts";
import { listSerialPorts, matchUsbPort, type PortInfo } from "../resources/serial-port.ts";
import { existsSync } from "node:fs";

/** The group names `--board` takes besides board names and files. */
export const BOARD_GROUPS = ["emulated", "attached"] as const;

/**
 * Board names, files and groups, in the order given (a board named twice is measured once). `emulated`: every emulated
 * board file; `attached`: every physical board whose console device is present now.
 */
export async function selectBoards(given: readonly string[]): Promise<BoardDefinition[]> {
  const boards: BoardDefinition[] = [];
  let ports: PortInfo[] | undefined;
  for (const name of given) {
    if (name === "emulated" || name === "attached") {
      const all = listBoardFiles().map((f) => loadBoardFile(f));
      if (name === "emulated") boards.push(...all.filter((b) => b.kind === "emulated"));
      else {
        ports ??= (await listSerialPorts()).ports;
        const found = ports;
        boards.push(...all.filter((b) => b.kind === "physical" && consolePresent(b, found)));
      }
    } else boards.push(findBoard(name));
  }
  const seen = new Set<string>();
  return boards.filter((b) => !seen.has(b.file) && seen.add(b.file));
}

/** The board's console is plugged in: its path exists, or one serial port has its USB id. */
function consolePresent(board: BoardDefinition, ports: PortInfo[]): boolean {
  const serial = board.console.serial;
  if (!serial) return false;
  if (serial.path) return existsSync(serial.path);
  return serial.usb !== undefined && matchUsbPort(ports, serial.usb).length === 1;
}
