/* The RISC-V cycle counter (mcycle/mcycleh) as the 64-bit timer, shared by every RISC-V port. It counts core cycles,
 * so a timed window's length does not depend on where within a tick of a slower timer (the CLINT's mtime) it began.
 * Under QEMU's -icount it counts virtual nanoseconds, so an emulated board's TR_CYCLE_HZ is 1000000000. */
#ifndef TR_RISCV_CYCLES_H
#define TR_RISCV_CYCLES_H
#include <stdint.h>

/* `csrr rd, csr` is csrrs rd, csr, x0 (opcode 0x73, funct3 2), spelled with .insn: the assembler of Debian's gcc 12
 * wants the Zicsr extension named for the mnemonic, and naming it in -march loses the rv32imac multilib. The CSR
 * number is the I-type immediate, sign-extended: mcycle 0xB00 = -1280, mcycleh 0xB80 = -1152. */
#define TR_CSR_READ(out, csr_simm12) __asm__ volatile(".insn i 0x73, 2, %0, x0, " #csr_simm12 : "=r"(out))

static inline uint64_t riscv_cycles(void)
{
    uint32_t hi, lo, again;
    /* read as two halves on RV32: re-read if the high half changed in between */
    do {
        TR_CSR_READ(hi, -1152);
        TR_CSR_READ(lo, -1280);
        TR_CSR_READ(again, -1152);
    } while (hi != again);
    return ((uint64_t)hi << 32) | lo;
}

#endif
