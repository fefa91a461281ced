/* The Cortex-M SysTick extended to 64 bits by counting its wraps (every Armv7-M / Armv8-M core has one). */
#include "systick.h"

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)

#define SYSTICK_RELOAD 0x00FFFFFFu /* the full 24 bits: one wrap every 2^24 cycles */
static volatile uint64_t systick_wraps;
static uint64_t systick_origin; /* cycles counted before the last restart */

void SysTick_Handler(void);
void SysTick_Handler(void) { systick_wraps++; }

void systick_start(void)
{
    SYST_RVR = SYSTICK_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 0x7u; /* processor clock, interrupt on wrap, enabled */
}

uint64_t systick_cycles(void)
{
    uint64_t wraps, again;
    uint32_t current;
    /* A wrap between the two reads shows as a changed wrap count (the SysTick interrupt is taken at once): retry. */
    do {
        wraps = systick_wraps;
        current = SYST_CVR;
        again = systick_wraps;
    } while (wraps != again);
    return systick_origin + wraps * (uint64_t)(SYSTICK_RELOAD + 1u) + (SYSTICK_RELOAD - current);
}

void systick_restart(void)
{
    const uint64_t now = systick_cycles();
    SYST_CSR = 0x5u; /* no wrap interrupt while restarting */
    SYST_CVR = 0;    /* clears the count: the period restarts here, the reload comes on the next clock edge */
    while (SYST_CVR == 0) {
    }
    systick_wraps = 0;
    systick_origin = now + 1u; /* the restart took at least a cycle: the count stays monotonic */
    (void)SYST_CSR;  /* clears COUNTFLAG */
    SYST_CSR = 0x7u;
}
