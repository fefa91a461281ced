// Espressif esptool: `esptool --chip <chip> --port <port> --baud <baud> write-flash <address> <bin>` (v5 spells the
// command write-flash; v4 write_flash: set `version: 4`).
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({
    tool: z.literal("esptool"),
    binary: z.string().default("esptool"),
    chip: z.string().min(1),
    port: z.string().min(1),
    baud: z.number().int().positive().default(921600),
    address: z
      .string()
      .regex(/^0x[0-9a-f]+$/i)
      .default("0x0"),
    version: z.union([z.literal(4), z.literal(5)]).default(5),
  })
  .strict();

export const esptoolFlasher: Flasher<z.output<typeof schema>> = {
  tool: "esptool",
  schema,
  binaries: (c) => [c.binary],
  flash: (c, ctx) =>
    runFlashTool(
      {
        tool: "esptool",
        binary: c.binary,
        args: ["--chip", c.chip, "--port", c.port, "--baud", String(c.baud), c.version === 4 ? "write_flash" : "write-flash", c.address, ctx.image.bin],
      },
      ctx,
    ),
};
