/* MUL, int8, same shapes (TFLite reference_integer_ops Mul, MulElementwise): the product of the two offset inputs
 * requantised by input1_scale * input2_scale / output_scale, plus the output offset, clamped to the activation. */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_mul_s8_ref(const tr_mul_params *p, int32_t size, const int8_t *a, const int8_t *b, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t prod = (a[i] + p->input1_offset) * (b[i] + p->input2_offset);
        const int32_t v = p->output_offset + tr_mul_by_quantized_multiplier(prod, p->multiplier, p->shift);
        output[i] = (int8_t)tr_clamp(v, p->act_min, p->act_max);
    }
}
