/* SUB, int16 (TFLite Micro's int16 SUB: the general-scale path whatever pot_scale_int16 says, zero points 0): the int8
 * arithmetic (elementwise.h) with 15 bits of headroom. */
#include "elementwise.h"

void tr_sub_s16_ref(const tr_add_params *p, const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it)) output[i] = (int16_t)tr_add_sub_one(p, a[it.a], b[it.b], 1);
}
