/* SUB, int8 (TFLite reference_ops Sub / BroadcastQuantSubSlow, as TFLite Micro runs them): ADD's arithmetic
 * (elementwise.h), 20 bits of headroom, the second input's rescaled value subtracted. */
#include "elementwise.h"

void tr_sub_s8_ref(const tr_add_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it)) output[i] = (int8_t)tr_add_sub_one(p, a[it.a], b[it.b], 1);
}
