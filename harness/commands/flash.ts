// `tinyrig flash`: build the firmware for a board and a workload and flash it. For an emulated board this starts
// the machine and keeps it running, printing its serial port, so any host tool (the MLPerf Tiny runner, a
// terminal) can talk to it until Ctrl-C.
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { defaultBoard, findBoard } from "../boards/load.ts";
import { lockBoard } from "../boards/lock.ts";
import { buildFirmware } from "../build/firmware.ts";
import { flasherFor } from "../flash/index.ts";
import { loadWorkload } from "../workloads/registry.ts";
import { boardModel } from "../workloads/variants.ts";

export function flashCommand(cli: Argv): void {
  cli.command(
    "flash",
    describeCommand("flash"),
    (y) =>
      y
        .option("board", { type: "string", default: defaultBoard() })
        .option("workload", { type: "string", demandOption: true })
        .option("variant", { type: "string", describe: "a variant of the workload's model instead of the main one" })
        .option("energy", { type: "boolean", default: false, describe: "energy-mode firmware (timestamp pin)" }),
    async (args) => {
      const board = findBoard(args.board);
      const w = loadWorkload(args.workload);
      const model = boardModel(w, args.variant); // the float32 reference is refused here, saying why
      const image = await buildFirmware(
        {
          board,
          modelId: w.manifest.mlperfModelId,
          modelPath: model.path,
          modelKind: model.kind,
          inputBytes: w.manifest.dataset.window?.bytes ?? w.manifest.input.bytes,
          transform: w.manifest.input.transform,
          timestampMode: args.energy ? "energy" : "performance",
          resultsMse: w.manifest.task === "anomaly",
        },
        (l) => console.error(l),
      );
      const lock = board.kind === "physical" ? await lockBoard(board, `tinyrig flash ${w.id}`) : undefined;
      try {
        const { flasher, config } = flasherFor(board);
        const result = await flasher.flash(config, { board, image, log: (l) => console.error(l) });
        console.error(`flashed ${image.sha256.slice(0, 12)} with ${result.tool} in ${result.durationMs} ms`);
        if (result.console) {
          console.log(result.console.path);
          console.error(`${board.name} runs ${w.id} on ${result.console.path} (115200 baud); Ctrl-C stops it`);
          await new Promise<void>((resolve) => {
            process.once("SIGINT", resolve);
            process.once("SIGTERM", resolve);
            void result.console!.exited.then((why) => {
              console.error(why);
              resolve();
            });
          });
          await result.console.close();
        }
      } finally {
        lock?.release();
      }
    },
  );
}
