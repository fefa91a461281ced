/* ADD, int16 (TFLite Micro: reference_ops AddGeneralParamScale, BroadcastAdd4DSlow where shapes differ): the int8
 * arithmetic (elementwise.h) with 15 bits of headroom, as TFLite Micro's prepare sets for an int16 output. */
#include "elementwise.h"

void tr_add_s16_ref(const tr_add_params *p, const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it)) output[i] = (int16_t)tr_add_one(p, a[it.a], b[it.b]);
}
