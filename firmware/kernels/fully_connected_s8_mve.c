/* FULLY_CONNECTED with Helium (Cortex-M55 MVE). Same bits as fully_connected_s8.c.
 *
 * As in conv_s8_mve.c, VMLADAVA.S8 takes int8 operands, so the dot products run on the raw input and the input
 * offset's share, off * sum(w), is added per row: the row's sum comes from VADDVA on the same weight vectors. Four
 * rows at a time: each 16 input bytes are loaded once for four rows (64 MACs for 5 loads, 4 VMLADAVA, 4 VADDVA),
 * the last partial 16 with tail predication; the four results are requantised together (requant_mve.h), with the rows' own multipliers for per-channel weights.
 * Rows of at most 16 inputs take fc_short_rows (below): ad/6 (8 -> 128) went from 4086 to 2041 instructions on
 * mps3-an547 (bench/kernels.ts).
 * Asymmetric weights (a filter offset, which TFLite's int8 weights never have) take the reference kernel. */
#include "tr_kernels.h"
#if defined(TR_KERNELS_MVE) && defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#include "requant_mve.h"

/* Few inputs (in_depth <= SHORT_ROW): VMLADAVA would leave most of its 16 lanes idle and the per-row work would
 * dominate, so the roles turn: four output rows per vector, and per input value one gather load of the four rows'
 * weights (offsets 0, D, 2D, 3D) multiplied by x + offset as a scalar (VMLA): 4 MACs in 3 instructions (with the base
 * pointer's step), the sums already in the lanes the requantisation takes. */
#define SHORT_ROW 16

/* Four rows' sums from row o on (n of them valid) of D inputs x (with the offset): D is a constant where inlined. */
static inline __attribute__((always_inline)) int32x4_t short_rows4(const int8_t *w, uint32x4_t rows, const int32_t *x,
                                                                   const int32_t D, int32x4_t acc)
{
#pragma GCC unroll 16
    for (int32_t k = 0; k < D; ++k) acc = vmlaq_n_s32(acc, vldrbq_gather_offset_s32(w + k, rows), x[k]);
    return acc;
}

static inline __attribute__((always_inline)) void fc_short_rows_(const tr_fc_params *p, int32_t batches, const int32_t D,
                                                                 const int8_t *input, int32_t out_depth,
                                                                 const int8_t *weights, const int32_t *bias, int8_t *output)
{
    const uint32x4_t rows = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)D);
    const int32_t shift = p->shift, output_offset = p->output_offset, act_min = p->act_min, act_max = p->act_max;
    const int32_t *cm = p->channel_multiplier, *cs = p->channel_shift;
    const int32x4_t multiplier = vdupq_n_s32(p->multiplier);
    const int32x4_t left = vdupq_n_s32(shift > 0 ? shift : 0), right = vdupq_n_s32(shift > 0 ? 0 : shift);
    const int32_t full = out_depth & ~3;
    for (int32_t b = 0; b < batches; ++b) {
        int32_t x[SHORT_ROW];
        for (int32_t k = 0; k < D; ++k) x[k] = input[b * D + k] + p->input_offset;
        int8_t *y = output + b * out_depth;
        const int8_t *w = weights;
        int32_t o = 0;
        for (; o < full; o += 4, w += 4 * D) {
            int32x4_t acc = short_rows4(w, rows, x, D, bias ? vldrwq_s32(bias + o) : vdupq_n_s32(0));
            if (cm) { /* per-channel weights: the four rows' own multipliers and shifts */
                const int32x4_t s4 = vldrwq_s32(cs + o);
                acc = tr_mve_requantize(acc, vldrwq_s32(cm + o), vmaxq_s32(s4, vdupq_n_s32(0)), vminq_s32(s4, vdupq_n_s32(0)));
            } else if (shift <= 0) {
                acc = tr_mve_requantize_right(acc, multiplier, right);
            } else {
                acc = tr_mve_requantize(acc, multiplier, left, right);
            }
            vstrbq_s32(y + o, tr_mve_finish(acc, output_offset, act_min, act_max));
        }
        if (o < out_depth) { /* the last rows; rows past the end load nothing */
            const mve_pred16_t lanes = vctp32q((uint32_t)(out_depth - o));
            int32x4_t acc = bias ? vldrwq_z_s32(bias + o, lanes) : vdupq_n_s32(0);
            for (int32_t k = 0; k < D; ++k) acc = vmlaq_n_s32(acc, vldrbq_gather_offset_z_s32(w + k, rows, lanes), x[k]);
            if (cm) {
                const int32x4_t s4 = vldrwq_z_s32(cs + o, lanes);
                acc = tr_mve_requantize(acc, vldrwq_z_s32(cm + o, lanes), vmaxq_s32(s4, vdupq_n_s32(0)),
                                        vminq_s32(s4, vdupq_n_s32(0)));
            } else {
                acc = tr_mve_requantize(acc, multiplier, left, right);
            }
            vstrbq_p_s32(y + o, tr_mve_finish(acc, output_offset, act_min, act_max), lanes);
        }
    }
}

/* fc_short_rows_ with the input count a constant where it is 8 (the inner loop unrolled) */
static __attribute__((noinline)) void fc_short_rows(const tr_fc_params *p, int32_t batches, int32_t D, const int8_t *input,
                                                    int32_t out_depth, const int8_t *weights, const int32_t *bias,
                                                    int8_t *output)
{
    if (D == 8) fc_short_rows_(p, batches, 8, input, out_depth, weights, bias, output);
    else fc_short_rows_(p, batches, D, input, out_depth, weights, bias, output);
}

void tr_fully_connected_s8_mve(const tr_fc_params *p, int32_t batches, int32_t in_depth, const int8_t *input,
                               int32_t out_depth, const int8_t *weights, const int32_t *bias, int8_t *output)
{
    if (p->filter_offset != 0) {
        tr_fully_connected_s8_ref(p, batches, in_depth, input, out_depth, weights, bias, output);
        return;
    }
    if (in_depth <= SHORT_ROW && out_depth >= 8) {
        fc_short_rows(p, batches, in_depth, input, out_depth, weights, bias, output);
        return;
    }
    const int32_t full = in_depth & ~15;
    const mve_pred16_t tail = vctp8q((uint32_t)(in_depth - full));
    int32x4_t multiplier = vdupq_n_s32(p->multiplier);
    int32x4_t left = vdupq_n_s32(p->shift > 0 ? p->shift : 0), right = vdupq_n_s32(p->shift > 0 ? 0 : p->shift);
    for (int32_t b = 0; b < batches; ++b) {
        const int8_t *x = input + b * in_depth;
        int8_t *y = output + b * out_depth;
        for (int32_t o = 0; o < out_depth; o += 4) {
            const int32_t n = out_depth - o;
            /* rows past the end read row o; their results are not stored */
            const int8_t *w0 = weights + o * in_depth, *w1 = n > 1 ? w0 + in_depth : w0;
            const int8_t *w2 = n > 2 ? w0 + 2 * in_depth : w0, *w3 = n > 3 ? w0 + 3 * in_depth : w0;
            int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int32_t k = 0; k < full; k += 16) {
                const int8x16_t v = vldrbq_s8(x + k);
                int8x16_t w = vldrbq_s8(w0 + k);
                a0 = vmladavaq_s8(a0, v, w);
                s0 = vaddvaq_s8(s0, w);
                w = vldrbq_s8(w1 + k);
                a1 = vmladavaq_s8(a1, v, w);
                s1 = vaddvaq_s8(s1, w);
                w = vldrbq_s8(w2 + k);
                a2 = vmladavaq_s8(a2, v, w);
                s2 = vaddvaq_s8(s2, w);
                w = vldrbq_s8(w3 + k);
                a3 = vmladavaq_s8(a3, v, w);
                s3 = vaddvaq_s8(s3, w);
            }
            if (full < in_depth) { /* zeroing loads: the other lanes add nothing */
                const int8x16_t v = vldrbq_z_s8(x + full, tail);
                int8x16_t w = vldrbq_z_s8(w0 + full, tail);
                a0 = vmladavaq_s8(a0, v, w);
                s0 = vaddvaq_s8(s0, w);
                w = vldrbq_z_s8(w1 + full, tail);
                a1 = vmladavaq_s8(a1, v, w);
                s1 = vaddvaq_s8(s1, w);
                w = vldrbq_z_s8(w2 + full, tail);
                a2 = vmladavaq_s8(a2, v, w);
                s2 = vaddvaq_s8(s2, w);
                w = vldrbq_z_s8(w3 + full, tail);
                a3 = vmladavaq_s8(a3, v, w);
                s3 = vaddvaq_s8(s3, w);
            }
            const mve_pred16_t lanes = vctp32q((uint32_t)n);
            int32x4_t acc = vdupq_n_s32(a0), sums = vdupq_n_s32(s0);
            acc = vsetq_lane_s32(a1, acc, 1);
            acc = vsetq_lane_s32(a2, acc, 2);
            acc = vsetq_lane_s32(a3, acc, 3);
            sums = vsetq_lane_s32(s1, sums, 1);
            sums = vsetq_lane_s32(s2, sums, 2);
            sums = vsetq_lane_s32(s3, sums, 3);
            acc = vmlaq_n_s32(acc, sums, p->input_offset); /* + off * sum(w) */
            if (bias) acc = vaddq_s32(acc, vldrwq_z_s32(bias + o, lanes));
            if (p->channel_multiplier) { /* per-channel weights: the four rows' own multipliers and shifts */
                const int32x4_t shift = vldrwq_z_s32(p->channel_shift + o, lanes);
                multiplier = vldrwq_z_s32(p->channel_multiplier + o, lanes);
                left = vmaxq_s32(shift, vdupq_n_s32(0));
                right = vminq_s32(shift, vdupq_n_s32(0));
            }
            const int32x4_t v = tr_mve_finish(tr_mve_requantize(acc, multiplier, left, right), p->output_offset,
                                              p->act_min, p->act_max);
            vstrbq_p_s32(y + o, v, lanes);
        }
    }
}
#endif
