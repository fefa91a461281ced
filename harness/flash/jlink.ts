// SEGGER J-Link Commander: a generated command file (device, interface, speed, loadfile, reset, go, exit) run with
// `JLinkExe -SelectEmuBySN <sn> -CommanderScript <file>`. Its exit code does not say whether flashing worked, so
// failure is read from its output.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { runFlashTool } from "./run-tool.ts";
import type { Flasher } from "./types.ts";

const schema = z
  .object({
    tool: z.literal("jlink"),
    binary: z.string().default("JLinkExe"),
    device: z.string().min(1),
    serial: z.string().optional(),
    interface: z.enum(["SWD", "JTAG"]).default("SWD"),
    speedKhz: z.number().int().positive().default(4000),
  })
  .strict();

export const JLINK_FAILURE = /(^|\n)\s*(\*\*\*\*\* Error|ERROR:|Failed to|Could not|Cannot connect|Connecting to J-Link via USB\.\.\.FAILED)/i;

export const jlinkFlasher: Flasher<z.output<typeof schema>> = {
  tool: "jlink",
  schema,
  binaries: (c) => [c.binary],
  flash(c, ctx) {
    const script = path.join(path.dirname(ctx.image.hex), "flash.jlink");
    writeFileSync(
      script,
      [`device ${c.device}`, `si ${c.interface}`, `speed ${c.speedKhz}`, "connect", "r", `loadfile ${ctx.image.hex}`, "r", "g", "exit", ""].join("\n"),
    );
    return runFlashTool(
      {
        tool: "jlink",
        binary: c.binary,
        args: [...(c.serial ? ["-SelectEmuBySN", c.serial] : []), "-NoGui", "1", "-ExitOnError", "1", "-CommanderScript", script],
        failsWhen: JLINK_FAILURE,
      },
      ctx,
    );
  },
};
