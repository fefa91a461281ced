/* RELU, RELU6 (and RELU_N1_TO_1), int8, as standalone operators (TFLite reference_ops ReluX): the input requantised to
 * the output's scale (MultiplyByQuantizedMultiplier by input_scale / output_scale), then clamped to the activation's
 * range in the output's quantisation. */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_relu_s8_ref(const tr_relu_params *p, int32_t size, const int8_t *input, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t v = p->output_offset + tr_mul_by_quantized_multiplier(input[i] - p->input_zp, p->multiplier, p->shift);
        output[i] = (int8_t)tr_clamp(v, p->act_min, p->act_max);
    }
}
