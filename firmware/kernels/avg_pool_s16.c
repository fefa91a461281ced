/* AVERAGE_POOL_2D, int16 (TFLite reference_integer_ops AveragePool for int16, the int8 arithmetic): the mean over
 * the part of the window inside the input, rounded half away from zero; input and output share a scale. */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_avg_pool_s16_ref(const tr_pool_params *p, tr_shape4 in, const int16_t *input, tr_shape4 out, int16_t *output)
{
    for (int32_t b = 0; b < out.n; ++b)
        for (int32_t oy = 0; oy < out.h; ++oy)
            for (int32_t ox = 0; ox < out.w; ++ox)
                for (int32_t c = 0; c < out.c; ++c) {
                    const int32_t y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
                    const int32_t fy0 = y0 < 0 ? -y0 : 0, fx0 = x0 < 0 ? -x0 : 0;
                    const int32_t fy1 = (in.h - y0) < p->filter_h ? in.h - y0 : p->filter_h;
                    const int32_t fx1 = (in.w - x0) < p->filter_w ? in.w - x0 : p->filter_w;
                    int32_t sum = 0, count = 0;
                    for (int32_t fy = fy0; fy < fy1; ++fy)
                        for (int32_t fx = fx0; fx < fx1; ++fx) {
                            sum += input[((b * in.h + y0 + fy) * in.w + x0 + fx) * in.c + c];
                            ++count;
                        }
                    if (count == 0) count = 1; /* a window wholly in padding: TFLite would divide by zero */
                    const int32_t avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
                    output[((b * out.h + oy) * out.w + ox) * out.c + c] = (int16_t)tr_clamp(avg, p->act_min, p->act_max);
                }
}
