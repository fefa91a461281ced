// `tinyrig boards`: list the known boards; `tinyrig boards check <file>`: validate a board file.
import type { Argv } from "yargs";
import { boardDirs, listBoardFiles, loadBoardFile } from "../boards/load.ts";
import { boardLockOwner } from "../boards/lock.ts";

export function boardCommands(cli: Argv): void {
  cli.command(
    "boards [file..]",
    "list the boards tinyrig knows, or validate board files",
    (y) => y.positional("file", { type: "string", array: true, describe: "board YAML files to validate" }),
    (args) => {
      const files = (args.file as string[] | undefined)?.length ? (args.file as string[]) : listBoardFiles(boardDirs());
      let bad = 0;
      for (const file of files) {
        try {
          const b = loadBoardFile(file);
          const reach = b.console.emulator ? `qemu ${b.console.emulator.qemu.machine}` : (b.console.serial?.path ?? `usb ${b.console.serial?.usb?.vid}:${b.console.serial?.usb?.pid}`);
          const owner = boardLockOwner(b.name);
          const state = owner ? `busy (pid ${owner.pid} on ${owner.host}: ${owner.purpose})` : "free";
          console.log(
            `${b.name.padEnd(20)} ${b.kind.padEnd(9)} ${b.cpu.core.padEnd(12)} ${(b.cpu.clockHz / 1e6).toFixed(0).padStart(4)} MHz  ` +
              `flasher ${b.flasher.tool.padEnd(10)} console ${reach.padEnd(28)} ${state}`,
          );
        } catch (err) {
          bad++;
          console.error((err as Error).message);
        }
      }
      if (bad) process.exitCode = 1;
    },
  );
}
