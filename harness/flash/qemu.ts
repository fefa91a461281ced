// The emulator "flasher": starts a QEMU machine with the firmware image and hands back its serial PTY.
import { execa, type ResultPromise } from "execa";
import path from "node:path";
import { z } from "zod";
import { symbolAddresses } from "../build/symbols.ts";
import { emulatorCommand, reapOrphanedEmulators, trackEmulator } from "../emulator/guard.ts";
import { ensurePinPlugin } from "../emulator/pin-plugin.ts";
import { FlashError, type AttachedConsole, type FlashContext, type FlashResult, type Flasher } from "./types.ts";

const qemuFlasherConfig = z.object({ tool: z.literal("qemu") }).strict();
type QemuFlasherConfig = z.output<typeof qemuFlasherConfig>;

/** How long QEMU may take to announce its PTY. */
const PTY_ANNOUNCE_TIMEOUT_MS = 15_000;
const PTY_LINE = /char device redirected to (\/dev\/pts\/\d+)/;

/** The pin plugin: its library, its log, and the firmware's idle section (ports/idle.h), whose instructions it leaves
 * out of its count. */
export interface PinPluginSetup {
  so: string;
  log: string;
  idle: { start: number; end: number };
}

export function qemuArgv(ctx: FlashContext, pinPlugin?: PinPluginSetup): { binary: string; args: string[] } {
  const q = ctx.board.console.emulator?.qemu;
  if (!q) throw new Error(`${ctx.board.file}: console.emulator.qemu is required for the qemu flasher`);
  const args = ["-M", q.machine];
  if (q.cpu) args.push("-cpu", q.cpu);
  if (q.memory) args.push("-m", q.memory);
  // -icount makes the guest's timers count instructions, not host time: latency figures repeat exactly.
  args.push("-icount", `shift=${q.icountShift}`);
  args.push("-nographic", "-monitor", "none", "-serial", "pty");
  if (q.timestampTrace) args.push("-trace", q.timestampTrace);
  if (pinPlugin && q.timestampPinAddress !== undefined) {
    const idle = `,idle=0x${pinPlugin.idle.start.toString(16)}-0x${pinPlugin.idle.end.toString(16)}`;
    args.push("-plugin", `${pinPlugin.so},addr=0x${q.timestampPinAddress.toString(16)}${idle},out=${pinPlugin.log}`);
  }
  args.push(...q.extraArgs, "-kernel", ctx.image.elf);
  return { binary: q.binary, args };
}

export const qemuFlasher: Flasher<QemuFlasherConfig> = {
  tool: "qemu",
  schema: qemuFlasherConfig,
  binaries: () => [], // the emulator binary comes from console.emulator.qemu.binary; doctor checks it there
  async flash(_config, ctx): Promise<FlashResult> {
    const q = ctx.board.console.emulator?.qemu;
    let pinPlugin: PinPluginSetup | undefined;
    if (ctx.observeTimestampPin) {
      if (q?.timestampPinAddress === undefined) {
        throw new Error(`${ctx.board.file}: console.emulator.qemu.timestampPinAddress is needed to observe the timestamp pin`);
      }
      const idle = await symbolAddresses(ctx.board.build.cross, ctx.image.elf, ["tr_idle_start", "tr_idle_end"]);
      pinPlugin = {
        so: await ensurePinPlugin(),
        log: path.join(path.dirname(ctx.image.elf), `pin-${process.pid}-${Date.now()}.log`),
        idle: { start: idle.get("tr_idle_start")!, end: idle.get("tr_idle_end")! },
      };
    }
    const { binary, args } = qemuArgv(ctx, pinPlugin);
    for (const line of reapOrphanedEmulators()) ctx.log(line);
    const started = Date.now();
    ctx.log(`starting ${binary} ${args.join(" ")}`);
    const command = emulatorCommand(binary, args);
    const child = execa(command.file, command.args, {
      stdin: "ignore",
      buffer: false,
      reject: false,
      cancelSignal: ctx.signal,
      forceKillAfterDelay: 2000,
      // its own process group: a Ctrl-C at the terminal reaches tinyrig alone, which stops the board itself after
      // storing what was measured (QEMU would otherwise die first and the run read as a failure)
      detached: true,
    });
    if (child.pid !== undefined) {
      const tracked = trackEmulator(child.pid, [binary, ...args]);
      void child.then(tracked.forget, tracked.forget);
    }
    const output: string[] = [];
    const pty = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new FlashError("qemu", [binary, ...args], undefined, output.join(""), "QEMU did not announce a serial PTY in time")),
        PTY_ANNOUNCE_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        if (output.length < 200) output.push(text);
        const m = PTY_LINE.exec(output.join(""));
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.then((r) => {
        clearTimeout(timer);
        reject(new FlashError("qemu", [binary, ...args], r.exitCode ?? undefined, output.join(""), "QEMU exited before the board started"));
      }, reject);
    });
    const console_: AttachedConsole = {
      path: pty,
      close: () => stopChild(child),
      exited: child.then((r) => `QEMU exited (${r.exitCode ?? r.signal ?? "?"})`),
      pinLog: pinPlugin ? { file: pinPlugin.log, icountShift: q!.icountShift } : undefined,
    };
    return { tool: "qemu", argv: [binary, ...args], output: output.join(""), durationMs: Date.now() - started, console: console_ };
  },
};

async function stopChild(child: ResultPromise): Promise<void> {
  if (child.exitCode !== null || child.killed) return;
  child.kill("SIGTERM");
  await child.catch(() => undefined);
}
