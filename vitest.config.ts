// Test runner settings for CI's 2 cores. Most of the time goes to emulated boards (QEMU processes the test files start),
// so two test files run at once (vitest's default on 2 cores is one: cores - 1), and the files that take longest start
// first so that the two workers finish together instead of one waiting on a late long file.
import path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Test files known to take long, with about how many seconds each takes alone on a quiet 2-core machine (from the
 * CI logs). A clean clone has no vitest cache of durations, so without this list the order is by file size, and the
 * bit-exactness files, the smallest, started last. Add a file here when it takes more than about 15 s. */
const LONG_FILES: Record<string, number> = {
  // seconds in the clean-clone CI of 81a08ad (bitexact-dsp and -mve alone, after --input-channel file)
  "test/bitexact-ref.test.ts": 185,
  "test/bitexact-other.test.ts": 131,
  "test/bitexact-mve.test.ts": 100,
  "test/package.test.ts": 87,
  "test/bitexact-dsp.test.ts": 70,
  "test/export-mlperf.test.ts": 49,
  "test/reproducible.test.ts": 45,
  "test/operators.test.ts": 42,
  "test/faults.test.ts": 40,
  "test/faults-signals.test.ts": 39,
  "test/suite.test.ts": 37,
  "test/nightly-gate.test.ts": 32,
  "test/faults/device.test.ts": 28,
  "test/variants.test.ts": 24,
  "test/rounding-semantics.test.ts": 20,
  "test/firmware-kernels-target.test.ts": 20,
  "test/site.test.ts": 18,
  "test/streaming-run.test.ts": 20,
  "test/multi-board.test.ts": 16,
  "test/cli-boards.test.ts": 18,
  "test/firmware-native.test.ts": 17,
  "test/power-ppk2.test.ts": 16,
};

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const seconds = (f: TestSpecification) => LONG_FILES[path.relative(import.meta.dirname, f.moduleId)] ?? 0;
    return [...sorted].sort((a, b) => seconds(b) - seconds(a)); // stable: the rest keep vitest's order
  }
}

export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 2,
    minWorkers: 2,
    sequence: { sequencer: LongestFirst },
    // GitHub's workflow parser imports its JSON schema without an import attribute, which Node's loader refuses:
    // vite's transform (which reads JSON) loads it instead
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
