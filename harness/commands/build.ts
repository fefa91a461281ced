// `tinyrig build`: build the reference firmware for a board and a workload, print where and how big.
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { defaultBoard, findBoard } from "../boards/load.ts";
import { buildFirmware, type InputTransform } from "../build/firmware.ts";

export function buildCommand(cli: Argv): void {
  cli.command(
    "build",
    describeCommand("build"),
    (y) =>
      y
        .option("board", { type: "string", default: defaultBoard(), describe: "board name or YAML file" })
        .option("model", { type: "string", demandOption: true, describe: ".tflite file, or .c: a classical model compiled to C (firmware/core/classical.h)" })
        .option("model-id", { type: "string", default: "custom", describe: "what m-model-[...] answers" })
        .option("input-bytes", { type: "number", demandOption: true })
        .option("transform", { choices: ["int8", "uint8-minus-128", "float32-quantize", "raw"] as const, default: "int8" as const })
        .option("energy", { type: "boolean", default: false, describe: "energy-mode firmware (timestamp pin)" })
        .option("kernels", { choices: ["ref", "dsp", "mve"] as const, describe: "override the board's kernel set" }),
    async (args) => {
      const board = findBoard(args.board);
      const image = await buildFirmware(
        {
          board,
          modelId: args["model-id"],
          modelPath: args.model,
          modelKind: args.model.endsWith(".c") ? "classical" : "tflite",
          inputBytes: args["input-bytes"],
          transform: args.transform as InputTransform,
          timestampMode: args.energy ? "energy" : "performance",
          kernels: args.kernels,
        },
        (l) => console.error(l),
      );
      console.log(`${image.elf}\n  sha256 ${image.sha256}  ${image.bytes} B image  flash ${image.sizes.flash} B  ram ${image.sizes.ram} B  kernels ${image.kernels}\n  ${image.toolchain}`);
    },
  );
}
