// pyOCD: `pyocd flash -t <target> -u <probe uid> <elf>`.
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({
    tool: z.literal("pyocd"),
    binary: z.string().default("pyocd"),
    target: z.string().min(1),
    probeUid: z.string().optional(),
    frequency: z.string().optional(),
  })
  .strict();

export const pyocdFlasher: Flasher<z.output<typeof schema>> = {
  tool: "pyocd",
  schema,
  binaries: (c) => [c.binary],
  flash: (c, ctx) =>
    runFlashTool(
      {
        tool: "pyocd",
        binary: c.binary,
        args: ["flash", "-t", c.target, ...(c.probeUid ? ["-u", c.probeUid] : []), ...(c.frequency ? ["-f", c.frequency] : []), ctx.image.elf],
      },
      ctx,
    ),
};
