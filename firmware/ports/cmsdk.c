/* Port for Arm's MPS2/MPS3 FPGA boards (and QEMU's models of them): CMSDK APB UART, SysTick, FPGAIO LED register
 * as the timestamp pin. Addresses and clock come from the board file: TR_UART_BASE, TR_LED_BASE, TR_CPU_HZ. */
#include <stdint.h>
#include "port.h"
#include "systick.h"

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define UART_DATA REG(TR_UART_BASE + 0x00u)
#define UART_STATE REG(TR_UART_BASE + 0x04u) /* bit0: TX full, bit1: RX full */
#define UART_CTRL REG(TR_UART_BASE + 0x08u)  /* bit0: TX enable, bit1: RX enable */
#define UART_BAUDDIV REG(TR_UART_BASE + 0x10u)
#define LED REG(TR_LED_BASE)

void port_init(void)
{
    UART_BAUDDIV = TR_CPU_HZ / 115200u;
    UART_CTRL = 0x3u;
    LED = 0;
    systick_start();
}

void port_putc(char c)
{
    while (UART_STATE & 1u) {
    }
    UART_DATA = (uint8_t)c;
}

int port_getc(void)
{
    while (!(UART_STATE & 2u)) {
    }
    return (int)(UART_DATA & 0xFFu);
}

uint64_t port_timer_ticks(void) { return systick_cycles(); }

void port_timer_align(void) { systick_restart(); }

uint32_t port_ticks_per_us(void) { return TR_CPU_HZ / 1000000u; }

void port_timestamp_pin(int level) { LED = level ? 1u : 0u; }
