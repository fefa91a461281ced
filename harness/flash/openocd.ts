// OpenOCD: `openocd -f <interface cfg> -f <target cfg> -c "adapter serial <sn>" -c "program <elf> verify reset exit"`.
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({
    tool: z.literal("openocd"),
    binary: z.string().default("openocd"),
    interface: z.string().min(1), // e.g. interface/stlink.cfg
    target: z.string().min(1), // e.g. target/stm32l4x.cfg
    adapterSerial: z.string().optional(), // picks one probe of several
    extraCommands: z.array(z.string()).default([]),
  })
  .strict();

export const openocdFlasher: Flasher<z.output<typeof schema>> = {
  tool: "openocd",
  schema,
  binaries: (c) => [c.binary],
  flash: (c, ctx) =>
    runFlashTool(
      {
        tool: "openocd",
        binary: c.binary,
        args: [
          "-f",
          c.interface,
          ...(c.adapterSerial ? ["-c", `adapter serial ${c.adapterSerial}`] : []),
          "-f",
          c.target,
          ...c.extraCommands.flatMap((x) => ["-c", x]),
          "-c",
          `program ${ctx.image.elf} verify reset exit`,
        ],
      },
      ctx,
    ),
};
