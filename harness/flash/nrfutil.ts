// Nordic nrfutil (device command): `nrfutil device program --firmware <hex> --serial-number <snr>` then reset.
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({ tool: z.literal("nrfutil"), binary: z.string().default("nrfutil"), serial: z.string().optional(), core: z.string().optional() })
  .strict();

export const nrfutilFlasher: Flasher<z.output<typeof schema>> = {
  tool: "nrfutil",
  schema,
  binaries: (c) => [c.binary],
  async flash(c, ctx) {
    const who = [...(c.serial ? ["--serial-number", c.serial] : []), ...(c.core ? ["--core", c.core] : [])];
    const program = await runFlashTool(
      {
        tool: "nrfutil",
        binary: c.binary,
        args: ["device", "program", "--firmware", ctx.image.hex, ...who, "--options", "chip_erase_mode=ERASE_ALL,verify=VERIFY_READ"],
      },
      ctx,
    );
    const reset = await runFlashTool({ tool: "nrfutil", binary: c.binary, args: ["device", "reset", ...who] }, ctx);
    return { ...program, output: `${program.output}\n${reset.output}`, durationMs: program.durationMs + reset.durationMs };
  },
};
