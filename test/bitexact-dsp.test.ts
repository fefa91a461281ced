// The dsp kernels (CMSDK port, Cortex-M4) bit for bit over the whole test sets (test/helpers/bitexact.ts says what is checked).
import { describeWholeTestSets } from "./helpers/bitexact.ts";

describeWholeTestSets("dsp kernels", ["mps2-an386"]);
