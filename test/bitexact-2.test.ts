// Whole test sets, bit for bit, on half of the emulated boards (test/helpers/bitexact.ts says what is checked).
import { describeBitexact } from "./helpers/bitexact.ts";

describeBitexact(1, 2);
