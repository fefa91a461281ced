// Nordic nrfjprog: `nrfjprog -s <snr> --program <hex> --chiperase --verify --reset`.
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({
    tool: z.literal("nrfjprog"),
    binary: z.string().default("nrfjprog"),
    serial: z.string().optional(),
    family: z.string().optional(),
    coprocessor: z.string().optional(),
  })
  .strict();

export const nrfjprogFlasher: Flasher<z.output<typeof schema>> = {
  tool: "nrfjprog",
  schema,
  binaries: (c) => [c.binary],
  flash: (c, ctx) =>
    runFlashTool(
      {
        tool: "nrfjprog",
        binary: c.binary,
        args: [
          ...(c.serial ? ["-s", c.serial] : []),
          ...(c.family ? ["-f", c.family] : []),
          ...(c.coprocessor ? ["--coprocessor", c.coprocessor] : []),
          "--program",
          ctx.image.hex,
          "--chiperase",
          "--verify",
          "--reset",
        ],
      },
      ctx,
    ),
};
