/* REDUCE_MAX and REDUCE_MIN, int8 (TFLite reference_ops ReduceGeneric with a max / min compare, as TFLite Micro runs
 * it; Keras' GlobalMaxPooling2D converts to REDUCE_MAX over H and W): the largest (smallest) raw value over the reduced
 * dimensions, input and output quantised alike (model.c checks), so nothing is rescaled. */
#include "tr_kernels.h"

void tr_reduce_max_min_s8_ref(tr_shape4 in, const int8_t *input, uint32_t axes, int maximum, int8_t *output)
{
    const int32_t dims[4] = {in.n, in.h, in.w, in.c};
    int32_t kept[4], step[4]; /* the output's extent per dimension (1 where reduced) and its step there (0 where reduced) */
    for (int d = 0; d < 4; ++d) kept[d] = axes >> d & 1 ? 1 : dims[d];
    for (int d = 3, s = 1; d >= 0; s *= kept[d], --d) step[d] = axes >> d & 1 ? 0 : s;
    for (int32_t i = 0, n = kept[0] * kept[1] * kept[2] * kept[3]; i < n; ++i) output[i] = maximum ? INT8_MIN : INT8_MAX;
    const int8_t *x = input;
    for (int32_t a = 0; a < dims[0]; ++a)
        for (int32_t b = 0; b < dims[1]; ++b)
            for (int32_t c = 0; c < dims[2]; ++c)
                for (int32_t d = 0; d < dims[3]; ++d, ++x) {
                    int8_t *y = output + a * step[0] + b * step[1] + c * step[2] + d * step[3];
                    if (maximum ? *x > *y : *x < *y) *y = *x;
                }
}
