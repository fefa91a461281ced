// What this machine can do with a board: the tools it needs (present or missing, with the command that installs each),
// whether its serial devices are attached and usable, and whether another tinyrig holds it. `tinyrig boards` and
// `tinyrig doctor` print it.
import { accessSync, constants, existsSync } from "node:fs";
import { execa } from "execa";
import type { BoardDefinition } from "./schema.ts";
import { boardLockOwner } from "./lock.ts";
import { listSerialPorts, matchUsbPort, type PortInfo, type UsbSerialId } from "../resources/serial-port.ts";

export { listSerialPorts };

/** How to get a tool that is missing: Debian packages where Debian has them, the vendor's download otherwise. */
const INSTALL_HINTS: Record<string, string> = {
  "arm-none-eabi-gcc": "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi",
  "riscv64-unknown-elf-gcc": "apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf",
  "qemu-system-arm": "apt-get install qemu-system-arm",
  "qemu-system-riscv32": "apt-get install qemu-system-misc",
  openocd: "apt-get install openocd",
  "st-flash": "apt-get install stlink-tools",
  "dfu-util": "apt-get install dfu-util",
  picotool: "apt-get install picotool",
  esptool: "apt-get install esptool",
  "esptool.py": "apt-get install esptool",
  pyocd: "pipx install pyocd",
  nrfjprog: "Nordic's nRF Command Line Tools: https://www.nordicsemi.com/Products/Development-tools/nRF-Command-Line-Tools",
  nrfutil: "Nordic's nrfutil: https://www.nordicsemi.com/Products/Development-tools/nRF-Util",
  STM32_Programmer_CLI: "ST's STM32CubeProgrammer: https://www.st.com/en/development-tools/stm32cubeprog.html",
  JLinkExe: "SEGGER J-Link Software: https://www.segger.com/downloads/jlink/",
  "arduino-cli": "https://arduino.github.io/arduino-cli/latest/installation/",
  "xtensa-esp32s3-elf-gcc": "Espressif's ESP-IDF tools (idf_tools.py install xtensa-esp-elf)",
  udevadm: "apt-get install udev",
};

export interface ToolStatus {
  tool: string;
  present: boolean;
  /** How to install it when missing. */
  fix?: string;
}

export interface DeviceStatus {
  /** "console", "interface board", "power monitor" */
  role: string;
  /** The configured path or USB id. */
  wants: string;
  /** The device path found, if any. */
  path?: string;
  /** Found and openable by this user. */
  usable: boolean;
  problem?: string;
  fix?: string;
}

export interface BoardStatus {
  name: string;
  kind: "emulated" | "physical";
  tools: ToolStatus[];
  devices: DeviceStatus[];
  /** emulated: can start (its tools are present); physical: every device attached and usable. */
  ready: boolean;
  busy?: { pid: number; host: string; purpose: string };
  problems: string[];
}

const pathCache = new Map<string, boolean>();
export async function onPath(bin: string): Promise<boolean> {
  let present = pathCache.get(bin);
  if (present === undefined) {
    present = (await execa("sh", ["-c", 'command -v "$1"', "sh", bin], { reject: false })).exitCode === 0;
    pathCache.set(bin, present);
  }
  return present;
}

function access(path: string): { usable: boolean; problem?: string; fix?: string } {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return { usable: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EACCES") return { usable: false, problem: `${path}: permission denied`, fix: "sudo usermod -aG dialout $USER (then log in again)" };
    return { usable: false, problem: `${path}: ${code ?? (err as Error).message}` };
  }
}

function device(role: string, serial: { path?: string; usb?: UsbSerialId } | undefined, ports: PortInfo[]): DeviceStatus | undefined {
  if (!serial) return undefined;
  if (serial.path) {
    const wants = serial.path;
    if (!existsSync(serial.path)) return { role, wants, usable: false, problem: `${serial.path} does not exist (not plugged in?)` };
    return { role, wants, path: serial.path, ...access(serial.path) };
  }
  const id = serial.usb!;
  const wants = `usb ${id.vid}:${id.pid}${id.serialNumber ? ` sn ${id.serialNumber}` : ""}`;
  const matches = matchUsbPort(ports, id);
  if (matches.length === 0) return { role, wants, usable: false, problem: `no serial port with ${wants} (not plugged in?)` };
  if (matches.length > 1) {
    return {
      role,
      wants,
      usable: false,
      problem: `${matches.length} ports match ${wants}: ${matches.map((m) => m.path).join(", ")}`,
      fix: "set the serialNumber in the board file to pick one",
    };
  }
  return { role, wants, path: matches[0]!.path, ...access(matches[0]!.path) };
}

/**
 * What a board's flasher and power monitor need besides what the board file says: the programs they run, the monitor's
 * serial device, and why either could not be set up. Worked out above this layer (harness/commands/board-needs.ts,
 * from the flash and power registries) and handed in, so the board layer depends on neither registry.
 */
export interface BoardNeeds {
  tools: string[];
  monitorSerial?: { path?: string; usb?: UsbSerialId };
  problems: string[];
}

export async function boardStatus(board: BoardDefinition, ports: PortInfo[], needs: BoardNeeds): Promise<BoardStatus> {
  const problems: string[] = [...needs.problems];
  const tools = [`${board.build.cross}gcc`];
  if (board.console.emulator) tools.push(board.console.emulator.qemu.binary);
  tools.push(...needs.tools);
  const monitorSerial = needs.monitorSerial;
  if (board.kind === "physical") tools.push("udevadm"); // serialport lists USB devices through udev
  const toolStatus: ToolStatus[] = [];
  for (const tool of [...new Set(tools)]) {
    const present = await onPath(tool);
    toolStatus.push(present ? { tool, present } : { tool, present, fix: INSTALL_HINTS[tool] ?? "install it and put it on PATH" });
  }
  const devices = [
    device("console", board.console.serial, ports),
    device("interface board", board.interfaceBoard?.serial, ports),
    device("power monitor", monitorSerial, ports),
  ].filter((d): d is DeviceStatus => d !== undefined);
  const toolsOk = toolStatus.every((t) => t.present);
  const owner = board.kind === "physical" ? await boardLockOwner(board, { ports }) : undefined; // emulated runs lock nothing
  return {
    name: board.name,
    kind: board.kind,
    tools: toolStatus,
    devices,
    ready: toolsOk && problems.length === 0 && devices.every((d) => d.usable),
    busy: owner ? { pid: owner.pid, host: owner.host, purpose: owner.purpose } : undefined,
    problems,
  };
}
