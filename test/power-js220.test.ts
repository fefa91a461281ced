// The Joulescope JS220 has no working driver (docs/joulescope.md): its board-file section is validated like any
// monitor's, and opening it fails at once saying what is missing, never with a made-up measurement.
import { describe, expect, it } from "vitest";
import type { BoardDefinition } from "../harness/boards/schema.ts";
import { parseBoardText } from "../harness/boards/load.ts";
import { openPowerMonitor, powerMonitorFor, powerMonitorNames } from "../harness/power/index.ts";
import { js220Schema } from "../harness/power/js220.ts";

const board = (monitor: string): BoardDefinition =>
  parseBoardText(
    `name: js220-board
title: a board measured with a JS220
vendor: test
cpu: { arch: arm, core: cortex-m4, clockHz: 80000000 }
memory:
  flash: { origin: 0x08000000, size: 1M }
  ram: { origin: 0x20000000, size: 128K }
console:
  serial: { path: /dev/ttyACM0 }
flasher: { tool: openocd, interface: interface/stlink.cfg, target: target/stm32l4x.cfg }
build:
  cross: arm-none-eabi-
  archFlags: [-mcpu=cortex-m4, -mthumb]
  port: cmsdk
  kernels: ref
  libcSpecs: nano.specs
powerMonitor: ${monitor}
`,
    "/boards/js220-board.yaml",
  );

describe("Joulescope JS220", () => {
  it("is a registered driver whose board-file section is validated", () => {
    expect(powerMonitorNames()).toEqual(["js220", "lpm01a", "otii", "ppk2"]);
    const { config } = powerMonitorFor(board(`{ driver: js220, serialNumber: "003141", timestampGpi: 0 }`));
    expect(config).toEqual({ driver: "js220", serialNumber: "003141", voltageRange: "15V", timestampGpi: 0, gpiVref: "3v3", sampleRateHz: 1_000_000 });
    const bad = board(`{ driver: js220, timestampGpi: 5, sampleRateHz: 300000, voltageRange: 5V }`);
    expect(() => powerMonitorFor(bad)).toThrow(/^\/boards\/js220-board\.yaml: /);
    const message = (() => {
      try {
        powerMonitorFor(bad);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toMatch(/powerMonitor\.timestampGpi: Too big/);
    expect(message).toMatch(/powerMonitor\.voltageRange: Invalid option/);
    expect(message).toMatch(/powerMonitor\.sampleRateHz: must divide 2 MS\/s/);
    expect(js220Schema.safeParse({ driver: "js220", timestampGpi: 1, sampleRateHz: 500_000 }).success).toBe(true);
  });

  it("refuses to open, naming what is missing", async () => {
    await expect(openPowerMonitor(board(`{ driver: js220, serialNumber: "003141", timestampGpi: 2 }`))).rejects.toThrow(
      /\/boards\/js220-board\.yaml: powerMonitor js220 \(serial 003141\): tinyrig has no working Joulescope JS220 driver\. The JS220 is a USB bulk device \(16d0:10ba\), not a serial port.*joulescope_driver Node-API addon \(not on npm.*See docs\/joulescope\.md/,
    );
  });
});
