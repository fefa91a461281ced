/* CONV_2D with the Cortex-M DSP extension for 3x3 filters over three input channels (an image's first layer: vww's
 * 96x96x3 -> 48x48x8 at stride 2). Same bits as conv_s8.c; conv_s8_dsp.c hands such calls here first and takes back
 * the ones this does not (tr_conv_s8_3x3c3_dsp returns 0).
 *
 * The receptive field is 27 values, each row of it nine bytes in a row of the input (three pixels of three
 * channels). The general kernel gathers and widens it as 16-bit values for four pixels and walks the filter per
 * channel: 2.62 instructions per MAC on vww's first layer. Here eight output channels are accumulated in registers
 * for one pixel at a time, everything else at fixed offsets from one base register (the scratch):
 *  - the field, per row, as two LDRs and an LDRSB of the input and four SXTB16: (b0,b2), (b1,b3), (b4,b6), (b5,b7),
 *    and the rows' ninth bytes as (r0, r1) and (r2, junk): fourteen words (the input offset is not added: it is folded
 *    into the biases as input_offset * the channel's sum of weights, and padding, on the border pixels only, is
 *    written as -input_offset, which then contributes nothing, as in the reference);
 *  - the filter, once per call, as the matching pairs of doubled weights (the ninth column's second word has weight
 *    0 in its top half), eight channels side by side per word of the field: per two words of the field one LDRD of
 *    the field, four LDRDs of the filter and sixteen SMLADs, 25 instructions for 32 MACs;
 *  - the requantisation as depthwise_conv_s8_dsp.c's dw_rq_fast on the doubled accumulator (the weights and bias are
 *    doubled: one SMMLAR, its constants (m, K, e) per channel by one LDM), stored as bytes.
 * About 270 instructions per pixel of eight channels, 1.25 per MAC. Interior pixels gather in assembly, one call per
 * run of them; a border pixel's field is first copied with its padding into nine-byte rows, then gathered alike.
 * Eight channels at a time (out.c a multiple of 8), whole int8 range or a clamp inside it (a pass over the outputs at
 * the end, clamp_s8_dsp.h), every channel in dw_rq_fast's range
 * (|bias + input_offset * sum| < 2^28, shifts -1..-22, multipliers > 0): others take the general kernel.
 * Written for issue 14's metric, executed instructions: the LDRDs and the (m, K, e) LDMs count once each, where on
 * silicon they take about one cycle per word plus one (not measured in cycles here). */
#include "tr_kernels.h"
#if defined(TR_KERNELS_DSP) && defined(__ARM_FEATURE_DSP)
#include "clamp_s8_dsp.h"
#include "scratch.h"

typedef uint32_t __attribute__((may_alias, aligned(4))) c3_word;

/* The scratch, in bytes from its start (the assembly's immediate offsets). */
enum {
    C3_FIELD = 0,     /* 14 words: the field (see above) */
    C3_IN = 56,       /* the next interior pixel's input */
    C3_COUNT = 60,    /* pixels left in the run */
    C3_BIAS = 64,     /* 8 doubled biases (with the input offset's share) */
    C3_RQ = 96,       /* 8 x (m, K, e) */
    C3_FILTER = 192,  /* 14 x 8 words: field word k, channel c at C3_FILTER + 32k + 4c */
    C3_ROW = 640,     /* bytes from one input row to the next */
    C3_IN_STEP = 644, /* bytes from one pixel's input to the next's */
    C3_OUT_STEP = 648,/* bytes from one output pixel to the next */
    C3_BYTES = 652
};
_Static_assert(C3_BYTES <= TR_SCRATCH_BYTES, "the 3x3 x 3 kernel's scratch");

/* The field's words k and k+1 times the filter's (16 SMLADs into a0..a7). */
#define C3_PAIR(k)                                                            \
    "ldrd %[x0], %[x1], [%[B], #4*" #k "]\n\t"                               \
    "ldrd %[w0], %[w1], [%[B], #192+32*" #k "]\n\t"                          \
    "smlad %[a0], %[x0], %[w0], %[a0]\n\t"                                   \
    "smlad %[a1], %[x0], %[w1], %[a1]\n\t"                                   \
    "ldrd %[w0], %[w1], [%[B], #192+32*" #k "+8]\n\t"                        \
    "smlad %[a2], %[x0], %[w0], %[a2]\n\t"                                   \
    "smlad %[a3], %[x0], %[w1], %[a3]\n\t"                                   \
    "ldrd %[w0], %[w1], [%[B], #192+32*" #k "+16]\n\t"                       \
    "smlad %[a4], %[x0], %[w0], %[a4]\n\t"                                   \
    "smlad %[a5], %[x0], %[w1], %[a5]\n\t"                                   \
    "ldrd %[w0], %[w1], [%[B], #192+32*" #k "+24]\n\t"                       \
    "smlad %[a6], %[x0], %[w0], %[a6]\n\t"                                   \
    "smlad %[a7], %[x0], %[w1], %[a7]\n\t"                                   \
    "ldrd %[w0], %[w1], [%[B], #192+32*" #k "+32]\n\t"                       \
    "smlad %[a0], %[x1], %[w0], %[a0]\n\t"                                   \
    "smlad %[a1], %[x1], %[w1], %[a1]\n\t"                                   \
    "ldrd %[w0], %[w1], [%[B], #192+32*" #k "+40]\n\t"                       \
    "smlad %[a2], %[x1], %[w0], %[a2]\n\t"                                   \
    "smlad %[a3], %[x1], %[w1], %[a3]\n\t"                                   \
    "ldrd %[w0], %[w1], [%[B], #192+32*" #k "+48]\n\t"                       \
    "smlad %[a4], %[x1], %[w0], %[a4]\n\t"                                   \
    "smlad %[a5], %[x1], %[w1], %[a5]\n\t"                                   \
    "ldrd %[w0], %[w1], [%[B], #192+32*" #k "+56]\n\t"                       \
    "smlad %[a6], %[x1], %[w0], %[a6]\n\t"                                   \
    "smlad %[a7], %[x1], %[w1], %[a7]\n\t"
/* Channel c's output: (m, K, e) by one LDM from x1 (into w0, w1, x0: ascending registers), stored at o + c. */
#ifdef TR_ROUNDING_SINGLE
#define C3_RQ(a, c)                                                           \
    "ldmia %[x1]!, {%[w0], %[w1], %[x0]}\n\t"                                 \
    "smmla %[w1], %[" a "], %[w0], %[w1]\n\t"                                \
    "asr %[w1], %[w1], %[x0]\n\t"                                            \
    "ssat %[w1], #8, %[w1]\n\t"                                              \
    "strb %[w1], [%[o], #" #c "]\n\t"
#else
#define C3_RQ(a, c)                                                           \
    "ldmia %[x1]!, {%[w0], %[w1], %[x0]}\n\t"                                 \
    "add %[w1], %[w1], %[" a "], asr #31\n\t"                                \
    "smmlar %[w1], %[" a "], %[w0], %[w1]\n\t"                               \
    "asr %[w1], %[w1], %[x0]\n\t"                                            \
    "ssat %[w1], #8, %[w1]\n\t"                                              \
    "strb %[w1], [%[o], #" #c "]\n\t"
#endif
/* One pixel from the field at B: biases, 7 pairs of field words, the eight outputs at o, o stepped on. */
#define C3_PIXEL                                                              \
    "ldrd %[a0], %[a1], [%[B], #64]\n\t"                                     \
    "ldrd %[a2], %[a3], [%[B], #72]\n\t"                                     \
    "ldrd %[a4], %[a5], [%[B], #80]\n\t"                                     \
    "ldrd %[a6], %[a7], [%[B], #88]\n\t"                                     \
    C3_PAIR(0) C3_PAIR(2) C3_PAIR(4) C3_PAIR(6) C3_PAIR(8) C3_PAIR(10) C3_PAIR(12) \
    "add %[x1], %[B], #96\n\t"                                                \
    C3_RQ("a0", 0) C3_RQ("a1", 1) C3_RQ("a2", 2) C3_RQ("a3", 3)              \
    C3_RQ("a4", 4) C3_RQ("a5", 5) C3_RQ("a6", 6) C3_RQ("a7", 7)              \
    "ldr %[w0], [%[B], #648]\n\t"                                            \
    "add %[o], %[o], %[w0]\n\t"
/* One row of the field from the input at `src` into field words 4r..4r+3; its ninth byte left in `nine`. */
#define C3_GATHER_ROW(src, r, nine)                                           \
    "ldr %[a0], [%[" src "]]\n\t"                                            \
    "ldr %[a1], [%[" src "], #4]\n\t"                                        \
    "ldrsb %[" nine "], [%[" src "], #8]\n\t"                                \
    "sxtb16 %[a2], %[a0]\n\t"                                                \
    "sxtb16 %[a0], %[a0], ror #8\n\t"                                        \
    "strd %[a2], %[a0], [%[B], #16*" #r "]\n\t"                              \
    "sxtb16 %[a2], %[a1]\n\t"                                                \
    "sxtb16 %[a1], %[a1], ror #8\n\t"                                        \
    "strd %[a2], %[a1], [%[B], #16*" #r "+8]\n\t"

#define C3_OPERANDS                                                                                                  \
    : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [a4] "=&r"(a4), [a5] "=&r"(a5),              \
      [a6] "=&r"(a6), [a7] "=&r"(a7), [x0] "=&r"(x0), [x1] "=&r"(x1), [w0] "=&r"(w0), [w1] "=&r"(w1), [o] "+r"(o)   \
    : [B] "r"(B)                                                                                                     \
    : "cc", "memory"

/* `count` interior pixels from the input at B[C3_IN] (gathered here) to o; returns o past them. */
__attribute__((noinline)) static int8_t *c3_run(const c3_word *B, int8_t *o)
{
    /* (m, K, e) in ascending registers for the LDMs: w0, w1, x0 */
    register uint32_t w0 __asm__("r8"), w1 __asm__("r9"), x0 __asm__("r10");
    int32_t a0, a1, a2, a3, a4, a5, a6, a7;
    uint32_t x1;
    __asm__ volatile("0:\n\t"
                     "ldr %[a7], [%[B], #56]\n\t"
                     "ldr %[a3], [%[B], #640]\n\t"
                     C3_GATHER_ROW("a7", 0, "a4")
                     "add %[a7], %[a7], %[a3]\n\t"
                     C3_GATHER_ROW("a7", 1, "a5")
                     "add %[a7], %[a7], %[a3]\n\t"
                     C3_GATHER_ROW("a7", 2, "a6")
                     "pkhbt %[a4], %[a4], %[a5], lsl #16\n\t"
                     "strd %[a4], %[a6], [%[B], #48]\n\t"
                     "ldr %[a7], [%[B], #56]\n\t"
                     "ldr %[a3], [%[B], #644]\n\t"
                     "add %[a7], %[a7], %[a3]\n\t"
                     "str %[a7], [%[B], #56]\n\t"
                     C3_PIXEL
                     "ldr %[w0], [%[B], #60]\n\t"
                     "subs %[w0], %[w0], #1\n\t"
                     "str %[w0], [%[B], #60]\n\t"
                     "bne 0b"
                     C3_OPERANDS);
    return o;
}

static inline uint32_t pair16(int32_t lo, int32_t hi) { return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16); }

/* The field index (ky * 9 + kx * 3 + ci) of the low and high halves of field word k (see above; -1: none). */
static inline int32_t field_index(int32_t k, int half)
{
    static const int8_t lo[14] = {0, 1, 4, 5, 9, 10, 13, 14, 18, 19, 22, 23, 8, 26};
    static const int8_t hi[14] = {2, 3, 6, 7, 11, 12, 15, 16, 20, 21, 24, 25, 17, -1};
    return half ? hi[k] : lo[k];
}

/* A border pixel's field as three rows of nine bytes, padding as -input_offset (which then contributes nothing),
 * for c3_run to gather as an interior pixel's with rows 9 bytes apart. */
static void border_field(int8_t field[28], const int8_t *input, tr_shape4 in, int32_t b, int32_t iy0, int32_t ix0,
                         int8_t pad_value)
{
    for (int32_t ky = 0; ky < 3; ++ky)
        for (int32_t kx = 0; kx < 3; ++kx) {
            const int32_t iy = iy0 + ky, ix = ix0 + kx;
            int8_t *to = field + ky * 9 + kx * 3;
            if (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) {
                const int8_t *px = input + ((b * in.h + iy) * in.w + ix) * 3;
                to[0] = px[0];
                to[1] = px[1];
                to[2] = px[2];
            } else {
                to[0] = to[1] = to[2] = pad_value;
            }
        }
}

int tr_conv_s8_3x3c3_dsp(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                         tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output)
{
    if (filter.h != 3 || filter.w != 3 || in.c != 3 || filter.c != 3 || (out.c & 7) || out.c < 8 ||
        p->dilation_h != 1 || p->dilation_w != 1 || p->input_offset < -127 ||
        p->input_offset > 128) /* the padding, -input_offset, is an int8 in the border pixels' fields */
        return 0;
    /* the whole int8 range, or a clamp inside it (a pass over the outputs at the end: clamp_s8_dsp.h) */
    const int full = p->act_min <= -128 && p->act_max >= 127;
    if (!full && (p->act_min < -128 || p->act_max > 127 || p->act_min > p->act_max)) return 0;
    c3_word *const B = (c3_word *)(void *)tr_kernel_scratch;
    /* every channel in dw_rq_fast's range first (nothing written before the answer is known) */
    for (int32_t c = 0; c < out.c; ++c) {
        int32_t sum = 0;
        for (int32_t f = 0; f < 27; ++f) sum += weights[c * 27 + f];
        const int64_t bb = (int64_t)(bias ? bias[c] : 0) + (int64_t)p->input_offset * sum;
        const int32_t m = q->multiplier[c], shift = q->shift[c];
        /* |accumulator| <= |bb| + 27 * 128 * 128 < 2^29 (dw_prepare's bound), as are |bb| < 2^28 ones */
        if (bb >= (1 << 28) || bb <= -(1 << 28) || m <= 0 || shift > -1 || shift < -22) return 0;
    }
    const int8_t pad_value = (int8_t)-p->input_offset;
    int8_t field[28] __attribute__((aligned(4)));
    B[C3_ROW / 4] = (uint32_t)(in.w * 3);
    B[C3_IN_STEP / 4] = (uint32_t)(p->stride_w * 3);
    B[C3_OUT_STEP / 4] = (uint32_t)out.c;
    for (int32_t c0 = 0; c0 < out.c; c0 += 8) {
        for (int32_t i = 0; i < 8; ++i) { /* biases and requantisation constants (see dw_prepare) */
            const int32_t c = c0 + i;
            const int8_t *w = weights + c * 27;
            int32_t sum = 0;
            for (int32_t f = 0; f < 27; ++f) sum += w[f];
            const int32_t e = -q->shift[c];
            B[C3_BIAS / 4 + i] = (uint32_t)(2 * ((bias ? bias[c] : 0) + p->input_offset * sum));
            B[C3_RQ / 4 + 3 * i] = (uint32_t)q->multiplier[c];
            B[C3_RQ / 4 + 3 * i + 1] = (1u << (e - 1)) + ((uint32_t)p->output_offset << e);
            B[C3_RQ / 4 + 3 * i + 2] = (uint32_t)e;
            for (int32_t k = 0; k < 14; ++k) {
                const int32_t h = field_index(k, 1);
                B[C3_FILTER / 4 + 8 * k + i] = pair16(2 * w[field_index(k, 0)], h < 0 ? 0 : 2 * w[h]);
            }
        }
        for (int32_t b = 0; b < out.n; ++b)
            for (int32_t oy = 0; oy < out.h; ++oy) {
                const int32_t iy0 = oy * p->stride_h - p->pad_h;
                int8_t *o = output + ((b * out.h + oy) * out.w) * out.c + c0;
                /* interior pixels: ix0 = ox * stride - pad_w in [0, in.w - 3] */
                int32_t lo = 0, hi = 0;
                if (iy0 >= 0 && iy0 + 3 <= in.h && in.w >= 3) {
                    lo = (p->pad_w + p->stride_w - 1) / p->stride_w;
                    hi = (in.w - 3 + p->pad_w) / p->stride_w + 1;
                    if (hi > out.w) hi = out.w;
                    if (lo > hi) lo = hi;
                }
                for (int32_t ox = 0; ox < out.w; ++ox) {
                    if (ox == lo && hi > lo) {
                        B[C3_IN / 4] = (uint32_t)(uintptr_t)(input + ((b * in.h + iy0) * in.w + lo * p->stride_w -
                                                                      p->pad_w) * 3);
                        B[C3_COUNT / 4] = (uint32_t)(hi - lo);
                        o = c3_run(B, o);
                        ox = hi - 1;
                        continue;
                    }
                    border_field(field, input, in, b, iy0, ox * p->stride_w - p->pad_w, pad_value);
                    B[C3_IN / 4] = (uint32_t)(uintptr_t)field;
                    B[C3_COUNT / 4] = 1;
                    B[C3_ROW / 4] = 9;
                    o = c3_run(B, o);
                    B[C3_ROW / 4] = (uint32_t)(in.w * 3);
                }
            }
    }
    if (!full) tr_clamp_s8_dsp(output, out.n * out.h * out.w * out.c, p->act_min, p->act_max);
    return 1;
}
#endif
