/* CONV_2D with Cortex-M DSP instructions: the reference loop nest with the input-channel dot product done by
 * SMLAD (dot_s8_dsp.h). Same bits as conv_s8.c. */
#include "tr_kernels.h"
#if defined(TR_KERNELS_DSP) && defined(__ARM_FEATURE_DSP)
#include "dot_s8_dsp.h"
#include "quant_math.h"

void tr_conv_s8_dsp(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                    tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output)
{
    for (int32_t b = 0; b < out.n; ++b)
        for (int32_t oy = 0; oy < out.h; ++oy)
            for (int32_t ox = 0; ox < out.w; ++ox) {
                const int32_t in_y0 = oy * p->stride_h - p->pad_h;
                const int32_t in_x0 = ox * p->stride_w - p->pad_w;
                for (int32_t oc = 0; oc < out.c; ++oc) {
                    int32_t acc = 0;
                    for (int32_t fy = 0; fy < filter.h; ++fy) {
                        const int32_t iy = in_y0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in.h) continue;
                        for (int32_t fx = 0; fx < filter.w; ++fx) {
                            const int32_t ix = in_x0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in.w) continue;
                            acc = tr_dot_s8_dsp(input + ((b * in.h + iy) * in.w + ix) * in.c,
                                                weights + ((oc * filter.h + fy) * filter.w + fx) * filter.c, in.c,
                                                p->input_offset, acc);
                        }
                    }
                    if (bias) acc += bias[oc];
                    acc = tr_mul_by_quantized_multiplier(acc, q->multiplier[oc], q->shift[oc]);
                    acc += p->output_offset;
                    output[((b * out.h + oy) * out.w + ox) * out.c + oc] = (int8_t)tr_clamp(acc, p->act_min, p->act_max);
                }
            }
}
#endif
