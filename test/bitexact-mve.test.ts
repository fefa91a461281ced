// The mve kernels (Helium, Cortex-M55) bit for bit over the whole test sets (test/helpers/bitexact.ts says what is checked).
import { describeWholeTestSets } from "./helpers/bitexact.ts";

describeWholeTestSets("mve kernels", ["mps3-an547"]);
