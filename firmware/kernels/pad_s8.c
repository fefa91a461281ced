/* PAD, int8 (and int16, as bytes: invoke.c), up to 4 dimensions (TFLite reference_ops Pad): the input placed inside the output at `before` in each
 * dimension, everything else the pad value, which for a quantised PAD is the output's zero point (real 0). */
#include "tr_kernels.h"

void tr_pad_s8_ref(const tr_pad_params *p, tr_shape4 in, const int8_t *input, tr_shape4 out, int8_t *output)
{
    for (int32_t n = 0; n < out.n; ++n)
        for (int32_t y = 0; y < out.h; ++y)
            for (int32_t x = 0; x < out.w; ++x)
                for (int32_t c = 0; c < out.c; ++c) {
                    const int32_t i0 = n - p->before[0], i1 = y - p->before[1], i2 = x - p->before[2], i3 = c - p->before[3];
                    const int inside = i0 >= 0 && i0 < in.n && i1 >= 0 && i1 < in.h && i2 >= 0 && i2 < in.w && i3 >= 0 && i3 < in.c;
                    *output++ = inside ? input[((i0 * in.h + i1) * in.w + i2) * in.c + i3] : (int8_t)p->pad_value;
                }
}
