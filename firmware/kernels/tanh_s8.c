/* TANH, int8 (TFLite Micro's reference_integer_ops Tanh): LOGISTIC's loop (logistic_s8.c) with gemmlowp's fixed-point
 * tanh, rounded to the output's scale 1/128, zero point 0. */
#include "fixed_point.h"
#include "tr_kernels.h"

void tr_tanh_s8_ref(const tr_sigmoid_params *p, int32_t size, const int8_t *input, int8_t *output)
{
    tr_sigmoid_like_s8(p, size, input, output, tr_fp_tanh_q4, 24, 0);
}
