// `tinyrig build`: build the reference firmware for a board and a workload, print where and how big.
import type { Argv } from "yargs";
import { describeCommand } from "../cli.ts";
import { defaultBoard, findBoard } from "../boards/load.ts";
import { readFileSync } from "node:fs";
import { buildFirmware, INPUT_TRANSFORMS, type InputTransform } from "../build/firmware.ts";
import { loadTflite } from "../tflite/model.ts";
import { ModelWorkloadError, modelInput } from "../workloads/model-workload.ts";
import { positiveInteger, UsageError } from "./usage.ts";

export function buildCommand(cli: Argv): void {
  cli.command(
    "build",
    describeCommand("build"),
    (y) =>
      y
        .option("board", { type: "string", default: defaultBoard(), describe: "board name or YAML file" })
        .option("model", { type: "string", demandOption: true, describe: ".tflite file, or .c: a classical model compiled to C (firmware/core/classical.h)" })
        .option("model-id", { type: "string", default: "custom", describe: "what m-model-[...] answers" })
        .option("input-bytes", {
          type: "string",
          coerce: positiveInteger("--input-bytes"),
          describe: "bytes per input (a .tflite: read off its input tensor, and checked when given)",
        })
        .option("transform", {
          choices: INPUT_TRANSFORMS,
          describe: "how an input's bytes become the model's input (a .tflite: as its input tensor takes them)",
        })
        .option("energy", { type: "boolean", default: false, describe: "energy-mode firmware (timestamp pin)" })
        .option("kernels", { choices: ["ref", "dsp", "mve"] as const, describe: "override the board's kernel set" })
        .option("protocol", {
          choices: ["tinyrig", "mlperf"] as const,
          default: "tinyrig" as const,
          describe: "mlperf: speak MLPerf's protocol only (no caps, dbraw, pins, outraw; an 80-character command buffer), as MLPerf's reference firmware does",
        }),
    async (args) => {
      const board = findBoard(args.board);
      const classical = args.model.endsWith(".c");
      let input: { transform: InputTransform; bytes: number };
      if (classical) {
        if (args["input-bytes"] === undefined) throw new UsageError("--input-bytes: a classical model (.c) does not say its input size");
        input = { transform: args.transform ?? "int8", bytes: args["input-bytes"] };
      } else {
        try {
          const model = loadTflite(new Uint8Array(readFileSync(args.model)));
          const t = model.tensors[model.inputs[0]!]!;
          input = modelInput(args.model, { type: t.type, elements: t.elements, zeroPoint: t.quantization?.zeroPoint[0] }, args.transform, args["input-bytes"]);
        } catch (err) {
          throw new UsageError(`--model: ${err instanceof ModelWorkloadError ? err.message : `${args.model}: ${(err as Error).message}`}`);
        }
      }
      const image = await buildFirmware(
        {
          board,
          modelId: args["model-id"],
          modelPath: args.model,
          modelKind: classical ? "classical" : "tflite",
          inputBytes: input.bytes,
          transform: input.transform,
          timestampMode: args.energy ? "energy" : "performance",
          kernels: args.kernels,
          protocol: args.protocol,
        },
        (l) => console.error(l),
      );
      console.log(
        `${image.elf}\n  sha256 ${image.sha256}  ${image.bytes} B image  flash ${image.sizes.flash} B  ram ${image.sizes.ram} B  kernels ${image.kernels}\n  ${image.toolchain}`,
      );
    },
  );
}
