/* The porting interface: everything board-specific the portable core needs, in one small file per board family
 * under firmware/ports/. See firmware/PORTING.md. */
#ifndef TR_PORT_H
#define TR_PORT_H
#include <stdint.h>

/* Clocks, console UART (115200 8N1 on physical boards), timer and timestamp pin. Called once, first. */
void port_init(void);
/* Sends one byte on the console, waiting while the transmitter is full. */
void port_putc(char c);
/* Waits for and returns the next byte from the console, asleep (WFI until the UART's receive interrupt) rather than
 * spinning, and waiting in the idle section (ports/idle.h): the core then draws its sleep current while the host's
 * bytes are on the line, and an emulated board's meter counts only the work of taking them. */
int port_getc(void);
/* Timer ticks since port_init (e.g. CPU cycles), 64 bits; PORT_TICKS_PER_US (from the port's defines) per microsecond.
 * The timed window is measured in ticks, so its duration does not depend on where within a microsecond it began. */
uint64_t port_timer_ticks(void);
uint32_t port_ticks_per_us(void);
/* Called just before a timed window begins. A port whose timer interrupts the CPU (the SysTick's wrap) restarts the
 * timer's period here, so its interrupts fall at the same points of every window: on an instruction-counting emulator
 * a window then executes exactly the same instructions on every run. Ports without timer interrupts do nothing. */
void port_timer_align(void);
/* Drives the timestamp pin (energy mode: the power monitor sees its edges). level: 0 or 1. */
void port_timestamp_pin(int level);

#endif
