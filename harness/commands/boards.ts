// `tinyrig boards`: the boards tinyrig knows, whether each is emulated or attached (and usable), and whether another
// tinyrig holds it; with files as arguments, validates those board files.
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { BoardFileError, boardDirs, checkBoardSection, listBoardFiles, loadBoardFile } from "../boards/load.ts";
import { flasherNamed, flasherNames } from "../flash/index.ts";
import type { BoardDefinition } from "../boards/schema.ts";
import { boardStatus, listSerialPorts } from "../boards/status.ts";
import { boardNeeds } from "./board-needs.ts";

export function boardCommands(cli: Argv): void {
  cli.command(
    "boards [file..]",
    describeCommand("boards"),
    (y) =>
      y
        .positional("file", { type: "string", array: true, describe: "board YAML files to validate" })
        .option("json", { type: "boolean", default: false, describe: "machine-readable output" }),
    async (args) => {
      const files = (args.file as string[] | undefined)?.length ? (args.file as string[]) : listBoardFiles(boardDirs());
      const boards: BoardDefinition[] = [];
      let bad = 0;
      for (const file of files) {
        try {
          boards.push(checkFlasherSection(loadBoardFile(file)));
        } catch (err) {
          bad++;
          console.error((err as Error).message);
        }
      }
      const { ports, problem } = await listSerialPorts();
      if (problem && boards.some((b) => b.kind === "physical")) console.error(`tinyrig: ${problem}; attached boards cannot be found`);
      const rows = [];
      for (const b of boards) {
        const s = await boardStatus(b, ports, boardNeeds(b));
        const reach = b.console.emulator
          ? `qemu ${b.console.emulator.qemu.machine}`
          : (b.console.serial?.path ?? `usb ${b.console.serial?.usb?.vid}:${b.console.serial?.usb?.pid}`);
        const console_ = s.devices.find((d) => d.role === "console");
        const presence =
          b.kind === "emulated"
            ? s.ready
              ? "emulated"
              : "emulated, tools missing"
            : console_?.usable
              ? `attached ${console_.path}`
              : console_?.path
                ? `attached ${console_.path}, not usable`
                : "not attached";
        const state = s.busy ? `busy (pid ${s.busy.pid} on ${s.busy.host}: ${s.busy.purpose})` : "free";
        rows.push({
          name: b.name,
          kind: b.kind,
          core: b.cpu.core,
          clockHz: b.cpu.clockHz,
          flasher: b.flasher?.tool ?? null,
          console: reach,
          presence,
          state,
          file: b.file,
          powerMonitor: b.powerMonitor?.driver ?? null,
        });
        if (!args.json) {
          console.log(
            `${b.name.padEnd(20)} ${b.kind.padEnd(9)} ${b.cpu.core.padEnd(12)} ${(b.cpu.clockHz / 1e6).toFixed(0).padStart(4)} MHz  ` +
              `flasher ${(b.flasher?.tool ?? "(emulator)").padEnd(13)} console ${reach.padEnd(22)} ${presence.padEnd(24)} ${state}`,
          );
        }
      }
      if (args.json) console.log(JSON.stringify(rows, null, 2));
      if (bad) process.exitCode = 1;
    },
  );
}

/** The flasher section is the flasher module's to define: validated against its schema, named with its line. */
export function checkFlasherSection(board: BoardDefinition): BoardDefinition {
  if (!board.flasher) return board; // an emulated board: the board schema allows none there, requires one elsewhere
  const flasher = flasherNamed(board.flasher.tool);
  if (!flasher)
    throw new BoardFileError(board.file, [{ field: "flasher.tool", message: `"${board.flasher.tool}" is not one of: ${flasherNames().join(", ")}` }]);
  checkBoardSection(board, "flasher", flasher.schema);
  return board;
}
