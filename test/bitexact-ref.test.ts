// The reference kernels on both RISC-V ports bit for bit over the whole test sets, and sifive-e's refusals of the models
// that do not fit it (test/helpers/bitexact.ts says what is checked).
import { describeWholeTestSets } from "./helpers/bitexact.ts";

describeWholeTestSets("ref kernels", ["riscv32-virt", "sifive-e"]);
