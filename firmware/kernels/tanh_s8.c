/* TANH, int8 (TFLite Micro's reference_integer_ops Tanh): as LOGISTIC (logistic_s8.c) with gemmlowp's fixed-point
 * tanh, rounded to the output's scale 1/128, zero point 0. */
#include "fixed_point.h"
#include "quant_math.h"
#include "tr_kernels.h"

void tr_tanh_s8_ref(const tr_sigmoid_params *p, int32_t size, const int8_t *input, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = input[i] - p->input_zp;
        if (x <= -p->radius) {
            output[i] = INT8_MIN;
        } else if (x >= p->radius) {
            output[i] = INT8_MAX;
        } else {
            const int32_t q0 = tr_fp_tanh_q4(tr_mul_by_quantized_multiplier(x, p->multiplier, p->shift));
            output[i] = (int8_t)tr_clamp(tr_rounding_divide_by_pot(q0, 24), INT8_MIN, INT8_MAX);
        }
    }
}
