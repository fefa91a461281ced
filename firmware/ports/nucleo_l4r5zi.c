/* Worked port of a physical board, register by register: ST NUCLEO-L4R5ZI (STM32L4R5ZI, Cortex-M4F), the board of
 * MLPerf Tiny's reference submission.
 * Console: LPUART1 on PG7 (TX) / PG8 (RX), wired to the ST-LINK virtual COM port, 8N1 at 115200 baud (9600 in
 * energy mode, where MLPerf Tiny's IO manager relays it; TR_CONSOLE_BAUD overrides).
 * Clock: HSI16 -> PLL -> 120 MHz SYSCLK. Timer: SysTick (ports/systick.c). Timestamp pin: PF13, Arduino D7, the
 * pin the MLPerf Tiny energy monitor counts falling edges on: it idles high, asserted means low.
 * Register offsets and bits are those of ST's RM0432 (STM32L4+ reference manual). Compiled by
 * `make -C firmware example-ports`; not run here (no board on this machine). */
#include <stdint.h>
#include "port.h"
#include "systick.h"
#include "idle.h"

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

#define RCC_BASE 0x40021000u
#define RCC_CR REG(RCC_BASE + 0x00u)
#define RCC_CFGR REG(RCC_BASE + 0x08u)
#define RCC_PLLCFGR REG(RCC_BASE + 0x0Cu)
#define RCC_AHB2ENR REG(RCC_BASE + 0x4Cu)
#define RCC_APB1ENR1 REG(RCC_BASE + 0x58u)
#define RCC_APB1ENR2 REG(RCC_BASE + 0x5Cu)
#define RCC_CCIPR REG(RCC_BASE + 0x88u)

#define PWR_BASE 0x40007000u
#define PWR_CR2 REG(PWR_BASE + 0x04u)
#define PWR_CR5 REG(PWR_BASE + 0x80u)

#define FLASH_ACR REG(0x40022000u)

#define GPIOF_BASE 0x48001400u
#define GPIOG_BASE 0x48001800u
#define GPIO_MODER(base) REG((base) + 0x00u)
#define GPIO_OSPEEDR(base) REG((base) + 0x08u)
#define GPIO_BSRR(base) REG((base) + 0x18u)
#define GPIO_AFRL(base) REG((base) + 0x20u)
#define GPIO_AFRH(base) REG((base) + 0x24u)

#define LPUART1_BASE 0x40008000u
#define LPUART_CR1 REG(LPUART1_BASE + 0x00u)
#define LPUART_BRR REG(LPUART1_BASE + 0x0Cu)
#define LPUART_ISR REG(LPUART1_BASE + 0x1Cu)
#define LPUART_ICR REG(LPUART1_BASE + 0x20u)
#define LPUART_RDR REG(LPUART1_BASE + 0x24u)
#define LPUART_TDR REG(LPUART1_BASE + 0x28u)

#ifndef TR_CONSOLE_BAUD
#ifdef TR_ENERGY_MODE
#define TR_CONSOLE_BAUD 9600u
#else
#define TR_CONSOLE_BAUD 115200u
#endif
#endif
#define CPU_HZ 120000000u
#define LPUART_CLOCK_HZ 16000000u /* HSI16, independent of the SYSCLK switch */
#define TIMESTAMP_PIN 13u         /* PF13 */

/* 120 MHz needs range 1 boost mode and 5 flash wait states; the switch to a SYSCLK above 80 MHz goes through an AHB
 * prescaler of 2 for at least 1 us (RM0432, "Clock configuration"). */
static void clock_init(void)
{
    RCC_CR |= 1u << 8; /* HSION */
    while (!(RCC_CR & (1u << 10))) {
    }
    RCC_APB1ENR1 |= 1u << 28; /* PWREN */
    PWR_CR5 &= ~(1u << 8);    /* R1MODE = 0: range 1 boost */
    FLASH_ACR = (FLASH_ACR & ~0xFu) | 5u | (1u << 8) | (1u << 9) | (1u << 10); /* 5 WS, prefetch, I- and D-cache */
    while ((FLASH_ACR & 0xFu) != 5u) {
    }
    /* PLL from HSI16: M = 2 -> 8 MHz, N = 30 -> 240 MHz VCO, R = 2 -> 120 MHz, R output enabled */
    RCC_PLLCFGR = 2u /* PLLSRC = HSI16 */ | ((2u - 1u) << 4) | (30u << 8) | (0u << 25) | (1u << 24);
    RCC_CR |= 1u << 24; /* PLLON */
    while (!(RCC_CR & (1u << 25))) {
    }
    RCC_CFGR = (RCC_CFGR & ~0xF0u) | (0x8u << 4); /* HPRE = /2 */
    RCC_CFGR = (RCC_CFGR & ~0x3u) | 0x3u;         /* SW = PLL */
    while (((RCC_CFGR >> 2) & 0x3u) != 0x3u) {
    }
    for (volatile uint32_t i = 0; i < 200u; i++) { /* >= 1 us at 60 MHz HCLK */
    }
    RCC_CFGR &= ~0xF0u; /* HPRE = /1: 120 MHz */
}

static void gpio_mode(uint32_t base, uint32_t pin, uint32_t mode)
{
    GPIO_MODER(base) = (GPIO_MODER(base) & ~(3u << (2u * pin))) | (mode << (2u * pin));
}

static void gpio_alternate(uint32_t base, uint32_t pin, uint32_t function)
{
    volatile uint32_t *afr = pin < 8u ? &GPIO_AFRL(base) : &GPIO_AFRH(base);
    const uint32_t shift = 4u * (pin % 8u);
    *afr = (*afr & ~(0xFu << shift)) | (function << shift);
    gpio_mode(base, pin, 2u);
}

static void console_init(void)
{
    PWR_CR2 |= 1u << 9;                          /* IOSV: port G runs from VDDIO2, which must be declared valid */
    RCC_AHB2ENR |= (1u << 5) | (1u << 6);        /* GPIOF, GPIOG */
    RCC_APB1ENR2 |= 1u << 0;                     /* LPUART1EN */
    RCC_CCIPR = (RCC_CCIPR & ~(3u << 10)) | (2u << 10); /* LPUART1SEL = HSI16 */
    gpio_alternate(GPIOG_BASE, 7u, 8u);          /* PG7 = LPUART1_TX (AF8) */
    gpio_alternate(GPIOG_BASE, 8u, 8u);          /* PG8 = LPUART1_RX (AF8) */
    LPUART_BRR = (uint32_t)(((uint64_t)LPUART_CLOCK_HZ * 256u + TR_CONSOLE_BAUD / 2u) / TR_CONSOLE_BAUD); /* LPUART: 256 * f / baud */
    LPUART_CR1 = (1u << 5) | (1u << 3) | (1u << 2) | (1u << 0); /* RXNEIE, TE, RE, UE; 8N1 */
}

#ifndef TR_UART_RX_IRQ
#error "TR_UART_RX_IRQ must come from the board file: LPUART1's interrupt, 70 on the STM32L4+ (RM0432)"
#endif
#define NVIC_ISER REG(0xE000E100u + 4u * (TR_UART_RX_IRQ / 32u))
#define NVIC_ICER REG(0xE000E180u + 4u * (TR_UART_RX_IRQ / 32u))
#define UART_IRQ_BIT (1u << (TR_UART_RX_IRQ % 32u))

/* RXNE stays up until the byte is read, which is port_getc's job: the interrupt only wakes the core, so it masks
 * itself in the NVIC, and port_getc unmasks it before each sleep. */
void port_uart_rx_irq(void) { NVIC_ICER = UART_IRQ_BIT; }

static void timestamp_pin_init(void)
{
    GPIO_BSRR(GPIOF_BASE) = 1u << TIMESTAMP_PIN; /* idle high before it becomes an output */
    GPIO_OSPEEDR(GPIOF_BASE) |= 3u << (2u * TIMESTAMP_PIN);
    gpio_mode(GPIOF_BASE, TIMESTAMP_PIN, 1u); /* push-pull output */
}

void port_init(void)
{
    clock_init();
    console_init();
    timestamp_pin_init();
    systick_start();
}

void port_putc(char c)
{
    while (!(LPUART_ISR & (1u << 7))) { /* TXE */
    }
    LPUART_TDR = (uint8_t)c;
}

/* Until RXNE, asleep (WFI, the core's Sleep mode), as the emulated ports (idle.h): interrupts masked from the check
 * to the WFI so a byte arriving in between still ends it, then unmasked for the wake-up interrupt to be taken. */
TR_IDLE static void wait_for_byte(void)
{
    for (uint32_t n = 0; n != TR_IDLE_SPIN; ++n) {
        if (LPUART_ISR & (1u << 5)) return;
    }
    __asm__ volatile("cpsid i" ::: "memory");
    while (!(LPUART_ISR & (1u << 5))) { /* RXNE */
        if (LPUART_ISR & (1u << 3)) LPUART_ICR = 1u << 3; /* an overrun (ORE) would stop reception: ICR.ORECF */
        NVIC_ISER = UART_IRQ_BIT;
        __asm__ volatile("wfi\n\tcpsie i\n\tisb\n\tcpsid i" ::: "memory");
    }
    __asm__ volatile("cpsie i" ::: "memory");
}

int port_getc(void)
{
    wait_for_byte();
    return (int)(LPUART_RDR & 0xFFu);
}

uint64_t port_timer_ticks(void) { return systick_cycles(); }

void port_timer_align(void) { systick_restart(); }

uint32_t port_ticks_per_us(void) { return CPU_HZ / 1000000u; }

/* Asserted = low: the energy monitor counts falling edges. */
void port_timestamp_pin(int level) { GPIO_BSRR(GPIOF_BASE) = level ? 1u << (TIMESTAMP_PIN + 16u) : 1u << TIMESTAMP_PIN; }
