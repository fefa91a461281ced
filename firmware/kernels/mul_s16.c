/* MUL, int16 (TFLite reference_integer_ops Mul / BroadcastMul4DSlow for int16 in and out, zero points 0): the int8
 * arithmetic (elementwise.h) clamped to int16; the int16 product of two int16 values fits the int32 it is formed in. */
#include "elementwise.h"

void tr_mul_s16_ref(const tr_mul_params *p, const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it)) output[i] = (int16_t)tr_mul_one(p, a[it.a], b[it.b]);
}
