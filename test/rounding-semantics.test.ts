// The requantisation rounding is selectable (docs/architecture.md "Rounding"): `double` (TFLite Micro and CMSIS-NN's
// default) or `single` (TFLite's TFLITE_SINGLE_ROUNDING). In each setting the firmware (ROUNDING=..., reference and
// optimised kernels) and the host interpreter (`new Interpreter(model, { rounding })`) agree bit for bit; the two
// settings give different outputs on these inputs, so the option is seen to act. Emulated boards.
import { describe, expect, it } from "vitest";
import { Interpreter } from "../harness/interpreter/interpreter.ts";
import { mulByQuantizedMultiplier, type Rounding } from "../harness/interpreter/quantization.ts";
import { loadTflite } from "../harness/tflite/model.ts";
import { hostReference } from "../harness/workloads/evaluate.ts";
import { loadDataset, loadWorkload, readModel } from "../harness/workloads/registry.ts";
import { Prng } from "../workloads/common/prng.ts";
import { runOnBoard } from "./helpers/device-model.ts";

describe("MultiplyByQuantizedMultiplier's two rounding rules (host)", () => {
  it("worked values where they differ, as the firmware's native tests have them", () => {
    expect(mulByQuantizedMultiplier(-2, 1 << 30, -1, "double")).toBe(-1); // -0.5: the shift rounds away from zero
    expect(mulByQuantizedMultiplier(-2, 1 << 30, -1, "single")).toBe(0); // -0.5 rounds half up
    expect(mulByQuantizedMultiplier(4, 1395864371, -1, "double")).toBe(2); // 1.3: 2.6 -> 3, 1.5 -> 2
    expect(mulByQuantizedMultiplier(4, 1395864371, -1, "single")).toBe(1);
  });

  it("single rounding equals (x*m + 2^(30-shift)) >> (31-shift) in exact integers", () => {
    const rng = new Prng(77);
    for (let k = 0; k < 200_000; k++) {
      const x = k % 5 === 0 ? rng.int(-3000, 3000) : rng.next() | 0;
      const m = rng.int(1 << 30, 0x7fffffff);
      const shift = rng.int(-31, 0);
      const t = BigInt(31 - shift);
      const exact = Number(BigInt.asIntN(32, (BigInt(x) * BigInt(m) + (1n << (t - 1n))) >> t));
      if (mulByQuantizedMultiplier(x, m, shift, "single") !== exact)
        throw new Error(`x=${x} m=${m} shift=${shift}: ${mulByQuantizedMultiplier(x, m, shift, "single")} != ${exact}`);
    }
  });
});

const cases: [board: string, workload: string, inputs: number][] = [
  ["mps2-an386", "vibration", 20],
  ["mps2-an386", "wake-word", 20],
  ["mps2-an386", "anomaly-detection", 4],
  ["mps3-an547", "vibration", 20],
  ["mps3-an547", "wake-word", 20],
];

describe("device and host agree in each rounding setting (emulated boards, their optimised kernels)", () => {
  for (const [board, id, count] of cases) {
    it(`${board} / ${id}: ${count} inputs`, async () => {
      const w = loadWorkload(id);
      const m = w.manifest;
      const bytes = m.dataset.window?.bytes ?? m.input.bytes;
      const inputs = loadDataset(w)
        .entries.slice(0, count)
        .map((e) => e.bytes().subarray(0, bytes));
      const model = readModel(w);
      const hex = (a: Uint8Array[]) => a.map((o) => Buffer.from(o).toString("hex"));
      const host = (rounding: Rounding) => inputs.map(hostReference(new Interpreter(loadTflite(model), { rounding }), m.input.transform));
      const single = hex(host("single"));
      expect(single, "single and double rounding differ on some input").not.toEqual(hex(host("double")));
      const device = await runOnBoard(board, model, inputs, { rounding: "single", transform: m.input.transform, resultsMse: m.task === "anomaly" });
      expect(hex(device)).toEqual(single);
    }, 300_000);
  }
});
