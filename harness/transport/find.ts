// Finds a physical board's serial console: by its configured path, or by USB VID/PID (and serial number, so the
// right one of several identical boards is used). Boards re-enumerate after flashing, so this waits.
import { setTimeout as sleep } from "node:timers/promises";
import { SerialPort } from "serialport";

export interface UsbSerialId {
  vid: string;
  pid: string;
  serialNumber?: string;
}

export interface PortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
}

/** The serial ports this machine has now (empty, with the reason, where they cannot be listed). */
export async function listSerialPorts(): Promise<{ ports: PortInfo[]; problem?: string }> {
  try {
    return { ports: await SerialPort.list() };
  } catch (err) {
    return { ports: [], problem: `cannot list serial ports: ${(err as Error).message}` };
  }
}

export function matchUsbPort(ports: PortInfo[], id: UsbSerialId): PortInfo[] {
  return ports.filter(
    (p) =>
      p.vendorId?.toLowerCase() === id.vid.toLowerCase() &&
      p.productId?.toLowerCase() === id.pid.toLowerCase() &&
      (id.serialNumber === undefined || p.serialNumber === id.serialNumber),
  );
}

/** Waits until exactly one port matches; several matches without a serial number are an error, not a guess. */
export async function waitForUsbSerial(
  id: UsbSerialId,
  timeoutMs = 10_000,
  list: () => Promise<PortInfo[]> = () => SerialPort.list(),
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen: PortInfo[] = [];
  for (;;) {
    seen = await list();
    const matches = matchUsbPort(seen, id);
    if (matches.length === 1) return matches[0]!.path;
    if (matches.length > 1) {
      throw new Error(
        `${matches.length} serial ports match USB ${id.vid}:${id.pid} (${matches.map((m) => `${m.path} sn=${m.serialNumber ?? "?"}`).join(", ")}); ` +
          "set console.serial.usb.serialNumber in the board file to pick one",
      );
    }
    if (Date.now() >= deadline) break;
    await sleep(250);
  }
  const desc = `${id.vid}:${id.pid}${id.serialNumber ? ` serial ${id.serialNumber}` : ""}`;
  throw new Error(
    `no serial port for USB ${desc} appeared within ${timeoutMs} ms; present: ` +
      (seen.map((p) => `${p.path} (${p.vendorId ?? "?"}:${p.productId ?? "?"} sn=${p.serialNumber ?? "?"})`).join(", ") || "none"),
  );
}
