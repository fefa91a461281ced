// `tinyrig flash` on an emulated board: the emulator (not a flasher) boots the image and provides the console. The
// command prints the emulator's PTY and keeps the board running for any host tool; here a protocol session of our own
// talks to it over that PTY, as the MLPerf runner would, and Ctrl-C (SIGINT) stops the emulator with the command.
import { execa } from "execa";
import { expect, it } from "vitest";
import { DutSession } from "../harness/protocol/session.ts";
import { SerialTransport } from "../harness/transport/serial.ts";
import { BIN, childPids, ROOT } from "./helpers/cli.ts";

it("tinyrig flash boots mps2-an386 in QEMU, prints its PTY, answers MLPerf's protocol there, and stops on SIGINT", async () => {
  const child = execa("node", [BIN, "flash", "--board", "mps2-an386", "--workload", "vibration"], {
    cwd: ROOT,
    reject: false,
    all: false,
    env: { FORCE_COLOR: "0" },
  });
  const pty = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\/dev\/pts\/\d+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    void child.then((r) => reject(new Error(`tinyrig flash ended before printing a PTY (exit ${r.exitCode}):\n${r.stderr}`)));
  });
  const qemu = await childPids(child.pid!, "qemu-system-arm");
  expect(qemu).toHaveLength(1);
  const session = new DutSession(await SerialTransport.open(pty, 115200), {});
  try {
    await session.sync();
    const identity = await session.identify();
    expect(identity.model).toBe("vib01");
    expect(identity.name).toMatch(/mps2-an386/);
  } finally {
    await session.transport.close();
  }
  child.kill("SIGINT");
  const r = await child;
  expect(r.stderr).toMatch(/booted [0-9a-f]{12} with qemu in \d+ ms/);
  expect(r.stderr).not.toMatch(/flashed/); // nothing was flashed: the emulator loaded the image
  expect(await childPids(child.pid!, "qemu-system-arm")).toEqual([]);
  expect((await execa("kill", ["-0", String(qemu[0])], { reject: false })).exitCode).not.toBe(0);
}, 180_000);
