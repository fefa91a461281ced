/* Port for QEMU's RISC-V `virt` machine (RV32, booted with -bios none, so the firmware runs in machine mode from
 * 0x80000000): the NS16550A UART0, whose receive interrupt wakes the core from WFI (riscv_wait.h); the cycle counter (riscv_cycles.h) as the timer; and, as the timestamp pin, one word
 * of RAM that the linker gives to nothing (virt has no GPIO; tinyrig's QEMU plugin sees every store to that word).
 * Everything comes from the board file (boards/riscv32-virt.yaml): TR_UART_BASE, TR_UART_CLOCK_HZ, TR_CYCLE_HZ, TR_PIN_ADDR,
 * TR_PLIC_BASE, TR_UART_PLIC_SOURCE. */
#include <stdint.h>
#include "port.h"
#include "riscv_cycles.h"
#include "riscv_wait.h"
#include "idle.h"

/* NS16550A registers: byte-wide, one per byte address (QEMU maps virt's UART with a register shift of 0). */
#define UART_REG(off) (*(volatile uint8_t *)(uintptr_t)(TR_UART_BASE + (off)))
#define UART_RBR UART_REG(0u) /* read, DLAB = 0: receive buffer */
#define UART_THR UART_REG(0u) /* write, DLAB = 0: transmit holding */
#define UART_DLL UART_REG(0u) /* DLAB = 1: divisor latch, low byte */
#define UART_IER UART_REG(1u) /* DLAB = 0: interrupt enable */
#define UART_DLM UART_REG(1u) /* DLAB = 1: divisor latch, high byte */
#define UART_FCR UART_REG(2u) /* write: FIFO control */
#define UART_LCR UART_REG(3u) /* line control; bit 7 = DLAB */
#define UART_MCR UART_REG(4u) /* modem control */
#define UART_LSR UART_REG(5u) /* line status */

#define LCR_8N1 0x03u          /* 8 data bits, 1 stop bit, no parity */
#define LCR_DLAB 0x80u         /* divisor latch access */
#define FCR_ENABLE 0x01u       /* FIFOs on */
#define FCR_CLEAR_RX 0x02u
#define FCR_CLEAR_TX 0x04u
#define FCR_RX_TRIGGER_14 0xC0u /* QEMU's model then takes up to 14 bytes from the host at a time */
#define IER_RDI 0x01u          /* interrupt: received data at the trigger level, or the FIFO's timeout */
#define LSR_DR 0x01u           /* a received byte is waiting */
#define LSR_THRE 0x20u         /* transmit holding register (FIFO) empty */

#ifndef TR_CONSOLE_BAUD
#define TR_CONSOLE_BAUD 115200u /* reached directly over the PTY in every mode: no interface board at 9600 */
#endif

#define PIN (*(volatile uint32_t *)(uintptr_t)TR_PIN_ADDR)

void port_init(void)
{
    const uint32_t divisor = (TR_UART_CLOCK_HZ + 8u * TR_CONSOLE_BAUD) / (16u * TR_CONSOLE_BAUD);
    UART_IER = 0u; /* quiet until set up */
    UART_LCR = LCR_DLAB;
    UART_DLL = (uint8_t)(divisor & 0xFFu);
    UART_DLM = (uint8_t)(divisor >> 8);
    UART_LCR = LCR_8N1; /* also clears DLAB */
    UART_FCR = FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_RX_TRIGGER_14;
    UART_MCR = 0u; /* no flow control */
    /* Received data raises the interrupt at 14 bytes, or 4 character times after the last byte with fewer waiting. */
    UART_IER = IER_RDI;
    riscv_wait_init();
    PIN = 0u;      /* idle level; QEMU put nothing there, but say so */
}

void port_putc(char c)
{
    while (!(UART_LSR & LSR_THRE)) {
    }
    UART_THR = (uint8_t)c;
}

/* Until the receive FIFO holds a byte, asleep (riscv_wait.h; idle.h says why the wait has its own section). */
TR_IDLE static void wait_for_byte(void)
{
    for (uint32_t n = 0; n != TR_IDLE_SPIN; ++n) {
        if (UART_LSR & LSR_DR) return;
    }
    while (!(UART_LSR & LSR_DR)) riscv_wait_for_interrupt();
}

int port_getc(void)
{
    /* Reading the LSR also clears its overrun, parity, framing and break flags, so reception never stalls on them. */
    wait_for_byte();
    return (int)UART_RBR;
}

uint64_t port_timer_ticks(void) { return riscv_cycles(); }

/* the cycle counter runs without interrupts: nothing to align */
void port_timer_align(void) {}

uint32_t port_ticks_per_us(void) { return TR_CYCLE_HZ / 1000000u; }

void port_timestamp_pin(int level) { PIN = level ? 1u : 0u; }
