/* PRELU, int8 (TFLite reference_ops BroadcastPrelu4DSlow, as TFLite Micro runs it): requantised by one multiplier at
 * and above the input's zero point, the product with alpha (broadcast, e.g. one per channel) by another below
 * (elementwise.h), clamped to int8. */
#include "elementwise.h"

void tr_prelu_s8_ref(const tr_prelu_params *p, const tr_broadcast *bc, const int8_t *input, const int8_t *alpha, int8_t *output)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it))
        output[i] = (int8_t)tr_clamp(tr_prelu_one(p, input[it.a], alpha[it.b]), INT8_MIN, INT8_MAX);
}
