// tinyrig's QEMU plugin timestamps timestamp-pin writes in executed instructions: real QEMU, real firmware image.
import { execa } from "execa";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensurePinPlugin, parsePinLog } from "../harness/emulator/pin-plugin.ts";

const FIXTURE = path.resolve(import.meta.dirname, "fixtures/pin-blink");
const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-pin-"));

async function blink(loops: number, shift: number) {
  const elf = path.join(dir, `blink-${loops}.elf`);
  await execa("arm-none-eabi-gcc", [
    "-mcpu=cortex-m4",
    "-mthumb",
    "-O1",
    "-nostdlib",
    `-DBLINK_LOOPS=${loops}`,
    "-T",
    path.join(FIXTURE, "blink.ld"),
    path.join(FIXTURE, "blink.c"),
    "-o",
    elf,
  ]);
  const log = path.join(dir, `pin-${loops}-${shift}-${Math.random()}.log`);
  const so = await ensurePinPlugin();
  // The image spins forever after its pulses; stop QEMU once the four writes are in the log.
  const qemu = execa(
    "qemu-system-arm",
    [
      "-M",
      "mps2-an386",
      "-nographic",
      "-monitor",
      "none",
      "-serial",
      "null",
      "-icount",
      `shift=${shift}`,
      "-plugin",
      `${so},addr=0x40028000,out=${log}`,
      "-kernel",
      elf,
    ],
    { reject: false },
  );
  const deadline = Date.now() + 10_000;
  let writes: ReturnType<typeof parsePinLog>["writes"] = [];
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      writes = parsePinLog(readFileSync(log, "utf8"), shift).writes;
    } catch {
      continue; // not created yet
    }
    if (writes.length >= 4) break;
  }
  qemu.kill("SIGTERM");
  await qemu;
  return writes;
}

describe("QEMU pin plugin", () => {
  it("timestamps every pin write, identically run after run", async () => {
    const a = await blink(1000, 5);
    const b = await blink(1000, 5);
    expect(a).toHaveLength(4);
    expect(b.map((w) => w.instructions)).toEqual(a.map((w) => w.instructions));
  }, 30_000);

  it("counts the instructions between pulses: the loop's cost grows linearly", async () => {
    const short = await blink(1000, 5);
    const long = await blink(3000, 5);
    const gap = (w: typeof short) => w[2]!.instructions - w[1]!.instructions;
    // A volatile loop body costs the same every iteration: 2000 more iterations add exactly 2x what 1000 more add.
    const mid = await blink(2000, 5);
    expect(gap(long) - gap(short)).toBe(2 * (gap(mid) - gap(short)));
    expect(gap(short)).toBeGreaterThan(1000);
    // shift=5: one instruction is 32 virtual ns.
    expect(long[2]!.timeUs - long[1]!.timeUs).toBeCloseTo((gap(long) * 32) / 1000, 9);
  }, 30_000);

  it("refuses a malformed log line", () => {
    expect(() => parsePinLog("12 0x40028000\ngarbage\n", 5)).toThrow(/malformed line.*garbage/);
  });
});
