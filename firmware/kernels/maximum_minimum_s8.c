/* MAXIMUM and MINIMUM, int8 (TFLite reference_ops MaximumMinimumBroadcastSlow): the larger (smaller) of the two raw
 * int8 values, as TFLite's kernel compares them (the converter gives both inputs and the output one quantisation),
 * broadcast as TFLite does. */
#include "tr_kernels.h"

static void maximum_minimum(const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output, int maximum)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it)) {
        const int8_t x = a[it.a], y = b[it.b];
        output[i] = (x > y) == (maximum != 0) ? x : y;
    }
}

void tr_maximum_s8_ref(const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    maximum_minimum(bc, a, b, output, 1);
}

void tr_minimum_s8_ref(const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    maximum_minimum(bc, a, b, output, 0);
}
