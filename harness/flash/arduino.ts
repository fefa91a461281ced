// arduino-cli: `arduino-cli upload -p <port> --fqbn <fqbn> --input-file <bin>`.
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({ tool: z.literal("arduino-cli"), binary: z.string().default("arduino-cli"), fqbn: z.string().min(1), port: z.string().min(1) })
  .strict();

export const arduinoFlasher: Flasher<z.output<typeof schema>> = {
  tool: "arduino-cli",
  schema,
  binaries: (c) => [c.binary],
  flash: (c, ctx) =>
    runFlashTool({ tool: "arduino-cli", binary: c.binary, args: ["upload", "-p", c.port, "--fqbn", c.fqbn, "--input-file", ctx.image.bin] }, ctx),
};
