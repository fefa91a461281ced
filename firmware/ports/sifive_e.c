/* Port for SiFive E-series machines (QEMU's sifive_e, the HiFive1's FE310 map): UART0, whose receive interrupt wakes
 * the core from WFI (riscv_wait.h), the cycle counter (riscv_cycles.h), GPIO0 pin 0 as the timestamp pin. Addresses and
 * timer frequency from the board file: TR_UART_BASE, TR_GPIO_BASE, TR_CYCLE_HZ, TR_PLIC_BASE, TR_UART_PLIC_SOURCE. */
#include <stdint.h>
#include "port.h"
#include "riscv_cycles.h"
#include "riscv_wait.h"
#include "idle.h"

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define UART_TXDATA REG(TR_UART_BASE + 0x00u) /* bit 31: FIFO full */
#define UART_RXDATA REG(TR_UART_BASE + 0x04u) /* bit 31: FIFO empty; bits 7..0: data */
#define UART_TXCTRL REG(TR_UART_BASE + 0x08u)
#define UART_RXCTRL REG(TR_UART_BASE + 0x0Cu) /* bit 0: rxen; bits 18..16: rxcnt, the watermark */
#define UART_IE REG(TR_UART_BASE + 0x10u)     /* bit 1: rxwm, interrupt while the RX FIFO holds more than rxcnt */
#define GPIO_OUTPUT_EN REG(TR_GPIO_BASE + 0x08u)
#define GPIO_OUTPUT_VAL REG(TR_GPIO_BASE + 0x0Cu)

void port_init(void)
{
    UART_TXCTRL = 1u; /* txen */
    UART_RXCTRL = 1u; /* rxen, rxcnt 0: the interrupt is up while any byte waits */
    UART_IE = 2u;
    riscv_wait_init();
    GPIO_OUTPUT_EN |= 1u;
    GPIO_OUTPUT_VAL &= ~1u;
}

void port_putc(char c)
{
    while (UART_TXDATA & 0x80000000u) {
    }
    UART_TXDATA = (uint8_t)c;
}

/* Reading RXDATA pops the FIFO, so the wait returns the byte it found (idle.h says why it has its own section). */
TR_IDLE static uint32_t wait_for_byte(void)
{
    for (uint32_t n = 0;;) {
        const uint32_t v = UART_RXDATA;
        if (!(v & 0x80000000u)) return v; /* bit 31: FIFO empty */
        if (n != TR_IDLE_SPIN) ++n;
        else riscv_wait_for_interrupt();
    }
}

int port_getc(void) { return (int)(wait_for_byte() & 0xFFu); }

uint64_t port_timer_ticks(void) { return riscv_cycles(); }

/* the cycle counter runs without interrupts: nothing to align */
void port_timer_align(void) {}

uint32_t port_ticks_per_us(void) { return TR_CYCLE_HZ / 1000000u; }

void port_timestamp_pin(int level)
{
    if (level) GPIO_OUTPUT_VAL |= 1u;
    else GPIO_OUTPUT_VAL &= ~1u;
}
