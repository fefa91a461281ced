// `tinyrig boards` and `tinyrig doctor` as a user runs them: emulated boards ready, a physical board attached on a
// real pseudo-terminal, one whose device is absent, a flasher binary that is missing (with its fix), and a
// malformed board file named with its field.
import { execa, type ResultPromise } from "execa";
import { mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { createInterface } from "node:readline";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boardDeviceIdentity } from "../harness/boards/lock.ts";
import { loadBoardFile } from "../harness/boards/load.ts";
import { ROOT, tinyrig } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-boards-"));
let socat: ResultPromise | undefined;
let pty = "";

const physical = (name: string, consolePath: string, flasher: string) => `name: ${name}
cpu: { arch: arm, core: cortex-m4, clockHz: 80000000 }
memory: { flash: { origin: 0x08000000, size: 1M }, ram: { origin: 0x20000000, size: 128K } }
console: { serial: { path: ${consolePath} } }
flasher: ${flasher}
build: { cross: arm-none-eabi-, archFlags: [-mcpu=cortex-m4, -mthumb], port: nucleo_l4r5zi }
`;

beforeAll(async () => {
  // a real serial device: one end of a socat PTY pair stands in for the board's USB serial port
  socat = execa("socat", ["-d", "-d", `pty,raw,echo=0,link=${path.join(dir, "ttyBOARD")}`, "pty,raw,echo=0"], { reject: false, buffer: false });
  await new Promise<void>((resolve) => {
    let seen = "";
    socat!.stderr!.on("data", (d: Buffer) => {
      seen += d.toString();
      if ((seen.match(/PTY is/g) ?? []).length >= 2) resolve();
    });
  });
  pty = path.join(dir, "ttyBOARD");
  writeFileSync(path.join(dir, "bench-a.yaml"), physical("bench-a", pty, "{ tool: manual }"));
  writeFileSync(
    path.join(dir, "bench-b.yaml"),
    physical("bench-b", "/dev/ttyNOTHERE0", "{ tool: openocd, binary: openocd-not-installed, interface: interface/stlink.cfg, target: target/stm32l4x.cfg }"),
  );
}, 20_000);

afterAll(async () => {
  socat?.kill();
  await socat;
});

describe("tinyrig boards / doctor", () => {
  it("boards: emulated ones, one attached on a real serial device, one absent", async () => {
    const r = await tinyrig(["boards", "--json"], { env: { TINYRIG_BOARDS: dir } });
    expect(r.exitCode, r.all).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; kind: string; presence: string; state: string }[];
    const by = Object.fromEntries(rows.map((x) => [x.name, x]));
    expect(by["mps2-an386"]).toMatchObject({ kind: "emulated", presence: "emulated", state: "free" });
    expect(by["bench-a"]).toMatchObject({ kind: "physical", presence: `attached ${pty}`, state: "free" });
    expect(by["bench-b"]).toMatchObject({ kind: "physical", presence: "not attached" });
  }, 60_000);

  it("boards: busy while another process holds the board's device lock, naming it; free once it is gone", async () => {
    // another tinyrig (another checkout, another board name) holds the same device: the host-wide lock directory
    const locks = path.join(dir, "locks");
    const device = boardDeviceIdentity(loadBoardFile(path.join(dir, "bench-a.yaml")), []);
    const holder = execa("node", ["--import", "tsx", path.join(ROOT, "test/fixtures/lock-racer.ts"), locks, device.key], {
      cwd: ROOT,
      stdin: "pipe",
      buffer: false,
      reject: false,
    });
    const lines = createInterface({ input: holder.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe("ready");
    holder.stdin!.write(`go ${Date.now()}\n`);
    expect((await lines.next()).value).toBe("won");
    const state = async () => {
      const r = await tinyrig(["boards", "--json"], { env: { TINYRIG_BOARDS: dir, TINYRIG_LOCK_DIR: locks } });
      expect(r.exitCode, r.all).toBe(0);
      return (JSON.parse(r.stdout) as { name: string; state: string }[]).find((x) => x.name === "bench-a")!.state;
    };
    expect(await state()).toBe(`busy (pid ${holder.pid} on ${hostname()}: racer ${holder.pid})`);
    holder.kill("SIGKILL");
    await holder;
    expect(await state()).toBe("free");
  }, 60_000);

  it("doctor: names what is missing with its fix; emulated boards ready", async () => {
    const r = await tinyrig(["doctor"], { env: { TINYRIG_BOARDS: dir } });
    expect(r.exitCode, r.all).toBe(0); // every emulated board can run: physical gaps are reported, not failed on
    expect(r.stdout).toMatch(/✓ mps2-an386 +emulated +ready \(arm-none-eabi-gcc, qemu-system-arm\)/);
    expect(r.stdout).toMatch(/✓ bench-a +physical +ready/);
    expect(r.stdout).toMatch(/✗ bench-b[\s\S]*missing openocd-not-installed: install it and put it on PATH[\s\S]*console: \/dev\/ttyNOTHERE0 does not exist/);
  }, 60_000);

  it("a malformed board file: the file, line and field are named, and doctor exits 1", async () => {
    writeFileSync(path.join(dir, "broken.yaml"), physical("broken", pty, "{ tool: manual }").replace("clockHz: 80000000", "clockHz: fast"));
    const b = await tinyrig(["boards", path.join(dir, "broken.yaml")]);
    expect(b.exitCode).toBe(1);
    expect(b.stderr).toMatch(/broken\.yaml: invalid board file\s+line 2: cpu\.clockHz: Invalid input: expected number/);
    const d = await tinyrig(["doctor"], { env: { TINYRIG_BOARDS: dir } });
    expect(d.exitCode).toBe(1);
    expect(d.stdout).toMatch(/✗ .*broken\.yaml/);
  }, 60_000);
});
