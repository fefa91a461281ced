// The firmware's own native tests (make -C firmware test), then the mps2-an386 build booted in QEMU and driven over
// the real serial PTY, as the harness drives a board: boot lines, MLPerf Tiny commands, tinyrig's caps/outraw.
import { execa, type ResultPromise } from "execa";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SerialPort } from "serialport";
import { ReadlineParser } from "@serialport/parser-readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const FIRMWARE = path.resolve(import.meta.dirname, "../firmware");
const MODEL = path.resolve(import.meta.dirname, "../workloads/vibration/model.tflite");
const BOARD_EXAMPLE = path.join(FIRMWARE, "examples/mps2-an386");

it("native firmware tests (protocol parser, .tflite reader, planner, kernels) pass", async () => {
  const build = mkdtempSync(path.join(tmpdir(), "tinyrig-fwproto-native-"));
  const r = await execa("make", ["-s", "-C", FIRMWARE, "test", `BUILD_DIR=${build}`], { all: true, reject: false });
  expect(r.exitCode, r.all).toBe(0);
  expect(r.all).toMatch(/\b[1-9]\d* checks, 0 failures/);
}, 300_000);

/** One QEMU-emulated board on a PTY: lines in, commands out. */
class EmulatedDut {
  private lines: string[] = [];
  private waiters: (() => void)[] = [];
  private constructor(
    private readonly qemu: ResultPromise,
    private readonly port: SerialPort,
  ) {
    const parser = port.pipe(new ReadlineParser({ delimiter: "\n" }));
    parser.on("data", (line: string) => {
      this.lines.push(line.replace(/\r$/, ""));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async boot(elf: string): Promise<EmulatedDut> {
    const qemu = execa(
      "qemu-system-arm",
      ["-M", "mps2-an386", "-cpu", "cortex-m4", "-nographic", "-monitor", "none", "-serial", "pty", "-icount", "shift=3", "-kernel", elf],
      { reject: false, buffer: false, stderr: "pipe", stdout: "pipe" },
    );
    // QEMU names the PTY on stderr (or stdout, by version) before the guest runs.
    const device = await new Promise<string>((resolve, reject) => {
      let seen = "";
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        const m = /char device redirected to (\/dev\/pts\/\d+)/.exec(seen);
        if (m) resolve(m[1]!);
      };
      qemu.stderr!.on("data", onData);
      qemu.stdout!.on("data", onData);
      setTimeout(() => reject(new Error(`QEMU named no PTY within 10 s: ${seen}`)), 10_000);
    });
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path: device, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(p)));
    });
    return new EmulatedDut(qemu, port);
  }

  /** Lines up to and including the next `m-ready` (the end of every answer). */
  async untilReady(timeoutMs = 20_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.lines.indexOf("m-ready");
      if (at >= 0) return this.lines.splice(0, at + 1);
      if (Date.now() > deadline) throw new Error(`no m-ready within ${timeoutMs} ms; got ${JSON.stringify(this.lines)}`);
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
        setTimeout(wake, 200);
      });
    }
  }

  async command(text: string): Promise<string[]> {
    await new Promise<void>((resolve, reject) => this.port.write(text, (err) => (err ? reject(err) : resolve())));
    return this.untilReady();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
    this.qemu.kill();
    await this.qemu;
  }
}

describe("mps2-an386 firmware over the serial PTY", () => {
  let dut: EmulatedDut;
  let boot: string[];
  let build: string;

  beforeAll(async () => {
    build = mkdtempSync(path.join(tmpdir(), "tinyrig-fwproto-an386-"));
    const r = await execa(
      "make",
      ["-s", "-C", FIRMWARE, `BUILD_DIR=${build}`, `CONFIG_MK=${path.join(BOARD_EXAMPLE, "board.mk")}`, `TR_CONFIG_DIR=${BOARD_EXAMPLE}`, `MODEL=${MODEL}`],
      { all: true, reject: false },
    );
    expect(r.exitCode, r.all).toBe(0);
    dut = await EmulatedDut.boot(path.join(build, "firmware.elf"));
    boot = await dut.untilReady();
  }, 300_000);
  afterAll(async () => dut?.close());

  it("boots with MLPerf Tiny's lines in order (its reference also stamps the end of initialisation)", () => {
    expect(boot).toHaveLength(4);
    expect(boot[0]).toBe("m-timestamp-mode-performance");
    expect(boot[1]).toMatch(/^m-lap-us-\d+$/);
    expect(boot.slice(2)).toEqual(["m-init-done", "m-ready"]);
  });

  it("answers name, profile and caps; caps' sizes match the build", async () => {
    expect(await dut.command("name%")).toEqual(["m-name-dut-[tinyrig-mps2-an386]", "m-ready"]);
    const profile = await dut.command("profile%");
    expect(profile[0]).toMatch(/^m-profile-\[.+\]$/);
    expect(profile.join("\n")).toContain("vib01");
    const caps = await dut.command("caps%");
    const m = /^m-caps-\[(.*)\]$/.exec(caps[0]!);
    expect(m, caps.join("\n")).not.toBeNull();
    const fields = Object.fromEntries(m![1]!.split(",").map((kv) => kv.split("=") as [string, string]));
    expect(Number(fields["line-max"])).toBeGreaterThan(80);
    expect(Number(fields["model-bytes"])).toBe(readFileSync(MODEL).length);
    expect(Number(fields["input-bytes"])).toBe(768);
    expect(Number(fields["arena"])).toBeLessThanOrEqual(Number(fields["arena-size"]));
  });

  it("loads input, infers with timestamps, prints results and the raw output", async () => {
    expect(await dut.command("db load 4%")).toEqual(["m-[Expecting 4 bytes]", "m-ready"]);
    expect(await dut.command("db 01020304%")).toEqual(["m-load-done", "m-ready"]);
    const infer = await dut.command("infer 10 1%");
    expect(infer[0]).toBe("m-warmup-start-1");
    expect(infer[1]).toBe("m-warmup-done");
    const laps = infer.filter((l) => l.startsWith("m-lap-us-")).map((l) => Number(l.slice("m-lap-us-".length)));
    expect(laps).toHaveLength(2);
    expect(laps[1]!).toBeGreaterThan(laps[0]!);
    expect(infer).toContain("m-infer-start-10");
    expect(infer).toContain("m-infer-done");
    expect(infer.find((l) => l.startsWith("m-results-"))).toMatch(/^m-results-\[[-0-9.e, ]+\]$/);
    const raw = await dut.command("outraw%");
    expect(raw[0]).toMatch(/^m-outraw-\[([0-9a-f]{2})+\]$/);
  }, 120_000);

  it("refuses an oversized db load, garbage and an unknown command with e- lines, then stays usable", async () => {
    const tooBig = await dut.command("db load 100000%");
    expect(tooBig[0]).toMatch(/^e-\[/);
    expect(await dut.command("bogus%")).toEqual(["e-[Unknown command: bogus]", "m-ready"]);
    expect(await dut.command("\r\nname%")).toEqual(["m-name-dut-[tinyrig-mps2-an386]", "m-ready"]);
    const tooLong = await dut.command(`${"x".repeat(5000)}%`);
    expect(tooLong[0]).toMatch(/^e-\[/);
    expect(await dut.command("name%")).toEqual(["m-name-dut-[tinyrig-mps2-an386]", "m-ready"]);
  }, 60_000);
});
