/* DEPTHWISE_CONV_2D with Helium (Cortex-M55 MVE). Same bits as depthwise_conv_s8.c.
 *
 * Depthwise products are per channel, so there is nothing to reduce: eight channels at a time are loaded widened to
 * 16 bits (VLDRB.S16), the input offset added (x + off fits 16 bits), and multiplied into 32-bit products with
 * VMULLB/VMULLT (even and odd channels), accumulated in two vectors: 8 MACs for 2 loads, 1 add, 2 multiplies and
 * 2 adds. Only the taps inside the input are visited (the range is worked out once per output pixel), so padding is
 * skipped as in the reference. The even and odd channels are requantised as two vectors (requant_mve.h), with
 * per-channel constants laid out that way once per call in the shared scratch, and stored with scatter stores
 * (offsets {0,2,4,6} and {1,3,5,7}). The last group of fewer than eight channels runs predicated. Depth multipliers other than 1 take the reference kernel.
 * Measured and dropped (bench/kernels.ts, mps3-an547): the input offset folded into the biases of pixels whose taps
 * all lie inside, saving the VADD per tap there: kws/1 2.58 -> 2.72 instructions per MAC, slower on every layer
 * (the per-channel filter sums and the second loop cost more than the VADDs). A full 3-wide filter row of whole
 * groups is unrolled (kws/1 2.58 -> 2.47); unrolling the whole 3x3 window as well spilled (kws/1 2.93). */
#include "tr_kernels.h"
#if defined(TR_KERNELS_MVE) && defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#include "requant_mve.h"

#include "scratch.h"

/* Per group of eight channels, prepared once per call: the even channels' (c, c+2, c+4, c+6) and the odd channels'
 * bias, multiplier and split shifts, as vectors. */
typedef struct {
    int32x4_t bias[2], multiplier[2], left[2], right[2];
} dw_group;

#define GROUPS_MAX ((int32_t)(TR_SCRATCH_BYTES / sizeof(dw_group)))

static void prepare(dw_group *g, const tr_per_channel *q, const int32_t *bias, int32_t c, int32_t channels)
{
    int32_t v[4][2][4];
    for (int32_t i = 0; i < 8; ++i) {
        const int32_t ch = c + i < channels ? c + i : c; /* past the end: any valid channel, never stored */
        const int32_t shift = q->shift[ch];
        v[0][i & 1][i >> 1] = bias ? bias[ch] : 0;
        v[1][i & 1][i >> 1] = q->multiplier[ch];
        v[2][i & 1][i >> 1] = shift > 0 ? shift : 0;
        v[3][i & 1][i >> 1] = shift > 0 ? 0 : shift;
    }
    for (int32_t k = 0; k < 2; ++k) {
        g->bias[k] = vldrwq_s32(v[0][k]);
        g->multiplier[k] = vldrwq_s32(v[1][k]);
        g->left[k] = vldrwq_s32(v[2][k]);
        g->right[k] = vldrwq_s32(v[3][k]);
    }
}

/* One tap of eight channels: x + offset times w, even channels' products into acc_e, odd ones' into acc_o. */
#define TAP(load_x, load_w)                                              \
    do {                                                                 \
        const int16x8_t x_ = vaddq_n_s16((load_x), offset);              \
        const int16x8_t w_ = (load_w);                                   \
        acc_e = vaddq_s32(acc_e, vmullbq_int_s16(x_, w_));               \
        acc_o = vaddq_s32(acc_o, vmulltq_int_s16(x_, w_));               \
    } while (0)

void tr_depthwise_conv_s8_mve(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                              tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out,
                              int8_t *output)
{
    if (p->depth_multiplier != 1) {
        tr_depthwise_conv_s8_ref(p, q, in, input, filter, weights, bias, out, output);
        return;
    }
    const int32_t C = in.c;
    const uint32x4_t even = vidupq_n_u32(0, 2), odd = vidupq_n_u32(1, 2);
    const int16_t offset = (int16_t)p->input_offset;
    const int32_t x_step = p->dilation_w * C, row_step = p->dilation_h * in.w * C;
    dw_group *groups = (dw_group *)(void *)tr_kernel_scratch;
    for (int32_t c0 = 0; c0 < C; c0 += 8 * GROUPS_MAX) {
        const int32_t c1 = C - c0 < 8 * GROUPS_MAX ? C : c0 + 8 * GROUPS_MAX;
        for (int32_t c = c0; c < c1; c += 8) prepare(&groups[(c - c0) >> 3], q, bias, c, C);
        for (int32_t b = 0; b < out.n; ++b)
            for (int32_t oy = 0; oy < out.h; ++oy) {
                const int32_t iy0 = oy * p->stride_h - p->pad_h;
                int32_t fy0 = 0, fy1 = filter.h; /* taps [fy0, fy1) lie inside the input vertically */
                while (fy0 < fy1 && iy0 + fy0 * p->dilation_h < 0) ++fy0;
                while (fy1 > fy0 && iy0 + (fy1 - 1) * p->dilation_h >= in.h) --fy1;
                for (int32_t ox = 0; ox < out.w; ++ox) {
                    const int32_t ix0 = ox * p->stride_w - p->pad_w;
                    int32_t fx0 = 0, fx1 = filter.w;
                    while (fx0 < fx1 && ix0 + fx0 * p->dilation_w < 0) ++fx0;
                    while (fx1 > fx0 && ix0 + (fx1 - 1) * p->dilation_w >= in.w) --fx1;
                    const int32_t nfy = fy1 - fy0, nfx = fx1 - fx0;
                    const int8_t *x0 = input + ((b * in.h + iy0 + fy0 * p->dilation_h) * in.w + ix0 + fx0 * p->dilation_w) * C;
                    const int8_t *w0 = weights + (fy0 * filter.w + fx0) * C;
                    int8_t *o = output + ((b * out.h + oy) * out.w + ox) * out.c;
                    for (int32_t c = c0; c < c1; c += 8) {
                        const dw_group *g = &groups[(c - c0) >> 3];
                        const int32_t n = C - c;
                        const mve_pred16_t lanes = vctp16q((uint32_t)n);
                        int32x4_t acc_e = g->bias[0], acc_o = g->bias[1];
                        const int8_t *xr = x0 + c, *wr = w0 + c;
                        for (int32_t fy = nfy; fy > 0; --fy, xr += row_step, wr += filter.w * C) {
                            const int8_t *xp = xr, *wp = wr;
                            if (n >= 8 && nfx == 3) { /* the usual full 3-wide row, unrolled */
                                TAP(vldrbq_s16(xp), vldrbq_s16(wp));
                                TAP(vldrbq_s16(xp + x_step), vldrbq_s16(wp + C));
                                TAP(vldrbq_s16(xp + 2 * x_step), vldrbq_s16(wp + 2 * C));
                            } else if (n >= 8) { /* whole groups load unpredicated: no VPST per load */
                                for (int32_t fx = nfx; fx > 0; --fx, xp += x_step, wp += C)
                                    TAP(vldrbq_s16(xp), vldrbq_s16(wp));
                            } else {
                                for (int32_t fx = nfx; fx > 0; --fx, xp += x_step, wp += C)
                                    TAP(vldrbq_z_s16(xp, lanes), vldrbq_z_s16(wp, lanes));
                            }
                        }
                        /* even lanes hold channels c, c+2, c+4, c+6; odd ones c+1, ... */
                        int32x4_t ve = tr_mve_requantize(acc_e, g->multiplier[0], g->left[0], g->right[0]);
                        int32x4_t vo = tr_mve_requantize(acc_o, g->multiplier[1], g->left[1], g->right[1]);
                        ve = tr_mve_finish(ve, p->output_offset, p->act_min, p->act_max);
                        vo = tr_mve_finish(vo, p->output_offset, p->act_min, p->act_max);
                        if (n >= 8) {
                            vstrbq_scatter_offset_s32(o + c, even, ve);
                            vstrbq_scatter_offset_s32(o + c, odd, vo);
                        } else {
                            vstrbq_scatter_offset_p_s32(o + c, even, ve, vcmphiq_u32(vdupq_n_u32((uint32_t)n), even));
                            vstrbq_scatter_offset_p_s32(o + c, odd, vo, vcmphiq_u32(vdupq_n_u32((uint32_t)n), odd));
                        }
                    }
                }
            }
    }
}
#endif
