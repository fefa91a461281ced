/* CONV_2D, int16x8: int16 activations (zero point 0), per-channel int8 filters, int64 bias (TFLite
 * reference_integer_ops ConvPerChannel for int16): a 64-bit sum requantised by the int64 MultiplyByQuantizedMultiplier,
 * no offsets. */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_conv_s16_ref(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int16_t *input,
                     tr_shape4 filter, const int8_t *weights, const int64_t *bias, tr_shape4 out, int16_t *output)
{
    for (int32_t b = 0; b < out.n; ++b)
        for (int32_t oy = 0; oy < out.h; ++oy)
            for (int32_t ox = 0; ox < out.w; ++ox) {
                const int32_t in_y0 = oy * p->stride_h - p->pad_h;
                const int32_t in_x0 = ox * p->stride_w - p->pad_w;
                for (int32_t oc = 0; oc < out.c; ++oc) {
                    int64_t acc = 0;
                    for (int32_t fy = 0; fy < filter.h; ++fy) {
                        const int32_t iy = in_y0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in.h) continue;
                        for (int32_t fx = 0; fx < filter.w; ++fx) {
                            const int32_t ix = in_x0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in.w) continue; /* zero padding contributes nothing */
                            const int16_t *in_px = input + ((b * in.h + iy) * in.w + ix) * in.c;
                            const int8_t *w_px = weights + ((oc * filter.h + fy) * filter.w + fx) * filter.c;
                            for (int32_t ic = 0; ic < in.c; ++ic) acc += (int64_t)in_px[ic] * w_px[ic];
                        }
                    }
                    if (bias) acc += bias[oc];
                    const int32_t v = tr_mul_by_quantized_multiplier_s64(acc, q->multiplier[oc], q->shift[oc]);
                    output[((b * out.h + oy) * out.w + ox) * out.c + oc] = (int16_t)tr_clamp(v, p->act_min, p->act_max);
                }
            }
}
