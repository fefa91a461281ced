// Builds the reference firmware for one board and one model: writes the board's make fragment and config header
// from the board file and the workload manifest, then runs firmware/Makefile (docs/architecture.md, "Firmware
// build contract"). Make does the incremental part; this module only decides what goes in.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import type { BoardDefinition } from "../boards/schema.ts";
import type { FlashImage } from "../flash/types.ts";
import { loadConfig } from "../config.ts";
import { makeSafePath } from "./make-path.ts";
import { firmwareVersion, packagePath } from "../paths.ts";
import type { Rounding } from "../interpreter/quantization.ts";
import type { QuantizeDivision } from "../interpreter/quantize.ts";
import type { MeanInt8Rule } from "../interpreter/mean_s8.ts";

export const FIRMWARE_DIR = packagePath("firmware");

/** Where firmware builds go unless a spec says otherwise: `firmware/` in the configured build folder. */
export function defaultBuildRoot(): string {
  return path.join(loadConfig().build.value, "firmware");
}

/** Kernel objects shared by every build with the same compiler and flags (firmware/Makefile's KERNEL_CACHE): always
 * under the configured build folder, so builds into folders of their own (a test's, a user's --build-root) share them. */
export function kernelObjectCache(): string {
  return path.join(loadConfig().build.value, "kernel-objects");
}

export const INPUT_TRANSFORMS = ["int8", "uint8-minus-128", "float32-quantize", "raw"] as const;
export type InputTransform = (typeof INPUT_TRANSFORMS)[number];

export interface FirmwareSpec {
  board: BoardDefinition;
  /** What the firmware answers in m-model-[...] (kws01, vww01, ad01, vib01). */
  modelId: string;
  modelPath: string;
  /** `classical`: modelPath is a C source implementing firmware/core/classical.h (MODEL_KIND=classical); `stream`: a
   * .tflite run on every hop of an audio stream by the stream engine (MODEL_KIND=stream, firmware/core/stream.h). */
  modelKind?: "tflite" | "classical" | "stream";
  /** Stream engine: a hop is a detection when the int8 output `class` is above `aboveInt8` on it and on the
   * `minHops` - 1 hops before it (default 1: every hop above, as MLPerf's reference firmware). */
  streamDetect?: { class: number; aboveInt8: number; minHops?: number };
  /** Bytes the host sends per inference (one window for AD). */
  inputBytes: number;
  transform: InputTransform;
  /** Energy-mode firmware pulses the timestamp pin instead of printing timestamps. */
  timestampMode: "performance" | "energy";
  /** Anomaly detection: the firmware reports the reconstruction error (MLPerf ad01) instead of the output vector. */
  resultsMse?: boolean;
  /** Emulated Arm boards: the firmware also takes input from a host file through QEMU's semihosting (`dbfile`). */
  inputFile?: boolean;
  /** Overrides the board file's kernel set (ref to check the optimised kernels against). */
  kernels?: "ref" | "dsp" | "mve";
  /** Requantisation rounding (docs/architecture.md "Rounding"): `double` (default; TFLite Micro, CMSIS-NN) or `single`
   * (TFLite's TFLITE_SINGLE_ROUNDING). The host interpreter takes the same option. */
  rounding?: Rounding;
  /** QUANTIZE float32 -> int8 divides in `double` (default; TFLite's builtin kernel) or `float` (its reference
   * AffineQuantize). The host interpreter takes the same option. */
  quantizeDivision?: QuantizeDivision;
  /** int8 MEAN over H and W: `divide` (default; TFLite's reference_integer_ops::Mean) or `fold` (current TFLite Micro).
   * The host interpreter takes the same option. */
  meanInt8?: MeanInt8Rule;
  /** `mlperf`: the firmware speaks MLPerf's protocol only (TR_MLPERF_ONLY: no caps, dbraw, pins, outraw, dbfile; an
   * 80-character command buffer), as MLPerf's reference firmware does; default `tinyrig`. */
  protocol?: "tinyrig" | "mlperf";
  buildRoot?: string;
}

export interface FirmwareSizes {
  text: number;
  data: number;
  bss: number;
  flash: number;
  ram: number;
}

export interface FirmwareImage extends FlashImage {
  dir: string;
  sizes: FirmwareSizes;
  /** e.g. "arm-none-eabi-gcc (15:12.2.rel1-1) 12.2.1 20221205" */
  toolchain: string;
  kernels: string;
  timestampMode: "performance" | "energy";
  /** The generated configuration, stored with every run so a result can be rebuilt. */
  config: Record<string, string>;
  /** firmwareBuildId: what the firmware reports as `build=` in its caps line; absent for an image tinyrig did not
   * build (build/prebuilt.ts). */
  buildId?: string;
}

export class FirmwareBuildError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(`${message}${output.trim() ? `\n--- make output (last lines) ---\n${tail(output, 40)}` : ""}`);
    this.name = "FirmwareBuildError";
  }
}

const TRANSFORM_MACRO: Record<InputTransform, string> = {
  int8: "TR_IN_INT8",
  raw: "TR_IN_INT8",
  "uint8-minus-128": "TR_IN_UINT8_MINUS_128",
  "float32-quantize": "TR_IN_FLOAT32_QUANTIZE",
};

export { firmwareVersion };

/** The board.mk variables, in the order written. */
export function boardMakeVariables(spec: FirmwareSpec): Record<string, string> {
  const { board } = spec;
  const b = board.build;
  const defines = Object.entries(b.defines).map(([k, v]) => `-D${k}=${v}`);
  if (spec.timestampMode === "energy") defines.push("-DTR_ENERGY_MODE=1");
  if (spec.protocol === "mlperf") defines.push("-DTR_MLPERF_ONLY=1", "-DTR_LINE_MAX=80");
  return {
    BOARD: board.name,
    ARCH: board.cpu.arch,
    CROSS: b.cross,
    ARCH_FLAGS: b.archFlags.join(" "),
    PORT: b.port,
    KERNELS: spec.kernels ?? b.kernels,
    LIBC_SPECS: b.libcSpecs ?? "",
    BOARD_CFLAGS: defines.join(" "),
    FLASH_ORIGIN: hex(board.memory.flash.origin),
    FLASH_LENGTH: String(board.memory.flash.size),
    RAM_ORIGIN: hex(board.memory.ram.origin),
    RAM_LENGTH: String(board.memory.ram.size),
    ROUNDING: spec.rounding ?? "double",
    QUANTIZE_DIVISION: spec.quantizeDivision ?? "double",
    MEAN_INT8: spec.meanInt8 ?? "divide",
  };
}

export function configHeader(spec: FirmwareSpec, buildId?: string): string {
  const lines = [
    "/* Generated by tinyrig (harness/build/firmware.ts); do not edit. */",
    "#ifndef TR_CONFIG_H",
    "#define TR_CONFIG_H",
    `#define TR_MODEL_ID ${cString(spec.modelId)}`,
    `#define TR_INPUT_BYTES ${spec.inputBytes}u`,
    `#define TR_INPUT_TRANSFORM ${TRANSFORM_MACRO[spec.transform]}`,
    `#define TR_FW_VERSION ${cString(firmwareVersion())}`,
    `#define TR_BOARD_NAME ${cString(spec.board.name)}`,
    ...(spec.resultsMse ? ["#define TR_RESULTS_MSE 1"] : []),
    ...(spec.inputFile ? ["#define TR_SEMIHOST_INPUT 1"] : []),
    ...(buildId ? [`#define TR_BUILD_ID ${cString(buildId)}`] : []),
    ...(spec.streamDetect
      ? [
          `#define TR_STREAM_DETECT_CLASS ${spec.streamDetect.class}`,
          `#define TR_STREAM_DETECT_ABOVE ${spec.streamDetect.aboveInt8}`,
          `#define TR_STREAM_DETECT_MIN_HOPS ${spec.streamDetect.minHops ?? 1}`,
        ]
      : []),
    "#endif",
    "",
  ];
  return lines.join("\n");
}

/** Firmware sources a build of this board compiles (firmware/Makefile): the portable core, runtime and kernels, the
 * board's port, startup and timer files, the port headers, the linker-script template and the Makefile. */
export function firmwareSources(spec: FirmwareSpec): string[] {
  const arch = spec.board.cpu.arch;
  const files = [
    "Makefile",
    `ports/${spec.board.build.port}.c`,
    `ports/startup_${arch}.c`,
    `ports/${arch}.ld.in`,
    ...(arch === "arm" ? ["ports/systick.c"] : []),
  ];
  for (const dir of ["core", "runtime", "kernels", "ports"]) {
    for (const f of readdirSync(path.join(FIRMWARE_DIR, dir))) {
      if (dir !== "ports" ? /\.[ch]$/.test(f) : f.endsWith(".h")) files.push(`${dir}/${f}`);
    }
  }
  return [...new Set(files)].filter((f) => existsSync(path.join(FIRMWARE_DIR, f))).sort();
}

/**
 * The firmware's build id: the first 16 hex digits of a sha256 over everything that went into the image: the
 * generated board.mk and tr_config.h (without the id itself), the model file, and each source file (name and bytes).
 * The firmware reports it in its caps line (`build=`), so the host can check that the device runs what was built.
 */
export function firmwareBuildId(spec: FirmwareSpec): string {
  const h = createHash("sha256");
  const part = (name: string, data: Uint8Array | string) => {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    h.update(`${name}\0${bytes.length}\0`).update(bytes);
  };
  part("board.mk", boardMakeText(spec));
  part("tr_config.h", configHeader(spec));
  part("model", readFileSync(spec.modelPath));
  for (const f of firmwareSources(spec)) part(f, readFileSync(path.join(FIRMWARE_DIR, f)));
  return h.digest("hex").slice(0, 16);
}

function boardMakeText(spec: FirmwareSpec): string {
  return (
    Object.entries(boardMakeVariables(spec))
      .map(([k, v]) => `${k} := ${v}`)
      .join("\n") + "\n"
  );
}

/** Where this configuration builds: one directory per (board, model, mode, kernels), so make stays incremental. */
export function buildDirFor(spec: FirmwareSpec): string {
  const model = sha256(readFileSync(spec.modelPath));
  const key = sha256(
    JSON.stringify([
      spec.board.fileSha256,
      model,
      spec.modelId,
      spec.inputBytes,
      spec.transform,
      spec.timestampMode,
      spec.kernels ?? "",
      spec.resultsMse ?? false,
      spec.rounding ?? "double",
      spec.quantizeDivision ?? "double",
      // only when set, so the builds (and their cached directories) of every existing setting keep their keys
      ...(spec.meanInt8 === "fold" ? ["mean-int8-fold"] : []),
      ...(spec.protocol === "mlperf" ? ["mlperf-only"] : []),
      ...(spec.modelKind === "classical" ? ["classical"] : []),
      ...(spec.modelKind === "stream" ? ["stream", spec.streamDetect ?? null] : []),
    ]),
  ).slice(0, 12);
  return path.join(spec.buildRoot ?? defaultBuildRoot(), spec.board.name, `${spec.modelId}-${spec.timestampMode}-${key}`);
}

export async function buildFirmware(spec: FirmwareSpec, log: (line: string) => void = () => {}): Promise<FirmwareImage> {
  if (!existsSync(spec.modelPath)) throw new FirmwareBuildError(`model file not found: ${spec.modelPath}`, "");
  for (const [file, what] of [
    [`ports/${spec.board.build.port}.c`, "build.port"],
    [`ports/startup_${spec.board.cpu.arch}.c`, "cpu.arch"],
  ] as const) {
    if (!existsSync(path.join(FIRMWARE_DIR, file))) {
      throw new FirmwareBuildError(
        `${spec.board.file}: ${what} needs firmware/${file}, which does not exist yet (firmware/PORTING.md says what a port implements)`,
        "",
      );
    }
  }
  const dir = buildDirFor(spec);
  mkdirSync(dir, { recursive: true });
  const release = await lockBuildDir(dir, log);
  try {
    return await buildInDir(spec, dir, log);
  } finally {
    await release();
  }
}

/**
 * One make per build directory at a time: two processes building one configuration at once (test files in parallel
 * workers, two runs on one host) would otherwise compile and link into the same files together, and one could read
 * an object or an image the other is half-way through writing. The second waits, then finds make's work done.
 */
async function lockBuildDir(dir: string, log: (line: string) => void): Promise<() => Promise<void>> {
  const { lock } = await import("proper-lockfile"); // loaded only when building
  return lock(dir, {
    lockfilePath: `${dir}.lock`,
    realpath: false,
    stale: 60_000, // a lock not refreshed for this long belongs to a process that died mid-build
    retries: { retries: 1800, minTimeout: 100, maxTimeout: 1000 }, // waits up to about 30 min for the other build
    onCompromised: (err) => log(`build lock ${dir}.lock lost (${err.message}); the build goes on`),
  });
}

async function buildInDir(spec: FirmwareSpec, dir: string, log: (line: string) => void): Promise<FirmwareImage> {
  const vars = boardMakeVariables(spec);
  const buildId = firmwareBuildId(spec);
  writeIfChanged(path.join(dir, "board.mk"), boardMakeText(spec));
  writeIfChanged(path.join(dir, "tr_config.h"), configHeader(spec, buildId));

  const makeDir = makeSafePath(dir);
  const kernelCache = kernelObjectCache();
  mkdirSync(kernelCache, { recursive: true });
  const args = [
    "-C",
    makeSafePath(FIRMWARE_DIR),
    "-j2",
    `BUILD_DIR=${makeDir}`,
    `CONFIG_MK=${path.join(makeDir, "board.mk")}`,
    `MODEL=${makeSafePath(spec.modelPath)}`,
    `KERNEL_CACHE=${makeSafePath(kernelCache)}`,
    ...(spec.modelKind === "classical" || spec.modelKind === "stream" ? [`MODEL_KIND=${spec.modelKind}`] : []),
  ];
  log(`make ${args.join(" ")}`);
  const result = await execa("make", args, { all: true, reject: false });
  if (result.exitCode !== 0) {
    throw new FirmwareBuildError(
      `firmware build for ${spec.board.name} / ${spec.modelId} failed (make exit ${result.exitCode})${doesNotFit(spec, dir, result.all ?? "")}`,
      result.all ?? "",
    );
  }
  const elf = path.join(dir, "firmware.elf");
  const bin = path.join(dir, "firmware.bin");
  const hexFile = path.join(dir, "firmware.hex");
  for (const f of [elf, bin, hexFile, path.join(dir, "size.json")]) {
    if (!existsSync(f)) throw new FirmwareBuildError(`make succeeded but did not produce ${f}`, result.all ?? "");
  }
  const binBytes = readFileSync(bin);
  const sizes = JSON.parse(readFileSync(path.join(dir, "size.json"), "utf8")) as FirmwareSizes;
  const toolchain = await toolchainId(spec.board.build.cross);
  return {
    dir,
    elf,
    bin,
    hex: hexFile,
    sha256: sha256(binBytes),
    bytes: binBytes.length,
    sizes,
    toolchain,
    kernels: spec.modelKind === "classical" ? "none (classical model)" : vars.KERNELS!,
    timestampMode: spec.timestampMode,
    config: {
      ...vars,
      TR_MODEL_ID: spec.modelId,
      TR_INPUT_BYTES: String(spec.inputBytes),
      TR_INPUT_TRANSFORM: spec.transform,
      ...(spec.modelKind === "classical" || spec.modelKind === "stream" ? { MODEL_KIND: spec.modelKind } : {}),
      TR_BUILD_ID: buildId,
    },
    buildId,
  };
}

/** The linker's "region overflowed" turned into what a user needs to know: the model does not fit this board. */
function doesNotFit(spec: FirmwareSpec, dir: string, output: string): string {
  const m = /region `(\w+)' overflowed by (\d+) bytes/.exec(output);
  if (!m) return "";
  const region = m[1]!.toLowerCase() === "ram" ? "ram" : m[1]!.toLowerCase() === "flash" ? "flash" : undefined;
  const arenaFile = path.join(dir, "arena_size.h");
  const arena = existsSync(arenaFile) ? /TR_ARENA_BYTES\s+(\d+)/.exec(readFileSync(arenaFile, "utf8"))?.[1] : undefined;
  const size = region ? spec.board.memory[region].size : undefined;
  return (
    `: ${path.basename(spec.modelPath)} does not fit ${spec.board.name}: ${m[1]} overflowed by ${m[2]} bytes` +
    (size !== undefined ? ` (${spec.board.file}: memory.${region}.size is ${size} bytes` : " (") +
    (region === "ram" ? `; the model's arena needs ${arena ?? "?"} bytes and its input buffer ${spec.inputBytes})` : ")")
  );
}

const toolchainCache = new Map<string, string>();
async function toolchainId(cross: string): Promise<string> {
  let id = toolchainCache.get(cross);
  if (!id) {
    const r = await execa(`${cross}gcc`, ["--version"], { reject: false });
    id = (r.stdout ?? "").split("\n")[0]?.trim() || `${cross}gcc (version unknown)`;
    toolchainCache.set(cross, id);
  }
  return id;
}

function writeIfChanged(file: string, text: string): void {
  // Rewriting an identical file would bump its mtime and make rebuild everything.
  if (existsSync(file) && readFileSync(file, "utf8") === text) return;
  writeFileSync(file, text);
}

function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

function cString(s: string): string {
  return JSON.stringify(s); // a C string literal for the ASCII names we use
}

function tail(text: string, lines: number): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}
