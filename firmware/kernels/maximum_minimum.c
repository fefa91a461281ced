/* MAXIMUM and MINIMUM, int8 (version 2) and int16 (version 4) (TFLite reference_ops MaximumMinimumBroadcastSlow, as
 * TFLite Micro runs both): the larger (smaller) of the two raw values, as TFLite's kernel compares them (the converter
 * gives both inputs and the output one quantisation), broadcast as TFLite does. One walk for both element sizes. */
#include "tr_kernels.h"

static void maximum_minimum(const tr_broadcast *bc, int elem_bytes, const void *a, const void *b, void *output, int maximum)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it)) {
        const int32_t x = elem_bytes == 1 ? ((const int8_t *)a)[it.a] : ((const int16_t *)a)[it.a];
        const int32_t y = elem_bytes == 1 ? ((const int8_t *)b)[it.b] : ((const int16_t *)b)[it.b];
        const int32_t r = (x > y) == (maximum != 0) ? x : y;
        if (elem_bytes == 1) ((int8_t *)output)[i] = (int8_t)r;
        else ((int16_t *)output)[i] = (int16_t)r;
    }
}

void tr_maximum_s8_ref(const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    maximum_minimum(bc, 1, a, b, output, 1);
}

void tr_minimum_s8_ref(const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    maximum_minimum(bc, 1, a, b, output, 0);
}

void tr_maximum_s16_ref(const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output)
{
    maximum_minimum(bc, 2, a, b, output, 1);
}

void tr_minimum_s16_ref(const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output)
{
    maximum_minimum(bc, 2, a, b, output, 0);
}
