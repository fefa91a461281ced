// The "manual" flasher: the board already runs the firmware (flashed by hand, or by another tool before tinyrig
// starts). tinyrig only checks nothing is asked of it and goes straight to the console.
import { z } from "zod";
import type { Flasher } from "./types.ts";

const manualConfig = z.object({ tool: z.literal("manual"), note: z.string().optional() }).strict();

export const manualFlasher: Flasher<z.output<typeof manualConfig>> = {
  tool: "manual",
  schema: manualConfig,
  binaries: () => [],
  async flash(config, ctx) {
    ctx.log(`${ctx.board.name}: flashed by hand${config.note ? ` (${config.note})` : ""}; make sure it runs firmware ${ctx.image.sha256.slice(0, 12)}`);
    return { tool: "manual", argv: [], output: "", durationMs: 0 };
  },
};
