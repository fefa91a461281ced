// Joulescope JS220: a USB 2.0 high-speed vendor-class device (bulk endpoints, libusb/WinUSB), not a serial port.
// tinyrig cannot measure with it yet: the vendor's host library is a C driver with a Node-API addon that is not on
// the npm registry (it would be built from source against libusb), its Python tooling is not installable here, and
// its command-line example (`jsdrv capture`) writes current/voltage/power but neither the GPI inputs nor sample ids,
// so it cannot bound windows by the DUT's timestamp pin. This module keeps the board-file section validated, so a
// board can name its JS220 now, and refuses to open with what is missing; docs/joulescope.md says what a working
// driver needs. It never pretends to measure.
import { z } from "zod";
import type { BoardDefinition } from "../boards/schema.ts";
import { EnergyError, type PowerMonitorDriver } from "./types.ts";

export const JS220_USB = { vid: "16d0", pid: "10ba" } as const;

export const js220Schema = z
  .object({
    driver: z.literal("js220"),
    /** The instrument's serial number (several may be attached); absent: the only one. */
    serialNumber: z.string().min(1).optional(),
    /** The voltage channel's range (`s/v/range/select`): 15 V, or 2 V for better resolution at low supply voltages. */
    voltageRange: z.enum(["2V", "15V"]).default("15V"),
    /** General-purpose input wired to the DUT's timestamp pin (`s/gpi/N`); its falling edges bound the windows. */
    timestampGpi: z.number().int().min(0).max(3),
    /** GPI logic reference (`c/gpio/vref`): its own 3.3 V, or the DUT's I/O voltage on the VREF pin. */
    gpiVref: z.enum(["3v3", "external"]).default("3v3"),
    /** Output rate of current and voltage (`h/fs`): 1 kS/s .. 1 MS/s, a divisor of the 2 MS/s base rate. */
    sampleRateHz: z
      .number()
      .int()
      .min(1000)
      .max(1_000_000)
      .refine((r) => 2_000_000 % r === 0, { message: "must divide 2 MS/s (e.g. 1000000, 500000, 100000, 10000, 1000)" })
      .default(1_000_000),
  })
  .strict();
export type Js220Config = z.output<typeof js220Schema>;

export const js220Driver: PowerMonitorDriver<Js220Config> = {
  driver: "js220",
  schema: js220Schema,
  async open(cfg: Js220Config, board: BoardDefinition) {
    throw new EnergyError(
      `${board.file}: powerMonitor js220${cfg.serialNumber ? ` (serial ${cfg.serialNumber})` : ""}: tinyrig has no working Joulescope JS220 driver. ` +
        `The JS220 is a USB bulk device (${JS220_USB.vid}:${JS220_USB.pid}), not a serial port; measuring needs either Jetperch's ` +
        "joulescope_driver Node-API addon (not on npm: built from source with a C toolchain and libusb) or a TypeScript " +
        "implementation of its USB frame and pub/sub protocol over libusb, and neither is in place. See docs/joulescope.md.",
    );
  },
};
