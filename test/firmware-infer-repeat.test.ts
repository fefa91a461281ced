// `infer N W` runs W + N inferences on one loaded input: every one of them must see that input intact (issue 10,
// defect 12: the first inference used to overwrite the input tensor in the arena, so the results line of every
// performance window came from a corrupted input). On the emulated mps2-an386, per workload: `infer 3 2` gives the
// same results line and raw output as `infer 1 0`, both equal the host interpreter's output, and a second input loaded
// afterwards is taken (not the first one's leftovers).
import { afterEach, describe, expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { buildFirmware } from "../harness/build/firmware.ts";
import { Interpreter } from "../harness/interpreter/interpreter.ts";
import { connectBoard, type BoardConnection } from "../harness/run/connect.ts";
import { loadTflite } from "../harness/tflite/model.ts";
import { hostReference } from "../harness/workloads/evaluate.ts";
import { listWorkloads, loadDataset, readModel } from "../harness/workloads/registry.ts";

const board = findBoard("mps2-an386");
let conn: BoardConnection | undefined;
afterEach(async () => {
  await conn?.close();
  conn = undefined;
});

describe("every inference of `infer N W` sees the loaded input (mps2-an386)", () => {
  for (const w of listWorkloads()) {
    it(`${w.id}: infer 3 2 equals infer 1 0 and the host reference`, async () => {
      const m = w.manifest;
      const inputBytes = m.dataset.window?.bytes ?? m.input.bytes;
      const fw = await buildFirmware({
        board,
        modelId: m.mlperfModelId,
        modelPath: w.modelPath,
        inputBytes,
        transform: m.input.transform,
        timestampMode: "performance",
        resultsMse: m.task === "anomaly",
      });
      conn = await connectBoard(board, fw, { mode: "performance", log: () => {} });
      const s = conn.session;
      expect(conn.identity.caps?.buildId, "the device reports the build id of the image it runs").toBe(fw.buildId);
      const host = hostReference(new Interpreter(loadTflite(readModel(w))), m.input.transform);
      const entries = loadDataset(w).entries;
      // two inputs whose host outputs differ, so a device still computing on the first one is caught
      const first = entries[0]!.bytes().subarray(0, inputBytes);
      const hostFirst = host(first);
      const second = entries.map((e) => e.bytes().subarray(0, inputBytes)).find((b) => !same(host(b), hostFirst))!;
      expect(second, "two inputs with different outputs").toBeDefined();
      for (const input of [first, second]) {
        const expected = host(input);
        await s.loadInput(input);
        const once = await s.infer(1, 0, 60_000);
        const onceRaw = await s.outputRaw();
        const repeated = await s.infer(3, 2, 60_000);
        const repeatedRaw = await s.outputRaw();
        expect(Buffer.from(onceRaw!).toString("hex"), `${w.id}: infer 1 0 vs host`).toBe(Buffer.from(expected).toString("hex"));
        expect(Buffer.from(repeatedRaw!).toString("hex"), `${w.id}: infer 3 2 vs infer 1 0`).toBe(Buffer.from(onceRaw!).toString("hex"));
        expect(repeated.results).toEqual(once.results);
        // and again without reloading: the input is still intact for a later window
        const again = await s.infer(2, 1, 60_000);
        expect(again.results).toEqual(once.results);
      }
    }, 600_000);
  }
});

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
