/* The reference firmware: the model embedded in flash, a static arena, the DUT protocol on the console. */
#include <string.h>
#include "arena_size.h"
#include "glue.h"
#include "text.h"
#include "model.h"
#ifdef TR_STREAM
#include "stream.h"
#endif
#ifdef TR_SEMIHOST_INPUT
#include "semihost.h"
#endif

#define TR_IN_INT8 1
#define TR_IN_UINT8_MINUS_128 2
#define TR_IN_FLOAT32_QUANTIZE 3

extern const uint8_t tr_model_data[], tr_model_end[];
static tr_model model;
static tr_dut dut;
static uint8_t arena[TR_ARENA_BYTES] __attribute__((aligned(16)));
static uint8_t input_buffer[TR_INPUT_BYTES] __attribute__((aligned(4)));
/* The m-results line holds every output value at its longest: "m-results-[", then per value tr_put_float's sign, 16
 * digits, point and 6 decimals and a comma (25 characters), then "]" and the NUL. The anomaly score is one value. */
#ifdef TR_RESULTS_MSE
#define TR_RESULTS_VALUES 1u
#else
#define TR_RESULTS_VALUES TR_MODEL_OUTPUT_ELEMS
#endif
static char results_line[13u + 25u * TR_RESULTS_VALUES];

/* The model input tensor lives outside the arena, so no inference of a window overwrites it (an `infer N W` runs W + N
 * inferences on one load). Where the transform leaves the bytes as sent (int8, float32 into a float32 model), the
 * tensor IS the input buffer: no copy, no RAM beyond the buffer. uint8 images are shifted to int8 in place, once per
 * new input (after an inference `db print` shows them as int8). float32 into an int8 model is quantised into a buffer
 * of the tensor's size. */
#if TR_INPUT_TRANSFORM == TR_IN_FLOAT32_QUANTIZE && (TR_MODEL_INPUT_INT8 || TR_MODEL_INPUT_INT16)
static uint8_t quantized_input[TR_MODEL_INPUT_BYTES] __attribute__((aligned(4)));
#define TR_MODEL_INPUT_DATA quantized_input
#else
#define TR_MODEL_INPUT_DATA input_buffer
#endif
static uint32_t transformed_writes = UINT32_MAX; /* dut.input_writes when the buffer was last shifted in place */

/* Input buffer -> model input tensor, per the workload's transform (the pre-processing phase). */
static void load_input(uint32_t bytes)
{
    const tr_tensor *in = &model.tensors[model.input];
    const uint32_t n = in->bytes < bytes ? in->bytes : bytes;
    if (TR_INPUT_TRANSFORM == TR_IN_UINT8_MINUS_128) {
        if (transformed_writes == dut.input_writes) return; /* already int8 */
        for (uint32_t i = 0; i < n; ++i) input_buffer[i] ^= 0x80u; /* uint8 - 128 as int8 */
        transformed_writes = dut.input_writes;
    } else if (TR_INPUT_TRANSFORM == TR_IN_FLOAT32_QUANTIZE && in->type == TR_I8) {
        /* float32 features from the host, quantised with the model input's parameters */
        tr_quantize_f32_s8((int32_t)in->elems, (const float *)(const void *)input_buffer, in->scale, in->zero_point,
                           (int8_t *)model.input_data);
    }
#if TR_MODEL_INPUT_INT16
    else if (TR_INPUT_TRANSFORM == TR_IN_FLOAT32_QUANTIZE) /* into an int16 input */
        tr_quantize_f32_s16_ref((int32_t)in->elems, (const float *)(const void *)input_buffer, in->scale, in->zero_point,
                                (int16_t *)(void *)model.input_data);
#endif
}

static void run_inference(void) { tr_model_invoke(&model, arena); }

static float dequantized(const tr_tensor *t, const uint8_t *p, int32_t i)
{
    if (t->type == TR_F32) {
        float f;
        memcpy(&f, p + 4 * i, 4);
        return f;
    }
    if (t->type == TR_I16) {
        int16_t v;
        memcpy(&v, p + 2 * i, 2);
        return t->scale * (float)((int32_t)v - t->zero_point);
    }
    return t->scale * (float)((int32_t)(int8_t)p[i] - t->zero_point);
}

static size_t results(char *buf, size_t size)
{
    const tr_tensor *out = &model.tensors[model.output];
    const uint8_t *y = tr_tensor_ptr(&model, model.output, arena);
    size_t len;
#ifdef TR_RESULTS_MSE
    /* anomaly detection: the reconstruction error of the input window (MLPerf ad01 prints one value) */
    const tr_tensor *in = &model.tensors[model.input];
    double sum = 0;
    for (int32_t i = 0; i < out->elems; ++i) {
        float x;
        if (TR_INPUT_TRANSFORM == TR_IN_FLOAT32_QUANTIZE) memcpy(&x, input_buffer + 4 * i, 4);
        else x = dequantized(in, tr_tensor_ptr(&model, model.input, arena), i);
        const double diff = (double)x - (double)dequantized(out, y, i);
        sum += diff * diff;
    }
    len = (size_t)(tr_put_float(buf, buf + size, (float)(sum / (double)out->elems)) - buf);
#else
    char *pos = buf;
    char value[32];
    for (int32_t i = 0; i < out->elems; ++i) {
        /* results_line (above) holds every value of the output at its longest; whole values only all the same */
        const size_t n = (size_t)(tr_put_float(value, value + sizeof value, dequantized(out, y, i)) - value);
        if ((size_t)(pos - buf) + n + 2 > size) break;
        if (i) pos = tr_put_str(pos, buf + size, ",");
        value[n] = 0;
        pos = tr_put_str(pos, buf + size, value);
    }
    len = (size_t)(pos - buf);
#endif
    return len;
}

static const uint8_t *output_raw(uint32_t *bytes)
{
    *bytes = model.tensors[model.output].bytes;
    return tr_tensor_ptr(&model, model.output, arena);
}

#ifdef TR_SEMIHOST_INPUT
/* `dbfile K PATH` (core/dut.c): an emulated board's input from a host file, read through QEMU's semihosting */
static uint32_t read_input_file(const char *path, uint8_t *dst, uint32_t len)
{
    const int32_t handle = tr_sh_open(path, TR_SH_MODE_RB);
    if (handle < 0) return 0;
    const uint32_t n = tr_sh_read(handle, dst, len);
    tr_sh_close(handle);
    return n;
}
#endif

int main(void)
{
    port_init();
    tr_glue_init(&dut, input_buffer, TR_INPUT_BYTES);
    dut.load = load_input;
    dut.infer = run_inference;
    dut.results = results;
    dut.results_line = results_line;
    dut.results_line_size = sizeof results_line;
    dut.output_raw = output_raw;
#ifdef TR_SEMIHOST_INPUT
    dut.read_input_file = read_input_file;
#endif
    const uint32_t model_bytes = (uint32_t)(tr_model_end - tr_model_data);
    if (tr_model_prepare(&model, tr_model_data, model_bytes) != 0) {
        dut.model_error = model.error;
    } else if (model.arena_needed > sizeof arena) {
        dut.model_error = "arena smaller than the model's plan";
    } else if (model.tensors[model.input].bytes > sizeof TR_MODEL_INPUT_DATA) {
        dut.model_error = "model input larger than its buffer (TR_INPUT_BYTES)";
    }
    model.input_data = TR_MODEL_INPUT_DATA;
    dut.arena_used = model.arena_needed;
    dut.arena_size = sizeof arena;
    dut.model_bytes = model_bytes;
    dut.output_bytes = model.tensors[model.output].bytes;
#ifdef TR_STREAM
    /* MODEL_KIND=stream: the stream engine's commands beside the DUT protocol (core/stream.c) */
    if (!dut.model_error) tr_stream_attach(&dut, &model, arena);
#endif
    tr_glue_serve(&dut);
}
