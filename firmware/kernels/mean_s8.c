/* MEAN over height and width of an NHWC int8 tensor, i.e. Keras' global average pooling (TFLite
 * reference_integer_ops Mean): per batch and channel, the sum of (x - input zero point), requantised by
 * input_scale / output_scale, divided by the element count rounding half away from zero (C's truncating division
 * after adding or subtracting half the count), plus the output zero point, saturated to int8.
 * Built with MEAN_INT8=fold (TR_MEAN_INT8_FOLD), current TFLite Micro's rule instead (reference_ops
 * QuantizedMeanOrSum, as the int16 kernel): the same sum requantised once by a multiplier that already holds 1 / count
 * (folded in when the model is prepared: model.c). The two differ by one on some outputs. */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_mean_hw_s8_ref(const tr_mean_params *p, tr_shape4 in, const int8_t *input, int8_t *output)
{
    const int32_t count = in.h * in.w;
    for (int32_t n = 0; n < in.n; ++n)
        for (int32_t c = 0; c < in.c; ++c) {
            int32_t acc = 0;
            for (int32_t i = 0; i < count; ++i) acc += input[(n * count + i) * in.c + c] - p->input_zp;
            acc = tr_mul_by_quantized_multiplier(acc, p->multiplier, p->shift);
#ifndef TR_MEAN_INT8_FOLD
            acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
#endif
            output[n * in.c + c] = (int8_t)tr_clamp(acc + p->output_zp, -128, 127);
        }
}
