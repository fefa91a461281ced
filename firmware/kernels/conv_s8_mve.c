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
 * Unpadded stride-1 1x1 filters over a multiple of 16 channels take two channels by three pixels (conv_1x1_pairs):
 * on mps3-an547 vww/14 (1x1 128->128 6x6) went from 168102 to 134182 instructions, kws/2 from 185959 to 154837
 * (with the vectorised per-channel constants).
 * Other filters with K a multiple of 16 gather three pixels' fields and take them by pairs of channels the same way
 * (pairs_of_fields): vib/1 (1x5 16->32 1x128 s1x2) went from 75832 to 51809 instructions. Other K take it too
 * where the filter, copied with each row padded with zeros to a multiple of 16, fits: vww/0 (3x3 3->8 96x96 s2)
 * went from 1094789 to 792443, vib/0 (1x7 3->16) from 79419 to 42917.
 * Other unpadded 1x1 filters over a multiple of 16 channels run channels-outer (conv_1x1_by_channel): on
 * mps3-an547 that took kws/2 (1x1 64->64 25x5) from 0.452 to 0.363 instructions per MAC and vww/4 (16->32) from 1.605
 * (short-field path) to 0.891 (bench/kernels.ts). */
#include "tr_kernels.h"
#if defined(TR_KERNELS_MVE) && defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#include <string.h>
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
    for (; n >= 16; n -= 16, w += 16) s = vaddvaq_s8(s, vldrbq_s8(w)); /* unpredicated: no VPST per load */
    if (n > 0) s = vaddvaq_s8(s, vldrbq_z_s8(w, vctp8q((uint32_t)n)));
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

/* 1x1 filters, stride 1, no padding, K a multiple of 16: the input is a [pixels][K] matrix read in place. Two output
 * channels by three pixels at a time: per 16 values five loads (two weight rows, three pixels) feed six VMLADAVAs
 * (96 MACs for 11 instructions, where four channels by one pixel take 9 for 64). The six sums are requantised as two
 * vectors, (pixel 0, pixel 1) x (channel a, b) and pixel 2's twice, with the pair's constants laid out the same way,
 * and stored with scatter stores. `pairs`: per pair of channels from c0, four vectors of [a, b, a, b]: bias +
 * off * sum(w), multiplier, left and right shift. */
/* Six dot products of K (8, or a multiple of 16) values (K a constant where inlined for 8): pixels x0..x2 by weight rows wa, wb, requantised as
 * [x0 a, x0 b, x1 a, x1 b] and [x2 a, x2 b, x2 a, x2 b], the pair's constants in c. */
static inline __attribute__((always_inline)) void dot3x2(const int8_t *x0, const int8_t *x1, const int8_t *x2,
                                                         const int8_t *wa, const int8_t *wb, int32_t K, const int32_t *c,
                                                         const int LEFT, int32x4_t *r01, int32x4_t *r2)
{
    int32_t a0, b0, a1, b1, a2, b2;
    if (K == 8) { /* eight values, widened to 16 bits: one VMLADAVA.S16 each */
        const int16x8_t va = vldrbq_s16(wa), vb = vldrbq_s16(wb), u0 = vldrbq_s16(x0), u1 = vldrbq_s16(x1), u2 = vldrbq_s16(x2);
        a0 = vmladavq_s16(u0, va), b0 = vmladavq_s16(u0, vb), a1 = vmladavq_s16(u1, va), b1 = vmladavq_s16(u1, vb);
        a2 = vmladavq_s16(u2, va), b2 = vmladavq_s16(u2, vb);
    } else {
        int8x16_t va = vldrbq_s8(wa), vb = vldrbq_s8(wb), u0 = vldrbq_s8(x0), u1 = vldrbq_s8(x1), u2 = vldrbq_s8(x2);
        a0 = vmladavq_s8(u0, va), b0 = vmladavq_s8(u0, vb), a1 = vmladavq_s8(u1, va), b1 = vmladavq_s8(u1, vb);
        a2 = vmladavq_s8(u2, va), b2 = vmladavq_s8(u2, vb);
        for (int32_t k = K - 16; k > 0; k -= 16) {
            wa += 16, wb += 16, x0 += 16, x1 += 16, x2 += 16;
            va = vldrbq_s8(wa), vb = vldrbq_s8(wb), u0 = vldrbq_s8(x0), u1 = vldrbq_s8(x1), u2 = vldrbq_s8(x2);
            a0 = vmladavaq_s8(a0, u0, va);
            b0 = vmladavaq_s8(b0, u0, vb);
            a1 = vmladavaq_s8(a1, u1, va);
            b1 = vmladavaq_s8(b1, u1, vb);
            a2 = vmladavaq_s8(a2, u2, va);
            b2 = vmladavaq_s8(b2, u2, vb);
        }
    }
    int32x4_t v01 = vdupq_n_s32(a0), v2 = vdupq_n_s32(a2);
    v01 = vsetq_lane_s32(b0, v01, 1);
    v01 = vsetq_lane_s32(a1, v01, 2);
    v01 = vsetq_lane_s32(b1, v01, 3);
    v2 = vsetq_lane_s32(b2, v2, 1);
    v2 = vsetq_lane_s32(b2, v2, 3);
    const int32x4_t ksum = vldrwq_s32(c), mult = vldrwq_s32(c + 4), right = vldrwq_s32(c + 12);
    v01 = vaddq_s32(v01, ksum);
    v2 = vaddq_s32(v2, ksum);
    if (LEFT) {
        const int32x4_t left = vldrwq_s32(c + 8);
        *r01 = tr_mve_requantize(v01, mult, left, right);
        *r2 = tr_mve_requantize(v2, mult, left, right);
    } else {
        *r01 = tr_mve_requantize_right(v01, mult, right);
        *r2 = tr_mve_requantize_right(v2, mult, right);
    }
}

/* 1x1 filters, stride 1, no padding, K a multiple of 16: the input is a [pixels][K] matrix read in place. Two output
 * channels by three pixels at a time: per 16 values five loads (two weight rows, three pixels) feed six VMLADAVAs
 * (96 MACs for 11 instructions, where four channels by one pixel take 9 for 64). The six sums are requantised as two
 * vectors, (pixel 0, pixel 1) x (channel a, b) and pixel 2's twice, with the pair's constants laid out the same way,
 * and stored with scatter stores. `pairs`: per pair of channels from c0, four vectors of [a, b, a, b]: bias +
 * off * sum(w), multiplier, left and right shift. LEFT: some channel has a left shift. */
static inline __attribute__((always_inline)) void conv_1x1_pairs_(const int8_t *input, const int8_t *weights, int32_t K,
                                                                  int32_t P, int32_t C, int8_t *output, const int32_t *pairs,
                                                                  int32_t c0, int32_t c1, int32_t output_offset,
                                                                  int32_t act_min, int32_t act_max, const int LEFT)
{
    const uint32x4_t lane = vidupq_n_u32(0, 1);
    const uint32x4_t two_pixels = vmulq_n_u32(vshrq_n_u32(lane, 1), (uint32_t)C) + (lane & 1), one_pixel = lane & 1;
    const int32_t full = P - P % 3;
    for (int32_t oc = c0; oc < c1; oc += 2, pairs += 16) {
        const int8_t *wa = weights + oc * K, *wb = oc + 1 < c1 ? wa + K : wa;
        int8_t *o = output + oc;
        int32x4_t r01, r2;
        const int8_t *x = input;
        if (oc + 1 < c1)
            for (int32_t p = 0; p < full; p += 3, o += 3 * C, x += 3 * K) {
                dot3x2(x, x + K, x + 2 * K, wa, wb, K, pairs, LEFT, &r01, &r2);
                r01 = vminq_s32(vmaxq_s32(vaddq_n_s32(r01, output_offset), vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
                r2 = vminq_s32(vmaxq_s32(vaddq_n_s32(r2, output_offset), vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
                vstrbq_scatter_offset_s32(o, two_pixels, r01);
                vstrbq_scatter_offset_s32(o + 2 * C, one_pixel, r2);
            }
        /* a lone last channel (only lanes 0 and 2 stored), and the last one or two pixels (pixels past the end repeat
         * the first, stored to the same bytes) */
        const mve_pred16_t keep = oc + 1 < c1 ? 0xFFFF : 0x0F0F;
        for (int32_t p = oc + 1 < c1 ? full : 0; p < P; p += 3, o += 3 * C, x += 3 * K) {
            const int8_t *x1 = p + 1 < P ? x + K : x, *x2 = p + 2 < P ? x + 2 * K : x;
            dot3x2(x, x1, x2, wa, wb, K, pairs, LEFT, &r01, &r2);
            r01 = vminq_s32(vmaxq_s32(vaddq_n_s32(r01, output_offset), vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
            r2 = vminq_s32(vmaxq_s32(vaddq_n_s32(r2, output_offset), vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
            vstrbq_scatter_offset_p_s32(o, p + 1 < P ? two_pixels : one_pixel, r01, keep);
            if (p + 2 < P) vstrbq_scatter_offset_p_s32(o + 2 * C, one_pixel, r2, keep);
        }
    }
}

static __attribute__((noinline)) void conv_1x1_pairs(const int8_t *input, const int8_t *weights, int32_t K, int32_t P,
                                                    int32_t C, int8_t *output, const int32_t *pairs, int32_t c0, int32_t c1,
                                                    int32_t output_offset, int32_t act_min, int32_t act_max, int left)
{
    if (K == 8) conv_1x1_pairs_(input, weights, 8, P, C, output, pairs, c0, c1, output_offset, act_min, act_max, left);
    else if (left) conv_1x1_pairs_(input, weights, K, P, C, output, pairs, c0, c1, output_offset, act_min, act_max, 1);
    else conv_1x1_pairs_(input, weights, K, P, C, output, pairs, c0, c1, output_offset, act_min, act_max, 0);
}

/* Any other filter with K a multiple of 16: three output pixels' receptive fields x0..x2 (n of them distinct: the
 * others repeat x0, stored to the same bytes) by every pair of channels [c0, c1), as conv_1x1_pairs does; o is the
 * first pixel's output, the next pixels' follow C bytes apart. */
static inline __attribute__((always_inline)) void pairs_of_fields_(const int8_t *x0, const int8_t *x1, const int8_t *x2,
                                                                   int32_t n, const int8_t *weights, int32_t K, int32_t C,
                                                                   int8_t *o, const int32_t *pairs, int32_t c0, int32_t c1,
                                                                   int32_t output_offset, int32_t act_min, int32_t act_max,
                                                                   const int LEFT)
{
    const uint32x4_t lane = vidupq_n_u32(0, 1);
    const uint32x4_t two_pixels = vmulq_n_u32(vshrq_n_u32(lane, 1), (uint32_t)C) + (lane & 1), one_pixel = lane & 1;
    const int32_t whole = n == 3 ? c1 - ((c1 - c0) & 1) : c0; /* pairs stored unpredicated */
    int32_t oc = c0;
    int32x4_t r01, r2;
    for (; oc < whole; oc += 2, pairs += 16) {
        const int8_t *wa = weights + oc * K;
        dot3x2(x0, x1, x2, wa, wa + K, K, pairs, LEFT, &r01, &r2);
        r01 = vminq_s32(vmaxq_s32(vaddq_n_s32(r01, output_offset), vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
        r2 = vminq_s32(vmaxq_s32(vaddq_n_s32(r2, output_offset), vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
        vstrbq_scatter_offset_s32(o + oc, two_pixels, r01);
        vstrbq_scatter_offset_s32(o + oc + 2 * C, one_pixel, r2);
    }
    for (; oc < c1; oc += 2, pairs += 16) { /* fewer than three pixels, or a lone last channel (lanes 0 and 2 only) */
        const int8_t *wa = weights + oc * K, *wb = oc + 1 < c1 ? wa + K : wa;
        const mve_pred16_t keep = oc + 1 < c1 ? 0xFFFF : 0x0F0F;
        dot3x2(x0, x1, x2, wa, wb, K, pairs, LEFT, &r01, &r2);
        r01 = vminq_s32(vmaxq_s32(vaddq_n_s32(r01, output_offset), vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
        r2 = vminq_s32(vmaxq_s32(vaddq_n_s32(r2, output_offset), vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
        vstrbq_scatter_offset_p_s32(o + oc, n > 1 ? two_pixels : one_pixel, r01, keep);
        if (n > 2) vstrbq_scatter_offset_p_s32(o + oc + 2 * C, one_pixel, r2, keep);
    }
}

static __attribute__((noinline)) void pairs_of_fields(const int8_t *x0, const int8_t *x1, const int8_t *x2, int32_t n,
                                                     const int8_t *weights, int32_t K, int32_t C, int8_t *o,
                                                     const int32_t *pairs, int32_t c0, int32_t c1, int32_t output_offset,
                                                     int32_t act_min, int32_t act_max, int left)
{
    if (left) pairs_of_fields_(x0, x1, x2, n, weights, K, C, o, pairs, c0, c1, output_offset, act_min, act_max, 1);
    else pairs_of_fields_(x0, x1, x2, n, weights, K, C, o, pairs, c0, c1, output_offset, act_min, act_max, 0);
}

/* The pairs' constants, [a, b, a, b] per pair of channels from c0, from the groups of four's: pair i's [a, b] is lanes
 * 2(i % 2), +1 of its group's vectors (a lone last channel's b: any valid constants). Returns whether some channel
 * shifts left. */
static int build_pairs(const int32_t *constants, int32_t *pairs, const tr_per_channel *q, int32_t c0, int32_t c1)
{
    int left = 0;
    for (int32_t oc = c0; oc < c1; ++oc) left |= q->shift[oc] > 0;
    for (int32_t i = 0; i < (c1 - c0 + 1) >> 1; ++i)
        for (int32_t v = 0; v < 4; ++v) {
            int64_t ab;
            memcpy(&ab, constants + 16 * (i >> 1) + 4 * v + 2 * (i & 1), sizeof ab);
            memcpy(pairs + 16 * i + 4 * v, &ab, sizeof ab);
            memcpy(pairs + 16 * i + 4 * v + 2, &ab, sizeof ab);
        }
    return left;
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
    /* three fields where K is a multiple of 16 and they fit (the pairs of fields path), else one */
    /* K rounded up to 16: other K take the pairs of fields path with the filter copied, each row padded with zeros
     * (the values they meet past K add nothing), where it fits after the pairs' constants */
    const int32_t K16 = (K + 15) & ~15;
    const int pad_rows = (K & 15) != 0;
    const int fields3 = !(filter.h == 1 && filter.w == 1) && 3 * K16 <= FIELD_MAX / 2 &&
                        (!pad_rows || (out.c <= CHUNK && ((out.c + 1) >> 1) * 64 + out.c * K16 <= SHORT_BYTES));
    int8_t *band_buf = field + (fields3 ? 3 * K16 : ((K + 7) & ~7));
    int32_t *wide = tr_kernel_scratch + (TR_SCRATCH_BYTES - SHORT_BYTES) / 4;
    const gather_ctx g = {input,       in.h,        in.w,          in.c,          filter.h,      filter.w,
                          p->stride_h, p->stride_w, p->pad_h,      p->pad_w,      p->dilation_h, p->dilation_w,
                          filter.w * in.c, in.w * in.c, (int8_t)-p->input_offset};
    band_ctx band;
    const int use_band = band_init(&band, &g, out.w, band_buf, (int32_t)((int8_t *)wide - band_buf));
    const int in_place = filter.h == 1 && filter.w == 1;
    const int by_channel = in_place && p->pad_h == 0 && p->pad_w == 0 && (K & 15) == 0;
    const int pairs_path = in_place && p->pad_h == 0 && p->pad_w == 0 && p->stride_h == 1 && p->stride_w == 1 &&
                           ((K & 15) == 0 || K == 8);
    const int32_t full = K & ~15;
    const mve_pred16_t tail = vctp8q((uint32_t)(K - full));
    const finish_ctx fin = {constants, p->output_offset, vdupq_n_s32(p->act_min), vdupq_n_s32(p->act_max)};
    for (int32_t c0 = 0; c0 < out.c; c0 += CHUNK) {
        const int32_t c1 = out.c - c0 < CHUNK ? out.c : c0 + CHUNK;
        int32_t j0 = 0;
        for (; c0 + j0 + 4 <= c1; j0 += 4) { /* whole groups of four channels: vector loads of their words */
            const int32_t oc = c0 + j0;
            int32_t *c = constants + 4 * j0;
            const int8_t *w = weights + oc * K;
            const int32x4_t sums = vdupq_n_s32(sum_s8(w, K));
            const int32x4_t ksum = vmlaq_n_s32(bias ? vldrwq_s32(bias + oc) : vdupq_n_s32(0),
                                               vsetq_lane_s32(sum_s8(w + 3 * K, K),
                                                              vsetq_lane_s32(sum_s8(w + 2 * K, K),
                                                                             vsetq_lane_s32(sum_s8(w + K, K), sums, 1), 2),
                                                              3),
                                               p->input_offset);
            const int32x4_t shift = vldrwq_s32(q->shift + oc);
            vstrwq_s32(c, ksum);
            vstrwq_s32(c + 4, vldrwq_s32(q->multiplier + oc));
            vstrwq_s32(c + 8, vmaxq_s32(shift, vdupq_n_s32(0)));
            vstrwq_s32(c + 12, vminq_s32(shift, vdupq_n_s32(0)));
        }
        for (int32_t j = j0; j < c1 - c0 + 8; ++j) { /* 8 past the end: any valid constants, never stored */
            const int32_t oc = c0 + j < c1 ? c0 + j : c0, shift = q->shift[oc];
            int32_t *c = constants + 16 * (j >> 2) + (j & 3);
            c[0] = c0 + j < c1 ? (bias ? bias[oc] : 0) + p->input_offset * sum_s8(weights + oc * K, K) : 0;
            c[4] = q->multiplier[oc];
            c[8] = shift > 0 ? shift : 0;
            c[12] = shift > 0 ? 0 : shift;
        }
        /* the short-field path's filter: channels [c0, c1) padded to a multiple of 8, value-major, as int32 */
        const int32_t stride = (c1 - c0 + 7) & ~7;
        if (pairs_path) {
            /* the pairs' constants in the field's place (unused here) */
            int32_t *pairs = tr_kernel_scratch + CONSTANTS;
            const int left = build_pairs(constants, pairs, q, c0, c1);
            conv_1x1_pairs(input, weights, K, out.n * out.h * out.w, out.c, output, pairs, c0, c1, p->output_offset,
                           p->act_min, p->act_max, left);
            continue;
        }
        if (by_channel) {
            conv_1x1_by_channel(p, in, input, weights, K, out, output, &fin, c0, c1);
            continue;
        }
        if (fields3) { /* three pixels' fields (in the band where the filter is one row high) by pairs of channels */
            int32_t *pairs = wide; /* the short-field path's place, unused here */
            const int left = build_pairs(constants, pairs, q, c0, c1);
            const int8_t *rows = weights; /* channel oc's filter at rows + oc * K16 (c0 is 0 where padded) */
            if (pad_rows) {
                int8_t *padded = (int8_t *)(pairs + ((c1 - c0 + 1) >> 1) * 16);
                for (int32_t oc = 0; oc < c1; ++oc) {
                    copy_bytes(padded + oc * K16, weights + oc * K, K);
                    fill_bytes(padded + oc * K16 + K, 0, K16 - K);
                }
                rows = padded;
            }
            const int32_t P = out.n * out.h * out.w;
            for (int32_t pix = 0; pix < P; pix += 3) {
                const int8_t *x[3];
                const int32_t n = P - pix < 3 ? P - pix : 3;
                /* a one-row filter reads its fields in the band in place while the pixels share an output row (the
                 * band of another row would overwrite it) */
                const int one_row = (pix % out.w) + n <= out.w;
                for (int32_t t = 0; t < n; ++t) {
                    const int32_t ox = (pix + t) % out.w, oy = (pix + t) / out.w % out.h, b = (pix + t) / (out.w * out.h);
                    int8_t *f = field + t * K16;
                    if (use_band && filter.h == 1 && one_row) x[t] = band_pixel(&band, &g, b, oy, ox);
                    else if (use_band) band_gather(&band, &g, b, oy, ox, f), x[t] = f;
                    else gather(&g, b, oy, ox, f), x[t] = f;
                }
                for (int32_t t = n; t < 3; ++t) x[t] = x[0];
                pairs_of_fields(x[0], x[1], x[2], n, rows, K16, out.c, output + pix * out.c, pairs, c0, c1,
                                p->output_offset, p->act_min, p->act_max, left);
            }
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
