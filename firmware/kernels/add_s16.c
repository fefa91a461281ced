/* ADD, int16 (TFLite Micro: reference_ops AddGeneralParamScale, BroadcastAdd4DSlow where shapes differ): the int8
 * arithmetic (add_one.h) with 15 bits of headroom, as TFLite Micro's prepare sets for an int16 output. */
#include "add_one.h"

void tr_add_s16_ref(const tr_add_params *p, const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output)
{
    for (int32_t n = 0; n < bc->dims[0]; ++n)
        for (int32_t h = 0; h < bc->dims[1]; ++h)
            for (int32_t w = 0; w < bc->dims[2]; ++w) {
                const int16_t *ra = a + n * bc->a_stride[0] + h * bc->a_stride[1] + w * bc->a_stride[2];
                const int16_t *rb = b + n * bc->b_stride[0] + h * bc->b_stride[1] + w * bc->b_stride[2];
                for (int32_t c = 0; c < bc->dims[3]; ++c) *output++ = (int16_t)tr_add_one(p, ra[c * bc->a_stride[3]], rb[c * bc->b_stride[3]]);
            }
}
