// Finding a device's serial port (harness/resources/serial-port.ts) by USB id after it re-enumerates (a flashed board
// drops off the bus and comes back): waits for it, refuses to guess between several identical devices, names what it
// saw when it gives up; one finder for consoles, interface boards and power monitors, and one schema for all of them.
import { expect, it } from "vitest";
import { lpm01aSchema } from "../harness/power/lpm01a.ts";
import { ppk2Schema } from "../harness/power/ppk2.ts";
import { findSerialPort, type PortInfo } from "../harness/resources/serial-port.ts";

const nucleo = (path: string, serialNumber: string): PortInfo => ({ path, vendorId: "0483", productId: "374b", serialNumber });
const consoleOptions = (list: () => Promise<PortInfo[]>, timeoutMs: number) => ({
  what: "serial port",
  setting: "console.serial.usb.serialNumber",
  list,
  timeoutMs,
});

it("waits for the board to come back after flashing", async () => {
  let calls = 0;
  const list = async () => (++calls < 3 ? [] : [nucleo("/dev/ttyACM3", "A1")]);
  expect(await findSerialPort({ usb: { vid: "0483", pid: "374B" } }, consoleOptions(list, 5000))).toBe("/dev/ttyACM3");
  expect(calls).toBe(3);
});

it("picks the board by serial number among identical ones, and refuses to guess without it", async () => {
  const list = async () => [nucleo("/dev/ttyACM0", "A1"), nucleo("/dev/ttyACM1", "B2")];
  expect(await findSerialPort({ usb: { vid: "0483", pid: "374b", serialNumber: "B2" } }, consoleOptions(list, 1000))).toBe("/dev/ttyACM1");
  await expect(findSerialPort({ usb: { vid: "0483", pid: "374b" } }, consoleOptions(list, 1000))).rejects.toThrow(
    /2 serial ports match USB 0483:374b .*set console\.serial\.usb\.serialNumber/,
  );
});

it("gives up with what it saw; a path is taken as given", async () => {
  const list = async () => [{ path: "/dev/ttyUSB0", vendorId: "10c4", productId: "ea60" }];
  await expect(findSerialPort({ usb: { vid: "0483", pid: "374b" } }, consoleOptions(list, 300))).rejects.toThrow(
    /no serial port with USB id 0483:374b appeared within 300 ms; present: \/dev\/ttyUSB0 \(10c4:ea60/,
  );
  expect(await findSerialPort({ path: "/dev/ttyS4" }, consoleOptions(list, 300))).toBe("/dev/ttyS4");
});

it("power monitors declare their port with the consoles' schema: a USB id is four hex digits, and one of path or usb is needed", () => {
  const ppk2 = { driver: "ppk2", voltageV: 3, timestampPin: "D0" };
  expect(ppk2Schema.safeParse({ ...ppk2, serial: { usb: { vid: "1915", pid: "c00a" } } }).success).toBe(true);
  expect(ppk2Schema.safeParse({ ...ppk2, serial: { usb: { vid: "nordic", pid: "c00a" } } }).error?.issues[0]?.message).toBe("four hex digits, e.g. 0483");
  expect(lpm01aSchema.safeParse({ driver: "lpm01a", serial: {} }).error?.issues[0]?.message).toBe("needs a `path` or a `usb` id to find the monitor by");
});
