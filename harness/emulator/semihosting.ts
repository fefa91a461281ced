// QEMU's semihosting on an emulated Arm board: the firmware reads and writes host files (core/semihost.h), standing in
// for a DMA QEMU does not model. The stream engine reads its audio this way; `--input-channel file` its inputs.
import type { BoardDefinition } from "../boards/schema.ts";

/** The emulated board with QEMU's semihosting on (the firmware reads and writes files on the host). */
export function withSemihosting(board: BoardDefinition): BoardDefinition {
  const q = board.console.emulator?.qemu;
  if (board.kind !== "emulated" || !q) throw new Error(`${board.file}: semihosting needs an emulated board (QEMU); a physical board has none`);
  if (board.cpu.arch !== "arm" && board.cpu.arch !== "riscv")
    throw new Error(`${board.file}: tinyrig's semihosting is written for Arm and RISC-V only (cpu.arch is ${board.cpu.arch})`);
  if (q.extraArgs.includes("-semihosting-config")) return board;
  return {
    ...board,
    console: {
      ...board.console,
      emulator: { ...board.console.emulator!, qemu: { ...q, extraArgs: [...q.extraArgs, "-semihosting-config", "enable=on,target=native"] } },
    },
  };
}
