/* RESIZE_NEAREST_NEIGHBOR, int8 or int16, 4-D (TFLite reference_ops ResizeNearestNeighbor, as TFLite Micro runs it for
 * both): each output pixel copies the input pixel whose row and column TFLite's GetNearestNeighbor picks, in single
 * precision as it does: scale = in / out ((in - 1) / (out - 1) with align_corners), the index floor((i + offset) x
 * scale), or rounded half away from zero with align_corners, offset 0.5 with half_pixel_centers, kept within the
 * input. The values are copied, not requantised (TFLite Micro does not rescale either). */
#include <math.h>
#include <string.h>
#include "tr_kernels.h"

static int32_t nearest(const tr_resize_params *p, int32_t i, int32_t in_size, int32_t out_size)
{
    const float scale = p->align_corners && out_size > 1 ? (float)(in_size - 1) / (float)(out_size - 1) : (float)in_size / (float)out_size;
    const float at = ((float)i + (p->half_pixel_centers ? 0.5f : 0.0f)) * scale;
    int32_t v = (int32_t)(p->align_corners ? roundf(at) : floorf(at));
    if (v > in_size - 1) v = in_size - 1;
    return v < 0 ? 0 : v;
}

void tr_resize_nearest_ref(const tr_resize_params *p, int elem_bytes, tr_shape4 in, const void *input, tr_shape4 out, void *output)
{
    const uint8_t *x = input;
    uint8_t *y = output;
    const size_t pixel = (size_t)in.c * (size_t)elem_bytes;
    for (int32_t n = 0; n < out.n; ++n)
        for (int32_t oy = 0; oy < out.h; ++oy) {
            const int32_t iy = nearest(p, oy, in.h, out.h);
            for (int32_t ox = 0; ox < out.w; ++ox, y += pixel)
                memcpy(y, x + (size_t)((n * in.h + iy) * in.w + nearest(p, ox, in.w, out.w)) * pixel, pixel);
        }
}
