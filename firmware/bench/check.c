/* Kernel check: every optimised kernel of this build's set (the names the runtime calls: tr_conv_s8, ...) against its
 * reference (tr_conv_s8_ref, ...) on random shapes and parameters, output bytes compared one by one. Prints, per
 * operator, the number of cases, output bytes compared, mismatching bytes and FNV-1a checksums of the reference and
 * optimised outputs; the host build (make native) prints the reference checksums the target's must equal. */
#include <string.h>
#include "kb.h"
#include "quant_math.h"
#include "tr_kernels.h"

#define IN_MAX 16384
#define W_MAX 65536
#define OUT_MAX 16384
#define CH_MAX 512
#define GUARD 16
#define MAC_MAX 300000
#define CASES 1500
#define MODEL_CASES 300 /* depthwise layers like the reference models' (check_depthwise) */
#define PAIR_CASES 300  /* depthwise 3x3 at strides 1 and 2 along the width, 1x5 at 2 (check_depthwise) */
#define C3_CASES 300    /* 3x3 filters over three input channels (check_conv) */

static int8_t in_buf[IN_MAX], w_buf[W_MAX], out_ref[OUT_MAX], out_opt[OUT_MAX + GUARD];
static int32_t bias_buf[CH_MAX], mult_buf[CH_MAX], shift_buf[CH_MAX];
static kb_line line;

typedef struct {
    const char *name;
    int32_t cases;
    int64_t bytes, mismatches;
    uint32_t ref_sum, opt_sum;
} tally;

static int32_t pick_zp(kb_rng *r)
{
    switch (kb_range(r, 0, 5)) {
    case 0: return -128;
    case 1: return 127;
    case 2: return 0;
    default: return kb_range(r, -128, 127);
    }
}

/* The activation clamp: none (most often: the fastest paths), RELU, RELU6-like or an arbitrary sub-range (always
 * within int8, lo <= hi). */
static void pick_act(kb_rng *r, int32_t out_zp, int32_t *lo, int32_t *hi)
{
    switch (kb_range(r, 0, 5)) {
    case 4:
    case 5:
    case 0: *lo = -128; *hi = 127; break;
    case 1: *lo = out_zp; *hi = 127; break;
    case 2: *lo = out_zp; *hi = out_zp + kb_range(r, 0, 127 - out_zp); break;
    default:
        *lo = kb_range(r, -128, 127);
        *hi = kb_range(r, *lo, 127);
    }
}

/* A Q31 multiplier and shift as tr_quantize_multiplier makes them (multiplier in [2^30, 2^31) or 0). `wild` cases mix
 * in the extremes (zero, left shifts, which the optimised kernels hand to the reference arithmetic, and the largest
 * right shifts, which requant_fast.h takes with the offset added after the shift); wild = 2 mixes only the largest
 * right shifts into a trained layer's (the optimised convolution's mode 3); the others are all like a trained layer's
 * (real multipliers between 2^-14 and 0.25), so that whole layers take the optimised kernels' fast paths. */
static void pick_quant(kb_rng *r, int wild, int32_t *m, int32_t *s)
{
    *m = (int32_t)(0x40000000u | (kb_next(r) & 0x3FFFFFFFu));
    if (wild == 2) { /* a trained layer's with some of the largest right shifts, as the official vww01 has */
        *s = kb_range(r, 0, 2) == 0 ? kb_range(r, -31, -25) : kb_range(r, -14, -2);
        return;
    }
    if (!wild) {
        *s = kb_range(r, 0, 9) == 0 ? -2 : kb_range(r, -14, -2);
        return;
    }
    switch (kb_range(r, 0, 9)) {
    case 0: *s = kb_range(r, 0, 3); break;      /* real multiplier >= 0.5: no or a left shift */
    case 1: *s = kb_range(r, -31, -20); break;  /* tiny scales */
    case 2: *m = 0; *s = 0; break;              /* a zero scale */
    case 3: *m = 0x7FFFFFFF; *s = kb_range(r, -12, 0); break;
    case 4: *m = 0x40000000; *s = kb_range(r, -12, 0); break;
    default: *s = kb_range(r, -12, -1);
    }
}

static void fill(kb_rng *r, int8_t *p, int32_t n)
{
    const int mode = kb_range(r, 0, 9);
    for (int32_t i = 0; i < n; ++i) {
        if (mode == 0) p[i] = 127;                                 /* saturating extremes */
        else if (mode == 1) p[i] = -128;
        else if (mode == 2) p[i] = (int8_t)(kb_next(r) & 1 ? 127 : -128);
        else p[i] = (int8_t)kb_next(r);
    }
}

/* Depthwise cases only (check_depthwise sets large_biases): one bias draw in eight mixes in biases just under +-2^27,
 * +-2^28, +-2^29 and +-2^30,
 * around the SMLAD depthwise kernel's limits for its doubled accumulator (2^28: the usual set-up; 2^29: the fast
 * requantisation; 2^30: the reference kernel), with right shifts of 19 to 26 (large_drawn) so that such outputs land
 * inside int8 rather than saturate. */
static int large_biases, large_drawn;

/* Set for the pointwise cases like the official vww01's (check_pointwise): one channel in sixteen of multiplier 0, one
 * in four (with a bias) dead, its bias near +-2^30 and its right shift 24 to 31, three in four of those with all-zero
 * weights (pruned), and three in sixteen pruned with an ordinary bias and scale. */
static int dead_channels;

static const int32_t *fill_bias(kb_rng *r, int32_t n)
{
    large_drawn = 0;
    if (large_biases && kb_range(r, 0, 7) == 0) {
        for (int32_t i = 0; i < n; ++i) {
            const int32_t near = (1 << kb_range(r, 27, 30)) - kb_range(r, 0, 1 << 16); /* just under a limit */
            bias_buf[i] = kb_range(r, 0, 2) == 0 ? kb_range(r, -20000, 20000) : kb_range(r, 0, 1) ? near : -near;
        }
        large_drawn = 1;
        return bias_buf;
    }
    const int mode = kb_range(r, 0, 7);
    /* Operators without a bias tensor; biases up to 2^26 so that, with left shifts up to 3 and accumulators under 2^26,
     * the reference's int32 arithmetic does not overflow (which TFLite leaves undefined too). */
    if (mode == 0) return NULL;
    for (int32_t i = 0; i < n; ++i)
        bias_buf[i] = mode == 1 ? kb_range(r, -(1 << 26), 1 << 26) : kb_range(r, -20000, 20000);
    return bias_buf;
}

/* TFLite's output size and leading padding for one dimension. */
static int32_t out_size(int same, int32_t in, int32_t f, int32_t stride, int32_t dil, int32_t *pad)
{
    const int32_t eff = (f - 1) * dil + 1;
    const int32_t out = same ? (in + stride - 1) / stride : (in - eff + stride) / stride;
    const int32_t total = (out - 1) * stride + eff - in;
    *pad = same && total > 0 ? total / 2 : 0;
    return out;
}

static int32_t pick_channels(kb_rng *r)
{
    switch (kb_range(r, 0, 7)) {
    case 0: return kb_range(r, 1, 4);
    case 1: return kb_range(r, 25, 72);
    default: return kb_range(r, 1, 24);
    }
}

/* Shapes, strides, dilation and padding for a convolution; 0 if they do not fit the buffers (draw again). */
static int conv_geometry(kb_rng *r, tr_conv_params *p, tr_shape4 *in, tr_shape4 *flt, tr_shape4 *out, int32_t ic,
                         int32_t oc)
{
    in->n = kb_range(r, 1, 2);
    in->h = kb_range(r, 1, 9);
    in->w = kb_range(r, 1, 9);
    in->c = ic;
    flt->c = ic;
    flt->h = kb_range(r, 1, 5);
    flt->w = kb_range(r, 1, 5);
    p->stride_h = kb_range(r, 1, 4) == 4 ? 3 : kb_range(r, 1, 2);
    p->stride_w = kb_range(r, 1, 4) == 4 ? 3 : kb_range(r, 1, 2);
    p->dilation_h = kb_range(r, 0, 3) == 0 ? 2 : 1;
    p->dilation_w = kb_range(r, 0, 3) == 0 ? 2 : 1;
    int same = kb_range(r, 0, 1);
    if ((flt->h - 1) * p->dilation_h + 1 > in->h || (flt->w - 1) * p->dilation_w + 1 > in->w) same = 1;
    out->n = in->n;
    out->h = out_size(same, in->h, flt->h, p->stride_h, p->dilation_h, &p->pad_h);
    out->w = out_size(same, in->w, flt->w, p->stride_w, p->dilation_w, &p->pad_w);
    out->c = oc;
    const int64_t macs = (int64_t)out->n * out->h * out->w * oc * flt->h * flt->w * ic;
    return in->n * in->h * in->w * in->c <= IN_MAX && out->n * out->h * out->w * oc <= OUT_MAX &&
           oc * flt->h * flt->w * ic <= W_MAX && macs <= MAC_MAX;
}

/* Set for the cases of conv_s8_3x3c3_dsp.c's shapes (check_conv): 1 draws shifts of -1 and -22 among the others
 * (the ends of its fast range), 2 also -23 and 0 (past them: the general kernel takes the call). */
static int edge_shifts;

/* Set for the depthwise cases shaped like the reference models' layers (check_depthwise): no activation clamp and
 * trained-like scales, so that every channel takes the SMLAD depthwise kernel's fastest path (row3x3). */
static int model_like;
/* With model_like: keep the drawn activation clamp (ReLU, ReLU6-like and any range inside int8) */
static int model_clamps;

static void conv_offsets(kb_rng *r, tr_conv_params *p)
{
    p->input_offset = -pick_zp(r);
    p->output_offset = pick_zp(r);
    pick_act(r, p->output_offset, &p->act_min, &p->act_max);
    if (model_like && !model_clamps) {
        p->act_min = -128;
        p->act_max = 127;
    }
}

static void report_mismatch(const char *op, int32_t c, int32_t at, const char *geometry)
{
    kb_s(&line, "kcheck-mismatch ");
    kb_s(&line, op);
    kb_s(&line, " case=");
    kb_i(&line, c);
    kb_s(&line, " byte=");
    kb_i(&line, at);
    kb_s(&line, at < OUT_MAX ? "" : " (past the output)");
    kb_s(&line, " ref=");
    kb_i(&line, at < OUT_MAX ? out_ref[at] : 0x5A);
    kb_s(&line, " opt=");
    kb_i(&line, out_opt[at]);
    kb_s(&line, " ");
    kb_s(&line, geometry);
    kb_line_end(&line);
}

static char geometry[160];
static void describe(const char *fmt_prefix, tr_shape4 in, tr_shape4 flt, tr_shape4 out, const tr_conv_params *p)
{
    kb_line g = {{0}, 0};
    kb_s(&g, fmt_prefix);
    kb_s(&g, "in=");
    const int32_t *v[3][4] = {{&in.n, &in.h, &in.w, &in.c}, {&flt.n, &flt.h, &flt.w, &flt.c}, {&out.n, &out.h, &out.w, &out.c}};
    for (int s = 0; s < 3; ++s) {
        if (s == 1) kb_s(&g, " filter=");
        if (s == 2) kb_s(&g, " out=");
        for (int k = 0; k < 4; ++k) {
            if (k) kb_s(&g, "x");
            kb_i(&g, *v[s][k]);
        }
    }
    if (p) {
        kb_s(&g, " stride=");
        kb_i(&g, p->stride_h);
        kb_s(&g, ",");
        kb_i(&g, p->stride_w);
        kb_s(&g, " dil=");
        kb_i(&g, p->dilation_h);
        kb_s(&g, ",");
        kb_i(&g, p->dilation_w);
        kb_s(&g, " pad=");
        kb_i(&g, p->pad_h);
        kb_s(&g, ",");
        kb_i(&g, p->pad_w);
        kb_s(&g, " in_off=");
        kb_i(&g, p->input_offset);
        kb_s(&g, " out_off=");
        kb_i(&g, p->output_offset);
        kb_s(&g, " act=");
        kb_i(&g, p->act_min);
        kb_s(&g, ",");
        kb_i(&g, p->act_max);
    }
    memcpy(geometry, g.buf, (size_t)g.len + 1);
}

/* Both outputs pre-filled with different bytes (an output byte the kernel leaves unwritten mismatches), a guard
 * after the optimised one (a write past the end mismatches). */
static void prepare_outputs(int32_t n)
{
    memset(out_ref, 0x5A, (size_t)n);
    memset(out_opt, 0xA5, (size_t)n);
    memset(out_opt + n, 0x5A, GUARD);
}

static void compare(tally *t, int32_t c, int32_t n)
{
    int reported = 0;
    for (int32_t i = 0; i < n + GUARD; ++i) {
        const int8_t want = i < n ? out_ref[i] : (int8_t)0x5A;
        if (out_opt[i] != want) {
            ++t->mismatches;
            if (reported++ < 3) report_mismatch(t->name, c, i, geometry);
        }
    }
    t->ref_sum = kb_fnv(t->ref_sum, out_ref, n);
    t->opt_sum = kb_fnv(t->opt_sum, out_opt, n);
    t->bytes += n;
    t->cases++;
}

static void summary(const tally *t)
{
    kb_s(&line, "kcheck ");
    kb_s(&line, t->name);
    kb_s(&line, " cases=");
    kb_i(&line, t->cases);
    kb_s(&line, " bytes=");
    kb_i(&line, t->bytes);
    kb_s(&line, " mismatches=");
    kb_i(&line, t->mismatches);
    kb_s(&line, " ref=");
    kb_x(&line, t->ref_sum);
    kb_s(&line, " opt=");
    kb_x(&line, t->opt_sum);
    kb_line_end(&line);
}

typedef void conv_kernel(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                         tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output);

/* Offsets, data and scales for a drawn geometry, then the reference and the optimised kernel on them. */
static void conv_case(tally *t, int32_t c, kb_rng *r, tr_conv_params *p, tr_shape4 in, tr_shape4 flt, tr_shape4 out,
                      conv_kernel *ref, conv_kernel *opt)
{
    conv_offsets(r, p);
    fill(r, in_buf, in.n * in.h * in.w * in.c);
    fill(r, w_buf, flt.n * flt.h * flt.w * flt.c);
    const int32_t *bias = fill_bias(r, out.c);
    const int k3 = kb_range(r, 0, 5), wild = model_like ? 0 : k3 < 2 ? 1 : k3 == 2 ? 2 : 0;
    for (int32_t k = 0; k < out.c; ++k) pick_quant(r, wild, &mult_buf[k], &shift_buf[k]);
    for (int32_t k = 0; dead_channels && k < out.c; ++k) {
        const int32_t d = kb_range(r, 0, 15);
        if (d == 0) {
            mult_buf[k] = 0; /* TFLite's multiplier for a scale below 2^-32 */
            shift_buf[k] = kb_range(r, -3, 0);
        } else if (d < 5 && bias) { /* a dead channel: bias near +-2^30, a tiny scale, mostly pruned (zero weights) */
            bias_buf[k] = (kb_range(r, 0, 1) ? 1 : -1) * ((1 << 30) - kb_range(r, 0, 1 << 12));
            shift_buf[k] = -kb_range(r, 24, 31);
            if (kb_range(r, 0, 3)) memset(w_buf + k * flt.h * flt.w * flt.c, 0, (size_t)(flt.h * flt.w * flt.c));
        } else if (d < 8) { /* a pruned channel with an ordinary bias and scale */
            memset(w_buf + k * flt.h * flt.w * flt.c, 0, (size_t)(flt.h * flt.w * flt.c));
        }
    }
    for (int32_t k = 0; large_drawn && k < out.c; ++k) shift_buf[k] = -kb_range(r, 19, 26);
    /* shifts at and just past the ends of the fast requantisations' ranges (-1, -22; -23, 0: the general path) */
    static const int32_t edges[4] = {-1, -22, -23, 0};
    for (int32_t k = 0; edge_shifts && k < out.c; ++k)
        if (kb_range(r, 0, 15) == 0) shift_buf[k] = edges[kb_range(r, 0, edge_shifts > 1 ? 3 : 1)];
    const tr_per_channel q = {mult_buf, shift_buf};
    const int32_t n = out.n * out.h * out.w * out.c;
    describe("", in, flt, out, p);
    prepare_outputs(n);
    ref(p, &q, in, in_buf, flt, w_buf, bias, out, out_ref);
    opt(p, &q, in, in_buf, flt, w_buf, bias, out, out_opt);
    compare(t, c, n);
}

static void check_conv(tally *t)
{
    kb_rng r = {0x1234567u};
    for (int32_t c = 0; c < CASES; ++c) {
        tr_conv_params p = {0};
        tr_shape4 in, flt, out;
        do {
            flt.n = pick_channels(&r);
        } while (!conv_geometry(&r, &p, &in, &flt, &out, pick_channels(&r), flt.n));
        p.depth_multiplier = 1;
        conv_case(t, c, &r, &p, in, flt, out, tr_conv_s8_ref, tr_conv_s8);
    }
    /* Shapes the geometry above rarely draws and the models use, with their own path in conv_s8_mve.c: 1x1 filters at
     * stride 1 without padding over 8 or a multiple of 16 input channels (two channels by three pixels), any pixel and
     * output channel count (odd ones and pixel counts not a multiple of 3 take its tails). */
    for (int32_t c = CASES; c < CASES + CASES / 5; ++c) {
        tr_conv_params p = {0};
        const int32_t n = kb_range(&r, 1, 2), h = kb_range(&r, 1, 7), w = kb_range(&r, 1, 7), ic = kb_range(&r, 0, 3) == 0 ? 8 : 16 * kb_range(&r, 1, 6);
        const int32_t oc = kb_range(&r, 1, 40);
        const tr_shape4 in = {n, h, w, ic}, flt = {oc, 1, 1, ic}, out = {n, h, w, oc};
        p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
        p.depth_multiplier = 1;
        conv_case(t, c, &r, &p, in, flt, out, tr_conv_s8_ref, tr_conv_s8);
    }
    /* An image's first layer (conv_s8_3x3c3_dsp.c on the M4): 3x3 filters over three input channels, output channels
     * mostly multiples of eight, strides 1 and 2, SAME and VALID padding and one more on either side (border pixels
     * on every edge), sizes 1-14, trained-like scales with the fast range's end shifts (three cases in four; the
     * fourth any scales, and some shifts past the range: the general kernel), activation clamps in a third. */
    for (int32_t c = CASES + CASES / 5; c < CASES + CASES / 5 + C3_CASES; ++c) {
        tr_conv_params p = {0};
        tr_shape4 in, flt, out;
        const int trained = kb_range(&r, 0, 3) != 0;
        do {
            const int32_t oc = kb_range(&r, 0, 4) ? 8 * kb_range(&r, 1, 3) : kb_range(&r, 1, 12);
            in.n = kb_range(&r, 1, 2);
            in.h = kb_range(&r, 1, 14);
            in.w = kb_range(&r, 1, 14);
            in.c = flt.c = 3;
            flt.n = out.c = oc;
            flt.h = flt.w = 3;
            p.stride_h = kb_range(&r, 1, 2);
            p.stride_w = kb_range(&r, 1, 2);
            p.dilation_h = p.dilation_w = kb_range(&r, 0, 9) == 0 ? 2 : 1;
            const int same = kb_range(&r, 0, 3) != 0 || in.h < 3 || in.w < 3;
            out.n = in.n;
            out.h = out_size(same, in.h, 3, p.stride_h, p.dilation_h, &p.pad_h);
            out.w = out_size(same, in.w, 3, p.stride_w, p.dilation_w, &p.pad_w);
            if (kb_range(&r, 0, 3) == 0) p.pad_h += kb_range(&r, 0, 1);
            if (kb_range(&r, 0, 3) == 0) p.pad_w += kb_range(&r, 0, 1);
        } while (in.n * in.h * in.w * in.c > IN_MAX || out.n * out.h * out.w * out.c > OUT_MAX ||
                 out.n * out.h * out.w * out.c * 27 > MAC_MAX || out.h < 1 || out.w < 1);
        p.depth_multiplier = 1;
        model_like = trained;
        model_clamps = kb_range(&r, 0, 2) == 0;
        edge_shifts = trained ? 1 : 2;
        conv_case(t, c, &r, &p, in, flt, out, tr_conv_s8_ref, tr_conv_s8);
        model_like = model_clamps = edge_shifts = 0;
    }
}

/* Pointwise layers for conv_1x1_s8_dsp.c, like the official vww01's, counted with the conv cases: the whole int8
 * clamp, dead and pruned channels and channels of multiplier 0 (dead_channels), odd pixel and output channel counts,
 * input channels not a multiple of 4, one case in three at strides 2-3 (as ResNet shortcuts, ic01's), and, one case in
 * four, 256 input channels over 16-24 pixels and 21-48 output channels: the widened filter split into chunks, and from
 * 20 pixels the widened input into bands too. */
#define POINTWISE_CASES 300 /* after the conv cases, in their tally */
static void check_pointwise(tally *t)
{
    kb_rng r = {0x3A5C7E1u};
    model_like = dead_channels = 1;
    for (int32_t c = 0; c < POINTWISE_CASES;) {
        tr_conv_params p = {0};
        const int big = kb_range(&r, 0, 3) == 0;
        const int32_t ic = big ? 256 : kb_range(&r, 0, 1) ? kb_range(&r, 1, 13) : 8 * kb_range(&r, 1, 16);
        const int32_t h = big ? kb_range(&r, 4, 6) : kb_range(&r, 1, 8), w = big ? 4 : kb_range(&r, 1, 6);
        const int32_t oc = big ? kb_range(&r, 21, 48) : kb_range(&r, 1, 70);
        const int32_t sh = kb_range(&r, 0, 2) ? 1 : kb_range(&r, 2, 3), sw = sh == 1 ? 1 : kb_range(&r, 1, 3);
        const int32_t ih = (h - 1) * sh + kb_range(&r, 1, sh), iw = (w - 1) * sw + kb_range(&r, 1, sw);
        if (ih * iw * ic > IN_MAX || oc * ic > W_MAX || h * w * oc > OUT_MAX || h * w * oc * ic > MAC_MAX) continue;
        const tr_shape4 in = {1, ih, iw, ic}, flt = {oc, 1, 1, ic}, out = {1, h, w, oc};
        p.stride_h = sh;
        p.stride_w = sw;
        p.dilation_h = p.dilation_w = 1;
        p.depth_multiplier = 1;
        conv_case(t, t->cases, &r, &p, in, flt, out, tr_conv_s8_ref, tr_conv_s8);
        ++c;
    }
    model_like = dead_channels = 0;
}

static void check_depthwise(tally *t)
{
    kb_rng r = {0x2345678u};
    for (int32_t c = 0; c < CASES; ++c) {
        tr_conv_params p = {0};
        tr_shape4 in, flt, out;
        int32_t ic, dm;
        do {
            ic = pick_channels(&r);
            const int k = kb_range(&r, 0, 9);
            dm = k < 6 ? 1 : k < 8 ? 2 : kb_range(&r, 3, 4);
        } while (!conv_geometry(&r, &p, &in, &flt, &out, ic, ic * dm) || ic * dm > CH_MAX);
        flt.n = 1;
        flt.c = ic * dm;
        p.depth_multiplier = dm;
        large_biases = 1;
        conv_case(t, c, &r, &p, in, flt, out, tr_depthwise_conv_s8_ref, tr_depthwise_conv_s8);
        large_biases = 0;
    }
    /* Then layers like the models' depthwise ones: 3x3 filters at stride 1 or 2, SAME or VALID padding (so output rows
     * whose top or bottom filter row reads padding only), channels mostly multiples of four, sizes 1-9 (3x3 and 6x6
     * among them), whole int8 range: the kernel's assembly paths for every such row. */
    model_like = 1;
    for (int32_t c = CASES; c < CASES + MODEL_CASES; ++c) {
        tr_conv_params p = {0};
        tr_shape4 in, flt, out;
        do {
            const int32_t ic = kb_range(&r, 0, 3) ? 4 * kb_range(&r, 1, 16) : kb_range(&r, 1, 40);
            in.n = 1;
            in.h = kb_range(&r, 1, 9);
            in.w = kb_range(&r, 1, 9);
            in.c = flt.c = out.c = ic;
            flt.n = 1;
            flt.h = flt.w = 3;
            p.stride_h = p.stride_w = kb_range(&r, 1, 2);
            p.dilation_h = p.dilation_w = 1;
            const int same = kb_range(&r, 0, 3) != 0 || in.h < 3 || in.w < 3;
            out.n = 1;
            out.h = out_size(same, in.h, 3, p.stride_h, 1, &p.pad_h);
            out.w = out_size(same, in.w, 3, p.stride_w, 1, &p.pad_w);
        } while (in.h * in.w * in.c > IN_MAX || out.h * out.w * out.c > OUT_MAX);
        p.depth_multiplier = 1;
        conv_case(t, c, &r, &p, in, flt, out, tr_depthwise_conv_s8_ref, tr_depthwise_conv_s8);
    }
    /* Then 3x3 filters at stride 1 or 2 along the width and 1x5 ones at stride 2 (vww's, kws's and vibration's), any
     * stride down the height: the DSP kernel's pair path, its odd and even left and right padding, widths from 1 to
     * 40, channel counts that are multiples of four and of eight (its loop of two groups) and some that are not (the
     * general path), activation clamps in a third. */
    for (int32_t c = CASES + MODEL_CASES; c < CASES + MODEL_CASES + PAIR_CASES; ++c) {
        tr_conv_params p = {0};
        tr_shape4 in, flt, out;
        do {
            const int32_t ic = kb_range(&r, 0, 4) ? 4 * kb_range(&r, 1, 20) : kb_range(&r, 1, 40);
            const int wide = kb_range(&r, 0, 1); /* the 1x5 */
            in.n = kb_range(&r, 1, 2);
            in.h = wide ? kb_range(&r, 1, 3) : kb_range(&r, 1, 9);
            in.w = kb_range(&r, 1, 40);
            in.c = flt.c = out.c = ic;
            flt.n = 1;
            flt.h = wide ? 1 : 3;
            flt.w = wide ? 5 : 3;
            p.stride_h = kb_range(&r, 1, 2);
            p.stride_w = wide ? 2 : kb_range(&r, 1, 2);
            p.dilation_h = p.dilation_w = 1;
            const int same = kb_range(&r, 0, 3) != 0 || in.h < flt.h || in.w < flt.w;
            out.n = in.n;
            out.h = out_size(same, in.h, flt.h, p.stride_h, 1, &p.pad_h);
            out.w = out_size(same, in.w, flt.w, p.stride_w, 1, &p.pad_w);
            if (kb_range(&r, 0, 3) == 0) p.pad_w += kb_range(&r, 0, 1); /* odd and even left padding for either size */
        } while (in.n * in.h * in.w * in.c > IN_MAX || out.n * out.h * out.w * out.c > OUT_MAX);
        p.depth_multiplier = 1;
        model_clamps = kb_range(&r, 0, 2) == 0;
        conv_case(t, c, &r, &p, in, flt, out, tr_depthwise_conv_s8_ref, tr_depthwise_conv_s8);
        model_clamps = 0;
    }
    model_like = 0;
}

static void check_fully_connected(tally *t)
{
    kb_rng r = {0x3456789u};
    for (int32_t c = 0; c < CASES; ++c) {
        int32_t batches, in_depth, out_depth;
        do {
            batches = kb_range(&r, 1, 3);
            in_depth = kb_range(&r, 0, 7) == 0 ? 640 : kb_range(&r, 0, 3) == 0 ? kb_range(&r, 1, 8) : kb_range(&r, 1, 300);
            out_depth = kb_range(&r, 1, 40);
        } while (batches * in_depth > IN_MAX || in_depth * out_depth > W_MAX);
        tr_fc_params p;
        p.input_offset = -pick_zp(&r);
        p.filter_offset = kb_range(&r, 0, 4) == 0 ? kb_range(&r, -128, 127) : 0; /* int8 weights are symmetric */
        p.output_offset = pick_zp(&r);
        int32_t m, s;
        pick_quant(&r, kb_range(&r, 0, 2) == 0, &m, &s);
        p.multiplier = m;
        p.shift = s;
        const int per_channel = kb_range(&r, 0, 1); /* one multiplier and shift per output row */
        p.channel_multiplier = per_channel ? mult_buf : NULL;
        p.channel_shift = per_channel ? shift_buf : NULL;
        for (int32_t k = 0; per_channel && k < out_depth; ++k) pick_quant(&r, kb_range(&r, 0, 2) == 0, &mult_buf[k], &shift_buf[k]);
        pick_act(&r, p.output_offset, &p.act_min, &p.act_max);
        fill(&r, in_buf, batches * in_depth);
        fill(&r, w_buf, in_depth * out_depth);
        const int32_t *bias = fill_bias(&r, out_depth);
        const int32_t n = batches * out_depth;
        kb_line g = {{0}, 0};
        kb_s(&g, "batches=");
        kb_i(&g, batches);
        kb_s(&g, " in=");
        kb_i(&g, in_depth);
        kb_s(&g, " out=");
        kb_i(&g, out_depth);
        kb_s(&g, " in_off=");
        kb_i(&g, p.input_offset);
        kb_s(&g, " w_off=");
        kb_i(&g, p.filter_offset);
        kb_s(&g, per_channel ? " per-channel" : " per-tensor");
        memcpy(geometry, g.buf, (size_t)g.len + 1);
        prepare_outputs(n);
        tr_fully_connected_s8_ref(&p, batches, in_depth, in_buf, out_depth, w_buf, bias, out_ref);
        tr_fully_connected_s8(&p, batches, in_depth, in_buf, out_depth, w_buf, bias, out_opt);
        compare(t, c, n);
    }
}

/* A scale as a model's: a mantissa in [1, 2) times 2^-e, e in [1, 10]. */
static double pick_scale(kb_rng *r) { return (1.0 + kb_range(r, 0, 999) / 1000.0) / (double)(1 << kb_range(r, 1, 10)); }

/* ADD: one shape (half the cases: the kernel's contiguous run) or numpy broadcasting, parameters made from random
 * scales as the runtime makes them (runtime/model.c); a third of the cases take a wild output multiplier (the
 * requantisation's slow and large-shift forms). */
static void check_add(tally *t)
{
    kb_rng r = {0x456789Au};
    for (int32_t c = 0; c < CASES; ++c) {
        tr_broadcast bc;
        int32_t na, nb, n;
        const int same = kb_range(&r, 0, 1);
        do {
            const int32_t hi[TR_BROADCAST_DIMS] = {2, 2, 2, 8, 8, 48};
            int32_t step_a = 1, step_b = 1;
            for (int d = TR_BROADCAST_DIMS - 1; d >= 0; --d) {
                bc.dims[d] = kb_range(&r, 1, hi[d]);
                const int a1 = !same && kb_range(&r, 0, 3) == 0, b1 = !same && !a1 && kb_range(&r, 0, 3) == 0;
                bc.a_stride[d] = a1 ? 0 : step_a;
                bc.b_stride[d] = b1 ? 0 : step_b;
                step_a *= a1 ? 1 : bc.dims[d];
                step_b *= b1 ? 1 : bc.dims[d];
            }
            na = step_a;
            nb = step_b;
            n = tr_broadcast_size(&bc);
        } while (n > OUT_MAX);
        if (same) bc = (tr_broadcast){{1, 1, 1, 1, 1, n}, {0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 1}};
        tr_add_params p;
        const double sa = pick_scale(&r), sb = pick_scale(&r), so = pick_scale(&r);
        const double twice_max = 2.0 * (sa > sb ? sa : sb);
        int s;
        p.left_shift = 20;
        tr_quantize_multiplier(sa / twice_max, &p.input1_multiplier, &s);
        p.input1_shift = s;
        tr_quantize_multiplier(sb / twice_max, &p.input2_multiplier, &s);
        p.input2_shift = s;
        tr_quantize_multiplier(twice_max / ((double)(1 << 20) * so), &p.output_multiplier, &s);
        p.output_shift = s;
        if (kb_range(&r, 0, 2) == 0) pick_quant(&r, 1, &p.output_multiplier, &p.output_shift);
        p.input1_offset = -pick_zp(&r);
        p.input2_offset = -pick_zp(&r);
        p.output_offset = pick_zp(&r);
        pick_act(&r, p.output_offset, &p.act_min, &p.act_max);
        fill(&r, in_buf, na);
        fill(&r, w_buf, nb);
        kb_line g = {{0}, 0};
        kb_s(&g, "out=");
        for (int d = 0; d < 4; ++d) {
            if (d) kb_s(&g, "x");
            kb_i(&g, bc.dims[d]);
        }
        kb_s(&g, same ? " one shape" : " broadcast");
        kb_s(&g, " out_shift=");
        kb_i(&g, p.output_shift);
        kb_s(&g, " act=");
        kb_i(&g, p.act_min);
        kb_s(&g, ",");
        kb_i(&g, p.act_max);
        memcpy(geometry, g.buf, (size_t)g.len + 1);
        prepare_outputs(n);
        tr_add_s8_ref(&p, &bc, in_buf, w_buf, out_ref);
        tr_add_s8(&p, &bc, in_buf, w_buf, out_opt);
        compare(t, c, n);
    }
}

int main(void)
{
    kb_init();
    kb_s(&line, "kcheck kernels=");
    kb_s(&line, TR_KERNELS_NAME);
    kb_line_end(&line);
    tally conv = {"conv", 0, 0, 0, KB_FNV_INIT, KB_FNV_INIT};
    tally dw = {"depthwise", 0, 0, 0, KB_FNV_INIT, KB_FNV_INIT};
    tally fc = {"fully_connected", 0, 0, 0, KB_FNV_INIT, KB_FNV_INIT};
    tally add = {"add", 0, 0, 0, KB_FNV_INIT, KB_FNV_INIT};
    check_conv(&conv);
    check_pointwise(&conv);
    summary(&conv);
    check_depthwise(&dw);
    summary(&dw);
    check_fully_connected(&fc);
    summary(&fc);
    check_add(&add);
    summary(&add);
    const int64_t bad = conv.mismatches + dw.mismatches + fc.mismatches + add.mismatches;
    kb_s(&line, "kcheck done mismatches=");
    kb_i(&line, bad);
    kb_line_end(&line);
    kb_exit(bad ? 1 : 0);
    return 0;
}
