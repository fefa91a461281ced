/* ADD, int8, same shapes (TFLite reference_integer_ops AddElementwise): both inputs are brought to a common scale
 * with 20 bits of headroom, summed, and requantised to the output. */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_add_s8_ref(const tr_add_params *p, int32_t size, const int8_t *a, const int8_t *b, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = (int32_t)((uint32_t)(p->input1_offset + a[i]) << p->left_shift);
        const int32_t y = (int32_t)((uint32_t)(p->input2_offset + b[i]) << p->left_shift);
        const int32_t sx = tr_mul_by_quantized_multiplier(x, p->input1_multiplier, p->input1_shift);
        const int32_t sy = tr_mul_by_quantized_multiplier(y, p->input2_multiplier, p->input2_shift);
        const int32_t raw = tr_mul_by_quantized_multiplier(sx + sy, p->output_multiplier, p->output_shift) + p->output_offset;
        output[i] = (int8_t)tr_clamp(raw, p->act_min, p->act_max);
    }
}
