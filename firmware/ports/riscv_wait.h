/* Sleeping until the console UART has a byte, shared by the RISC-V ports: the UART's interrupt is routed through the
 * platform-level interrupt controller (PLIC) to machine-mode external interrupts (mie.MEIE), with interrupts left
 * globally off (mstatus.MIE = 0), so nothing is ever trapped: WFI just returns once the interrupt is pending. A real
 * core then draws its sleep current, and an emulated one retires no instructions while it waits, so a modelled meter
 * counts only the work of taking each byte. PLIC layout (SiFive's, as QEMU's sifive_e and virt machines have it):
 * priorities at 4 x source, context 0 (hart 0, machine mode) enables at 0x2000, its threshold at 0x200000 and its
 * claim/complete register at 0x200004. From the board file: TR_PLIC_BASE, TR_UART_PLIC_SOURCE. */
#ifndef TR_RISCV_WAIT_H
#define TR_RISCV_WAIT_H
#include <stdint.h>

#if !defined(TR_PLIC_BASE) || !defined(TR_UART_PLIC_SOURCE)
#error "TR_PLIC_BASE and TR_UART_PLIC_SOURCE (the console UART's PLIC source) must come from the board file"
#endif

#define TR_PLIC(off) (*(volatile uint32_t *)(uintptr_t)(TR_PLIC_BASE + (off)))
#define TR_PLIC_CLAIM TR_PLIC(0x200004u)

/* Lets the UART's interrupt end a WFI. `csrrs x0, mie, rs1` (funct3 2) spelled with .insn, as in riscv_cycles.h. */
static inline void riscv_wait_init(void)
{
    const uint32_t meie = 1u << 11;
    TR_PLIC(4u * TR_UART_PLIC_SOURCE) = 1u; /* priority 1: priority 0 never interrupts */
    TR_PLIC(0x2000u + 4u * (TR_UART_PLIC_SOURCE / 32u)) |= 1u << (TR_UART_PLIC_SOURCE % 32u);
    TR_PLIC(0x200000u) = 0u; /* threshold: let every priority through */
    __asm__ volatile(".insn i 0x73, 2, x0, %0, 0x304" ::"r"(meie) : "memory");
}

/* Sleeps until an interrupt is pending, then claims and completes it: the PLIC holds a claimed source back, and a
 * completed one whose line is still high (bytes still waiting) is pending again at once, so no byte is slept past. */
__attribute__((always_inline)) static inline void riscv_wait_for_interrupt(void) /* inside the idle section (idle.h) */
{
    __asm__ volatile("wfi" ::: "memory");
    const uint32_t source = TR_PLIC_CLAIM;
    if (source != 0u) TR_PLIC_CLAIM = source;
}

#endif
