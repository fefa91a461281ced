// Every emulated board runs every reference model that fits it over the whole committed test set, through the real
// CLI (build, QEMU, PTY, protocol, store), and every output tensor must equal the host reference interpreter's byte
// for byte; the device's accuracy must then be exactly what the host measured for the manifest. A model that does
// not fit a board (sifive-e's 16 KiB of RAM) must be refused by the build, naming the overflow.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { boardDirs, listBoardFiles, loadBoardFile } from "../../harness/boards/load.ts";
import { listWorkloads } from "../../harness/workloads/registry.ts";
import { Interpreter } from "../../harness/interpreter/interpreter.ts";
import { loadTflite } from "../../harness/tflite/model.ts";
import { tinyrig } from "./cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-bitexact-"));
const emulated = listBoardFiles(boardDirs()).map(loadBoardFile).filter((b) => b.kind === "emulated");
const workloads = listWorkloads();

interface RunResult {
  workload: string;
  status: string;
  error?: string;
  accuracy?: { metric: string; value: number; count: number; bitExact: { matched: number; compared: number } };
}

/** Bytes of RAM a model needs at least: its arena (the host planner's figure, the same algorithm as the firmware's)
 * and its input buffer. */
function ramNeeded(id: string): number {
  const w = workloads.find((x) => x.id === id)!;
  const arena = new Interpreter(loadTflite(readFileSync(w.modelPath))).arenaBytes;
  return arena + (w.manifest.dataset.window?.bytes ?? w.manifest.input.bytes);
}

/**
 * The whole-test-set check for every `parts`-th emulated board starting at `part` (the boards are spread over several
 * test files so that vitest's workers share them).
 */
export function describeBitexact(part: number, parts: number): void {
  describe(`bit-exact with the host reference on every emulated board, whole test sets (${part + 1} of ${parts})`, () => {
    for (const board of emulated.filter((_, i) => i % parts === part)) {
      it(`${board.name}: every model that fits, every test input`, async () => {
        const db = path.join(dir, `${board.name}.db`);
        const r = await tinyrig(["run", "--board", board.name, "--workload", "all", "--mode", "accuracy", "--db", db, "--json"]);
        const results = JSON.parse(r.stdout) as RunResult[];
        expect(results.map((x) => x.workload).sort(), r.all).toEqual(workloads.map((w) => w.id).sort());
        for (const res of results) {
          const w = workloads.find((x) => x.id === res.workload)!;
          if (res.status !== "completed" && /does not fit/.test(res.error ?? "")) {
            // refused for a reason that holds: the model's arena and input alone exceed the board's RAM
            expect(res.error).toMatch(new RegExp(`does not fit ${board.name}: RAM overflowed by \\d+ bytes`));
            expect(ramNeeded(w.id)).toBeGreaterThan(board.memory.ram.size - 2048);
            continue;
          }
          expect(res.status, `${board.name} / ${res.workload}: ${res.error}`).toBe("completed");
          const inferences = w.manifest.dataset.count;
          expect(res.accuracy!.count).toBe(inferences);
          expect(res.accuracy!.bitExact).toEqual({ matched: inferences, compared: inferences });
          // outputs equal byte for byte, so the device's quality is the host's, as the manifest records it (4 decimals)
          expect(Math.abs(res.accuracy!.value - w.manifest.quality.int8)).toBeLessThan(5e-5);
        }
        // the models that fit every board with room to spare must have run on it
        expect(results.filter((x) => x.status === "completed").length).toBeGreaterThanOrEqual(2);
      }, 60 * 60_000);
    }
  });
}
