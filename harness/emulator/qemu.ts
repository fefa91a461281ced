// The QEMU emulator: a driver for an emulated board's console resource (labgrid's idea: the emulator is what provides
// the console, not a flasher that happens to return one). It loads the firmware image itself (-kernel), so an
// emulated board has no flasher; it hands back the machine's serial PTY and the means to stop it.
import { execa, type ResultPromise } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BoardDefinition } from "../boards/schema.ts";
import { symbolAddresses } from "../build/symbols.ts";
import { emulatorCommand, reapOrphanedEmulators, trackEmulator } from "./guard.ts";
import { ensurePinPlugin } from "./pin-plugin.ts";

/** How long QEMU may take to announce its PTY. */
const PTY_ANNOUNCE_TIMEOUT_MS = 15_000;
const PTY_LINE = /char device redirected to (\/dev\/pts\/\d+)/;

/** The console of a running emulated board: its PTY, and the emulator behind it. */
export interface EmulatorConsole {
  path: string;
  /** The emulator's command line, as started. */
  argv: string[];
  /** From start to the PTY's announcement. */
  startMs: number;
  /** Ends the emulator. Idempotent. */
  close(): Promise<void>;
  /** Resolves with a description when the emulator dies on its own (a crash). */
  exited: Promise<string>;
  /** Where the emulator logs each timestamp-pin write in virtual time (see harness/emulator/pin-plugin.ts). */
  pinLog?: { file: string; icountShift: number };
}

export interface StartEmulatorOptions {
  log(line: string): void;
  signal?: AbortSignal;
  /** Record the timestamp pin's edges in virtual time (modelled energy). */
  observeTimestampPin?: boolean;
}

/** QEMU failed to start the board: its command line and what it printed. */
export class EmulatorError extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number | undefined,
    readonly output: string,
    message: string,
  ) {
    super(message + (output.trim() ? `\n--- QEMU output ---\n${output.trim()}` : ""));
    this.name = "EmulatorError";
  }
}

/** The pin plugin: its library, its log, and the firmware's idle section (ports/idle.h), whose instructions it leaves
 * out of its count. */
export interface PinPluginSetup {
  so: string;
  log: string;
  idle: { start: number; end: number };
}

export function qemuArgv(board: BoardDefinition, elf: string, pinPlugin?: PinPluginSetup): { binary: string; args: string[] } {
  const q = board.console.emulator?.qemu;
  if (!q) throw new Error(`${board.file}: console.emulator.qemu is required to emulate the board`);
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
  args.push(...q.extraArgs, "-kernel", elf);
  return { binary: q.binary, args };
}

/** Boots the emulated board on the image and resolves with its console once QEMU announces the PTY. */
export async function startEmulator(board: BoardDefinition, elf: string, opts: StartEmulatorOptions): Promise<EmulatorConsole> {
  const q = board.console.emulator?.qemu;
  let pinPlugin: PinPluginSetup | undefined;
  let pinDir: string | undefined;
  const removePinDir = () => pinDir && rmSync(pinDir, { recursive: true, force: true });
  if (opts.observeTimestampPin) {
    if (q?.timestampPinAddress === undefined) {
      throw new Error(`${board.file}: console.emulator.qemu.timestampPinAddress is needed to observe the timestamp pin`);
    }
    const idle = await symbolAddresses(board.build.cross, elf, ["tr_idle_start", "tr_idle_end"]);
    // in a folder of its own, removed with the emulator: not beside the image (a user's --firmware folder, which may
    // be read-only), where every energy run left one behind
    pinDir = mkdtempSync(path.join(tmpdir(), "tinyrig-pinlog-"));
    pinPlugin = {
      so: await ensurePinPlugin(),
      log: path.join(pinDir, "pin.log"),
      idle: { start: idle.get("tr_idle_start")!, end: idle.get("tr_idle_end")! },
    };
  }
  const { binary, args } = qemuArgv(board, elf, pinPlugin);
  const argv = [binary, ...args];
  for (const line of reapOrphanedEmulators()) opts.log(line);
  const started = Date.now();
  opts.log(`starting ${argv.join(" ")}`);
  const command = emulatorCommand(binary, args);
  const child = execa(command.file, command.args, {
    stdin: "ignore",
    buffer: false,
    reject: false,
    cancelSignal: opts.signal,
    forceKillAfterDelay: 2000,
    // its own process group: a Ctrl-C at the terminal reaches tinyrig alone, which stops the board itself after
    // storing what was measured (QEMU would otherwise die first and the run read as a failure)
    detached: true,
  });
  if (child.pid !== undefined) {
    const tracked = trackEmulator(child.pid, argv);
    void child.then(tracked.forget, tracked.forget);
  }
  const output: string[] = [];
  const pty = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new EmulatorError(argv, undefined, output.join(""), "QEMU did not announce a serial PTY in time")),
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
      reject(new EmulatorError(argv, r.exitCode ?? undefined, output.join(""), "QEMU exited before the board started"));
    }, reject);
  }).catch(async (err: unknown) => {
    await stopChild(child);
    removePinDir();
    throw err;
  });
  return {
    path: pty,
    argv,
    startMs: Date.now() - started,
    close: async () => {
      await stopChild(child);
      removePinDir();
    },
    exited: child.then((r) => `QEMU exited (${r.exitCode ?? r.signal ?? "?"})`),
    pinLog: pinPlugin ? { file: pinPlugin.log, icountShift: q!.icountShift } : undefined,
  };
}

async function stopChild(child: ResultPromise): Promise<void> {
  if (child.exitCode !== null || child.killed) return;
  child.kill("SIGTERM");
  await child.catch(() => undefined);
}
