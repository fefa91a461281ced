/* ADD, int8 (TFLite reference_integer_ops AddElementwise, and BroadcastAdd4DSlow where shapes differ): both inputs
 * are brought to a common scale with 20 bits of headroom, summed, and requantised to the output (elementwise.h). */
#include "elementwise.h"

void tr_add_s8_ref(const tr_add_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it)) output[i] = (int8_t)tr_add_one(p, a[it.a], b[it.b]);
}
