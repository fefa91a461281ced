// Instructions per multiply-accumulate of the int8 kernels, reference versus optimised, on emulated boards:
//   npx tsx bench/kernels.ts [--board mps2-an386:dsp] [--board mps3-an547:mve] ...
// Builds firmware/bench/bench.c for each board and kernel set, runs it under QEMU with tinyrig's plugin
// (harness/emulator/qemu-pin-plugin.c) logging the guest instruction count at every store to the firmware's
// tr_bench_marker word, which the firmware writes just before and just after each kernel call. Every figure printed
// is measured in that run; the firmware also compares the two kernels' outputs byte for byte.
import path from "node:path";
import { loadBoardFile, BUILTIN_BOARDS_DIR } from "../harness/boards/load.ts";
import { buildKernelFirmware, runKernelFirmware, type KernelSet } from "../harness/build/kernel-firmware.ts";

export interface KernelBenchRow {
  layer: string;
  macs: number;
  refInstructions: number;
  optInstructions: number;
  same: boolean;
}

export interface KernelBenchResult {
  board: string;
  cpu: string;
  kernels: KernelSet;
  /** Instructions between two adjacent marker stores (subtracted from every measurement). */
  markerOverhead: number;
  rows: KernelBenchRow[];
  argv: string[];
}

export async function benchKernels(boardName: string, kernels: KernelSet): Promise<KernelBenchResult> {
  const board = loadBoardFile(path.join(BUILTIN_BOARDS_DIR, `${boardName}.yaml`));
  const fw = await buildKernelFirmware(board, "bench", kernels);
  const run = await runKernelFirmware(fw, { countInstructions: true });
  const announced: { index: number; layer: string; kernels: string; macs: number }[] = [];
  const same = new Map<string, boolean>();
  let measurements: number | undefined;
  for (const line of run.lines) {
    let m = /^kbench (\d+) (\S+) kernels=(\w+) macs=(\d+)$/.exec(line);
    if (m) announced.push({ index: Number(m[1]), layer: m[2]!, kernels: m[3]!, macs: Number(m[4]) });
    m = /^kbench-same (\S+) (yes|NO)$/.exec(line);
    if (m) same.set(m[1]!, m[2] === "yes");
    m = /^kbench done measurements=(\d+)/.exec(line);
    if (m) measurements = Number(m[1]);
  }
  if (measurements === undefined || announced.length !== measurements) {
    throw new Error(`${boardName}: the bench firmware did not finish (${announced.length} measurements announced):\n${run.lines.join("\n")}`);
  }
  // Start-up code may store to the marker word too (zeroing .bss): the measurements are the last 2 x N stores.
  const stores = run.markerStores;
  if (stores.length < 2 * measurements) throw new Error(`${boardName}: ${stores.length} marker stores logged, expected at least ${2 * measurements}`);
  const pairs = stores.slice(stores.length - 2 * measurements);
  const delta = (i: number) => pairs[2 * i + 1]! - pairs[2 * i]!;
  const overhead = delta(0);
  const rows: KernelBenchRow[] = [];
  for (let i = 1; i + 1 < announced.length; i += 2) {
    const ref = announced[i]!,
      opt = announced[i + 1]!;
    if (ref.layer !== opt.layer || ref.kernels !== "ref") throw new Error(`unexpected measurement order at ${i}: ${JSON.stringify([ref, opt])}`);
    rows.push({
      layer: ref.layer,
      macs: ref.macs,
      refInstructions: delta(i) - overhead,
      optInstructions: delta(i + 1) - overhead,
      same: same.get(ref.layer) ?? false,
    });
  }
  return { board: board.name, cpu: board.cpu.core, kernels, markerOverhead: overhead, rows, argv: run.argv };
}

export function formatKernelBench(r: KernelBenchResult): string {
  const header = ["layer", "MACs", "ref instr", "ref instr/MAC", `${r.kernels} instr`, `${r.kernels} instr/MAC`, "speedup", "same bits"];
  const body = r.rows.map((row) => [
    row.layer,
    String(row.macs),
    String(row.refInstructions),
    (row.refInstructions / row.macs).toFixed(3),
    String(row.optInstructions),
    (row.optInstructions / row.macs).toFixed(3),
    `${(row.refInstructions / row.optInstructions).toFixed(2)}x`,
    row.same ? "yes" : "NO",
  ]);
  const lines = [`${r.board} (${r.cpu}), reference versus ${r.kernels} kernels`, formatTable(header, body)];
  if (r.kernels === "dsp") {
    // The goal for the SMLAD conv kernel, judged on the figures just measured.
    const convs = r.rows.filter((row) => row.layer.startsWith("conv-"));
    const met = convs.filter((row) => row.optInstructions / row.macs <= GOAL_INSTR_PER_MAC);
    lines.push(
      `goal: optimised conv at or below ${GOAL_INSTR_PER_MAC} instructions per MAC: met by ${met.length} of ${convs.length} conv layers` +
        (met.length < convs.length
          ? ` (not by ${convs
              .filter((row) => !met.includes(row))
              .map((row) => row.layer)
              .join(", ")})`
          : ""),
    );
  }
  return lines.join("\n");
}

const GOAL_INSTR_PER_MAC = 1.5;

/** Columns padded to their widest cell: the first `textColumns` left-aligned, the figures after them right-aligned. */
export function formatTable(header: string[], body: string[][], textColumns = 1): string {
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, c) => (c < textColumns ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [fmt(header), ...body.map(fmt)].join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const configs: [string, KernelSet][] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--board" && args[i + 1]) {
      const [name, set] = args[++i]!.split(":");
      configs.push([name!, (set ?? "dsp") as KernelSet]);
    } else {
      throw new Error(`usage: npx tsx bench/kernels.ts [--board <board>:<ref|dsp|mve>]...`);
    }
  }
  if (configs.length === 0) configs.push(["mps2-an386", "dsp"], ["mps3-an547", "mve"]);
  console.log("Instructions per MAC of tinyrig's int8 kernels, counted exactly: guest instructions executed between a store");
  console.log("just before and a store just after each kernel call, logged by tinyrig's QEMU plugin");
  console.log("(harness/emulator/qemu-pin-plugin.c) under qemu-system-arm 7.2; the instructions between two adjacent");
  console.log("marker stores are subtracted. Firmware: firmware/bench/bench.c, -O2, arm-none-eabi-gcc; MACs = multiply-accumulates of the layer.");
  let failed = false;
  for (const [board, set] of configs) {
    const r = await benchKernels(board, set);
    console.log("");
    console.log(formatKernelBench(r));
    console.log(`(marker overhead subtracted: ${r.markerOverhead} instructions; ${r.argv.join(" ")})`);
    if (r.rows.some((row) => !row.same)) failed = true;
  }
  if (failed) {
    console.error("an optimised kernel's output differs from the reference's");
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
