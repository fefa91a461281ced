/* The porting interface: everything board-specific the portable core needs, in one small file per board family
 * under firmware/ports/. See firmware/PORTING.md. */
#ifndef TR_PORT_H
#define TR_PORT_H
#include <stdint.h>

/* Clocks, console UART (115200 8N1 on physical boards), timer and timestamp pin. Called once, first. */
void port_init(void);
/* Sends one byte on the console, waiting while the transmitter is full. */
void port_putc(char c);
/* Waits for and returns the next byte from the console. */
int port_getc(void);
/* Microseconds since port_init, from a hardware timer; must not wrap within a benchmark (64 bits). */
uint64_t port_timer_us(void);
/* Drives the timestamp pin (energy mode: the power monitor sees its edges). level: 0 or 1. */
void port_timestamp_pin(int level);

#endif
