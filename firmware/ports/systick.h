/* The Cortex-M SysTick as a 64-bit cycle counter, shared by every Arm port (ports/systick.c). */
#ifndef TR_SYSTICK_H
#define TR_SYSTICK_H
#include <stdint.h>

/* Counts core clock cycles from 0, wrapping every 2^24 cycles into an interrupt that extends it to 64 bits. */
void systick_start(void);
uint64_t systick_cycles(void);
/* Restarts the 2^24-cycle period at this instruction (the count carries on, monotonic): the wrap interrupts then fall
 * at fixed offsets from here, whatever moment the host's command arrived at. */
void systick_restart(void);

#endif
