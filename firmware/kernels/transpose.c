/* TRANSPOSE, int8 or int16, up to 4 dimensions (TFLite reference_ops Transpose, as TFLite Micro runs it for both):
 * output dimension k walks input dimension perm[k]; values are copied. */
#include <string.h>
#include "tr_kernels.h"

void tr_transpose_ref(const tr_transpose_params *p, int elem_bytes, tr_shape4 in, const void *input, void *output)
{
    const int32_t dims[4] = {in.n, in.h, in.w, in.c};
    int32_t stride[4] = {0, 0, 0, 1};
    for (int d = 2; d >= 0; --d) stride[d] = stride[d + 1] * dims[d + 1];
    /* the output's extents and, per output dimension, the input's step */
    int32_t od[4], s[4];
    for (int k = 0; k < 4; ++k) {
        od[k] = dims[p->perm[k]];
        s[k] = stride[p->perm[k]];
    }
    const uint8_t *x = input;
    uint8_t *y = output;
    for (int32_t a = 0; a < od[0]; ++a)
        for (int32_t b = 0; b < od[1]; ++b)
            for (int32_t c = 0; c < od[2]; ++c)
                for (int32_t d = 0; d < od[3]; ++d, y += elem_bytes)
                    memcpy(y, x + (size_t)(a * s[0] + b * s[1] + c * s[2] + d * s[3]) * (size_t)elem_bytes, (size_t)elem_bytes);
}
