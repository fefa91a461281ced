// Finding a physical board's console by USB id after it re-enumerates (a flashed board drops off the bus and comes
// back): waits for it, refuses to guess between several identical boards, names what it saw when it gives up.
import { expect, it } from "vitest";
import { waitForUsbSerial, type PortInfo } from "../harness/transport/find.ts";

const nucleo = (path: string, serialNumber: string): PortInfo => ({ path, vendorId: "0483", productId: "374b", serialNumber });

it("waits for the board to come back after flashing", async () => {
  let calls = 0;
  const list = async () => (++calls < 3 ? [] : [nucleo("/dev/ttyACM3", "A1")]);
  expect(await waitForUsbSerial({ vid: "0483", pid: "374B" }, 5000, list)).toBe("/dev/ttyACM3");
  expect(calls).toBe(3);
});

it("picks the board by serial number among identical ones, and refuses to guess without it", async () => {
  const list = async () => [nucleo("/dev/ttyACM0", "A1"), nucleo("/dev/ttyACM1", "B2")];
  expect(await waitForUsbSerial({ vid: "0483", pid: "374b", serialNumber: "B2" }, 1000, list)).toBe("/dev/ttyACM1");
  await expect(waitForUsbSerial({ vid: "0483", pid: "374b" }, 1000, list)).rejects.toThrow(/2 serial ports match USB 0483:374b .*set console\.serial\.usb\.serialNumber/);
});

it("gives up with what it saw", async () => {
  const list = async () => [{ path: "/dev/ttyUSB0", vendorId: "10c4", productId: "ea60" }];
  await expect(waitForUsbSerial({ vid: "0483", pid: "374b" }, 300, list)).rejects.toThrow(/no serial port for USB 0483:374b appeared within 300 ms; present: \/dev\/ttyUSB0 \(10c4:ea60/);
});
