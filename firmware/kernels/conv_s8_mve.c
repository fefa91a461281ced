/* CONV_2D with Helium (Cortex-M55 MVE). Same bits as conv_s8.c.
 *
 * VMLADAVA.S8 multiplies 16 int8 pairs and adds all 16 products to a scalar accumulator, but it takes int8 operands,
 * and x + input offset does not fit one. So the dot products run on the raw input and the offset's share is added
 * once per channel: sum((x + off) * w) = sum(x * w) + off * sum(w), with off * sum(w) + bias prepared once per call.
 * That sum covers the whole filter, so padding must contribute nothing to sum(x * w) + off * w: the receptive field
 * is gathered (im2col_s8.h) with padding written as the input zero point, -off, for which (x + off) * w = 0 exactly
 * as the reference skips it. 1x1 filters read the input pixel in place.
 * Per output pixel, four channels at a time: each 16 bytes of the field are loaded once for four VMLADAVAs (64 MACs
 * for 5 loads and 4 multiply-accumulates), the last partial 16 with tail predication; then the four accumulators are
 * requantised together (requant_mve.h) and stored with one narrowing store. */
#include "tr_kernels.h"
#if defined(TR_KERNELS_MVE) && defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#include "im2col_s8.h"
#include "requant_mve.h"
#include "scratch.h"

/* Scratch: per channel of a chunk, bias + off * sum(w) and the split shifts; then one gathered receptive field. */
#define CHUNK 256
#define FIELD_MAX (TR_SCRATCH_BYTES - 3 * (CHUNK + 4) * 4)

static int32_t sum_s8(const int8_t *w, int32_t n)
{
    int32_t s = 0;
    for (int32_t k = 0; k < n; k += 16) s = vaddvaq_s8(s, vldrbq_z_s8(w + k, vctp8q((uint32_t)(n - k))));
    return s;
}

void tr_conv_s8_mve(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                    tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output)
{
    const int32_t K = filter.h * filter.w * in.c;
    if (K > FIELD_MAX) {
        tr_conv_s8_ref(p, q, in, input, filter, weights, bias, out, output);
        return;
    }
    int32_t *ksum = tr_kernel_scratch, *left = ksum + CHUNK + 4, *right = left + CHUNK + 4;
    int8_t *field = (int8_t *)(right + CHUNK + 4);
    const gather_ctx g = {input,       in.h,        in.w,          in.c,          filter.h,      filter.w,
                          p->stride_h, p->stride_w, p->pad_h,      p->pad_w,      p->dilation_h, p->dilation_w,
                          filter.w * in.c, in.w * in.c, (int8_t)-p->input_offset};
    const int in_place = filter.h == 1 && filter.w == 1;
    const int32_t full = K & ~15;
    const mve_pred16_t tail = vctp8q((uint32_t)(K - full));
    for (int32_t c0 = 0; c0 < out.c; c0 += CHUNK) {
        const int32_t c1 = out.c - c0 < CHUNK ? out.c : c0 + CHUNK;
        for (int32_t oc = c0; oc < c1; ++oc) {
            const int32_t shift = q->shift[oc];
            ksum[oc - c0] = (bias ? bias[oc] : 0) + p->input_offset * sum_s8(weights + oc * K, K);
            left[oc - c0] = shift > 0 ? shift : 0;
            right[oc - c0] = shift > 0 ? 0 : shift;
        }
        for (int32_t b = 0; b < out.n; ++b)
            for (int32_t oy = 0; oy < out.h; ++oy)
                for (int32_t ox = 0; ox < out.w; ++ox) {
                    const int32_t iy = oy * p->stride_h - p->pad_h, ix = ox * p->stride_w - p->pad_w;
                    const int8_t *x;
                    if (in_place && iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) {
                        x = input + ((b * in.h + iy) * in.w + ix) * in.c;
                    } else {
                        gather(&g, b, oy, ox, field);
                        x = field;
                    }
                    int8_t *o = output + ((b * out.h + oy) * out.w + ox) * out.c;
                    for (int32_t oc = c0; oc < c1; oc += 4) {
                        const int32_t n = c1 - oc;
                        /* channels past the end read the first one's weights; their results are not stored */
                        const int8_t *w0 = weights + oc * K, *w1 = n > 1 ? w0 + K : w0;
                        const int8_t *w2 = n > 2 ? w0 + 2 * K : w0, *w3 = n > 3 ? w0 + 3 * K : w0;
                        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                        for (int32_t k = 0; k < full; k += 16) {
                            const int8x16_t v = vldrbq_s8(x + k);
                            a0 = vmladavaq_s8(a0, v, vldrbq_s8(w0 + k));
                            a1 = vmladavaq_s8(a1, v, vldrbq_s8(w1 + k));
                            a2 = vmladavaq_s8(a2, v, vldrbq_s8(w2 + k));
                            a3 = vmladavaq_s8(a3, v, vldrbq_s8(w3 + k));
                        }
                        if (full < K) { /* the last K % 16 values; the other lanes load nothing and add nothing */
                            const int8x16_t v = vldrbq_z_s8(x + full, tail);
                            a0 = vmladavaq_p_s8(a0, v, vldrbq_z_s8(w0 + full, tail), tail);
                            a1 = vmladavaq_p_s8(a1, v, vldrbq_z_s8(w1 + full, tail), tail);
                            a2 = vmladavaq_p_s8(a2, v, vldrbq_z_s8(w2 + full, tail), tail);
                            a3 = vmladavaq_p_s8(a3, v, vldrbq_z_s8(w3 + full, tail), tail);
                        }
                        int32x4_t acc = vdupq_n_s32(a0);
                        acc = vsetq_lane_s32(a1, acc, 1);
                        acc = vsetq_lane_s32(a2, acc, 2);
                        acc = vsetq_lane_s32(a3, acc, 3);
                        const mve_pred16_t lanes = vctp32q((uint32_t)n);
                        acc = vaddq_s32(acc, vldrwq_s32(ksum + oc - c0));
                        int32x4_t v = tr_mve_requantize(acc, vldrwq_z_s32(q->multiplier + oc, lanes),
                                                        vldrwq_s32(left + oc - c0), vldrwq_s32(right + oc - c0));
                        v = tr_mve_finish(v, p->output_offset, p->act_min, p->act_max);
                        vstrbq_p_s32(o + oc, v, lanes);
                    }
                }
    }
}
#endif
