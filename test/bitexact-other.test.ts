// The emulated boards that add only a CPU to a kernel set and port the whole-test-set files cover: a fixed sample of
// every test set bit for bit (the whole sets with TINYRIG_FULL_MATRIX=1). test/helpers/bitexact.ts says what is checked.
import { describe } from "vitest";
import { describeSampledTestSets, describeWholeSetCoverage, describeWholeTestSets, emulatedBoards, FULL_MATRIX, sampledBoards, WHOLE_SET_BOARDS } from "./helpers/bitexact.ts";

describe("which boards run whole test sets", describeWholeSetCoverage);
if (FULL_MATRIX) describeWholeTestSets("the other boards (TINYRIG_FULL_MATRIX=1)", emulatedBoards.map((b) => b.name).filter((n) => !WHOLE_SET_BOARDS.includes(n)));
else describeSampledTestSets(sampledBoards.map((b) => b.name));
