// `tinyrig doctor`: what a board needs on this machine (emulator, cross compiler, flasher tools), present or not.
import type { Argv } from "yargs";
import { execa } from "execa";
import { boardDirs, listBoardFiles, loadBoardFile } from "../boards/load.ts";
import { flasherFor } from "../flash/index.ts";

export function doctorCommand(cli: Argv): void {
  cli.command(
    "doctor",
    "check that the tools every board needs are installed",
    (y) => y,
    async () => {
      let missing = 0;
      for (const file of listBoardFiles(boardDirs())) {
        let board;
        try {
          board = loadBoardFile(file);
        } catch (err) {
          console.log(`✗ ${file}: ${(err as Error).message.split("\n")[0]}`);
          missing++;
          continue;
        }
        const needs = [`${board.build.cross}gcc`];
        if (board.console.emulator) needs.push(board.console.emulator.qemu.binary);
        try {
          const { flasher, config } = flasherFor(board);
          needs.push(...flasher.binaries(config));
        } catch (err) {
          console.log(`✗ ${board.name}: ${(err as Error).message}`);
          missing++;
        }
        const absent: string[] = [];
        for (const bin of needs) if (!(await onPath(bin))) absent.push(bin);
        missing += absent.length;
        console.log(`${absent.length ? "✗" : "✓"} ${board.name.padEnd(20)} ${absent.length ? `missing: ${absent.join(", ")}` : `ok (${needs.join(", ")})`}`);
      }
      if (missing) process.exitCode = 1;
    },
  );
}

async function onPath(bin: string): Promise<boolean> {
  const r = await execa("sh", ["-c", 'command -v "$1"', "sh", bin], { reject: false });
  return r.exitCode === 0;
}
