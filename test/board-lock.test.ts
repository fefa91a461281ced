// One process per physical board, host-wide: a lock keyed by the board's device (USB serial number, else the console's
// real path), refused while its holder lives, free as soon as the holder is gone however it ended, and never held by
// two processes at once, even when many race for a lock whose holder was killed.
import { execa, type ResultPromise } from "execa";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { BoardBusyError, boardDeviceIdentity, boardLockOwner, defaultLockDir, deviceLockOwner, lockBoard, lockDevice } from "../harness/boards/lock.ts";
import { loadBoardFile } from "../harness/boards/load.ts";
import type { PortInfo } from "../harness/resources/serial-port.ts";
import { ROOT } from "./helpers/cli.ts";

const RACER = path.join(ROOT, "test/fixtures/lock-racer.ts");
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-lock-"));

/** A physical board file whose console is `consoleYaml`. */
function board(name: string, consoleYaml: string) {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
cpu: { arch: arm, core: cortex-m4, clockHz: 80000000 }
memory: { flash: { origin: 0x08000000, size: 1M }, ram: { origin: 0x20000000, size: 128K } }
console: { serial: ${consoleYaml} }
flasher: { tool: manual }
build: { cross: arm-none-eabi-, archFlags: [-mcpu=cortex-m4, -mthumb], port: nucleo_l4r5zi }
`,
  );
  return loadBoardFile(file);
}

describe("board locks", () => {
  it("refuses a board held by a live holder, names it, and frees it on release", async () => {
    const locks = path.join(dir, "basic");
    const nucleo = board("nucleo", "{ path: /dev/ttyNUCLEO0 }");
    const first = await lockBoard(nucleo, "run A", { dir: locks, ports: [] });
    expect(first.device).toEqual({ key: "dev-ttyNUCLEO0", label: "/dev/ttyNUCLEO0" });
    await expect(lockBoard(nucleo, "run B", { dir: locks, ports: [] })).rejects.toThrow(BoardBusyError);
    await expect(lockBoard(nucleo, "run B", { dir: locks, ports: [] })).rejects.toThrow(
      /board nucleo is in use by pid \d+ on .* \(run A, board file .*nucleo\.yaml\)/,
    );
    expect((await boardLockOwner(nucleo, { dir: locks, ports: [] }))?.purpose).toBe("run A");
    first.release();
    expect(await boardLockOwner(nucleo, { dir: locks, ports: [] })).toBeUndefined();
    const again = await lockBoard(nucleo, "run C", { dir: locks, ports: [] });
    expect(again.tookOverFrom).toBeUndefined(); // released properly: nobody to take over from
    again.release();
  });

  it("a holder that was killed: its lock is free at once, and the next holder is told who held it", async () => {
    const locks = path.join(dir, "killed");
    const device = { key: "dev-ttyKILLED", label: "/dev/ttyKILLED" };
    const holder = racer(locks, device.key);
    expect(await holder.next()).toBe("ready");
    await holder.send(`go ${Date.now()}`);
    expect(await holder.next()).toBe("won");
    expect(deviceLockOwner(device, locks)?.pid).toBe(holder.child.pid);
    holder.child.kill("SIGKILL");
    await holder.child;
    expect(deviceLockOwner(device, locks)).toBeUndefined(); // the kernel dropped the lock with the process
    const next = lockDevice(device, { purpose: "after the crash" }, locks);
    expect(next.tookOverFrom?.pid).toBe(holder.child.pid);
    next.release();
  }, 30_000);

  it("many processes racing for a lock whose holder died: exactly one wins, every round", async () => {
    const locks = path.join(dir, "race");
    const key = "usb-0483-374b-RACE";
    // what a killed holder leaves: the file naming a pid that is gone, no lock held
    mkdirSync(locks, { recursive: true });
    const dead = Number((await execa("node", ["-e", "process.stdout.write(String(process.pid))"])).stdout);
    const racers = Array.from({ length: 8 }, () => racer(locks, key));
    try {
      expect(await Promise.all(racers.map((r) => r.next()))).toEqual(racers.map(() => "ready"));
      const rounds = 12;
      const winners: number[] = [];
      for (let round = 0; round < rounds; round++) {
        writeFileSync(path.join(locks, `${key}.lock`), JSON.stringify({ pid: dead, host: hostname(), since: "2026-01-01", purpose: "crashed run" }));
        const at = Date.now() + 300;
        await Promise.all(racers.map((r) => r.send(`go ${at}`)));
        const answers = await Promise.all(racers.map((r) => r.next()));
        const won = answers.filter((a) => a.startsWith("won"));
        winners.push(won.length);
        expect(won, `round ${round}: ${answers.join(", ")}`).toEqual([`won from ${dead}`]);
        await Promise.all(racers.map((r) => r.send("release")));
        expect(await Promise.all(racers.map((r) => r.next()))).toEqual(racers.map(() => "released"));
      }
      expect(winners).toEqual(Array(rounds).fill(1));
    } finally {
      for (const r of racers) r.child.stdin!.end();
      await Promise.all(racers.map((r) => r.child));
    }
  }, 120_000);

  it("keys the lock by the device: a path through a symlink, or to a USB port with a serial number, is that device", () => {
    const link = path.join(dir, "ttyBYID");
    symlinkSync("/dev/null", link);
    // two board files (two checkouts, two names) for one device: one lock
    expect(boardDeviceIdentity(board("by-link", `{ path: ${link} }`), []).key).toBe("dev-null");
    expect(boardDeviceIdentity(board("by-path", "{ path: /dev/null }"), []).key).toBe("dev-null");
    const ports: PortInfo[] = [{ path: "/dev/null", vendorId: "0483", productId: "374B", serialNumber: "066DFF" }];
    const byUsb = boardDeviceIdentity(board("by-usb", '{ usb: { vid: "0483", pid: "374b", serialNumber: "066DFF" } }'), []);
    expect(byUsb).toEqual({ key: "usb-0483-374b-066DFF", label: "USB 0483:374b serial 066DFF" });
    expect(boardDeviceIdentity(board("by-link-usb", `{ path: ${link} }`), ports)).toEqual(byUsb);
    // a USB id without a serial number: the one attached port's serial number, else the vid:pid
    expect(boardDeviceIdentity(board("by-vidpid", '{ usb: { vid: "0483", pid: "374b" } }'), ports)).toEqual(byUsb);
    expect(boardDeviceIdentity(board("by-vidpid", '{ usb: { vid: "0483", pid: "374b" } }'), []).key).toBe("usb-0483-374b");
  });

  it("two board files naming one device by different routes cannot both hold it", async () => {
    const locks = path.join(dir, "routes");
    const ports: PortInfo[] = [{ path: "/dev/null", vendorId: "0483", productId: "374b", serialNumber: "066DFF" }];
    const a = await lockBoard(board("checkout-a", "{ path: /dev/null }"), "run in checkout A", { dir: locks, ports });
    await expect(
      lockBoard(board("checkout-b", '{ usb: { vid: "0483", pid: "374b", serialNumber: "066DFF" } }'), "run in checkout B", { dir: locks, ports }),
    ).rejects.toThrow(/in use by pid \d+ .*run in checkout A, board file .*checkout-a\.yaml/);
    a.release();
  });

  it("the default directory is host-wide, and TINYRIG_LOCK_DIR overrides it", () => {
    expect(defaultLockDir({ TINYRIG_LOCK_DIR: "/srv/locks" })).toBe("/srv/locks");
    expect(defaultLockDir({})).toMatch(/^(\/run\/lock\/tinyrig|.*\/tinyrig-locks)$/);
    expect(defaultLockDir({}).startsWith(ROOT)).toBe(false); // not inside a checkout: other checkouts must see it
  });
});

/** A racer child (test/fixtures/lock-racer.ts; node itself, so its pid is the holder's) and its answers, line by line. */
function racer(locks: string, key: string) {
  const child: ResultPromise = execa("node", ["--import", "tsx", RACER, locks, key], { stdin: "pipe", buffer: false, reject: false });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    child,
    send: (line: string) => new Promise<void>((resolve, reject) => child.stdin!.write(line + "\n", (err) => (err ? reject(err) : resolve()))),
    next: async () => {
      const r = await lines.next();
      if (r.done) throw new Error(`racer ${child.pid} ended`);
      return r.value;
    },
  };
}
