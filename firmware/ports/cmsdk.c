/* Port for Arm's MPS2/MPS3 FPGA boards (and QEMU's models of them): CMSDK APB UART, SysTick, FPGAIO LED register
 * as the timestamp pin. Addresses, clock and the UART's receive interrupt come from the board file: TR_UART_BASE,
 * TR_LED_BASE, TR_CPU_HZ, TR_UART_RX_IRQ. */
#include <stdint.h>
#include "port.h"
#include "systick.h"
#include "idle.h"

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define UART_DATA REG(TR_UART_BASE + 0x00u)
#define UART_STATE REG(TR_UART_BASE + 0x04u) /* bit0: TX full, bit1: RX full */
#define UART_CTRL REG(TR_UART_BASE + 0x08u)  /* bit0: TX enable, bit1: RX enable, bit3: RX interrupt enable */
#define UART_INTCLEAR REG(TR_UART_BASE + 0x0Cu) /* write bit1: clear the RX interrupt */
#define UART_BAUDDIV REG(TR_UART_BASE + 0x10u)
#define LED REG(TR_LED_BASE)
#define NVIC_ISER(n) REG(0xE000E100u + 4u * ((n) / 32u))

#ifndef TR_UART_RX_IRQ
#error "TR_UART_RX_IRQ (the console UART's receive interrupt number) must come from the board file"
#endif

void port_init(void)
{
    UART_BAUDDIV = TR_CPU_HZ / 115200u;
    UART_CTRL = 0x3u | 0x8u; /* TX, RX, and an interrupt per received byte: port_getc sleeps until one comes */
    NVIC_ISER(TR_UART_RX_IRQ) = 1u << (TR_UART_RX_IRQ % 32u);
    LED = 0;
    systick_start();
}

/* The byte stays in the UART's data register for port_getc; the interrupt only wakes the core. */
void port_uart_rx_irq(void) { UART_INTCLEAR = 2u; }

void port_putc(char c)
{
    while (UART_STATE & 1u) {
    }
    UART_DATA = (uint8_t)c;
}

/* Until the UART holds a byte, asleep (WFI) rather than spinning: a real chip then draws its sleep current, and an
 * emulated one's meter counts nothing in here (idle.h). Interrupts are masked from the check to the WFI, so a byte
 * arriving in between still ends it (a pending interrupt ends WFI whatever PRIMASK says); once awake they are unmasked
 * briefly so the interrupt is taken (the UART's, which clears itself, or the SysTick's wrap) and the next WFI sleeps. */
TR_IDLE static void wait_for_byte(void)
{
    for (uint32_t n = 0; n != TR_IDLE_SPIN; ++n) {
        if (UART_STATE & 2u) return;
    }
    __asm__ volatile("cpsid i" ::: "memory");
    while (!(UART_STATE & 2u)) {
        __asm__ volatile("wfi\n\tcpsie i\n\tisb\n\tcpsid i" ::: "memory");
    }
    __asm__ volatile("cpsie i" ::: "memory");
}

int port_getc(void)
{
    wait_for_byte();
    return (int)(UART_DATA & 0xFFu);
}

uint64_t port_timer_ticks(void) { return systick_cycles(); }

void port_timer_align(void) { systick_restart(); }

uint32_t port_ticks_per_us(void) { return TR_CPU_HZ / 1000000u; }

void port_timestamp_pin(int level) { LED = level ? 1u : 0u; }
