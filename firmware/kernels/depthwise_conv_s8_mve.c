/* DEPTHWISE_CONV_2D with Helium (Cortex-M55 MVE). Same bits as depthwise_conv_s8.c.
 *
 * Depthwise products are per channel, so there is nothing to reduce: eight channels at a time are loaded widened to
 * 16 bits (VLDRB.S16), the input offset added (x + off fits 16 bits), and multiplied into 32-bit products with
 * VMULLB/VMULLT (even and odd channels), accumulated in two vectors: 8 MACs for 2 loads, 1 add, 2 multiplies and
 * 2 adds. Only the taps inside the input are visited (the range is worked out once per output pixel), so padding is
 * skipped as in the reference. The even and odd channels are requantised as two vectors (requant_mve.h), their
 * per-channel constants gathered with offsets {0,2,4,6}, and stored with scatter stores. The last group of fewer than
 * eight channels runs predicated. Depth multipliers other than 1 take the reference kernel. */
#include "tr_kernels.h"
#if defined(TR_KERNELS_MVE) && defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#include "requant_mve.h"

/* Requantises one parity's four channels (offsets 0,2,4,6 from channel c) and stores the valid ones. */
static inline void store_parity(int32x4_t acc, const tr_per_channel *q, int32_t c, uint32x4_t offs, mve_pred16_t valid,
                                const tr_conv_params *p, int8_t *o)
{
    const uint32x4_t word_offs = vshlq_n_u32(offs, 2);
    const int32x4_t multiplier = vldrwq_gather_offset_z_s32(q->multiplier + c, word_offs, valid);
    const int32x4_t shift = vldrwq_gather_offset_z_s32(q->shift + c, word_offs, valid);
    const int32x4_t zero = vdupq_n_s32(0);
    int32x4_t v = tr_mve_requantize(acc, multiplier, vmaxq_s32(shift, zero), vminq_s32(shift, zero));
    v = tr_mve_finish(v, p->output_offset, p->act_min, p->act_max);
    vstrbq_scatter_offset_p_s32(o + c, offs, v, valid);
}

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
                int8_t *o = output + ((b * out.h + oy) * out.w + ox) * out.c;
                for (int32_t c = 0; c < C; c += 8) {
                    const int32_t n = C - c;
                    const mve_pred16_t lanes = vctp16q((uint32_t)n);
                    /* even lanes hold channels c, c+2, c+4, c+6; odd ones c+1, ... */
                    const mve_pred16_t pe = vcmphiq_u32(vdupq_n_u32((uint32_t)n), even);
                    const mve_pred16_t po = vcmphiq_u32(vdupq_n_u32((uint32_t)n), odd);
                    int32x4_t acc_e = vdupq_n_s32(0), acc_o = vdupq_n_s32(0);
                    if (bias) {
                        acc_e = vldrwq_gather_offset_z_s32(bias + c, vshlq_n_u32(even, 2), pe);
                        acc_o = vldrwq_gather_offset_z_s32(bias + c, vshlq_n_u32(odd, 2), po);
                    }
                    for (int32_t fy = fy0; fy < fy1; ++fy) {
                        const int8_t *xr = input + ((b * in.h + iy0 + fy * p->dilation_h) * in.w + ix0) * C + c;
                        const int8_t *wr = weights + fy * filter.w * C + c;
                        for (int32_t fx = fx0; fx < fx1; ++fx) {
                            int16x8_t x = vldrbq_z_s16(xr + fx * p->dilation_w * C, lanes);
                            x = vaddq_n_s16(x, (int16_t)p->input_offset);
                            const int16x8_t w = vldrbq_z_s16(wr + fx * C, lanes);
                            acc_e = vaddq_s32(acc_e, vmullbq_int_s16(x, w));
                            acc_o = vaddq_s32(acc_o, vmulltq_int_s16(x, w));
                        }
                    }
                    store_parity(acc_e, q, c, even, pe, p, o);
                    store_parity(acc_o, q, c, odd, po, p, o);
                }
            }
        }
}
#endif
