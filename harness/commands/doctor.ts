// `tinyrig doctor`: what each board needs on this machine (cross compiler, emulator, flasher and monitor tools, its
// serial devices and the permission to open them), present or not, and the command that fixes what is missing.
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { boardDirs, findBoard, listBoardFiles, loadBoardFile } from "../boards/load.ts";
import type { BoardDefinition } from "../boards/schema.ts";
import { boardStatus, listSerialPorts, type BoardStatus } from "../boards/status.ts";
import { boardNeeds } from "./board-needs.ts";

export function doctorCommand(cli: Argv): void {
  cli.command(
    "doctor",
    describeCommand("doctor"),
    (y) =>
      y.option("json", { type: "boolean", default: false, describe: "machine-readable output" }).option("board", {
        type: "string",
        array: true,
        describe: "check only these boards (names or files): exit 1 unless each is ready, an attached board plugged in and usable (a CI job's first step)",
      }),
    async (args) => {
      const { ports, problem } = await listSerialPorts();
      const statuses: (BoardStatus | { file: string; error: string })[] = [];
      let emulatedBroken = false;
      let namedNotReady = false;
      const named = args.board as string[] | undefined;
      const files = named ?? listBoardFiles(boardDirs());
      for (const file of files) {
        let board: BoardDefinition;
        try {
          board = named ? findBoard(file) : loadBoardFile(file);
        } catch (err) {
          statuses.push({ file, error: (err as Error).message });
          continue;
        }
        const s = await boardStatus(board, ports, boardNeeds(board));
        statuses.push(s);
        if (board.kind === "emulated" && !s.ready) emulatedBroken = true;
        if (named && !s.ready) namedNotReady = true;
      }
      if (args.json) {
        console.log(JSON.stringify({ serialPorts: problem ?? `${ports.length} listed`, boards: statuses }, null, 2));
      } else {
        if (problem) console.log(`✗ serial ports: ${problem} (fix: apt-get install udev)`);
        for (const s of statuses) {
          if ("error" in s) {
            console.log(`✗ ${s.file}: ${s.error.split("\n")[0]}`);
            continue;
          }
          const missing = s.tools.filter((t) => !t.present);
          const deviceProblems = s.devices.filter((d) => !d.usable);
          const mark = s.ready ? "✓" : s.kind === "physical" && missing.length === 0 && s.problems.length === 0 ? "·" : "✗";
          console.log(`${mark} ${s.name.padEnd(20)} ${s.kind.padEnd(9)} ${s.ready ? `ready (${s.tools.map((t) => t.tool).join(", ")})` : ""}`.trimEnd());
          for (const t of missing) console.log(`    missing ${t.tool}: ${t.fix}`);
          for (const d of deviceProblems) console.log(`    ${d.role}: ${d.problem}${d.fix ? `; fix: ${d.fix}` : ""}`);
          for (const p of s.problems) console.log(`    ${p}`);
        }
        console.log("✓ ready, · tools present but the board is not attached, ✗ something to fix");
      }
      // CI runs only emulated boards: those must be able to run; physical ones are reported, not failed on
      const anyProblem = statuses.some((s) => "error" in s);
      if (emulatedBroken || anyProblem || namedNotReady) process.exitCode = 1;
    },
  );
}
