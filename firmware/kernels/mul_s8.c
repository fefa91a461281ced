/* MUL, int8 (TFLite reference_integer_ops MulElementwise, and BroadcastMul4DSlow where shapes differ): the product of
 * the two offset inputs requantised by input1_scale * input2_scale / output_scale, plus the output offset, clamped
 * to the activation. */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_mul_s8_ref(const tr_mul_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    for (int32_t n = 0; n < bc->dims[0]; ++n)
        for (int32_t h = 0; h < bc->dims[1]; ++h)
            for (int32_t w = 0; w < bc->dims[2]; ++w) {
                const int8_t *ra = a + n * bc->a_stride[0] + h * bc->a_stride[1] + w * bc->a_stride[2];
                const int8_t *rb = b + n * bc->b_stride[0] + h * bc->b_stride[1] + w * bc->b_stride[2];
                for (int32_t c = 0; c < bc->dims[3]; ++c) {
                    const int32_t prod = (ra[c * bc->a_stride[3]] + p->input1_offset) * (rb[c * bc->b_stride[3]] + p->input2_offset);
                    const int32_t v = p->output_offset + tr_mul_by_quantized_multiplier(prod, p->multiplier, p->shift);
                    *output++ = (int8_t)tr_clamp(v, p->act_min, p->act_max);
                }
            }
}
