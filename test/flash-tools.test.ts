// Every flasher against a stand-in executable that records its argv (the vendors' tools and boards are not here):
// the exact command line from a board file, the tool's output surfaced on failure, J-Link's failure read from its
// output with exit code 0, a missing executable named with its board-file field.
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseBoardText } from "../harness/boards/load.ts";
import { flasherFor } from "../harness/flash/index.ts";
import { FlashError, type FlashImage } from "../harness/flash/types.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-flash-"));
const bin = path.join(dir, "bin");
const log = path.join(dir, "argv.log");
const STANDIN = path.resolve(import.meta.dirname, "fixtures/standins/standin.sh");
const TOOLS = ["openocd", "pyocd", "STM32_Programmer_CLI", "st-flash", "esptool", "nrfjprog", "nrfutil", "picotool", "JLinkExe", "arduino-cli", "dfu-util"];
(await import("node:fs")).mkdirSync(bin);
for (const t of TOOLS) symlinkSync(STANDIN, path.join(bin, t));
process.env.PATH = `${bin}:${process.env.PATH}`;
const image: FlashImage = { elf: path.join(dir, "fw.elf"), bin: path.join(dir, "fw.bin"), hex: path.join(dir, "fw.hex"), sha256: "0".repeat(64), bytes: 4 };

function board(flasher: string) {
  const text = `name: b\ncpu: { arch: arm, core: cortex-m4, clockHz: 80000000 }\nmemory: { flash: { origin: 0x08000000, size: 1M }, ram: { origin: 0x20000000, size: 128K } }\nconsole: { serial: { path: /dev/ttyACM0 } }\nflasher: ${flasher}\nbuild: { cross: arm-none-eabi-, archFlags: [-mcpu=cortex-m4], port: stm32l4 }\n`;
  return parseBoardText(text, path.join(dir, "b.yaml"));
}

async function flashWith(flasher: string, env: Record<string, string> = {}) {
  writeFileSync(log, "");
  Object.assign(process.env, { STANDIN_LOG: log, STANDIN_EXIT: "0", STANDIN_OUTPUT: "" }, env);
  const b = board(flasher);
  const { flasher: f, config } = flasherFor(b);
  const lines: string[] = [];
  const result = await f.flash(config, { board: b, image, log: (l: string) => lines.push(l) });
  const calls = readFileSync(log, "utf8")
    .split("--\n")
    .filter(Boolean)
    .map((c) => c.trimEnd().split("\n"));
  return { result, calls };
}

afterEach(() => {
  delete process.env.STANDIN_EXIT;
  delete process.env.STANDIN_OUTPUT;
});

describe("flashers build the vendors' command lines", () => {
  const cases: [string, string[][]][] = [
    [
      "{ tool: openocd, interface: interface/stlink.cfg, target: target/stm32l4x.cfg, adapterSerial: 0671FF }",
      [["openocd", "-f", "interface/stlink.cfg", "-c", "adapter serial 0671FF", "-f", "target/stm32l4x.cfg", "-c", `program ${image.elf} verify reset exit`]],
    ],
    ["{ tool: pyocd, target: stm32l4r5zitx, probeUid: 0671FF }", [["pyocd", "flash", "-t", "stm32l4r5zitx", "-u", "0671FF", image.elf]]],
    ["{ tool: stm32cubeprog, serial: 0671FF }", [["STM32_Programmer_CLI", "-c", "port=SWD", "sn=0671FF", "-w", image.hex, "-v", "-rst"]]],
    ["{ tool: st-flash, serial: 0671FF }", [["st-flash", "--serial", "0671FF", "--reset", "write", image.bin, "0x08000000"]]],
    [
      "{ tool: esptool, chip: esp32s3, port: /dev/ttyUSB0 }",
      [["esptool", "--chip", "esp32s3", "--port", "/dev/ttyUSB0", "--baud", "921600", "write-flash", "0x0", image.bin]],
    ],
    [
      "{ tool: esptool, chip: esp32s3, port: /dev/ttyUSB0, version: 4, baud: 460800 }",
      [["esptool", "--chip", "esp32s3", "--port", "/dev/ttyUSB0", "--baud", "460800", "write_flash", "0x0", image.bin]],
    ],
    ["{ tool: nrfjprog, serial: '1050123456' }", [["nrfjprog", "-s", "1050123456", "--program", image.hex, "--chiperase", "--verify", "--reset"]]],
    [
      "{ tool: nrfutil, serial: '1050123456' }",
      [
        ["nrfutil", "device", "program", "--firmware", image.hex, "--serial-number", "1050123456", "--options", "chip_erase_mode=ERASE_ALL,verify=VERIFY_READ"],
        ["nrfutil", "device", "reset", "--serial-number", "1050123456"],
      ],
    ],
    ["{ tool: picotool, serial: E66038B7 }", [["picotool", "load", "-x", "-t", "elf", image.elf, "--ser", "E66038B7", "-f"]]],
    [
      "{ tool: jlink, device: nRF52840_xxAA, serial: '683123456' }",
      [["JLinkExe", "-SelectEmuBySN", "683123456", "-NoGui", "1", "-ExitOnError", "1", "-CommanderScript", path.join(dir, "flash.jlink")]],
    ],
    [
      "{ tool: arduino-cli, fqbn: 'arduino:mbed_nano:nano33ble', port: /dev/ttyACM1 }",
      [["arduino-cli", "upload", "-p", "/dev/ttyACM1", "--fqbn", "arduino:mbed_nano:nano33ble", "--input-file", image.bin]],
    ],
    ["{ tool: dfu-util, serial: 'ABC', alt: 0 }", [["dfu-util", "-S", "ABC", "-a", "0", "-s", "0x08000000:leave", "-D", image.bin]]],
  ];
  for (const [yaml, argv] of cases) {
    it(yaml, async () => {
      const { calls } = await flashWith(yaml);
      expect(calls).toEqual(argv);
    });
  }

  it("the J-Link command file loads the image, resets and runs", async () => {
    await flashWith("{ tool: jlink, device: STM32L4R5ZI }");
    expect(readFileSync(path.join(dir, "flash.jlink"), "utf8").split("\n")).toEqual([
      "device STM32L4R5ZI",
      "si SWD",
      "speed 4000",
      "connect",
      "r",
      `loadfile ${image.hex}`,
      "r",
      "g",
      "exit",
      "",
    ]);
  });
});

describe("flash failures stop the run with the tool's output", () => {
  it("a non-zero exit carries exit code, argv and output", async () => {
    const err = await flashWith("{ tool: openocd, interface: i.cfg, target: t.cfg }", { STANDIN_EXIT: "1", STANDIN_OUTPUT: "Error: open failed" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlashError);
    expect(err).toMatchObject({ tool: "openocd", exitCode: 1 });
    expect((err as Error).message).toMatch(/openocd failed with exit code 1[\s\S]*Error: open failed/);
  });

  it("J-Link Commander's failure is read from its output although it exits 0", async () => {
    const err = await flashWith("{ tool: jlink, device: STM32L4R5ZI }", { STANDIN_OUTPUT: "Connecting to J-Link via USB...FAILED" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlashError);
    expect((err as Error).message).toMatch(/jlink reported a failure \(exit code 0\)/);
  });

  it("a missing executable names the tool and the board file field", async () => {
    const err = await flashWith("{ tool: pyocd, target: x, binary: /nonexistent/pyocd }").catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/pyocd: "\/nonexistent\/pyocd" is not installed .*b\.yaml, field flasher\.binary/);
  });

  it("a flasher section with a wrong field is refused naming it", () => {
    expect(() => flasherFor(board("{ tool: esptool, chip: esp32s3 }"))).toThrow(/b\.yaml: flasher\.port: /);
    expect(() => flasherFor(board("{ tool: nosuch }"))).toThrow(/flasher\.tool "nosuch" is not one of: .*openocd/);
  });
});
