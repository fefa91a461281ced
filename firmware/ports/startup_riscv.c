/* RV32 start-up: stack and global pointer, .data copied from flash, .bss zeroed, then main. */
#include <stdint.h>

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];
int main(void);
void _start(void);

__attribute__((naked, section(".text.start"), used)) void _start(void)
{
    __asm__ volatile(".option push\n.option norelax\nla gp, __global_pointer$\n.option pop\n"
                     "la sp, _estack\n"
                     "j tr_reset\n");
}

__attribute__((used, noreturn)) void tr_reset(void)
{
    for (uint32_t *src = _sidata, *dst = _sdata; dst < _edata;) *dst++ = *src++;
    for (uint32_t *dst = _sbss; dst < _ebss;) *dst++ = 0;
    main();
    for (;;) {
    }
}
