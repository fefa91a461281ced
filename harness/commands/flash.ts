// `tinyrig flash`: build the firmware for a board and a workload and flash it. For an emulated board this boots the
// emulator on the image and keeps it running, printing its serial port, so any host tool (the MLPerf Tiny runner, a
// terminal) can talk to it until Ctrl-C.
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { defaultBoard, findBoard } from "../boards/load.ts";
import { lockBoard } from "../boards/lock.ts";
import { buildFirmware } from "../build/firmware.ts";
import { loadImage } from "../run/connect.ts";
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
        const { loaded, attached } = await loadImage(board, image, { log: (l) => console.error(l) });
        console.error(`${attached ? "booted" : "flashed"} ${image.sha256.slice(0, 12)} with ${loaded.by} in ${loaded.durationMs} ms`);
        if (attached) {
          console.log(attached.path);
          console.error(`${board.name} runs ${w.id} on ${attached.path} (115200 baud); Ctrl-C stops it`);
          await new Promise<void>((resolve) => {
            process.once("SIGINT", resolve);
            process.once("SIGTERM", resolve);
            void attached.exited.then((why) => {
              console.error(why);
              resolve();
            });
          });
          await attached.close();
        }
      } finally {
        lock?.release();
      }
    },
  );
}
