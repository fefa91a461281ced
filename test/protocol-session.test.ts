// The protocol session against a device on a real pseudo-terminal (test/fixtures/pty-device.ts) that
// misbehaves on purpose: garbage bytes, a hang, a missing m-load-done. The well-behaved firmware path is
// covered end to end against QEMU in test/suite.test.ts.
import { execa, type ResultPromise } from "execa";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DutSession } from "../harness/protocol/session.ts";
import { SerialTransport } from "../harness/transport/serial.ts";
import { InterfaceBoardTransport } from "../harness/transport/interface-board.ts";

const DEVICE = path.resolve(import.meta.dirname, "fixtures/pty-device.ts");
const TSX = path.resolve(import.meta.dirname, "../node_modules/.bin/tsx");
let child: ResultPromise | undefined;
let transport: SerialTransport | undefined;

async function device(scenario: string, viaInterfaceBoard = false): Promise<DutSession> {
  child = execa(TSX, [DEVICE, scenario], { stdin: "pipe", buffer: false, reject: false });
  const ptyPath = await new Promise<string>((resolve, reject) => {
    child!.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child!.catch(reject);
  });
  transport = await SerialTransport.open(ptyPath, 115200);
  const session = new DutSession(viaInterfaceBoard ? new InterfaceBoardTransport(transport) : transport, { commandTimeoutMs: 1500 });
  await session.sync(5000);
  return session;
}

afterEach(async () => {
  await transport?.close();
  child?.stdin?.end();
  await child;
  child = transport = undefined;
});

describe("DutSession over a real PTY", () => {
  it("identifies MLPerf-style firmware without caps and falls back to 31-byte db lines", async () => {
    const s = await device("well");
    const id = await s.identify();
    expect(id).toMatchObject({ name: "pty-device", profile: "pty-device 1.0", model: "kws01" });
    expect(id.caps).toBeUndefined();
    expect(s.dbChunkBytes()).toBe(31);
    await s.loadInput(new Uint8Array(490).map((_, i) => i & 0xff));
    const r = await s.infer(4, 1, 2000);
    expect(r).toMatchObject({ t0Us: 1000, t1Us: 2000, latencyUs: 250, results: [0.125, 0.875] });
  });

  it("talks to the DUT through MLPerf's interface board, 26 bytes per db line", async () => {
    const s = await device("io-manager", true);
    expect(await s.identify()).toMatchObject({ name: "pty-device", model: "kws01" });
    expect(s.dbChunkBytes()).toBe(26);
    await s.loadInput(new Uint8Array(100));
    expect((await s.infer(2, 0, 2000)).latencyUs).toBe(250);
  });

  it("names the garbage byte", async () => {
    const s = await device("garbage");
    await expect(s.infer(1, 0, 2000)).rejects.toThrow(/byte 0xff at column 16/);
  });

  it("gives up on a hung device with the command named", async () => {
    const s = await device("hang");
    await expect(s.infer(1, 0, 800)).rejects.toThrow(/did not finish "infer 1 0" within 800 ms/);
  });

  it("refuses an input the device never acknowledged", async () => {
    const s = await device("no-load-done");
    await expect(s.loadInput(new Uint8Array(40))).rejects.toThrow(/never answered m-load-done after 40 bytes/);
  });

  it("refuses, before sending a byte, an input larger than MLPerf firmware's buffer (its plain 'Supplied buffer size' line)", async () => {
    const s = await device("small-buffer");
    await s.identify();
    await s.loadInput(new Uint8Array(490));
    await expect(s.loadInput(new Uint8Array(27648))).rejects.toThrow(
      /answered "db load 27648" with "Supplied buffer size 27648 exceeds maximum of 490", not m-\[Expecting 27648 bytes\]: its input buffer holds 490 bytes, this input is 27648 \(no input byte was sent/,
    );
    expect(await s.command("name")).toEqual(["m-name-dut-[pty-device]"]); // nothing of the input is in flight
  });

  it("refuses the results of an inference MLPerf's reference firmware ran on a stale input (its 'Input db has' line)", async () => {
    const s = await device("short-input");
    await s.identify();
    await s.loadInput(new Uint8Array(490));
    expect((await s.infer(1, 0, 2000)).results).toHaveLength(2);
    await s.loadInput(new Uint8Array(40));
    await expect(s.infer(1, 0, 2000)).rejects.toThrow(
      /"infer 1 0": the device said "Input db has 40 elemented, expected 490": the input loaded is not the size its model takes, so it ran on a stale input/,
    );
  });

  it("times a window across the 2^32 wrap of MLPerf firmware's 32-bit m-lap-us count", async () => {
    const s = await device("wrap32");
    await s.identify();
    expect(await s.infer(4, 1, 2000)).toMatchObject({ t0Us: 2 ** 32 - 600, t1Us: 2 ** 32 + 400, latencyUs: 250 });
    expect(await s.infer(4, 1, 2000)).toMatchObject({ t0Us: 500, t1Us: 1500, latencyUs: 250 });
  });

  it("still refuses a timer that went backwards where no 32-bit wrap explains it", async () => {
    const s = await device("backwards");
    await s.identify();
    await expect(s.infer(4, 1, 2000)).rejects.toThrow(/timer went backwards: m-lap-us-5000 then m-lap-us-2000/);
  });

  it("never sends an empty command, which MLPerf's parser answers by reading through a NULL pointer", async () => {
    const s = await device("empty-faults"); // device() syncs: it would time out had an empty command gone out
    expect(await s.identify()).toMatchObject({ name: "pty-device", model: "kws01" });
    await s.loadInput(new Uint8Array(40));
    expect((await s.infer(2, 0, 2000)).latencyUs).toBe(250);
  });

  it("syncs with a device left holding half a command", async () => {
    const s = await device("half-command");
    expect(await s.command("name")).toEqual(["m-name-dut-[pty-device]"]);
  });

  it("turns an e- line into a DutError naming the command", async () => {
    const s = await device("well");
    await expect(s.command("frobnicate")).rejects.toThrow(/"frobnicate" with e-\[Unknown command: frobnicate\]/);
  });
});
