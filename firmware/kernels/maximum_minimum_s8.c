/* MAXIMUM and MINIMUM, int8 (TFLite reference_ops MaximumMinimumBroadcastSlow): the larger (smaller) of the two raw
 * int8 values, as TFLite's kernel compares them (the converter gives both inputs and the output one quantisation),
 * broadcast as TFLite does. */
#include "tr_kernels.h"

static void maximum_minimum(const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output, int maximum)
{
    for (int32_t n = 0; n < bc->dims[0]; ++n)
        for (int32_t h = 0; h < bc->dims[1]; ++h)
            for (int32_t w = 0; w < bc->dims[2]; ++w) {
                const int8_t *ra = a + n * bc->a_stride[0] + h * bc->a_stride[1] + w * bc->a_stride[2];
                const int8_t *rb = b + n * bc->b_stride[0] + h * bc->b_stride[1] + w * bc->b_stride[2];
                for (int32_t c = 0; c < bc->dims[3]; ++c) {
                    const int8_t x = ra[c * bc->a_stride[3]], y = rb[c * bc->b_stride[3]];
                    *output++ = (x > y) == (maximum != 0) ? x : y;
                }
            }
}

void tr_maximum_s8_ref(const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    maximum_minimum(bc, a, b, output, 1);
}

void tr_minimum_s8_ref(const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    maximum_minimum(bc, a, b, output, 0);
}
