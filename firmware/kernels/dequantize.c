/* DEQUANTIZE int8 or int16 -> float32 (TFLite reference_ops Dequantize: scale as double, result rounded to float). */
#include "tr_kernels.h"

void tr_dequantize_s8_f32_ref(int32_t size, const int8_t *input, float scale, int32_t zero_point, float *output)
{
    for (int32_t i = 0; i < size; ++i) output[i] = (float)((double)scale * (double)(input[i] - zero_point));
}

void tr_dequantize_s16_f32_ref(int32_t size, const int16_t *input, float scale, int32_t zero_point, float *output)
{
    for (int32_t i = 0; i < size; ++i) output[i] = (float)((double)scale * (double)(input[i] - zero_point));
}
