/* STRIDED_SLICE of int8 or int16 data, up to 4 dimensions (TFLite reference_ops StridedSlice, as TFLite Micro runs it
 * for both): each dimension walked from its start by its step (either sign) until the stop index, which model.c works
 * out from begin, end, strides and the masks as TFLite does; values are copied. */
#include <string.h>
#include "tr_kernels.h"

static int before_stop(const tr_strided_slice_params *p, int axis, int32_t i)
{
    return p->step[axis] > 0 ? i < p->stop[axis] : i > p->stop[axis];
}

void tr_strided_slice_ref(const tr_strided_slice_params *p, int elem_bytes, tr_shape4 in, const void *input, void *output)
{
    const int32_t s2 = in.c, s1 = in.w * s2, s0 = in.h * s1;
    const uint8_t *x = input;
    uint8_t *y = output;
    for (int32_t a = p->start[0]; before_stop(p, 0, a); a += p->step[0])
        for (int32_t b = p->start[1]; before_stop(p, 1, b); b += p->step[1])
            for (int32_t c = p->start[2]; before_stop(p, 2, c); c += p->step[2])
                for (int32_t d = p->start[3]; before_stop(p, 3, d); d += p->step[3], y += elem_bytes)
                    memcpy(y, x + (size_t)(a * s0 + b * s1 + c * s2 + d) * (size_t)elem_bytes, (size_t)elem_bytes);
}
