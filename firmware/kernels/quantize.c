/* QUANTIZE (TFLite reference_ops AffineQuantize and Requantize). */
#include <math.h>
#include "quant_math.h"
#include "tr_kernels.h"

void tr_quantize_f32_s8_ref(int32_t size, const float *input, float scale, int32_t zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        /* TFLite divides in double (its scale parameter is a double) and rounds half away from zero. */
        const int32_t q = (int32_t)round((double)input[i] / (double)scale) + zero_point;
        output[i] = (int8_t)tr_clamp(q, -128, 127);
    }
}

void tr_requantize_s8_ref(int32_t size, const int8_t *input, int32_t input_zp, int32_t multiplier, int32_t shift,
                          int32_t output_zp, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t v = tr_mul_by_quantized_multiplier(input[i] - input_zp, multiplier, shift) + output_zp;
        output[i] = (int8_t)tr_clamp(v, -128, 127);
    }
}
