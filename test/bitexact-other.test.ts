// The emulated boards that run a kernel set the whole-test-set files cover, on another CPU or port: a fixed sample of
// every test set bit for bit, refusals of what does not fit included (the whole sets with TINYRIG_FULL_MATRIX=1).
// test/helpers/bitexact.ts says what is checked.
import { describe } from "vitest";
import {
  describeSampledTestSets,
  describeWholeSetCoverage,
  describeWholeTestSets,
  emulatedBoards,
  FULL_MATRIX,
  sampledBoards,
  WHOLE_SET_BOARDS,
} from "./helpers/bitexact.ts";

describe("which boards run whole test sets", describeWholeSetCoverage);
if (FULL_MATRIX)
  describeWholeTestSets(
    "the other boards (TINYRIG_FULL_MATRIX=1)",
    emulatedBoards.map((b) => b.name).filter((n) => !WHOLE_SET_BOARDS.includes(n)),
  );
else describeSampledTestSets(sampledBoards.map((b) => b.name));
