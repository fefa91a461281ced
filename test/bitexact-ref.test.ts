// The reference kernels (RV32IMAC, riscv32-virt) bit for bit over the whole test sets (test/helpers/bitexact.ts says what is checked).
import { describeWholeTestSets } from "./helpers/bitexact.ts";

describeWholeTestSets("ref kernels", ["riscv32-virt"]);
