/* MAXIMUM and MINIMUM, int8, same shapes (TFLite reference_ops MaximumMinimumBroadcastSlow without broadcasting): the
 * larger (smaller) of the two raw int8 values, as TFLite's kernel compares them (the converter gives both inputs and
 * the output one quantisation). */
#include "tr_kernels.h"

void tr_maximum_s8_ref(int32_t size, const int8_t *a, const int8_t *b, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) output[i] = a[i] > b[i] ? a[i] : b[i];
}

void tr_minimum_s8_ref(int32_t size, const int8_t *a, const int8_t *b, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) output[i] = a[i] < b[i] ? a[i] : b[i];
}
