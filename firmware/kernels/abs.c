/* ABS, int8 (version 2) and int16 (version 3, zero points 0), as TFLite Micro's elementwise kernel runs it (AbsEval,
 * AbsEvalQuantized): |x - input zero point|, requantised by input_scale / output_scale only where the two differ, plus
 * the output zero point, clamped to the type. */
#include "quant_math.h"
#include "tr_kernels.h"

static int32_t abs_one(const tr_abs_params *p, int32_t x)
{
    const int32_t v = x - p->input_zp;
    const int32_t a = v < 0 ? -v : v;
    return p->output_zp + (p->rescale ? tr_mul_by_quantized_multiplier(a, p->multiplier, p->shift) : a);
}

void tr_abs_s8_ref(const tr_abs_params *p, int32_t size, const int8_t *input, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) output[i] = (int8_t)tr_clamp(abs_one(p, input[i]), INT8_MIN, INT8_MAX);
}

void tr_abs_s16_ref(const tr_abs_params *p, int32_t size, const int16_t *input, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) output[i] = (int16_t)tr_clamp(abs_one(p, input[i]), INT16_MIN, INT16_MAX);
}
