/* MEAN over height and width of an NHWC int16 tensor (TFLite Micro's MEAN for int16: reference_ops
 * QuantizedMeanOrSum): per batch and channel, the int32 sum of the inputs (zero point 0) requantised once by a
 * multiplier that already holds 1 / count (folded in when the model is prepared, as TFLite does: model.c), saturated
 * to int16. This differs from the int8 kernel (mean_s8.c, reference_integer_ops::Mean: requantise, then divide). */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_mean_hw_s16_ref(const tr_mean_params *p, tr_shape4 in, const int16_t *input, int16_t *output)
{
    const int32_t count = in.h * in.w;
    for (int32_t n = 0; n < in.n; ++n)
        for (int32_t c = 0; c < in.c; ++c) {
            int32_t sum = 0;
            for (int32_t i = 0; i < count; ++i) sum += input[(n * count + i) * in.c + c];
            const int32_t v = tr_mul_by_quantized_multiplier(sum - p->input_zp * count, p->multiplier, p->shift) + p->output_zp;
            output[n * in.c + c] = (int16_t)tr_clamp(v, INT16_MIN, INT16_MAX);
        }
}
