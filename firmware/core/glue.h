/* What every model glue (core/main.c for .tflite models, core/main_classical.c for classical models compiled to C)
 * gives the DUT protocol alike: the input buffer, the firmware's names, the board's console, timer and timestamp pin.
 * Each glue sets its model's callbacks and sizes, then serves the console. */
#ifndef TR_GLUE_H
#define TR_GLUE_H
#include "dut.h"
#include "port.h"
#include "tr_config.h"

static inline void tr_glue_console_write(const char *s)
{
    while (*s) port_putc(*s++);
}

static inline void tr_glue_init(tr_dut *d, uint8_t *input, uint32_t capacity)
{
    d->input = input;
    d->input_capacity = capacity;
    d->name = "tinyrig-" TR_BOARD_NAME;
    d->version = TR_FW_VERSION;
    d->model_id = TR_MODEL_ID;
#ifdef TR_BUILD_ID
    d->build_id = TR_BUILD_ID;
#endif
    d->write = tr_glue_console_write;
    d->timer_ticks = port_timer_ticks;
    d->ticks_per_us = port_ticks_per_us();
    d->pin = port_timestamp_pin;
    d->timer_align = port_timer_align;
#ifdef TR_ENERGY_MODE
    d->energy_mode = 1;
#endif
}

/* Boots the protocol and feeds it the console for ever. */
static inline void tr_glue_serve(tr_dut *d)
{
    tr_dut_boot(d);
    for (;;) tr_dut_feed(d, (char)port_getc());
}

#endif
