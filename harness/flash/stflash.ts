// stlink's st-flash: `st-flash --serial <sn> --reset write <bin> <address>`.
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({
    tool: z.literal("st-flash"),
    binary: z.string().default("st-flash"),
    serial: z.string().optional(),
    address: z
      .string()
      .regex(/^0x[0-9a-f]+$/i)
      .default("0x08000000"),
  })
  .strict();

export const stFlashFlasher: Flasher<z.output<typeof schema>> = {
  tool: "st-flash",
  schema,
  binaries: (c) => [c.binary],
  flash: (c, ctx) =>
    runFlashTool(
      { tool: "st-flash", binary: c.binary, args: [...(c.serial ? ["--serial", c.serial] : []), "--reset", "write", ctx.image.bin, c.address] },
      ctx,
    ),
};
