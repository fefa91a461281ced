/* DEPTHWISE_CONV_2D with Helium (Cortex-M55 MVE). Same bits as depthwise_conv_s8.c.
 *
 * Two paths: filters of up to 17 taps over 16 or more output pixels gather each channel's taps into one vector
 * (depthwise_by_gather, below: on mps3-an547 kws/1 went from 177449 to 138437 instructions, vww/13 from 97168 to
 * 85338); the rest run by tap (depthwise_by_tap), as follows.
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
    if (c + 8 <= channels) { /* whole groups: gather loads of the even and the odd channels' words (byte offsets) */
        for (int32_t k = 0; k < 2; ++k) {
            const uint32x4_t at = vaddq_n_u32(vidupq_n_u32(0, 8), (uint32_t)(4 * k));
            const int32x4_t shift = vldrwq_gather_offset_s32(q->shift + c, at);
            g->bias[k] = bias ? vldrwq_gather_offset_s32(bias + c, at) : vdupq_n_s32(0);
            g->multiplier[k] = vldrwq_gather_offset_s32(q->multiplier + c, at);
            g->left[k] = vmaxq_s32(shift, vdupq_n_s32(0));
            g->right[k] = vminq_s32(shift, vdupq_n_s32(0));
        }
        return;
    }
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

static __attribute__((noinline)) void depthwise_by_tap(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                             tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out,
                             int8_t *output)
{
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
                        int32x4_t acc_e = g->bias[0], acc_o = g->bias[1];
                        const int8_t *xr = x0 + c, *wr = w0 + c;
                        for (int32_t fy = nfy; fy > 0; --fy, xr += row_step, wr += filter.w * C) {
                            const int8_t *xp = xr, *wp = wr;
                            if (n >= 8 && nfx == 3) { /* the usual full 3-wide row, unrolled */
                                /* the empty asm keeps each tap's loads after the previous tap: interleaved, the
                                 * compiler ran out of vector registers and spilled */
                                TAP(vldrbq_s16(xp), vldrbq_s16(wp));
                                __asm__ volatile("" ::: "memory");
                                TAP(vldrbq_s16(xp + x_step), vldrbq_s16(wp + C));
                                __asm__ volatile("" ::: "memory");
                                TAP(vldrbq_s16(xp + 2 * x_step), vldrbq_s16(wp + 2 * C));
                            } else if (n >= 8) { /* whole groups load unpredicated: no VPST per load */
                                for (int32_t fx = nfx; fx > 0; --fx, xp += x_step, wp += C)
                                    TAP(vldrbq_s16(xp), vldrbq_s16(wp));
                            } else {
                                const mve_pred16_t lanes = vctp16q((uint32_t)n);
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

/* ---- Taps gathered: one VMLADAVA per channel and output pixel ----
 * A channel's taps lie C bytes apart (dilated rows and columns further), so one gather load (VLDRB.S16 with a
 * vector of 16-bit offsets) fetches eight of them, widened, and one VMLADAVA.S16 multiplies them by the channel's
 * eight weights (transposed to int16 once per call) and sums: 8 MACs in 3 instructions (gather, weight load,
 * VMLADAVA) where the path above spends 7 on 8. Filters of up to 16 taps take one or two gathers; a ninth (3x3)
 * or seventeenth tap is taken for four channels at once as int32 vectors. Four channels' sums are then requantised
 * together. In the interior the input offset's share is folded in once per call, bias + off * sum(w) (the raw
 * input is gathered); at the borders the taps outside the input are masked off (predicated gathers zero them) and
 * the offset is added to the gathered values, as the reference skips padding.
 * Scratch, per block of four channels: [groups][4] int16x8 weights, then six int32x4: bias + off * sum(w), bias,
 * multiplier, left and right shift, the separate tap's weights. */
#define GATHER_LANES 8

typedef struct {
    int32_t groups, rem, rem_off, block_bytes;
    int lean; /* no channel shifts left and the activation range is all of int8 */
    uint16x8_t offs0, offs1;
    int16_t offset;
    int32_t output_offset, act_min, act_max;
} gather_ctx;

/* widened taps of one channel: the raw input (interior) or, at a border, input + offset on the taps inside and 0 on
 * those outside */
static inline __attribute__((always_inline)) int16x8_t taps(const int8_t *x, uint16x8_t offs, int edge, mve_pred16_t inside,
                                                            int16_t offset)
{
    if (!edge) return vldrbq_gather_offset_s16(x, offs);
    const int16x8_t v = vldrbq_gather_offset_z_s16(x, offs, inside);
    return vaddq_m_n_s16(v, v, offset, inside);
}

/* Four channels of one output pixel: x0..x3 their first taps, w their block of the scratch. GROUPS, REM and EDGE are
 * constants where this is inlined. */
static inline __attribute__((always_inline)) int32x4_t gather_block(const int16_t *w, const int8_t *x0, const int8_t *x1,
                                                                    const int8_t *x2, const int8_t *x3, uint16x8_t offs0,
                                                                    uint16x8_t offs1, int16_t offset, const int GROUPS,
                                                                    const int EDGE, const int LEAN, mve_pred16_t in0,
                                                                    mve_pred16_t in1, int take_rem, int32x4_t x_rem)
{
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    if (GROUPS > 0) { /* the empty asms keep the channels' loads in order (interleaved, they spilled) */
        a0 = vmladavq_s16(taps(x0, offs0, EDGE, in0, offset), vldrhq_s16(w));
        __asm__ volatile("" ::: "memory");
        a1 = vmladavq_s16(taps(x1, offs0, EDGE, in0, offset), vldrhq_s16(w + 8));
        __asm__ volatile("" ::: "memory");
        a2 = vmladavq_s16(taps(x2, offs0, EDGE, in0, offset), vldrhq_s16(w + 16));
        __asm__ volatile("" ::: "memory");
        a3 = vmladavq_s16(taps(x3, offs0, EDGE, in0, offset), vldrhq_s16(w + 24));
    }
    if (GROUPS > 1) {
        a0 = vmladavaq_s16(a0, taps(x0, offs1, EDGE, in1, offset), vldrhq_s16(w + 32));
        a1 = vmladavaq_s16(a1, taps(x1, offs1, EDGE, in1, offset), vldrhq_s16(w + 40));
        a2 = vmladavaq_s16(a2, taps(x2, offs1, EDGE, in1, offset), vldrhq_s16(w + 48));
        a3 = vmladavaq_s16(a3, taps(x3, offs1, EDGE, in1, offset), vldrhq_s16(w + 56));
    }
    const int32_t *k = (const int32_t *)(const void *)(w + 32 * GROUPS);
    int32x4_t acc = vdupq_n_s32(a0);
    acc = vsetq_lane_s32(a1, acc, 1);
    acc = vsetq_lane_s32(a2, acc, 2);
    acc = vsetq_lane_s32(a3, acc, 3);
    if (take_rem) {
        if (EDGE) x_rem = vaddq_n_s32(x_rem, offset);
        acc = vaddq_s32(acc, vmulq_s32(x_rem, vldrwq_s32(k + 20)));
    }
    acc = vaddq_s32(acc, vldrwq_s32(k + (EDGE ? 4 : 0)));
    if (LEAN) return tr_mve_requantize_right(acc, vldrwq_s32(k + 8), vldrwq_s32(k + 16));
    return tr_mve_requantize(acc, vldrwq_s32(k + 8), vldrwq_s32(k + 12), vldrwq_s32(k + 16));
}

/* + output offset, clamped; LEAN (the activation range is all of int8): two saturating narrowings to the low byte of
 * each lane, which the byte store takes, instead of two clamp vectors kept in registers */
static inline __attribute__((always_inline)) int32x4_t gather_finish(int32x4_t acc, int32_t output_offset, int32_t act_min,
                                                                     int32_t act_max, const int LEAN)
{
    acc = vaddq_n_s32(acc, output_offset);
    if (!LEAN) return vminq_s32(vmaxq_s32(acc, vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
    const int16x8_t h = vqmovnbq_s32(vdupq_n_s16(0), acc);
    return vreinterpretq_s32_s8(vqmovnbq_s16(vdupq_n_s8(0), h));
}

/* One output pixel, channels [c0, c1) (blocks of four from the scratch's first): x points at its window's first tap
 * (channel 0), possibly outside the input. Everything is read into locals first: the int8 output stores could alias
 * the context, which the compiler would reload. */
static inline __attribute__((always_inline)) void gather_pixel(const gather_ctx *gp, const int8_t *x, int8_t *o, int32_t c0,
                                                               int32_t c1, const int GROUPS, const int REM, const int EDGE,
                                                               const int LEAN, mve_pred16_t in0, mve_pred16_t in1,
                                                               int rem_inside)
{
    const uint16x8_t offs0 = gp->offs0, offs1 = gp->offs1;
    const int16_t offset = gp->offset;
    const int32_t rem_off = gp->rem_off, output_offset = gp->output_offset, act_min = gp->act_min, act_max = gp->act_max;
    const int take_rem = REM && (!EDGE || rem_inside);
    const int16_t *w = (const int16_t *)(const void *)tr_kernel_scratch;
    const int32_t step = 32 * GROUPS + 48; /* int16s per block */
    int32_t c = c0;
    for (; c + 4 <= c1; c += 4, w += step) {
        const int8_t *x0 = x + c;
        const int32x4_t x_rem = take_rem ? vldrbq_s32(x0 + rem_off) : vdupq_n_s32(0);
        const int32x4_t acc = gather_block(w, x0, x0 + 1, x0 + 2, x0 + 3, offs0, offs1, offset, GROUPS, EDGE, LEAN, in0, in1,
                                           take_rem, x_rem);
        vstrbq_s32(o + c, gather_finish(acc, output_offset, act_min, act_max, LEAN));
    }
    if (c < c1) { /* channels past the end read the first one's taps; their weights are 0 and nothing is stored */
        const int32_t n = c1 - c;
        const int8_t *x0 = x + c;
        const mve_pred16_t lanes = vctp32q((uint32_t)n);
        const int32x4_t x_rem = take_rem ? vldrbq_z_s32(x0 + rem_off, lanes) : vdupq_n_s32(0);
        const int32x4_t acc = gather_block(w, x0, n > 1 ? x0 + 1 : x0, n > 2 ? x0 + 2 : x0, x0, offs0, offs1, offset, GROUPS, EDGE,
                                           LEAN, in0, in1, take_rem, x_rem);
        vstrbq_p_s32(o + c, gather_finish(acc, output_offset, act_min, act_max, LEAN), lanes);
    }
}

#define GATHER_PIXEL(G, R)                                                                                  \
    do {                                                                                                    \
        if (g->lean && edge) gather_pixel(g, x, o, c0, c1, G, R, 1, 1, in0, in1, rem_inside);               \
        else if (g->lean) gather_pixel(g, x, o, c0, c1, G, R, 0, 1, 0, 0, 0);                               \
        else if (edge) gather_pixel(g, x, o, c0, c1, G, R, 1, 0, in0, in1, rem_inside);                     \
        else gather_pixel(g, x, o, c0, c1, G, R, 0, 0, 0, 0, 0);                                            \
    } while (0)

/* gather_pixel specialised for the filter's tap groups and separate tap */
static __attribute__((noinline)) void gather_pixel_any(const gather_ctx *g, const int8_t *x, int8_t *o, int32_t c0, int32_t c1, int edge,
                             mve_pred16_t in0, mve_pred16_t in1, int rem_inside)
{
    switch (g->groups * 2 + g->rem) {
    case 1: GATHER_PIXEL(0, 1); break;
    case 2: GATHER_PIXEL(1, 0); break;
    case 3: GATHER_PIXEL(1, 1); break;
    case 4: GATHER_PIXEL(2, 0); break;
    default: GATHER_PIXEL(2, 1); break;
    }
}

/* 16-bit predicate of the gather lanes whose bit is set in the low 8 bits of m (two predicate bits per lane) */
static inline mve_pred16_t lane_pred(uint32_t m)
{
    m &= 0xFF;
    m = (m | (m << 4)) & 0x0F0F;
    m = (m | (m << 2)) & 0x3333;
    m = (m | (m << 1)) & 0x5555;
    return (mve_pred16_t)(m | (m << 1));
}

static __attribute__((noinline)) int depthwise_by_gather(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                               tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out,
                               int8_t *output)
{
    const int32_t C = in.c, fh = filter.h, fw = filter.w, T = fh * fw;
    const int32_t rem = T % GATHER_LANES == 1; /* the last tap apart */
    const int32_t groups = (T - rem + GATHER_LANES - 1) / GATHER_LANES;
    const int32_t row = p->dilation_h * in.w * C, col = p->dilation_w * C;
    /* on few output pixels the per-call transposition costs more than it saves (mps3-an547, bench/kernels.ts: vww/25,
     * 256 channels 3x3, 51925 by taps, 63126 gathered; vww/23, 128 channels 3x3 s2, 28386 and 31041) */
    if (out.n * out.h * out.w < 16 || groups > 2 || (fh - 1) * row + (fw - 1) * col > 65535 || T * C > 65535) return 0;
    gather_ctx g;
    g.groups = groups;
    g.rem = rem;
    g.lean = p->act_min <= -128 && p->act_max >= 127;
    for (int32_t c = 0; c < C; ++c) g.lean &= q->shift[c] <= 0;
    g.rem_off = ((T - 1) / fw) * row + ((T - 1) % fw) * col;
    g.block_bytes = 64 * groups + 96;
    g.offset = (int16_t)p->input_offset;
    g.output_offset = p->output_offset;
    g.act_min = p->act_min;
    g.act_max = p->act_max;
    uint16_t xo[2][GATHER_LANES], wo[2][GATHER_LANES];
    for (int32_t t = 0; t < 2 * GATHER_LANES; ++t) {
        const int gathered = t < T - rem;
        xo[t / GATHER_LANES][t % GATHER_LANES] = gathered ? (uint16_t)((t / fw) * row + (t % fw) * col) : 0;
        wo[t / GATHER_LANES][t % GATHER_LANES] = gathered ? (uint16_t)(t * C) : 0;
    }
    g.offs0 = vld1q_u16(xo[0]);
    g.offs1 = vld1q_u16(xo[1]);
    const uint16x8_t woffs[2] = {vld1q_u16(wo[0]), vld1q_u16(wo[1])};
    const mve_pred16_t wlive[2] = {lane_pred((1u << (T - rem < 8 ? T - rem : 8)) - 1),
                                   lane_pred(T - rem > 8 ? (1u << (T - rem - 8)) - 1 : 0)};
    const int32_t blocks_max = TR_SCRATCH_BYTES / g.block_bytes;
    for (int32_t c0 = 0; c0 < C; c0 += 4 * blocks_max) {
        const int32_t c1 = C - c0 < 4 * blocks_max ? C : c0 + 4 * blocks_max;
        for (int32_t c = c0; c < c1; c += 4) { /* the blocks of this chunk */
            int8_t *blk = (int8_t *)tr_kernel_scratch + ((c - c0) >> 2) * g.block_bytes;
            int16_t *w = (int16_t *)(void *)blk;
            int32_t *k = (int32_t *)(void *)(blk + 64 * groups);
            for (int32_t j = 0; j < 4; ++j) {
                const int live = c + j < c1;
                const int32_t ch = live ? c + j : c, shift = q->shift[ch];
                int32_t sum = 0;
                for (int32_t gi = 0; gi < groups; ++gi) {
                    const int16x8_t v = live ? vldrbq_gather_offset_z_s16(weights + ch, woffs[gi], wlive[gi]) : vdupq_n_s16(0);
                    vst1q_s16(w + 32 * gi + 8 * j, v);
                    sum = vaddvaq_s16(sum, v);
                }
                const int32_t last = live && rem ? weights[(T - 1) * C + ch] : 0;
                const int32_t b = live && bias ? bias[ch] : 0;
                k[j] = b + p->input_offset * (sum + last);
                k[4 + j] = b;
                k[8 + j] = q->multiplier[ch];
                k[12 + j] = shift > 0 ? shift : 0;
                k[16 + j] = shift > 0 ? 0 : shift;
                k[20 + j] = last;
            }
        }
        for (int32_t b = 0; b < out.n; ++b)
            for (int32_t oy = 0; oy < out.h; ++oy) {
                const int32_t iy0 = oy * p->stride_h - p->pad_h;
                int32_t fy0 = 0, fy1 = fh; /* filter rows [fy0, fy1) lie inside the input */
                while (fy0 < fy1 && iy0 + fy0 * p->dilation_h < 0) ++fy0;
                while (fy1 > fy0 && iy0 + (fy1 - 1) * p->dilation_h >= in.h) --fy1;
                int8_t *o = output + (b * out.h + oy) * out.w * C;
                for (int32_t ox = 0; ox < out.w; ++ox, o += C) {
                    const int32_t ix0 = ox * p->stride_w - p->pad_w;
                    int32_t fx0 = 0, fx1 = fw;
                    while (fx0 < fx1 && ix0 + fx0 * p->dilation_w < 0) ++fx0;
                    while (fx1 > fx0 && ix0 + (fx1 - 1) * p->dilation_w >= in.w) --fx1;
                    /* the window's first tap, outside the input at a border: only taps inside are read */
                    const int8_t *x = (const int8_t *)((uintptr_t)input + (uintptr_t)(intptr_t)(((b * in.h + iy0) * in.w + ix0) * C));
                    if (fy0 == 0 && fy1 == fh && fx0 == 0 && fx1 == fw) {
                        gather_pixel_any(&g, x, o, c0, c1, 0, 0, 0, 0);
                        continue;
                    }
                    uint32_t inside = 0; /* bit t: tap t lies inside the input */
                    if (fx1 > fx0)
                        for (int32_t fy = fy0; fy < fy1; ++fy) inside |= ((1u << (fx1 - fx0)) - 1) << (fy * fw + fx0);
                    gather_pixel_any(&g, x, o, c0, c1, 1, lane_pred(inside), lane_pred(inside >> GATHER_LANES),
                                 (int)((inside >> (T - 1)) & 1));
                }
            }
    }
    return 1;
}

void tr_depthwise_conv_s8_mve(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                              tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out,
                              int8_t *output)
{
    if (p->depth_multiplier != 1)
        tr_depthwise_conv_s8_ref(p, q, in, input, filter, weights, bias, out, output);
    else if (!depthwise_by_gather(p, q, in, input, filter, weights, bias, out, output))
        depthwise_by_tap(p, q, in, input, filter, weights, bias, out, output);
}
#endif
