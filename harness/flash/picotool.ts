// Raspberry Pi picotool: `picotool load -x -t elf <elf> --ser <serial>` (load, then execute).
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({ tool: z.literal("picotool"), binary: z.string().default("picotool"), serial: z.string().optional(), force: z.boolean().default(true) })
  .strict();

export const picotoolFlasher: Flasher<z.output<typeof schema>> = {
  tool: "picotool",
  schema,
  binaries: (c) => [c.binary],
  flash: (c, ctx) =>
    runFlashTool(
      {
        tool: "picotool",
        binary: c.binary,
        args: ["load", "-x", "-t", "elf", ctx.image.elf, ...(c.serial ? ["--ser", c.serial] : []), ...(c.force ? ["-f"] : [])],
      },
      ctx,
    ),
};
