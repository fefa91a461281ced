// The bit-exact comparison of accuracy mode catches a single differing byte: the host's expectation for one input is
// changed in one bit of one byte, and exactly that inference is reported as not equal.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { findBoard } from "../harness/boards/load.ts";
import { runSuite, type SuiteWorkload } from "../harness/run/suite.ts";
import { suiteWorkload } from "../harness/run/workload-adapter.ts";
import { ResultStore } from "../harness/store/store.ts";
import { loadWorkload } from "../harness/workloads/registry.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tinyrig-onebyte-"));

it("a single differing byte in one output is caught", async () => {
  const store = ResultStore.open(path.join(dir, "one-byte.db"));
  const base = suiteWorkload(loadWorkload("vibration"));
  const reference = base.hostReference!;
  let calls = 0;
  // the host's expectation for the second input differs from the device's output in one bit of one byte
  const workload: SuiteWorkload = {
    ...base,
    hostReference: (input) => {
      const out = Uint8Array.from(reference(input));
      if (++calls === 2) out[out.length - 1]! ^= 1;
      return out;
    },
  };
  const [result] = await runSuite({
    board: findBoard("mps2-an386"),
    workloads: [workload],
    modes: ["accuracy"],
    store,
    performance: { windows: 1, minWindowSeconds: 0.1 },
    limit: 4,
    progress: { log: () => {}, update: () => {}, start: () => {}, stop: () => {} },
  });
  expect(result!.status).toBe("completed");
  expect(result!.accuracy!.bitExact).toEqual({ matched: 3, compared: 4 });
  const rows = store.inferences(result!.runId!);
  expect(rows.map((i) => i.equalsHostReference)).toEqual([true, false, true, true]);
  store.close();
}, 300_000);
