/* CONV_2D with the Cortex-M DSP extension. Same bits as conv_s8.c.
 *
 * Four output pixels at a time: their receptive fields are gathered (im2col) and widened into the shared scratch as
 * 16-bit values with the input offset already added (padding becomes 0, which contributes nothing, as in the
 * reference), laid out so that one LDRD gives a pixel's four consecutive values as the pairs SMLAD multiplies,
 * (x0,x2) and (x1,x3). Then, one output channel at a time, each word of four filter bytes is read once,
 * sign-extended into the same pairs by SXTB16 and SXTB16 ROR #8, and used for the four pixels: 16 MACs cost one
 * weight load, 2 SXTB16, 4 LDRD and 8 SMLAD, plus the loop branch every 32 MACs, so the dot products run at about
 * one instruction per MAC. (Two channels by two pixels needs one more instruction per 16 MACs and all 14 registers,
 * which left the code around it spilling.) Requantisation is requant_fast.h's, with the per-channel constants
 * prepared once per call (per CHUNK channels) in the scratch too, and 7 instructions an output.
 * Filters whose receptive field does not fit the scratch take a plain SMLAD dot product per output (dot_s8_dsp.h). */
#include "tr_kernels.h"
#if defined(TR_KERNELS_DSP) && defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#include "dot_s8_dsp.h"
#include "quant_math.h"
#include "requant_fast.h"
#include "im2col_s8.h"
#include "scratch.h"

typedef int16_t __attribute__((may_alias)) tr_half;

/* Scratch: the constants of CHUNK channels, PIXELS rows of CHUNK outputs (a short last group's), then four 16-bit
 * columns of K values, K bytes (one gathered receptive field) and, when it fits, the band (see field_ctx). */
#define PIXELS 4
#define CHUNK 64
#define FIXED_BYTES (CHUNK * (int32_t)sizeof(tr_rq_channel) + PIXELS * CHUNK)
#define COL_K_MAX (((TR_SCRATCH_BYTES - FIXED_BYTES) / (2 * PIXELS + 1)) & ~7)

static inline uint32_t sxtb16_ror8(uint32_t v)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v)); /* one instruction; __sxtb16(__ror(v, 8)) may be two */
    return r;
}

/* K gathered bytes into column px as 16-bit values plus the input offset. Column layout: group g of four values
 * (k = 4g..4g+3) is 2 * PIXELS words, pixel 0's (x0,x2),(x1,x3), then pixel 1's, ...; the K % 4 leftover values
 * follow as PIXELS halfwords each. */
static void widen(const int8_t *bytes, int32_t K, int32_t offset, tr_half *col, int32_t px)
{
    const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
    const int32_t groups = K >> 2;
    tr_word *dst = (tr_word *)col + px * 2;
    const tr_word *src = (const tr_word *)bytes;
    for (int32_t g = groups; g > 0; --g, dst += 2 * PIXELS) {
        const uint32_t v = *src++;
        dst[0] = __sadd16(__sxtb16(v), offset2);
        dst[1] = __sadd16(sxtb16_ror8(v), offset2);
    }
    tr_half *tail = col + groups * 4 * PIXELS + px;
    for (int32_t k = groups * 4; k < K; ++k, tail += PIXELS) *tail = (int16_t)(bytes[k] + offset);
}

/* Four bytes at a time into column words (dst advances a group, 2 * PIXELS words, per word read). In assembly, two
 * words a turn with post-indexed LDR (unaligned words are fine on v7E-M) and STRD: 7 instructions a word, where the
 * compiler's loop took 10 (ResNet-8 widens 115,200 words a field this way). */
#define WIDEN_WORD                                   \
    "ldr %[v], [%[src]], #4\n\t"                    \
    "sxtb16 %[lo], %[v]\n\t"                        \
    "sxtb16 %[v], %[v], ror #8\n\t"                 \
    "sadd16 %[lo], %[lo], %[off]\n\t"               \
    "sadd16 %[v], %[v], %[off]\n\t"                 \
    "strd %[lo], %[v], [%[dst]], #32\n\t"
static inline __attribute__((always_inline)) void widen_words(const int8_t *src, int32_t words, uint32_t offset2,
                                                              tr_word *dst)
{
    _Static_assert(2 * PIXELS * 4 == 32, "WIDEN_WORD steps dst by one group of 2 * PIXELS words");
    uint32_t v, lo;
    if (words & 1)
        __asm__ volatile(WIDEN_WORD : [src] "+r"(src), [dst] "+r"(dst), [v] "=&r"(v), [lo] "=&r"(lo)
                         : [off] "r"(offset2) : "memory");
    for (int32_t pairs = words >> 1; pairs > 0;)
        __asm__ volatile("1:\n\t" WIDEN_WORD WIDEN_WORD "subs %[n], %[n], #1\n\tbne 1b"
                         : [src] "+r"(src), [dst] "+r"(dst), [v] "=&r"(v), [lo] "=&r"(lo), [n] "+r"(pairs)
                         : [off] "r"(offset2) : "cc", "memory");
}

/* Where a pixel's receptive field is read from. When a filter row is a whole number of words and undilated, the
 * rows are widened straight from their source, without the gathered copy: from the input when no pixel's field
 * crosses the left or right edge, otherwise from the band, a copy of the output row's input rows with the
 * horizontal padding written out (built once per output row, so a pixel at the edge costs what one inside does).
 * Undilated rows of other lengths (3 channels: 9 bytes) are copied from the band, then widened. Dilated filters, or a
 * band too large for the scratch, gather byte by byte with bounds checks. The field may be padded to K (a multiple
 * of 4, with the filter repacked alike) by zero-point bytes, which contribute nothing. */
typedef struct {
    gather_ctx g;
    int32_t mode;     /* 0: widen from the input, 1: from the band, 2: gather then widen, 3: copy from the band */
    band_ctx band;
    int8_t *bytes;    /* gathered field (modes 2, 3) */
    int32_t K, field; /* values widened (a multiple of 4 when the filter is repacked), of them in the field */
    uint32_t offset2; /* the input offset in both halfwords */
} field_ctx;

static inline __attribute__((always_inline)) void field(field_ctx *f, int32_t b, int32_t oy, int32_t ox, tr_half *col,
                                                         int32_t px)
{
    const gather_ctx *g = &f->g;
    if (f->mode >= 2) {
        if (f->mode == 2) {
            gather(g, b, oy, ox, f->bytes);
        } else {
            band_gather(&f->band, g, b, oy, ox, f->bytes);
        }
        fill_bytes(f->bytes + f->field, g->zp, f->K - f->field);
        widen(f->bytes, f->K, (int16_t)f->offset2, col, px);
        return;
    }
    const int32_t words = g->row >> 2;
    tr_word *dst = (tr_word *)col + px * 2;
    if (f->mode == 1) {
        const int8_t *src = band_pixel(&f->band, g, b, oy, ox);
        if (words == 1) { /* one word per filter row (10x4 over one channel): no inner loop */
            for (int32_t fy = g->f_h; fy > 0; --fy, src += f->band.row, dst += 2 * PIXELS) widen_words(src, 1, f->offset2, dst);
            return;
        }
        for (int32_t fy = g->f_h; fy > 0; --fy, src += f->band.row, dst += words * 2 * PIXELS)
            widen_words(src, words, f->offset2, dst);
        return;
    }
    const int32_t iy0 = oy * g->stride_h - g->pad_h;
    const int8_t *src = g->input + ((b * g->in_h + iy0) * g->in_w + ox * g->stride_w) * g->in_c;
    for (int32_t fy = 0, iy = iy0; fy < g->f_h; ++fy, iy += g->dil_h, src += g->dil_h * g->line, dst += words * 2 * PIXELS) {
        if ((uint32_t)iy < (uint32_t)g->in_h) {
            widen_words(src, words, f->offset2, dst);
        } else {
            for (int32_t w = 0; w < words; ++w) dst[w * 2 * PIXELS] = dst[w * 2 * PIXELS + 1] = 0;
        }
    }
}

/* The eight SMLADs of a group of four values by four pixels (column words c, the first pixel's pair already in
 * x02/x13; w02/w the weights' pairs). */
#define SMLAD_4X1                                   \
    "smlad %[a0], %[w02], %[x02], %[a0]\n\t"        \
    "smlad %[a0], %[w], %[x13], %[a0]\n\t"          \
    "ldrd %[x02], %[x13], [%[c], #-24]\n\t"         \
    "smlad %[a1], %[w02], %[x02], %[a1]\n\t"        \
    "smlad %[a1], %[w], %[x13], %[a1]\n\t"          \
    "ldrd %[x02], %[x13], [%[c], #-16]\n\t"         \
    "smlad %[a2], %[w02], %[x02], %[a2]\n\t"        \
    "smlad %[a2], %[w], %[x13], %[a2]\n\t"          \
    "ldrd %[x02], %[x13], [%[c], #-8]\n\t"          \
    "smlad %[a3], %[w02], %[x02], %[a3]\n\t"        \
    "smlad %[a3], %[w], %[x13], %[a3]\n\t"
/* One group of four values, one channel (weights w0) by four pixels (column words c). */
#define GROUP_4X1                                   \
    "ldr %[w], [%[w0]], #4\n\t"                     \
    "ldrd %[x02], %[x13], [%[c]], #32\n\t"          \
    "sxtb16 %[w02], %[w]\n\t"                       \
    "sxtb16 %[w], %[w], ror #8\n\t" SMLAD_4X1
/* GROUP_4X1 with the filter widened beforehand: one LDRD gives the pairs SXTB16 made. */
#define GROUP_4X1W                                  \
    "ldrd %[w02], %[w], [%[w0]], #8\n\t"            \
    "ldrd %[x02], %[x13], [%[c]], #32\n\t" SMLAD_4X1
#define OPERANDS_4X1                                                                                                 \
    [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w0] "+r"(w0), [c] "+r"(c), [w] "=&r"(w), \
        [w02] "=&r"(w02), [x02] "=&r"(x02), [x13] "=&r"(x13)

/* Dot products of `groups` groups of one channel with four columns; acc[] holds the bias on entry. The loop is
 * written in assembly so that its registers (11) and its two-group unrolling are what is measured. */
static inline __attribute__((always_inline)) const int8_t *mac_4x1(const int8_t *w0, const tr_word *c, int32_t groups,
                                                                  int32_t acc[PIXELS])
{
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    uint32_t w, w02, x02, x13;
    if (groups & 1) __asm__(GROUP_4X1 : OPERANDS_4X1 : : "memory");
    if (groups >> 1) {
        const tr_word *end = c + (groups >> 1) * 4 * PIXELS;
        __asm__("1:\n\t" GROUP_4X1 GROUP_4X1 "cmp %[c], %[end]\n\tbne 1b"
                : OPERANDS_4X1
                : [end] "r"(end)
                : "cc", "memory");
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
    return w0;
}

/* What channels_4x1 reads from memory (its 14 registers are all taken). */
typedef struct {
    const tr_word *col, *col_end; /* the four columns; groups * 8 words */
    int8_t *d_end;                /* one past the last channel of pixel 0 */
    int32_t stride;               /* bytes from one pixel's outputs to the next */
    int32_t odd;                  /* groups is odd */
    int32_t offset;               /* the output offset (mode 3) */
} channels_ctx;

/* One requantised output (requant_fast.h, mode 0): acc in register a, channel constants in m, hi, rs; the value
 * before the clamp is left in c (OUT_CORE), then saturated (OUT_4X1). Single rounding (TR_ROUNDING_SINGLE) starts from
 * the constant alone (low word 0, high word hi). */
#ifdef TR_ROUNDING_SINGLE
#define OUT_CORE(a)                                  \
    "mov %[x13], #0\n\t"                             \
    "mov %[c], %[w02]\n\t"                           \
    "smlal %[x13], %[c], %[" a "], %[w]\n\t"         \
    "asr %[c], %[c], %[x02]\n\t"
#else
#define OUT_CORE(a)                                  \
    "and %[x13], %[" a "], #0x80000000\n\t"          \
    "orr %[x13], %[x13], #0x40000000\n\t"            \
    "add %[c], %[w02], %[" a "], asr #31\n\t"        \
    "smlal %[x13], %[c], %[" a "], %[w]\n\t"         \
    "asr %[c], %[c], %[x02]\n\t"
#endif
#define OUT_4X1(a) OUT_CORE(a) "ssat %[c], #8, %[c]\n\t"
/* The same with the output offset added after the shift (mode 3: constants without the offset, requant_fast.h's
 * second form for every channel), the offset in register a0 once a0's own output is done. */
#define OUT_4X1P(a) OUT_CORE(a) "add %[c], %[c], %[a0]\n\t" "ssat %[c], #8, %[c]\n\t"

/* The four outputs of a channel, stored at d, d + stride, d + 2 stride, d + 3 stride (stride in register end). */
#define STORE_4X1                                                  \
        OUT_4X1("a0") "strb %[c], [%[d]]\n\t"                     \
        OUT_4X1("a1") "strb %[c], [%[d], %[end]]\n\t"             \
        "add %[a0], %[d], %[end]\n\t"                             \
        OUT_4X1("a2") "strb %[c], [%[a0], %[end]]\n\t"            \
        "add %[a0], %[a0], %[end]\n\t"                            \
        OUT_4X1("a3") "strb %[c], [%[a0], %[end]]\n\t"
#define STORE_4X1P                                                 \
        OUT_CORE("a0")                                             \
        "ldr %[a0], [%[s], #20]\n\t" /* the output offset */       \
        "add %[c], %[c], %[a0]\n\t"                               \
        "ssat %[c], #8, %[c]\n\t"                                 \
        "strb %[c], [%[d]]\n\t"                                   \
        OUT_4X1P("a1") "strb %[c], [%[d], %[end]]\n\t"            \
        OUT_4X1P("a2") "add %[x13], %[d], %[end], lsl #1\n\t"     \
        "strb %[c], [%[x13]]\n\t"                                 \
        OUT_4X1P("a3") "add %[x13], %[d], %[end], lsl #1\n\t"     \
        "strb %[c], [%[x13], %[end]]\n\t"

/* Every channel of a group of four pixels, entirely in assembly, for the common case (every channel has the fast
 * requantisation, the clamp is the whole int8 range, K is a multiple of 4): per channel the bias, the dot products
 * (GROUP_4X1), and four outputs of 7 instructions, with the loop's bookkeeping in the 3 registers the dot products
 * leave free. From C, the code around the dot products spilled and reloaded about 20 values per channel.
 * r: channel constants (tr_rq_channel: bias, multiplier, hi, rshift); d: pixel 0's output for the first channel. */
#define CHANNELS_4X1_ASM(GROUP, STORE) \
        "0:\n\t" \
        "ldr %[a0], [%[r]], #16\n\t" /* bias; r moves to the next channel */ \
        "mov %[a1], %[a0]\n\t" \
        "mov %[a2], %[a0]\n\t" \
        "mov %[a3], %[a0]\n\t" \
        "ldrd %[c], %[end], [%[s]]\n\t" \
        "ldr %[w], [%[s], #16]\n\t" \
        "cmp %[w], #0\n\t" \
        "beq 1f\n\t" \
        GROUP \
        "cmp %[c], %[end]\n\t" \
        "beq 2f\n\t" \
        "1:\n\t" GROUP GROUP \
        "cmp %[c], %[end]\n\t" \
        "bne 1b\n\t" \
        "2:\n\t" \
        "ldrd %[w], %[w02], [%[r], #-12]\n\t" /* multiplier, hi */ \
        "ldr %[x02], [%[r], #-4]\n\t"         /* rshift */ \
        "ldr %[end], [%[s], #12]\n\t"         /* stride */ \
        STORE \
        "add %[d], %[d], #1\n\t" \
        "ldr %[w], [%[s], #8]\n\t" \
        "cmp %[d], %[w]\n\t" \
        "bne 0b"

static inline __attribute__((always_inline)) void channels_4x1(const void *w0, const tr_rq_channel *r, int8_t *d,
                                                               const channels_ctx *s, int wide, int post)
{
    int32_t a0, a1, a2, a3;
    const tr_word *c, *end;
    uint32_t w, w02, x02, x13;
#define CHANNELS_4X1_OPERANDS                                                                                        \
    : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [w0] "+r"(w0), [r] "+r"(r), [d] "+r"(d),      \
      [c] "=&r"(c), [end] "=&r"(end), [w] "=&r"(w), [w02] "=&r"(w02), [x02] "=&r"(x02), [x13] "=&r"(x13)            \
    : [s] "r"(s)                                                                                                     \
    : "cc", "memory"
    if (wide && post) __asm__ volatile(CHANNELS_4X1_ASM(GROUP_4X1W, STORE_4X1P) CHANNELS_4X1_OPERANDS);
    else if (wide) __asm__ volatile(CHANNELS_4X1_ASM(GROUP_4X1W, STORE_4X1) CHANNELS_4X1_OPERANDS);
    else if (post) __asm__ volatile(CHANNELS_4X1_ASM(GROUP_4X1, STORE_4X1P) CHANNELS_4X1_OPERANDS);
    else __asm__ volatile(CHANNELS_4X1_ASM(GROUP_4X1, STORE_4X1) CHANNELS_4X1_OPERANDS);
#undef CHANNELS_4X1_OPERANDS
}

/* Requantised, offset and clamped. mode 0: every channel of the chunk has the fast form and the clamp is the whole
 * int8 range (SSAT alone); 1: fast form, narrower clamp; 2: any channel. */
static inline int8_t finish(int32_t acc, const tr_rq_channel *ch, int32_t shift, const tr_conv_params *p, int mode)
{
    int32_t v = mode == 2 ? tr_rq(acc, ch, shift, p->output_offset) : tr_rq_fast(acc, ch);
    v = __ssat(v, 8);
    if (mode != 0) v = tr_clamp(v, p->act_min, p->act_max);
    return (int8_t)v;
}

/* Output channels [c0, c1) of every pixel; `mode` (finish) is a constant in each of the three copies the compiler
 * makes. */
static inline __attribute__((always_inline)) void conv_chunk(const tr_conv_params *p, const tr_per_channel *q,
                                                             tr_shape4 in, const int8_t *input, tr_shape4 filter,
                                                             const int8_t *weights, int32_t K, tr_shape4 out,
                                                             int8_t *output, const tr_rq_channel *chan, int32_t c0,
                                                             int32_t c1, int32_t scratch_end, const tr_word *wide,
                                                             int mode)
{
    /* K: values per channel in `weights` (the field, or the field padded to a multiple of 4 by repacking) */
    const int32_t groups = K >> 2, tail = K & 3;
    int8_t *rows = (int8_t *)tr_kernel_scratch + CHUNK * sizeof(tr_rq_channel) - c0; /* indexed by channel */
    tr_half *col = (tr_half *)((int8_t *)tr_kernel_scratch + FIXED_BYTES);
    const tr_half *col_tail = col + groups * 4 * PIXELS;
    const int32_t pixels = out.n * out.h * out.w;
    field_ctx f;
    f.g = (gather_ctx){input,       in.h,        in.w,          in.c,          filter.h,      filter.w,
                       p->stride_h, p->stride_w, p->pad_h,      p->pad_w,      p->dilation_h, p->dilation_w,
                       filter.w * in.c, in.w * in.c, (int8_t)-p->input_offset};
    f.K = K;
    f.field = filter.h * filter.w * in.c;
    f.offset2 = ((uint32_t)p->input_offset & 0xFFFFu) | ((uint32_t)p->input_offset << 16);
    f.bytes = (int8_t *)(col + PIXELS * K);
    int8_t *band = f.bytes + ((K + 3) & ~3);
    const int band_fits = band_init(&f.band, &f.g, out.w, band, scratch_end - (int32_t)(band - (int8_t *)tr_kernel_scratch));
    const int word_rows = p->dilation_w == 1 && (f.g.row & 3) == 0 && K == f.field;
    if (word_rows && p->pad_w == 0 && f.band.pad_right == 0) f.mode = 0;
    else if (band_fits) f.mode = word_rows ? 1 : 3;
    else f.mode = 2;
    int32_t b = 0, oy = 0, ox = 0; /* coordinates of the next pixel */
    for (int32_t px = 0; px < pixels; px += PIXELS) {
        const int32_t n = pixels - px < PIXELS ? pixels - px : PIXELS;
        for (int32_t i = 0; i < n; ++i) {
            field(&f, b, oy, ox, col, i);
            if (++ox == out.w) {
                ox = 0;
                if (++oy == out.h) {
                    oy = 0;
                    ++b;
                }
            }
        }
        if ((mode == 0 || mode == 3) && tail == 0 && groups > 0) {
            /* a short last group writes into rows of the scratch first, copied out below */
            const channels_ctx ctx = {(const tr_word *)col, (const tr_word *)col + groups * 2 * PIXELS,
                                      (n == PIXELS ? output + px * out.c : rows) + c1, n == PIXELS ? out.c : CHUNK,
                                      groups & 1, p->output_offset};
            if (wide) channels_4x1(wide, chan, (n == PIXELS ? output + px * out.c : rows) + c0, &ctx, 1, mode == 3);
            else channels_4x1(weights + c0 * K, chan, (n == PIXELS ? output + px * out.c : rows) + c0, &ctx, 0, mode == 3);
            for (int32_t i = 0; n < PIXELS && i < n; ++i) copy_bytes(output + (px + i) * out.c + c0, rows + i * CHUNK + c0, c1 - c0);
            continue;
        }
        /* A missing pixel (the last group of an odd count) has its outputs stored to pixel 0's place before pixel
         * 0's own are: its column holds stale values and its results are overwritten. */
        int8_t *d = output + px * out.c + c0;
        const int32_t o1 = n > 1 ? out.c : 0, o2 = n > 2 ? 2 * out.c : 0, o3 = n > 3 ? 3 * out.c : 0;
        const int8_t *w0 = weights + c0 * K;
        const tr_rq_channel *r = chan;
        for (int32_t oc = c0; oc < c1; ++oc, ++d, ++r) {
            const tr_rq_channel rc = *r;
            int32_t acc[PIXELS] = {rc.bias, rc.bias, rc.bias, rc.bias};
            w0 = mac_4x1(w0, (const tr_word *)col, groups, acc);
            int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
            for (int32_t j = 0; j < tail; ++j, ++w0) {
                const int32_t wj = *w0;
                a0 += wj * col_tail[j * PIXELS];
                a1 += wj * col_tail[j * PIXELS + 1];
                a2 += wj * col_tail[j * PIXELS + 2];
                a3 += wj * col_tail[j * PIXELS + 3];
            }
            /* all four computed before any store: an int8 store may alias the constants, which would be reloaded */
            const int32_t shift = mode == 2 ? q->shift[oc] : 0;
            const int8_t v0 = finish(a0, &rc, shift, p, mode), v1 = finish(a1, &rc, shift, p, mode);
            const int8_t v2 = finish(a2, &rc, shift, p, mode), v3 = finish(a3, &rc, shift, p, mode);
            d[o3] = v3;
            d[o2] = v2;
            d[o1] = v1;
            d[0] = v0;
        }
    }
}

/* Filters too large for the scratch: one SMLAD dot product per output and filter row. */
static void conv_direct(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                        tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output)
{
    for (int32_t b = 0; b < out.n; ++b)
        for (int32_t oy = 0; oy < out.h; ++oy)
            for (int32_t ox = 0; ox < out.w; ++ox) {
                const int32_t in_y0 = oy * p->stride_h - p->pad_h;
                const int32_t in_x0 = ox * p->stride_w - p->pad_w;
                for (int32_t oc = 0; oc < out.c; ++oc) {
                    int32_t acc = 0;
                    for (int32_t fy = 0; fy < filter.h; ++fy) {
                        const int32_t iy = in_y0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in.h) continue;
                        for (int32_t fx = 0; fx < filter.w; ++fx) {
                            const int32_t ix = in_x0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in.w) continue;
                            acc = tr_dot_s8_dsp(input + ((b * in.h + iy) * in.w + ix) * in.c,
                                                weights + ((oc * filter.h + fy) * filter.w + fx) * filter.c, in.c,
                                                p->input_offset, acc);
                        }
                    }
                    if (bias) acc += bias[oc];
                    acc = tr_mul_by_quantized_multiplier(acc, q->multiplier[oc], q->shift[oc]) + p->output_offset;
                    output[((b * out.h + oy) * out.w + ox) * out.c + oc] = (int8_t)tr_clamp(acc, p->act_min, p->act_max);
                }
            }
}

void tr_conv_s8_dsp(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                    tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output)
{
    if (tr_conv_s8_3x3c3_dsp(p, q, in, input, filter, weights, bias, out, output)) return; /* an image's first layer */
    int32_t K = filter.h * filter.w * in.c;
    if (K > COL_K_MAX) {
        conv_direct(p, q, in, input, filter, weights, bias, out, output);
        return;
    }
    if (filter.h == 1 && filter.w == 1 && tr_conv_1x1_s8_dsp(p, q, in, input, filter, weights, bias, out, output)) return;
    /* A field length that is not a multiple of 4 (3 channels: 27 values) would leave a few values per channel to a
     * slow tail loop: when the filter is small enough, it is repacked at the end of the scratch with each channel
     * padded by zero weights to a multiple of 4 (the field is padded to match). */
    int32_t scratch_end = TR_SCRATCH_BYTES;
    const int32_t K4 = (K + 3) & ~3;
    if (K4 != K && (FIXED_BYTES + (2 * PIXELS + 1) * K4 + out.c * K4 + 64 <= TR_SCRATCH_BYTES)) {
        scratch_end = (TR_SCRATCH_BYTES - out.c * K4) & ~7;
        int8_t *packed = (int8_t *)tr_kernel_scratch + scratch_end;
        for (int32_t oc = 0; oc < out.c; ++oc) {
            copy_bytes(packed + oc * K4, weights + oc * K, K);
            fill_bytes(packed + oc * K4 + K, 0, K4 - K);
        }
        weights = packed;
        K = K4;
    }
    tr_rq_channel *chan = (tr_rq_channel *)(void *)tr_kernel_scratch;
    const int full = p->act_min <= -128 && p->act_max >= 127;
    /* 1x1 filters (no band to keep): the chunk's filter widened once at the end of the scratch, which saves the two
     * SXTB16 of every group of four weights in the assembly loop; chunks shrink to what fits (the columns are
     * gathered again per chunk, K / 4 words a pixel against the chunk's K MACs a pixel and channel). Widening a
     * weight costs about what it saves at two pixel groups, so layers of few pixels keep the plain loop. */
    int32_t step = CHUNK, wide_channels = 0;
    if (filter.h == 1 && filter.w == 1 && (K & 3) == 0 && K > 0 && out.n * out.h * out.w >= 8 * PIXELS) {
        const int32_t room = scratch_end - FIXED_BYTES - (2 * PIXELS + 1) * K - 64;
        wide_channels = room > 0 ? (room / (2 * K)) & ~3 : 0;
        if (wide_channels > CHUNK) wide_channels = CHUNK;
        if (wide_channels >= 8 || wide_channels >= out.c) step = wide_channels;
        else wide_channels = 0;
    } else if ((K & 3) == 0 && K > 0 && out.c <= CHUNK && p->dilation_w == 1 && out.n * out.h * out.w >= 8 * PIXELS) {
        /* Larger filters: widened too when the whole filter fits beside the columns and the band (band_init's size),
         * so that no field is gathered twice (ResNet-8's 3x3 16->16 layers at 32x32: 1.30 -> 1.17 instr/MAC). */
        const int32_t reach = (out.w - 1) * p->stride_w + filter.w;
        const int32_t pad_right = reach - p->pad_w - in.w > 0 ? reach - p->pad_w - in.w : 0;
        const int32_t band = (p->pad_w + in.w + pad_right) * in.c * filter.h;
        const int32_t room = scratch_end - FIXED_BYTES - (2 * PIXELS + 1) * K - ((K + 3) & ~3) - band - 64;
        if (2 * K * out.c <= room) wide_channels = out.c;
    }
    for (int32_t c0 = 0; c0 < out.c; c0 += step) {
        const int32_t c1 = out.c - c0 < step ? out.c : c0 + step;
        int all_fast = 1, all_rq = 1;
        for (int32_t oc = c0; oc < c1; ++oc) {
            tr_rq_prepare(&chan[oc - c0], bias ? bias[oc] : 0, q->multiplier[oc], q->shift[oc], p->output_offset);
            all_fast &= chan[oc - c0].rshift >= 0;
            all_rq &= chan[oc - c0].rshift != -1;
        }
        /* mode 3: some channel has requant_fast.h's second form (e in [25, 31], the offset added after the shift; the
         * official vww01 has them in 9 of its 14 pointwise layers), every channel one of the two, the whole int8
         * clamp and the assembly loop's K: every channel's constants lose the offset (the first form's hi less
         * offset * 2^(e-1), the same floor), and the assembly adds it after the shift. */
        int mode = all_fast ? (full ? 0 : 1) : 2;
        if (mode == 2 && all_rq && full && (K & 3) == 0 && K > 0) {
            mode = 3;
            for (tr_rq_channel *c = chan; c != chan + (c1 - c0); ++c) {
                if (c->rshift >= 0) c->hi = (int32_t)((uint32_t)c->hi - ((uint32_t)p->output_offset << c->rshift));
                else c->rshift = -c->rshift;
            }
        }
        if (mode == 0 || mode == 3) {
            int32_t end = scratch_end;
            tr_word *wide = NULL;
            if (wide_channels) {
                end = (scratch_end - (c1 - c0) * 2 * K) & ~7;
                wide = (tr_word *)(void *)((int8_t *)tr_kernel_scratch + end);
                const int8_t *src = weights + c0 * K;
                for (tr_word *w = wide, *w_end = wide + (c1 - c0) * K / 2; w != w_end; w += 2, src += 4) {
                    uint32_t v;
                    __builtin_memcpy(&v, src, 4); /* an unaligned LDR */
                    w[0] = __sxtb16(v);
                    w[1] = sxtb16_ror8(v);
                }
            }
            if (mode == 0) conv_chunk(p, q, in, input, filter, weights, K, out, output, chan, c0, c1, end, wide, 0);
            else conv_chunk(p, q, in, input, filter, weights, K, out, output, chan, c0, c1, end, wide, 3);
        } else if (mode == 1) {
            conv_chunk(p, q, in, input, filter, weights, K, out, output, chan, c0, c1, scratch_end, NULL, 1);
        } else {
            conv_chunk(p, q, in, input, filter, weights, K, out, output, chan, c0, c1, scratch_end, NULL, 2);
        }
    }
}
#endif
