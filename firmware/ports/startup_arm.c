/* Cortex-M start-up: the vector table, .data/.bss initialisation, the FPU switched on before any float code. */
#include <stdint.h>

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
int main(void);
void Reset_Handler(void);
void SysTick_Handler(void);
#ifdef TR_UART_RX_IRQ
/* The console UART's receive interrupt (the port sleeps until it comes): external interrupt TR_UART_RX_IRQ. */
void port_uart_rx_irq(void);
#define TR_VECTORS (16 + TR_UART_RX_IRQ + 1)
#else
#define TR_VECTORS 16
#endif

static void Default_Handler(void)
{
    for (;;) {
    }
}

void Reset_Handler(void)
{
    for (uint32_t *src = _sidata, *dst = _sdata; dst < _edata;) *dst++ = *src++;
    for (uint32_t *dst = _sbss; dst < _ebss;) *dst++ = 0;
#if defined(__ARM_FP)
    /* CPACR: full access to CP10 and CP11 */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    main();
    for (;;) {
    }
}

/* External interrupts other than the console's are never enabled; their vectors stay 0. The table is the image's
 * first bytes, so it has the alignment VTOR asks of a table this size (at most 512 bytes). */
__attribute__((section(".isr_vector"), used)) void (*const tr_vectors[TR_VECTORS])(void) = {
    (void (*)(void))(uintptr_t)_estack, /* initial stack pointer */
    Reset_Handler,   Default_Handler, /* NMI */
    Default_Handler, /* HardFault */
    Default_Handler, /* MemManage */
    Default_Handler, /* BusFault */
    Default_Handler, /* UsageFault */
    0, 0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
#ifdef TR_UART_RX_IRQ
    [16 + TR_UART_RX_IRQ] = port_uart_rx_irq,
#endif
};
