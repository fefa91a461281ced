/* PAD and PADV2, int8 or int16, up to 4 dimensions (TFLite reference_ops Pad, as TFLite Micro's PAD kernel runs both):
 * the input placed inside the output at `before` in each dimension, everything else the pad value. PAD's value is the
 * output's zero point (0 for int16); PADV2's is its constant input, taken raw (model.c). Written a channel row at a
 * time: the padding before, the input's row copied, the padding after. */
#include <string.h>
#include "tr_kernels.h"

static uint8_t *fill(uint8_t *output, int32_t count, int elem_bytes, int32_t value)
{
    if (elem_bytes == 1) {
        memset(output, (uint8_t)(int8_t)value, (size_t)count);
    } else {
        const int16_t v = (int16_t)value;
        for (int32_t i = 0; i < count; ++i) memcpy(output + 2 * i, &v, 2);
    }
    return output + (size_t)count * (size_t)elem_bytes;
}

void tr_pad_ref(const tr_pad_params *p, int elem_bytes, tr_shape4 in, const void *input, tr_shape4 out, void *output)
{
    const uint8_t *x = input;
    uint8_t *y = output;
    const int32_t after_c = out.c - in.c - p->before[3];
    for (int32_t n = 0; n < out.n; ++n)
        for (int32_t h = 0; h < out.h; ++h)
            for (int32_t w = 0; w < out.w; ++w) {
                const int32_t i0 = n - p->before[0], i1 = h - p->before[1], i2 = w - p->before[2];
                if (i0 < 0 || i0 >= in.n || i1 < 0 || i1 >= in.h || i2 < 0 || i2 >= in.w) {
                    y = fill(y, out.c, elem_bytes, p->pad_value);
                    continue;
                }
                y = fill(y, p->before[3], elem_bytes, p->pad_value);
                const size_t row = (size_t)in.c * (size_t)elem_bytes;
                memcpy(y, x + (size_t)((i0 * in.h + i1) * in.w + i2) * row, row);
                y = fill(y + row, after_c, elem_bytes, p->pad_value);
            }
}
