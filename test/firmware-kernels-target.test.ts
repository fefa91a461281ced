// The optimised kernels on the target, byte for byte against the reference kernels: firmware/bench/check.c built for
// each emulated Arm board with an optimised kernel set (from the board file's build settings, as the inference
// firmware is) and run under QEMU. It runs every optimised kernel and its reference on the same 1500 random cases per
// operator (shapes, SAME/VALID padding, strides 1-3, dilation 1-2, odd channel counts, depth multipliers 1-4, input
// and output zero points at -128/127, saturating scales and biases, activation clamps) and counts differing output
// bytes, including bytes the kernel left unwritten and bytes written past the output. The reference outputs' checksum
// must also equal the host build's (make -C firmware/bench native), so the target's reference kernels are the
// reference.
import { beforeAll, describe, expect, it } from "vitest";
import { boardDirs, listBoardFiles, loadBoardFile } from "../harness/boards/load.ts";
import { buildKernelFirmware, parseKernelCheck, runKernelFirmware, runNativeKernelCheck, type KernelSet } from "../harness/build/kernel-firmware.ts";
import type { Rounding } from "../harness/interpreter/quantization.ts";

const OPS = ["conv", "depthwise", "fully_connected", "add"];
const native = new Map<Rounding, ReturnType<typeof parseKernelCheck>>();

beforeAll(async () => {
  for (const rounding of ["double", "single"] as const) {
    const n = parseKernelCheck(await runNativeKernelCheck(undefined, rounding));
    expect(n.kernels).toBe("ref");
    expect(n.ops.map((o) => o.op)).toEqual(OPS);
    native.set(rounding, n);
  }
  // the two rounding rules give different reference outputs on these cases
  expect(native.get("single")!.ops.map((o) => o.refSum)).not.toEqual(native.get("double")!.ops.map((o) => o.refSum));
}, 240_000);

// Every emulated Arm board that ships an optimised set: mps2-an386 (Cortex-M4, SMLAD kernels) and mps3-an547
// (Cortex-M55, Helium kernels) at least, and the M7 and M33 boards' SMLAD builds.
const boards = listBoardFiles(boardDirs())
  .map(loadBoardFile)
  .filter((b) => b.kind === "emulated" && b.cpu.arch === "arm" && b.build.kernels !== "ref");
// Every board in the default (double) rounding; the M4 and M55 sets in single rounding too (ROUNDING=single).
const targets: [board: string, kernels: KernelSet, rounding: Rounding][] = [
  ...boards.map((b): [string, KernelSet, Rounding] => [b.name, b.build.kernels, "double"]),
  ...boards.filter((b) => b.name === "mps2-an386" || b.name === "mps3-an547").map((b): [string, KernelSet, Rounding] => [b.name, b.build.kernels, "single"]),
];

it("covers the M4 SMLAD and the M55 Helium kernel sets", () => {
  expect(targets).toEqual(
    expect.arrayContaining([
      ["mps2-an386", "dsp", "double"],
      ["mps3-an547", "mve", "double"],
      ["mps2-an386", "dsp", "single"],
      ["mps3-an547", "mve", "single"],
    ]),
  );
});

describe.each(targets)("optimised kernels on %s (%s, %s rounding) equal the reference byte for byte", (boardName, kernels, rounding) => {
  it("every operator, every random case", async () => {
    const board = boards.find((b) => b.name === boardName)!;
    const fw = await buildKernelFirmware(board, "check", kernels, undefined, rounding);
    const run = await runKernelFirmware(fw, { timeoutMs: 120_000 });
    const check = parseKernelCheck(run.lines);
    expect(check.kernels, run.lines.join("\n")).toBe(kernels); // the unsuffixed names resolved to the optimised set
    expect(check.mismatchLines, "first differing bytes").toEqual([]);
    expect(check.ops.map((o) => o.op)).toEqual(OPS);
    for (const op of check.ops) {
      const host = native.get(rounding)!.ops.find((o) => o.op === op.op)!;
      expect(op.cases, op.op).toBe(host.cases);
      expect(op.bytes, op.op).toBe(host.bytes);
      expect(op.bytes, op.op).toBeGreaterThan(0);
      expect(op.mismatches, `${op.op}: differing output bytes`).toBe(0);
      expect(op.optSum, `${op.op}: optimised checksum`).toBe(op.refSum);
      expect(op.refSum, `${op.op}: target reference = host reference`).toBe(host.refSum);
    }
    expect(check.done).toBe(0);
  }, 240_000);
});
