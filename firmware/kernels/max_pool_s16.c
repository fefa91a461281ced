/* MAX_POOL_2D, int16 (TFLite reference_integer_ops MaxPool for int16): the maximum over the part of the window
 * inside the input. */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_max_pool_s16_ref(const tr_pool_params *p, tr_shape4 in, const int16_t *input, tr_shape4 out, int16_t *output)
{
    for (int32_t b = 0; b < out.n; ++b)
        for (int32_t oy = 0; oy < out.h; ++oy)
            for (int32_t ox = 0; ox < out.w; ++ox)
                for (int32_t c = 0; c < out.c; ++c) {
                    const int32_t y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
                    int32_t best = INT16_MIN;
                    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
                        const int32_t iy = y0 + fy;
                        if (iy < 0 || iy >= in.h) continue;
                        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
                            const int32_t ix = x0 + fx;
                            if (ix < 0 || ix >= in.w) continue;
                            const int32_t v = input[((b * in.h + iy) * in.w + ix) * in.c + c];
                            if (v > best) best = v;
                        }
                    }
                    output[((b * out.h + oy) * out.w + ox) * out.c + c] = (int16_t)tr_clamp(best, p->act_min, p->act_max);
                }
}
