/* RELU and RELU6, int16, as standalone operators (TFLite ReluX for int16, zero points 0): the int8 arithmetic of
 * relu_s8.c, requantised by input_scale / output_scale and clamped to the activation's range in int16. */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_relu_s16_ref(const tr_relu_params *p, int32_t size, const int16_t *input, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t v = p->output_offset + tr_mul_by_quantized_multiplier(input[i] - p->input_zp, p->multiplier, p->shift);
        output[i] = (int16_t)tr_clamp(v, p->act_min, p->act_max);
    }
}
