// The serial transport over a real PTY pair (socat, as every simulator here): a port that closes while a write is
// in flight settles that write as a closed connection. serialport parks the drain of such a write "until the port
// opens again" and never calls back; the run then had nothing left pending and Node exited 13 mid-run.
import { execa, type ResultPromise } from "execa";
import path from "node:path";
import type { SerialPort } from "serialport";
import { afterEach, describe, expect, it } from "vitest";
import { SerialTransport, writeToPort } from "../harness/transport/serial.ts";
import { TransportClosed } from "../harness/transport/types.ts";

const DEVICE = path.resolve(import.meta.dirname, "fixtures/pty-device.ts");
const TSX = path.resolve(import.meta.dirname, "../node_modules/.bin/tsx");
let child: ResultPromise | undefined;

afterEach(async () => {
  child?.stdin?.end();
  await child;
  child = undefined;
});

async function openDevice(): Promise<{ transport: SerialTransport; port: SerialPort }> {
  child = execa(TSX, [DEVICE, "well"], { stdin: "pipe", buffer: false, reject: false });
  const ptyPath = await new Promise<string>((resolve, reject) => {
    child!.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child!.catch(reject);
  });
  const transport = await SerialTransport.open(ptyPath, 115200);
  // the port itself, to close it underneath the transport as a disconnect does
  return { transport, port: (transport as unknown as { port: SerialPort }).port };
}

/** Settles within `ms` or says it did not: a write that never settles must fail the test, not hang it. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms))]);
}

describe("SerialTransport over a real PTY", () => {
  it("a write in flight when the port closes rejects as a closed connection", async () => {
    const { transport, port } = await openDevice();
    const write = transport.write("name%".repeat(200));
    port.close();
    const err = await within(write, 3000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportClosed);
    expect(String(err)).toMatch(/connection closed: .* a write failed \(/);
    expect(transport.closed).toBe(true);
  });

  it("a write after the port closed rejects at once with the reason it closed", async () => {
    const { transport, port } = await openDevice();
    await new Promise<void>((resolve) => port.close(() => resolve()));
    const err = await within(transport.write("name%"), 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportClosed);
    expect(String(err)).toMatch(/connection closed: .* closed/);
  });

  it("writeToPort, which the PPK2 driver writes through too, rejects at once on a port already closed", async () => {
    const { port } = await openDevice();
    await new Promise<void>((resolve) => port.close(() => resolve()));
    const err = await within(writeToPort(port, Buffer.from("x")), 1000).catch((e: unknown) => e);
    expect(String(err)).toMatch(/the port is not open/);
  });
});
