/* ADD, int8 (TFLite reference_integer_ops AddElementwise, and BroadcastAdd4DSlow where shapes differ): both inputs
 * are brought to a common scale with 20 bits of headroom, summed, and requantised to the output (add_one.h). */
#include "add_one.h"

void tr_add_s8_ref(const tr_add_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    for (int32_t n = 0; n < bc->dims[0]; ++n)
        for (int32_t h = 0; h < bc->dims[1]; ++h)
            for (int32_t w = 0; w < bc->dims[2]; ++w) {
                const int8_t *ra = a + n * bc->a_stride[0] + h * bc->a_stride[1] + w * bc->a_stride[2];
                const int8_t *rb = b + n * bc->b_stride[0] + h * bc->b_stride[1] + w * bc->b_stride[2];
                for (int32_t c = 0; c < bc->dims[3]; ++c) *output++ = (int8_t)tr_add_one(p, ra[c * bc->a_stride[3]], rb[c * bc->b_stride[3]]);
            }
}
