// A serial port as a resource (labgrid's idea): where a device is, by a path or by its USB id (and serial number, so
// the right one of several identical devices is used), declared once and found one way for every device that is
// reached over one: boards' consoles, MLPerf's interface board, power monitors. Devices re-enumerate after flashing,
// so finding waits.
import { setTimeout as sleep } from "node:timers/promises";
import { SerialPort } from "serialport";
import { z } from "zod";

const usbId = z.string().regex(/^[0-9a-f]{4}$/i, "four hex digits, e.g. 0483");
export const usbSerialIdSchema = z.object({ vid: usbId, pid: usbId, serialNumber: z.string().optional() }).strict();
export type UsbSerialId = z.output<typeof usbSerialIdSchema>;

/** The fields of a serial-port resource, for schemas that add their own (a console's baud rates). */
export const serialPortFields = {
  path: z.string().optional(), // /dev/ttyACM0, or found through usb
  usb: usbSerialIdSchema.optional(),
};

/** Either field names the port; a schema using serialPortFields refines with this. */
export const namesAPort = (r: { path?: string; usb?: UsbSerialId }) => r.path !== undefined || r.usb !== undefined;

/** A serial port by path or USB id; `device` says what is looked for in the refusal ("the PPK2"). */
export function serialPortSchema(device: string) {
  return z
    .object(serialPortFields)
    .strict()
    .refine(namesAPort, { message: `needs a \`path\` or a \`usb\` id to find ${device} by` });
}
export type SerialPortResource = { path?: string; usb?: UsbSerialId };

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

export const describeUsbId = (id: UsbSerialId) => `${id.vid}:${id.pid}${id.serialNumber ? ` serial ${id.serialNumber}` : ""}`;

export interface FindSerialPortOptions {
  /** What is looked for, in messages: "serial port", "PPK2". */
  what: string;
  /** The setting that tells several apart: "console.serial.usb.serialNumber". */
  setting: string;
  timeoutMs?: number;
  list?: () => Promise<PortInfo[]>;
  /** Several ports of one device (a PPK2 shows two): which one to use. Without it, several matches are an error. */
  choose?: (matches: PortInfo[]) => Promise<string>;
}

/** The port's path: as given, or once exactly one device with the USB id is present. Several devices without a serial
 * number to pick one are an error, not a guess. */
export async function findSerialPort(resource: SerialPortResource, o: FindSerialPortOptions): Promise<string> {
  if (resource.path !== undefined) return resource.path;
  const id = resource.usb!;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const list = o.list ?? (() => SerialPort.list());
  const deadline = Date.now() + timeoutMs;
  let seen: PortInfo[] = [];
  for (;;) {
    seen = await list();
    const matches = matchUsbPort(seen, id);
    const serials = [...new Set(matches.map((m) => m.serialNumber ?? "?"))];
    if (matches.length === 1) return matches[0]!.path;
    if (matches.length > 1) {
      if (serials.length > 1 || !o.choose) {
        const count = o.choose ? serials.length : matches.length;
        throw new Error(
          `${count} ${o.what}s match USB ${id.vid}:${id.pid} (${matches.map((m) => `${m.path} sn=${m.serialNumber ?? "?"}`).join(", ")}); set ${o.setting} to pick one`,
        );
      }
      return o.choose(matches);
    }
    if (Date.now() >= deadline) break;
    await sleep(250);
  }
  throw new Error(
    `no ${o.what} with USB id ${describeUsbId(id)} appeared within ${timeoutMs} ms; present: ` +
      (seen.map((p) => `${p.path} (${p.vendorId ?? "?"}:${p.productId ?? "?"} sn=${p.serialNumber ?? "?"})`).join(", ") || "none"),
  );
}
