// STM32CubeProgrammer CLI: `STM32_Programmer_CLI -c port=SWD sn=<sn> -w <hex> -v -rst`.
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({
    tool: z.literal("stm32cubeprog"),
    binary: z.string().default("STM32_Programmer_CLI"),
    port: z.string().default("SWD"),
    serial: z.string().optional(),
    mode: z.string().optional(),
  })
  .strict();

export const stm32CubeProgFlasher: Flasher<z.output<typeof schema>> = {
  tool: "stm32cubeprog",
  schema,
  binaries: (c) => [c.binary],
  flash: (c, ctx) =>
    runFlashTool(
      {
        tool: "stm32cubeprog",
        binary: c.binary,
        // an Intel HEX file carries its own addresses: no address argument needed
        args: ["-c", `port=${c.port}`, ...(c.serial ? [`sn=${c.serial}`] : []), ...(c.mode ? [`mode=${c.mode}`] : []), "-w", ctx.image.hex, "-v", "-rst"],
      },
      ctx,
    ),
};
