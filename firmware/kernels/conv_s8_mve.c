/* CONV_2D with Helium (Cortex-M55 MVE). Same bits as conv_s8.c.
 *
 * VMLADAVA.S8 multiplies 16 int8 pairs and adds all 16 products to a scalar accumulator, but it takes int8 operands,
 * and x + input offset does not fit one. So the dot products run on the raw input and the offset's share is added
 * once per channel: sum((x + off) * w) = sum(x * w) + off * sum(w), with off * sum(w) + bias prepared once per call.
 * That sum covers the whole filter, so padding must contribute nothing to sum(x * w) + off * w: the receptive field
 * is gathered (im2col_s8.h, from the band when it fits) with padding written as the input zero point, -off, for
 * which (x + off) * w = 0 exactly as the reference skips it. 1x1 filters read the input pixel in place.
 * Per output pixel, four channels at a time: each 16 bytes of the field are loaded once for four VMLADAVAs (64 MACs
 * for 5 loads and 4 multiply-accumulates), the last partial 16 with tail predication; then the four accumulators are
 * requantised together (requant_mve.h) and stored with one narrowing store.
 * Short fields (fewer than 32 values: a 1x1 filter over 8 channels, a 3x3 over 3) would leave most VMLADAVA lanes
 * idle and the per-output work dominant, so there the roles turn: the filter is widened once per call to int32,
 * value-major ([k][channel]), and eight channels accumulate as two vectors with VMLA by each field value (8 MACs for
 * one scalar load, two vector loads and two VMLAs), already in the lanes the requantisation takes.
 * Unpadded 1x1 filters over a multiple of 16 channels run channels-outer instead (conv_1x1_by_channel): on
 * mps3-an547 that took kws/2 (1x1 64->64 25x5) from 0.452 to 0.363 instructions per MAC and vww/4 (16->32) from 1.605
 * (short-field path) to 0.891 (bench/kernels.ts). */
#include "tr_kernels.h"
#if defined(TR_KERNELS_MVE) && defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#include "im2col_s8.h"
#include "requant_mve.h"
#include "scratch.h"

/* Scratch: per group of four channels of a chunk (and two groups past its end, so that whole vectors load), four
 * vectors: bias + off * sum(w), the multiplier and the split shifts; then one gathered receptive field, the band,
 * and at the end the short-field path's filter. */
#define CHUNK 128
#define CONSTANTS (4 * (CHUNK + 8))
#define SHORT_FIELD 32
#define SHORT_BYTES 4096
#define FIELD_MAX (TR_SCRATCH_BYTES - CONSTANTS * 4 - SHORT_BYTES)

static int32_t sum_s8(const int8_t *w, int32_t n)
{
    int32_t s = 0;
    for (int32_t k = 0; k < n; k += 16) s = vaddvaq_s8(s, vldrbq_z_s8(w + k, vctp8q((uint32_t)(n - k))));
    return s;
}

/* What every output of a chunk needs, in locals: output stores (int8) could alias the parameter blocks, which the
 * compiler would otherwise reload after each. */
typedef struct {
    const int32_t *constants;
    int32_t offset;
    int32x4_t lo, hi;
} finish_ctx;

/* j: the first of four channels, from the chunk's start (a multiple of 4) */
static inline int32x4_t finish(int32x4_t acc, const finish_ctx *f, int32_t j)
{
    const int32_t *c = f->constants + 4 * j; /* ksum, multiplier, left, right: 16 bytes apart */
    acc = vaddq_s32(acc, vldrwq_s32(c));
    acc = tr_mve_requantize(acc, vldrwq_s32(c + 4), vldrwq_s32(c + 8), vldrwq_s32(c + 12));
    return vminq_s32(vmaxq_s32(vaddq_n_s32(acc, f->offset), f->lo), f->hi);
}

static inline void store4(int8_t *o, int32x4_t v, int32_t n)
{
    if (n >= 4) vstrbq_s32(o, v);
    else vstrbq_p_s32(o, v, vctp32q((uint32_t)n));
}

/* Four channels' dot products with one receptive field x (K values, the first `full` a multiple of 16, the rest
 * predicated by `tail`), as the four lanes of a vector. */
static inline __attribute__((always_inline)) int32x4_t dot4(const int8_t *x, const int8_t *w0, const int8_t *w1,
                                                            const int8_t *w2, const int8_t *w3, int32_t full, int32_t K,
                                                            mve_pred16_t tail)
{
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
    return vsetq_lane_s32(a3, acc, 3);
}

/* 1x1 filters without padding, K a multiple of 16: channels outer, pixels inner, so that a group's four weight rows,
 * its constants and the clamp stay in registers across its pixels (each pixel read in place); per pixel the four
 * dot products, then the requantisation with no constant loads. Channels [c0, c1). */
static void conv_1x1_by_channel(const tr_conv_params *p, tr_shape4 in, const int8_t *input, const int8_t *weights,
                                int32_t K, tr_shape4 out, int8_t *output, const finish_ctx *f, int32_t c0, int32_t c1)
{
    for (int32_t oc = c0; oc < c1; oc += 4) {
        const int32_t n = c1 - oc;
        /* channels past the end read the first one's weights; their results are not stored */
        const int8_t *w0 = weights + oc * K, *w1 = n > 1 ? w0 + K : w0;
        const int8_t *w2 = n > 2 ? w0 + 2 * K : w0, *w3 = n > 3 ? w0 + 3 * K : w0;
        const int32_t *c = f->constants + 4 * (oc - c0);
        const int32x4_t ksum = vldrwq_s32(c), mult = vldrwq_s32(c + 4), left = vldrwq_s32(c + 8), right = vldrwq_s32(c + 12);
        for (int32_t b = 0; b < out.n; ++b)
            for (int32_t oy = 0; oy < out.h; ++oy) {
                const int8_t *x = input + ((b * in.h + oy * p->stride_h) * in.w) * in.c;
                int8_t *o = output + ((b * out.h + oy) * out.w) * out.c + oc;
                const int32_t x_step = p->stride_w * in.c;
                for (int32_t ox = 0; ox < out.w; ++ox, x += x_step, o += out.c) {
                    int32x4_t acc = dot4(x, w0, w1, w2, w3, K, K, 0);
                    acc = tr_mve_requantize(vaddq_s32(acc, ksum), mult, left, right);
                    store4(o, vminq_s32(vmaxq_s32(vaddq_n_s32(acc, f->offset), f->lo), f->hi), n);
                }
            }
    }
}

void tr_conv_s8_mve(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                    tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output)
{
    const int32_t K = filter.h * filter.w * in.c;
    if (K > FIELD_MAX) {
        tr_conv_s8_ref(p, q, in, input, filter, weights, bias, out, output);
        return;
    }
    int32_t *constants = tr_kernel_scratch;
    int8_t *field = (int8_t *)(tr_kernel_scratch + CONSTANTS);
    int8_t *band_buf = field + ((K + 7) & ~7);
    int32_t *wide = tr_kernel_scratch + (TR_SCRATCH_BYTES - SHORT_BYTES) / 4;
    const gather_ctx g = {input,       in.h,        in.w,          in.c,          filter.h,      filter.w,
                          p->stride_h, p->stride_w, p->pad_h,      p->pad_w,      p->dilation_h, p->dilation_w,
                          filter.w * in.c, in.w * in.c, (int8_t)-p->input_offset};
    band_ctx band;
    const int use_band = band_init(&band, &g, out.w, band_buf, (int32_t)((int8_t *)wide - band_buf));
    const int in_place = filter.h == 1 && filter.w == 1;
    const int by_channel = in_place && p->pad_h == 0 && p->pad_w == 0 && (K & 15) == 0;
    const int32_t full = K & ~15;
    const mve_pred16_t tail = vctp8q((uint32_t)(K - full));
    const finish_ctx fin = {constants, p->output_offset, vdupq_n_s32(p->act_min), vdupq_n_s32(p->act_max)};
    for (int32_t c0 = 0; c0 < out.c; c0 += CHUNK) {
        const int32_t c1 = out.c - c0 < CHUNK ? out.c : c0 + CHUNK;
        for (int32_t j = 0; j < c1 - c0 + 8; ++j) { /* 8 past the end: any valid constants, never stored */
            const int32_t oc = c0 + j < c1 ? c0 + j : c0, shift = q->shift[oc];
            int32_t *c = constants + 16 * (j >> 2) + (j & 3);
            c[0] = c0 + j < c1 ? (bias ? bias[oc] : 0) + p->input_offset * sum_s8(weights + oc * K, K) : 0;
            c[4] = q->multiplier[oc];
            c[8] = shift > 0 ? shift : 0;
            c[12] = shift > 0 ? 0 : shift;
        }
        /* the short-field path's filter: channels [c0, c1) padded to a multiple of 8, value-major, as int32 */
        const int32_t stride = (c1 - c0 + 7) & ~7;
        if (by_channel) {
            conv_1x1_by_channel(p, in, input, weights, K, out, output, &fin, c0, c1);
            continue;
        }
        const int short_field = K < SHORT_FIELD && K * stride * 4 <= SHORT_BYTES;
        if (short_field)
            for (int32_t k = 0; k < K; ++k)
                for (int32_t j = 0; j < stride; ++j) wide[k * stride + j] = c0 + j < c1 ? weights[(c0 + j) * K + k] : 0;
        for (int32_t b = 0; b < out.n; ++b)
            for (int32_t oy = 0; oy < out.h; ++oy)
                for (int32_t ox = 0; ox < out.w; ++ox) {
                    const int32_t iy = oy * p->stride_h - p->pad_h, ix = ox * p->stride_w - p->pad_w;
                    const int8_t *x = field;
                    if (in_place && iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) x = input + ((b * in.h + iy) * in.w + ix) * in.c;
                    else if (use_band) band_gather(&band, &g, b, oy, ox, field);
                    else gather(&g, b, oy, ox, field);
                    int8_t *o = output + ((b * out.h + oy) * out.w + ox) * out.c;
                    if (short_field) { /* VMLA by each value, eight channels at a time */
                        for (int32_t oc = c0; oc < c1; oc += 8) {
                            const int32_t j = oc - c0;
                            int32x4_t lo = vdupq_n_s32(0), hi = vdupq_n_s32(0);
                            const int32_t *wk = wide + j;
                            for (int32_t k = 0; k < K; ++k, wk += stride) {
                                const int32_t xk = x[k];
                                lo = vmlaq_n_s32(lo, vldrwq_s32(wk), xk);
                                hi = vmlaq_n_s32(hi, vldrwq_s32(wk + 4), xk);
                            }
                            lo = finish(lo, &fin, j);
                            hi = finish(hi, &fin, j + 4);
                            store4(o + oc, lo, c1 - oc);
                            if (c1 - oc > 4) store4(o + oc + 4, hi, c1 - oc - 4);
                        }
                        continue;
                    }
                    for (int32_t oc = c0; oc < c1; oc += 4) {
                        const int32_t n = c1 - oc;
                        /* channels past the end read the first one's weights; their results are not stored */
                        const int8_t *w0 = weights + oc * K, *w1 = n > 1 ? w0 + K : w0;
                        const int8_t *w2 = n > 2 ? w0 + 2 * K : w0, *w3 = n > 3 ? w0 + 3 * K : w0;
                        const int32x4_t acc = dot4(x, w0, w1, w2, w3, full, K, tail);
                        store4(o + oc, finish(acc, &fin, oc - c0), n);
                    }
                }
    }
}
#endif
