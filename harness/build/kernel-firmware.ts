// The kernel firmware (firmware/bench/): optimised kernels checked byte for byte against the reference ones, and
// timed in guest instructions, on an emulated Arm board. Built from the board file's build settings exactly as the
// inference firmware is (the same board.mk, harness/build/firmware.ts), run under QEMU with semihosting to stop it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import type { BoardDefinition } from "../boards/schema.ts";
import { ensurePinPlugin, parsePinLog } from "../emulator/pin-plugin.ts";
import type { Rounding } from "../interpreter/quantization.ts";
import { boardMakeVariables, defaultBuildRoot, FIRMWARE_DIR } from "./firmware.ts";
import { makeSafePath } from "./make-path.ts";
import { symbolAddresses } from "./symbols.ts";

export const KERNEL_FIRMWARE_DIR = path.join(FIRMWARE_DIR, "bench");
export type KernelSet = "ref" | "dsp" | "mve";
export type KernelProgram = "check" | "bench";

export interface KernelFirmware {
  elf: string;
  board: BoardDefinition;
  kernels: KernelSet;
  program: KernelProgram;
}

function qemuOf(board: BoardDefinition) {
  const qemu = board.console.emulator?.qemu;
  if (!qemu || board.cpu.arch !== "arm") throw new Error(`${board.name}: the kernel firmware runs on emulated Arm boards only`);
  return qemu;
}

/** Builds firmware/bench/<program>.c for the board (its kernel set unless `kernels` overrides it), with the
 * requantisation rounding `rounding` (default double). */
export async function buildKernelFirmware(
  board: BoardDefinition,
  program: KernelProgram,
  kernels: KernelSet = board.build.kernels,
  buildRoot = path.join(defaultBuildRoot(), "..", "kernel-firmware"),
  rounding: Rounding = "double",
): Promise<KernelFirmware> {
  qemuOf(board);
  const dir = path.join(buildRoot, board.name, `${program}-${kernels}${rounding === "double" ? "" : `-${rounding}`}`);
  mkdirSync(dir, { recursive: true });
  const vars = boardMakeVariables({
    board,
    kernels,
    modelId: "kernels",
    modelPath: "",
    inputBytes: 0,
    transform: "raw",
    timestampMode: "performance",
    rounding,
  });
  const mk =
    Object.entries(vars)
      .map(([k, v]) => `${k} := ${v}`)
      .join("\n") + "\n";
  const mkPath = path.join(dir, "board.mk");
  if (!existsSync(mkPath) || readFileSync(mkPath, "utf8") !== mk) writeFileSync(mkPath, mk);
  const args = [
    "-C",
    makeSafePath(KERNEL_FIRMWARE_DIR),
    "-j2",
    `BUILD_DIR=${makeSafePath(dir)}`,
    `CONFIG_MK=${path.join(makeSafePath(dir), "board.mk")}`,
    `PROGRAM=${program}`,
  ];
  const r = await execa("make", args, { all: true, reject: false });
  if (r.exitCode !== 0) throw new Error(`kernel firmware build failed: make ${args.join(" ")}\n${r.all}`);
  return { elf: path.join(dir, `${program}.elf`), board, kernels, program };
}

/** Host build of the check program with the reference kernels: the checksums the target must reproduce (lines). */
export async function runNativeKernelCheck(
  buildRoot = path.join(defaultBuildRoot(), "..", "kernel-firmware"),
  rounding: Rounding = "double",
): Promise<string[]> {
  const dir = path.join(buildRoot, rounding === "double" ? "native" : `native-${rounding}`);
  mkdirSync(dir, { recursive: true });
  const args = ["-s", "-C", makeSafePath(KERNEL_FIRMWARE_DIR), `BUILD_DIR=${makeSafePath(dir)}`, `ROUNDING=${rounding}`, "native"];
  const b = await execa("make", args, { all: true, reject: false });
  if (b.exitCode !== 0) throw new Error(`native kernel check build failed: make ${args.join(" ")}\n${b.all}`);
  const r = await execa(path.join(dir, "check-native"), [], { all: true, reject: false });
  if (r.exitCode !== 0) throw new Error(`native kernel check failed (exit ${r.exitCode}):\n${r.all}`);
  return consoleLines(r.stdout);
}

export interface KernelRun {
  /** Console lines (CR stripped). */
  lines: string[];
  /** With `countInstructions`: guest instructions executed up to and including each store to tr_bench_marker. */
  markerStores: number[];
  argv: string[];
}

/**
 * Runs the image under QEMU until it stops itself through semihosting. With `countInstructions`, tinyrig's QEMU
 * plugin (harness/emulator/qemu-pin-plugin.c) logs the executed-instruction count at every store to the firmware's
 * tr_bench_marker word: exact counts, independent of icount and of the host's speed.
 */
export async function runKernelFirmware(fw: KernelFirmware, opts: { countInstructions?: boolean; timeoutMs?: number } = {}): Promise<KernelRun> {
  const qemu = qemuOf(fw.board);
  const argv = [
    "-M",
    qemu.machine,
    ...(qemu.cpu ? ["-cpu", qemu.cpu] : []),
    "-nographic",
    "-monitor",
    "none",
    "-serial",
    "stdio",
    "-icount",
    "shift=0",
    "-semihosting-config",
    "enable=on,target=native",
    "-kernel",
    fw.elf,
  ];
  let logDir: string | undefined;
  let log: string | undefined;
  if (opts.countInstructions) {
    const address = (await symbolAddresses(fw.board.build.cross, fw.elf, ["tr_bench_marker"])).get("tr_bench_marker")!;
    const so = await ensurePinPlugin();
    logDir = mkdtempSync(path.join(tmpdir(), "tinyrig-kernels-"));
    log = path.join(logDir, "marker.log");
    argv.push("-plugin", `${so},addr=0x${address.toString(16)},out=${log}`);
  }
  try {
    const r = await execa(qemu.binary, argv, { all: true, reject: false, timeout: opts.timeoutMs ?? 300_000, stdin: "ignore" });
    const lines = consoleLines(r.stdout ?? "");
    if (r.exitCode !== 0 || r.timedOut) {
      throw new Error(`${qemu.binary} ${argv.join(" ")} ended with ${r.timedOut ? "a timeout" : `exit ${r.exitCode}`}:\n${tailOf(r.all ?? "")}`);
    }
    const markerStores = log ? parsePinLog(readFileSync(log, "utf8"), 0).writes.map((w) => w.instructions) : [];
    return { lines, markerStores, argv: [qemu.binary, ...argv] };
  } finally {
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  }
}

function consoleLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.replace(/\r$/, ""))
    .filter((l) => l !== "");
}

function tailOf(text: string): string {
  return text.trim().split("\n").slice(-30).join("\n");
}

export interface KernelCheckSummary {
  op: string;
  cases: number;
  bytes: number;
  mismatches: number;
  refSum: string;
  optSum: string;
}

/** The `kcheck <op> cases=.. bytes=.. mismatches=.. ref=.. opt=..` lines of the check program. */
export function parseKernelCheck(lines: string[]): {
  kernels: string | undefined;
  ops: KernelCheckSummary[];
  mismatchLines: string[];
  done: number | undefined;
} {
  const ops: KernelCheckSummary[] = [];
  let kernels: string | undefined;
  let done: number | undefined;
  for (const line of lines) {
    let m = /^kcheck kernels=(\w+)$/.exec(line);
    if (m) kernels = m[1];
    m = /^kcheck (\w+) cases=(\d+) bytes=(\d+) mismatches=(\d+) ref=([0-9a-f]{8}) opt=([0-9a-f]{8})$/.exec(line);
    if (m) ops.push({ op: m[1]!, cases: Number(m[2]), bytes: Number(m[3]), mismatches: Number(m[4]), refSum: m[5]!, optSum: m[6]! });
    m = /^kcheck done mismatches=(\d+)$/.exec(line);
    if (m) done = Number(m[1]);
  }
  return { kernels, ops, mismatchLines: lines.filter((l) => l.startsWith("kcheck-mismatch")), done };
}
