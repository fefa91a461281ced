/* The reference firmware's glue for a classical model compiled to C (MODEL_KIND=classical, core/classical.h):
 * the same DUT protocol as core/main.c, the model's const tables in flash, no arena. The input is the int8 window
 * exactly as sent (TR_IN_INT8): the model's own feature extraction is part of its inference. */
#include "classical.h"
#include "glue.h"
#include "text.h"

#define TR_IN_INT8 1
#ifndef TR_CLASSICAL_MAX_OUTPUTS
#define TR_CLASSICAL_MAX_OUTPUTS 32u
#endif

static uint8_t input_buffer[TR_INPUT_BYTES] __attribute__((aligned(4)));
static uint16_t scores[TR_CLASSICAL_MAX_OUTPUTS];
static uint8_t raw[2 * TR_CLASSICAL_MAX_OUTPUTS];

static void load_input(uint32_t bytes) { (void)bytes; /* the model reads the input buffer itself */ }

static void run_inference(void) { tr_classical_infer((const int8_t *)(const void *)input_buffer, scores); }

static size_t results(char *buf, size_t size)
{
    char *pos = buf;
    for (uint32_t i = 0; i < tr_classical.outputs; ++i) {
        if (i) pos = tr_put_str(pos, buf + size, ",");
        pos = tr_put_float(pos, buf + size, (float)scores[i] / (float)tr_classical.score_scale);
    }
    return (size_t)(pos - buf);
}

static const uint8_t *output_raw(uint32_t *bytes)
{
    for (uint32_t i = 0; i < tr_classical.outputs; ++i) {
        raw[2 * i] = (uint8_t)(scores[i] & 0xffu);
        raw[2 * i + 1] = (uint8_t)(scores[i] >> 8);
    }
    *bytes = 2u * tr_classical.outputs;
    return raw;
}

int main(void)
{
    port_init();
    static tr_dut dut;
    tr_glue_init(&dut, input_buffer, TR_INPUT_BYTES);
    dut.load = load_input;
    dut.infer = run_inference;
    dut.results = results;
    dut.output_raw = output_raw;
    if (TR_INPUT_TRANSFORM != TR_IN_INT8) dut.model_error = "a classical model takes its int8 input as sent";
    else if (tr_classical.input_bytes != TR_INPUT_BYTES) dut.model_error = "classical model input differs from TR_INPUT_BYTES";
    else if (tr_classical.outputs > TR_CLASSICAL_MAX_OUTPUTS) dut.model_error = "classical model has more outputs than TR_CLASSICAL_MAX_OUTPUTS";
    dut.arena_used = 0;
    dut.arena_size = 0;
    dut.model_bytes = tr_classical.table_bytes;
    dut.output_bytes = 2u * tr_classical.outputs;
    tr_glue_serve(&dut);
}
