/* MAXIMUM and MINIMUM, int16 (TFLite Micro's reference kernel runs int16 too, version 4): the larger (smaller) of the
 * two raw int16 values, as for int8 (maximum_minimum_s8.c), broadcast as TFLite does. */
#include "tr_kernels.h"

static void maximum_minimum(const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output, int maximum)
{
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t i = 0, n = tr_broadcast_size(bc); i < n; ++i, tr_broadcast_next(bc, &it)) {
        const int16_t x = a[it.a], y = b[it.b];
        output[i] = (x > y) == (maximum != 0) ? x : y;
    }
}

void tr_maximum_s16_ref(const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output)
{
    maximum_minimum(bc, a, b, output, 1);
}

void tr_minimum_s16_ref(const tr_broadcast *bc, const int16_t *a, const int16_t *b, int16_t *output)
{
    maximum_minimum(bc, a, b, output, 0);
}
