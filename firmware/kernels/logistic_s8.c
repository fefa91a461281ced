/* LOGISTIC, int8 (TFLite Micro's reference_integer_ops Logistic): an input beyond the radius saturates; the others
 * are rescaled to Q4.27 (MultiplyByQuantizedMultiplier by input_scale * 2^27), go through gemmlowp's fixed-point
 * logistic, and are rounded to the output's scale 1/256, zero point -128. TANH (tanh_s8.c) shares the loop. */
#include "fixed_point.h"
#include "quant_math.h"
#include "tr_kernels.h"

void tr_sigmoid_like_s8(const tr_sigmoid_params *p, int32_t size, const int8_t *input, int8_t *output, int32_t (*f_q4)(int32_t),
                        int output_shift, int32_t output_zp)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = input[i] - p->input_zp;
        if (x <= -p->radius) {
            output[i] = INT8_MIN;
        } else if (x >= p->radius) {
            output[i] = INT8_MAX;
        } else {
            const int32_t q0 = f_q4(tr_mul_by_quantized_multiplier(x, p->multiplier, p->shift));
            output[i] = (int8_t)tr_clamp(tr_rounding_divide_by_pot(q0, output_shift) + output_zp, INT8_MIN, INT8_MAX);
        }
    }
}

void tr_logistic_s8_ref(const tr_sigmoid_params *p, int32_t size, const int8_t *input, int8_t *output)
{
    tr_sigmoid_like_s8(p, size, input, output, tr_fp_logistic_q4, 23, -128);
}
