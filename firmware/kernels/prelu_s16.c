/* PRELU, int16 input and output with int8 alpha (TFLite Micro's PRELU takes that pairing), zero points of the int16
 * tensors 0: the int8 arithmetic (elementwise.h), clamped to int16. */
#include "elementwise.h"

void tr_prelu_s16_ref(const tr_prelu_params *p, const tr_broadcast *bc, const int16_t *input, const int8_t *alpha, int16_t *output)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it))
        output[i] = (int16_t)tr_clamp(tr_prelu_one(p, input[it.a], alpha[it.b]), INT16_MIN, INT16_MAX);
}
