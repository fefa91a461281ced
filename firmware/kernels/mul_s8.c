/* MUL, int8 (TFLite reference_integer_ops MulElementwise, and BroadcastMul4DSlow where shapes differ): the product of
 * the two offset inputs requantised by input1_scale * input2_scale / output_scale, plus the output offset, clamped
 * to the activation (elementwise.h). */
#include "elementwise.h"

void tr_mul_s8_ref(const tr_mul_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it)) output[i] = (int8_t)tr_mul_one(p, a[it.a], b[it.b]);
}
