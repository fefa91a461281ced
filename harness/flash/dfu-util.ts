// dfu-util: `dfu-util -S <serial> -a <alt> -s <address>:leave -D <bin>`.
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({
    tool: z.literal("dfu-util"),
    binary: z.string().default("dfu-util"),
    serial: z.string().optional(),
    alt: z.number().int().nonnegative().default(0),
    address: z
      .string()
      .regex(/^0x[0-9a-f]+$/i)
      .default("0x08000000"),
    device: z.string().optional(),
  })
  .strict();

export const dfuUtilFlasher: Flasher<z.output<typeof schema>> = {
  tool: "dfu-util",
  schema,
  binaries: (c) => [c.binary],
  flash: (c, ctx) =>
    runFlashTool(
      {
        tool: "dfu-util",
        binary: c.binary,
        args: [
          ...(c.serial ? ["-S", c.serial] : []),
          ...(c.device ? ["-d", c.device] : []),
          "-a",
          String(c.alt),
          "-s",
          `${c.address}:leave`,
          "-D",
          ctx.image.bin,
        ],
      },
      ctx,
    ),
};
