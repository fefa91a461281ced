// Test runner settings for CI's 2 cores. Most of the time goes to emulated boards (QEMU processes the test files start),
// so two test files run at once (vitest's default on 2 cores is one: cores - 1), and the files that take longest start
// first so that the two workers finish together instead of one waiting on a late long file.
import path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Test files known to take long (seconds measured alone on the 2-core CI machine), longest first. A clean clone has
 * no vitest cache of durations, so without this list the order is by file size and a long file may start last. */
const LONG_FILES: Record<string, number> = {};

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
  },
});
