/* ADD, int8 (TFLite reference_integer_ops AddElementwise, and BroadcastAdd4DSlow where shapes differ): both inputs
 * are brought to a common scale with 20 bits of headroom, summed, and requantised to the output. */
#include "quant_math.h"
#include "tr_kernels.h"

static int8_t add_one(const tr_add_params *p, int32_t a, int32_t b)
{
    const int32_t x = (int32_t)((uint32_t)(p->input1_offset + a) << p->left_shift);
    const int32_t y = (int32_t)((uint32_t)(p->input2_offset + b) << p->left_shift);
    const int32_t sx = tr_mul_by_quantized_multiplier(x, p->input1_multiplier, p->input1_shift);
    const int32_t sy = tr_mul_by_quantized_multiplier(y, p->input2_multiplier, p->input2_shift);
    const int32_t raw = tr_mul_by_quantized_multiplier(sx + sy, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int8_t)tr_clamp(raw, p->act_min, p->act_max);
}

void tr_add_s8_ref(const tr_add_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    for (int32_t n = 0; n < bc->dims[0]; ++n)
        for (int32_t h = 0; h < bc->dims[1]; ++h)
            for (int32_t w = 0; w < bc->dims[2]; ++w) {
                const int8_t *ra = a + n * bc->a_stride[0] + h * bc->a_stride[1] + w * bc->a_stride[2];
                const int8_t *rb = b + n * bc->b_stride[0] + h * bc->b_stride[1] + w * bc->b_stride[2];
                for (int32_t c = 0; c < bc->dims[3]; ++c) *output++ = add_one(p, ra[c * bc->a_stride[3]], rb[c * bc->b_stride[3]]);
            }
}
