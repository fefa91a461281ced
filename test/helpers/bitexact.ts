// Every emulated board runs every reference model that fits it through the real CLI (build, QEMU, PTY, protocol,
// store), and every output tensor must equal the host reference interpreter's byte for byte; the device's accuracy must
// then be exactly what the host measures over the same inputs. A model that does not fit a board (sifive-e's 16 KiB of
// RAM) must be refused by the build, naming the overflow.
//
// Which inputs: the whole committed test sets on the boards in WHOLE_SET_BOARDS, one per kernel set, so that every
// kernel set runs every input once (a kernel that goes wrong on one input in a thousand shows there); on the other
// emulated boards, which run a kernel set already covered on another CPU or port, a fixed sample (every
// SAMPLE_STRIDE-th input of every test set, each class in it), compared byte for byte all the same, refusals included.
// TINYRIG_FULL_MATRIX=1 runs the whole test sets on every emulated board (the nightly workflow does).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { boardDirs, listBoardFiles, loadBoardFile } from "../../harness/boards/load.ts";
import type { BoardDefinition } from "../../harness/boards/schema.ts";
import { evaluateModel } from "../../harness/workloads/evaluate.ts";
import { listWorkloads, loadDataset, type Workload } from "../../harness/workloads/registry.ts";
import { Interpreter } from "../../harness/interpreter/interpreter.ts";
import { loadTflite } from "../../harness/tflite/model.ts";
import { tinyrig } from "./cli.ts";

export const FULL_MATRIX = process.env.TINYRIG_FULL_MATRIX === "1";

/** One board per kernel set, whole test sets: dsp (Cortex-M4), mve (Cortex-M55), ref (RV32IMAC on riscv32-virt, where
 * every model fits; sifive-e builds the same kernels with the same compiler flags, and has room for two models). */
export const WHOLE_SET_BOARDS = ["mps2-an386", "mps3-an547", "riscv32-virt"];

/** Every SAMPLE_STRIDE-th input on the other boards: 19 of person detection's 200, 8 of anomaly detection's 80. The
 * committed test sets cycle through their classes (every 2, 5 or 12 rows), so the stride is prime to those cycles:
 * every class is in every sample (checked below). */
export const SAMPLE_STRIDE = 11;

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-bitexact-"));
export const emulatedBoards = listBoardFiles(boardDirs())
  .map(loadBoardFile)
  .filter((b) => b.kind === "emulated");
const workloads = listWorkloads();

/** The emulated boards that run a sample of the inputs (none with TINYRIG_FULL_MATRIX=1). */
export const sampledBoards = FULL_MATRIX ? [] : emulatedBoards.filter((b) => !WHOLE_SET_BOARDS.includes(b.name));

interface RunResult {
  workload: string;
  status: string;
  error?: string;
  accuracy?: { metric: string; value: number; count: number; bitExact: { matched: number; compared: number } };
}

function board(name: string): BoardDefinition {
  const b = emulatedBoards.find((x) => x.name === name);
  if (!b) throw new Error(`no emulated board ${name} (emulated boards: ${emulatedBoards.map((x) => x.name).join(", ")})`);
  return b;
}

/** Bytes of RAM a model needs at least: its arena (the host planner's figure, the same algorithm as the firmware's)
 * and its input buffer. */
function ramNeeded(w: Workload): number {
  const arena = new Interpreter(loadTflite(readFileSync(w.modelPath))).arenaBytes;
  return arena + (w.manifest.dataset.window?.bytes ?? w.manifest.input.bytes);
}

/** A refusal for a reason that holds: the model's arena and input alone exceed the board's RAM. */
function expectDoesNotFit(b: BoardDefinition, w: Workload, res: RunResult): void {
  expect(res.error).toMatch(new RegExp(`does not fit ${b.name}: RAM overflowed by \\d+ bytes`));
  expect(ramNeeded(w)).toBeGreaterThan(b.memory.ram.size - 2048);
}

/** Whole test sets on each named board (every named board must be emulated). */
export function describeWholeTestSets(title: string, boardNames: string[]): void {
  describe(`bit-exact with the host reference, whole test sets: ${title}`, () => {
    for (const b of boardNames.map(board)) {
      it(
        `${b.name} (kernels ${b.build.kernels}, port ${b.build.port}): every model that fits, every test input`,
        async () => {
          const db = path.join(dir, `${b.name}.db`);
          // On the emulated Arm boards the inputs go through a host file (QEMU semihosting, --input-channel file), as
          // the kernels, not the line, are what these files check: QEMU's CMSDK UART takes ~36 us per byte, and the
          // whole sets are 7.6 MB. The line carries them on the sampled boards here and on every board in the nightly
          // full matrix.
          const channel = b.cpu.arch === "arm" && !FULL_MATRIX ? ["--input-channel", "file"] : [];
          // the clip workloads by name: `all` also plays the streaming workload, whose bit-exactness streaming-run checks
          const clips = workloads.map((w) => w.id);
          const r = await tinyrig(["run", "--board", b.name, "--workload", ...clips, "--mode", "accuracy", ...channel, "--db", db, "--json"]);
          const results = JSON.parse(r.stdout) as RunResult[];
          expect(results.map((x) => x.workload).sort(), r.all).toEqual(workloads.map((w) => w.id).sort());
          for (const res of results) {
            const w = workloads.find((x) => x.id === res.workload)!;
            if (res.status !== "completed" && /does not fit/.test(res.error ?? "")) {
              expectDoesNotFit(b, w, res);
              continue;
            }
            expect(res.status, `${b.name} / ${res.workload}: ${res.error}`).toBe("completed");
            const inferences = w.manifest.dataset.count;
            expect(res.accuracy!.count).toBe(inferences);
            expect(res.accuracy!.bitExact).toEqual({ matched: inferences, compared: inferences });
            // outputs equal byte for byte, so the device's quality is the host's, as the manifest records it (4 decimals)
            expect(Math.abs(res.accuracy!.value - w.manifest.quality!.int8)).toBeLessThan(5e-5);
          }
          // the models that fit every board with room to spare must have run on it
          expect(results.filter((x) => x.status === "completed").length).toBeGreaterThanOrEqual(2);
        },
        60 * 60_000,
      );
    }
  });
}

/**
 * A fixed sample of a workload's committed test set in MLPerf Tiny's layout (`tinyrig run --dataset`): the rows
 * `offset`, `offset + stride`, ... of y_labels.csv, unchanged, with their files.
 */
export function sampleTestSet(
  w: Workload,
  stride: number,
  offset: number,
  into: string,
): { dir: string; rows: number; labels: Set<number>; allLabels: Set<number> } {
  const src = path.join(w.dir, w.manifest.dataset.dir!);
  const rows = readFileSync(path.join(src, w.manifest.dataset.labels), "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  const picked = rows.filter((_, i) => i % stride === offset);
  const out = path.join(into, w.id);
  mkdirSync(out, { recursive: true });
  for (const row of picked) {
    const file = row.split(",")[0]!.trim();
    copyFileSync(path.join(src, file), path.join(out, file));
  }
  writeFileSync(path.join(out, "y_labels.csv"), picked.join("\n") + "\n");
  const label = (row: string) => Number(row.split(",")[2]);
  return { dir: out, rows: picked.length, labels: new Set(picked.map(label)), allLabels: new Set(rows.map(label)) };
}

/** Every SAMPLE_STRIDE-th input on each named board; each board starts at its own offset, so together they send
 * different inputs. */
export function describeSampledTestSets(boardNames: string[]): void {
  describe(`bit-exact with the host reference, every ${SAMPLE_STRIDE}th test input`, () => {
    boardNames.map(board).forEach((b, k) => {
      const offset = k % SAMPLE_STRIDE;
      it(
        `${b.name} (kernels ${b.build.kernels}, port ${b.build.port}): every model that fits, inputs ${offset}, ${offset + SAMPLE_STRIDE}, ${offset + 2 * SAMPLE_STRIDE}, ...`,
        async () => {
          const db = path.join(dir, `${b.name}-sample.db`);
          const samples = path.join(dir, `${b.name}-sample`);
          let completed = 0;
          for (const w of workloads) {
            const sample = sampleTestSet(w, SAMPLE_STRIDE, offset, samples);
            expect(sample.labels, `${w.id}: the sample holds every class of the test set`).toEqual(sample.allLabels);
            const r = await tinyrig(["run", "--board", b.name, "--workload", w.id, "--mode", "accuracy", "--dataset", sample.dir, "--db", db, "--json"]);
            const [res, ...more] = JSON.parse(r.stdout) as RunResult[];
            expect(more, r.all).toEqual([]);
            if (res!.status !== "completed" && /does not fit/.test(res!.error ?? "")) {
              expectDoesNotFit(b, w, res!);
              continue;
            }
            expect(res!.status, `${b.name} / ${w.id}: ${res!.error}`).toBe("completed");
            expect(res!.accuracy!.count).toBe(sample.rows);
            expect(res!.accuracy!.bitExact).toEqual({ matched: sample.rows, compared: sample.rows });
            // the device's quality over the sample is the host reference's over the same inputs
            // (a copy, not the Buffer: Buffer's slice() is a view, and the model reader's slices must be copies)
            const host = evaluateModel(w, new Uint8Array(readFileSync(w.modelPath)), loadDataset(w, sample.dir));
            expect(host.count).toBe(sample.rows);
            expect(Math.abs(res!.accuracy!.value - host.value)).toBeLessThan(5e-5);
            completed++;
          }
          expect(completed).toBeGreaterThanOrEqual(2);
        },
        30 * 60_000,
      );
    });
  });
}

/** The whole-test-set boards must still cover every kernel set and CPU architecture when a board file is added or
 * changed (every board's own port and CPU run the sample at least). */
export function describeWholeSetCoverage(): void {
  it("the whole-test-set boards run every kernel set and every CPU architecture of the emulated boards", () => {
    const whole = WHOLE_SET_BOARDS.map(board);
    for (const b of emulatedBoards) {
      expect(
        whole.some((x) => x.build.kernels === b.build.kernels),
        `${b.name}: no whole-test-set board has kernels ${b.build.kernels} (test/helpers/bitexact.ts, WHOLE_SET_BOARDS)`,
      ).toBe(true);
      expect(
        whole.some((x) => x.cpu.arch === b.cpu.arch),
        `${b.name}: no whole-test-set board has CPU architecture ${b.cpu.arch} (test/helpers/bitexact.ts, WHOLE_SET_BOARDS)`,
      ).toBe(true);
    }
    expect([...sampledBoards, ...whole].map((b) => b.name).sort()).toEqual(emulatedBoards.map((b) => b.name).sort());
  });
}
