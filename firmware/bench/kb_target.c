/* The kernel firmware's platform on an Arm board under QEMU: the board's port for the console, a RAM word as the
 * measurement marker, semihosting to end the run. */
#include <stdint.h>
#include "kb.h"
#include "port.h"

volatile uint32_t tr_bench_marker;

void kb_init(void)
{
    port_init();
    /* No SysTick interrupts: a handler running inside a timed kernel call would add its instructions to the count. */
    *(volatile uint32_t *)0xE000E010u = 0;
}

void kb_write(const char *s)
{
    while (*s) port_putc(*s++);
}

void kb_marker(uint32_t value)
{
    __asm__ volatile("" ::: "memory");
    tr_bench_marker = value;
    __asm__ volatile("" ::: "memory");
}

void kb_exit(int code)
{
    /* Semihosting SYS_EXIT (0x18) with ADP_Stopped_ApplicationExit: QEMU run with -semihosting-config enable=on
     * exits. The verdict is in the console output; the exit status only ends the run. */
    (void)code;
    register uint32_t r0 __asm__("r0") = 0x18u;
    register uint32_t r1 __asm__("r1") = 0x20026u;
    __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
    for (;;) {
    }
}
