/* DEPTHWISE_CONV_2D with the Cortex-M DSP extension. Same bits as depthwise_conv_s8.c.
 *
 * Two paths. The pair path (depthwise_pairs, below the general one) takes the 3x3 at strides 1 and 2 along the
 * width and the 1x5 at stride 2, channels a multiple of four: two taps of a channel per SMLAD, from a band of pairs
 * of input columns, two pixels of two channels a turn (2.1-2.7 instructions per MAC on the reference models' layers,
 * 3.5 at most on their smallest). The general path, described next, takes the other calls.
 *
 * Depthwise products are per channel, so SMLAD (which adds two products into one accumulator) needs two taps of one
 * channel side by side. That formulation (the band widened channel by channel so that one word holds two adjacent
 * taps, the filter packed in matching pairs, channels as the outer loop) was built and measured with
 * bench/kernels.ts on mps2-an386: 5.99 and 6.92 instructions per MAC on its two depthwise layers, against 5.90 and
 * 6.61 for this kernel (six weight pairs and the requantisation constants do not fit the registers together).
 * Two output pixels per weight load (eight accumulators, TAP for both pixels of a 3x3 row) was measured too: 6.55
 * instead of 5.90 instructions per MAC on kws/1 and slower on every vww depthwise layer (the accumulators, two band
 * pointers and the weight pair do not fit the registers, so the loop spills).
 * So four channels are multiplied at once with SMLABB/SMLATT on 16-bit halves, and all widening is done once,
 * outside the tap loop:
 *  - the filter, once per call, into 16-bit pairs (2w0,2w2),(2w1,2w3) per four channels and tap (doubled: see the
 *    requantisation below);
 *  - the input rows an output row reads (the band), as x in the same pairs (the input offset is folded into the
 *    biases as input_offset * the channel's sum of weights), with the padding written out as -input_offset (which
 *    then contributes nothing, as in the reference). The band keeps filter-height rows and, moving to the next output
 *    row, widens only the input rows it does not hold yet; its padding columns and a slot of padding only (for the
 *    rows above and below the input) are written once per chunk.
 * A tap of four channels is then two LDRDs and four multiply-accumulates, with no bounds checks. The undilated 3x3
 * at strides 1 and 2 runs a whole output row of every group in assembly (row3x3), and leaves out the top or bottom
 * filter row where it reads padding only (biases that hold the padding's share stand in for it). On layers with few
 * output pixels per channel (the 6x6 and 3x3 ones) the per-call set-up weighs as much as the taps, so it is written
 * for few instructions too (prepare_usual, widen_filter, pad_band).
 * Requantisation (dw_rq_fast below) is one SMMLAR on a doubled accumulator: the filter is widened as 2w and the bias
 * doubled, so the accumulator holds 2a and SMMLAR(2a, m, K) = floor((a*m + 2^30) / 2^31) + K, which is gemmlowp's
 * SRDHM exactly (its nudge and truncating division come to that floor; no saturation, since 2a is never INT32_MIN
 * times a negative m). The rounding division by 2^e that follows rounds half away from zero:
 * floor((h + 2^(e-1) - [h < 0]) / 2^e), where [h < 0] may be read as [a < 0] (they differ only at h = 0, where both
 * give 0), and the output offset joins K as offset * 2^e. Seven instructions an output, against nine for
 * requant_fast.h's SMLAL form (whose 64-bit rounding constant needs three to build). Channels outside its range (shifts
 * of -23 and below add the offset after the shift; left shifts, and accumulators that could reach 2^29, take the
 * reference arithmetic) are handled per channel in the generic path. Per group of four channels, one block holds
 * everything besides the band: biases, requantisation constants, the widened filter and the assembly path's steps.
 * Channels are processed in chunks that fit the scratch; depth multipliers other than 1, filters taller than MAX_FH
 * and biases that could overflow the doubled accumulator take the reference kernel. */
#include "tr_kernels.h"
#if defined(TR_KERNELS_DSP) && defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#include <string.h>
#include "clamp_s8_dsp.h"
#include "quant_math.h"
#include "scratch.h"

typedef uint32_t __attribute__((may_alias, aligned(4))) tr_word;
typedef uint64_t __attribute__((may_alias, aligned(8))) tr_dword; /* two words at once: LDRD / STRD */

#define MAX_FH 8

/* A group's block, in words: the doubled biases, (multiplier, K) per channel, e per channel (dw_prepare), the
 * assembly path's steps (row3x3), then the filter widened to (2w0,2w2),(2w1,2w3) per tap. */
enum {
    BK_BIAS = 0,
    BK_MK = 4,
    BK_E = 12,
    BK_OUT_STEP = 16,   /* bytes from one output pixel to the next */
    BK_BAND_NEXT = 17,  /* bytes from the end of a band row to the next group's start */
    BK_OUT_NEXT = 18,   /* the same for the output row */
    BK_PIXELS = 19,     /* output pixels of a row */
    BK_LAST = 20,       /* 1 on the chunk's last full group */
    BK_FILTER = 22,
    BK_SUM = BK_MK + 1, /* (set-up only) channel i's sum of weights, in its K word: BK_SUM + 2i */
    BK_TRIPLET = BK_MK  /* the pair path's (m, K, e) of channel i: BK_TRIPLET + 3i (its offset's share in K first) */
};
#define BLOCK_WORDS(taps) (BK_FILTER + 2 * (taps))
/* row3x3's blocks (the undilated 3x3) add the biases for output rows whose top or bottom filter row reads padding only */
enum { BK_BIAS_NO_TOP = 40, BK_BIAS_NO_BOTTOM = 44, BLOCK3X3_WORDS = 48 };
enum { ROWS_ALL_ONES, ROWS_NO_TOP_ONES, ROWS_NO_BOTTOM_ONES };

static inline uint32_t sxtb16_ror8(uint32_t v)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v)); /* one instruction; __sxtb16(__ror(v, 8)) may be two */
    return r;
}

/* Bytes v[0..3] (channels c..c+3) as the 16-bit pairs (v0,v2),(v1,v3). */
static inline void widen4(const int8_t *v, int32_t avail, tr_word *dst)
{
    uint32_t x;
    if (avail >= 4) {
        memcpy(&x, v, 4);
    } else { /* a last group of fewer than four channels: the missing ones read as 0 */
        x = 0;
        for (int32_t i = 0; i < avail; ++i) x |= (uint32_t)(uint8_t)v[i] << (8 * i);
    }
    dst[0] = __sxtb16(x);
    dst[1] = sxtb16_ror8(x);
}

/* The requantisation (see the top of the file): acc2 = 2a, k = K (2^(e-1) + offset * 2^e, or 2^(e-1) alone for the
 * large shifts), e >= 1. */
static inline int32_t dw_rq_fast(int32_t acc2, int32_t m, int32_t k, int32_t e)
{
    int32_t h;
#ifdef TR_ROUNDING_SINGLE
    /* one rounding: (a*m + 2^(30+e)) >> (31+e) = floor((floor(2am / 2^32) + 2^(e-1)) / 2^e) */
    __asm__("smmla %0, %1, %2, %3" : "=r"(h) : "r"(acc2), "r"(m), "r"(k));
#else
    __asm__("smmlar %0, %1, %2, %3" : "=r"(h) : "r"(acc2), "r"(m), "r"(k + (acc2 >> 31)));
#endif
    return h >> e;
}

/* Channel i of a block: the doubled bias and its requantisation constants. Returns 1 for the fast form with the offset
 * in K (e in [1, 22]), 0 for another (e < 0: shifts -23..-31, the offset added after the shift; e = 0: the reference
 * arithmetic on acc2 / 2), -1 if the doubled accumulator could overflow. The bounds: |a| <= |bias + input_offset *
 * sum_w| + taps * 128 * 128 (the band holds x, the offset is in the bias); below 2^29, |h| + |K| < 2^31 for e <= 22.
 * Biases within +-2^28 with at most 255 taps are always below that bound (|input_offset * sum_w| and the taps' share
 * are below 2^23 each), so the common case is decided in 32 bits (dw_prepare_usual), the set-up's cost on small
 * layers. */
static int dw_prepare(tr_word *blk, int32_t i, int32_t bias, int32_t sum_w, int32_t m, int32_t shift,
                      const tr_conv_params *p, int32_t taps)
{
    const int64_t b = (int64_t)bias + (int64_t)p->input_offset * sum_w;
    const int64_t bound = (b < 0 ? -b : b) + (int64_t)taps * 128 * 128;
    if (bound >= (1 << 30)) return -1;
    int32_t e = 0, k = 0;
    if (bound < (1 << 29) && m >= 0) {
        if (m == 0) shift = -1; /* 0 + offset whatever the shift: the e = 1 form */
        if (shift <= -1 && shift >= -22) {
            e = -shift;
            k = (int32_t)((1u << (e - 1)) + ((uint32_t)p->output_offset << e));
        } else if (shift <= -23 && shift >= -31 && m > 0) {
            e = shift; /* negative: the offset is added after the shift */
            k = (int32_t)(1u << (-shift - 1));
        }
    }
    blk[BK_BIAS + i] = (uint32_t)(2 * b);
    blk[BK_MK + 2 * i] = (uint32_t)m;
    blk[BK_MK + 2 * i + 1] = (uint32_t)k;
    blk[BK_E + i] = (uint32_t)e;
    return e > 0;
}

/* The set-up of full groups (four real channels, at most 255 taps), in two passes over the blocks that keep their few
 * values in registers (the set-up is what small layers spend most on besides the taps). widen_filter: the filter
 * doubled into the block, two taps a turn, and each channel's sum of weights (16-bit lanes: |sum| <= 255 * 128) left
 * in its K word (BK_SUM) for prepare_usual. */
static void widen_filter(tr_word *blk, const int8_t *src, int32_t filter_c, int32_t taps)
{
    uint32_t s02 = 0, s13 = 0;
    tr_word *w = blk + BK_FILTER;
    if (taps & 1) {
        uint32_t v;
        memcpy(&v, src, 4);
        const uint32_t e = __sxtb16(v), o = sxtb16_ror8(v);
        s02 = e;
        s13 = o;
        w[0] = __sadd16(e, e);
        w[1] = __sadd16(o, o);
        w += 2;
        src += filter_c;
    }
    int32_t k = taps >> 1;
    uint32_t v0, o0, v1, o1;
    if (k)
        __asm__ volatile("0:\n\t"
                         "ldr %[v0], [%[src]]\n\t"
                         "ldr %[v1], [%[src], %[c]]\n\t"
                         "add %[src], %[src], %[c], lsl #1\n\t"
                         "sxtb16 %[o0], %[v0], ror #8\n\t"
                         "sxtb16 %[v0], %[v0]\n\t"
                         "sxtb16 %[o1], %[v1], ror #8\n\t"
                         "sxtb16 %[v1], %[v1]\n\t"
                         "sadd16 %[s02], %[s02], %[v0]\n\t"
                         "sadd16 %[s13], %[s13], %[o0]\n\t"
                         "sadd16 %[s02], %[s02], %[v1]\n\t"
                         "sadd16 %[s13], %[s13], %[o1]\n\t"
                         "sadd16 %[v0], %[v0], %[v0]\n\t"
                         "sadd16 %[o0], %[o0], %[o0]\n\t"
                         "sadd16 %[v1], %[v1], %[v1]\n\t"
                         "sadd16 %[o1], %[o1], %[o1]\n\t"
                         "strd %[v0], %[o0], [%[w]], #8\n\t"
                         "strd %[v1], %[o1], [%[w]], #8\n\t"
                         "subs %[k], %[k], #1\n\t"
                         "bne 0b"
                         : [src] "+r"(src), [w] "+r"(w), [k] "+r"(k), [s02] "+r"(s02), [s13] "+r"(s13),
                           [v0] "=&r"(v0), [o0] "=&r"(o0), [v1] "=&r"(v1), [o1] "=&r"(o1)
                         : [c] "r"(filter_c)
                         : "cc", "memory");
    blk[BK_SUM + 0] = (uint32_t)(int32_t)(int16_t)s02;
    blk[BK_SUM + 2] = (uint32_t)(int32_t)(int16_t)s13;
    blk[BK_SUM + 4] = (uint32_t)((int32_t)s02 >> 16);
    blk[BK_SUM + 6] = (uint32_t)((int32_t)s13 >> 16);
}

/* dw_prepare's constants for the channels of `groups` full groups whose sums of weights widen_filter left in their K
 * words, for groups whose every channel has |bias| < 2^28, m > 0 and a shift in [-22, -1]. Returns the number of
 * groups done, stopping at the first other group, whose first channels' sums may be overwritten already (dw_prepare
 * decides that group and the rest). bias: the first channel's, or NULL. In assembly, one group a turn: from C the
 * compiler spilled, and this set-up is a large part of small layers. Per channel: the range checks as bits ORed into
 * `bad` ((b + 2^28) >> 29, ((m - 1) | m) >> 31, (e - 1) >> 31, (e + 9) >> 5: all 0 in range), then
 * 2 * (b + input_offset * sum), m, K = (2 * output_offset + 1) << (e - 1), e. */
/* the range checks (b: the bias), then t = e - 1 and K, (m, K) stored at mo and e at eo */
#define PREPARE_TAIL_ASM(bo, mo, eo)                                              \
    "ldr %[m], [%[mult], #" #bo "]\n\t"                                          \
    "ldr %[e], [%[shift], #" #bo "]\n\t"                                         \
    "rsbs %[e], %[e], #0\n\t"                                                    \
    "add %[t], %[b], #0x10000000\n\t"                                            \
    "orr %[bad], %[bad], %[t], lsr #29\n\t"                                      \
    "sub %[t], %[m], #1\n\t"                                                     \
    "orr %[t], %[t], %[m]\n\t"                                                   \
    "orr %[bad], %[bad], %[t], lsr #31\n\t"                                      \
    "add %[t], %[e], #9\n\t"                                                     \
    "orr %[bad], %[bad], %[t], lsr #5\n\t"                                       \
    "sub %[t], %[e], #1\n\t"                                                     \
    "orr %[bad], %[bad], %[t], lsr #31\n\t"                                      \
    "lsl %[t], %[o2], %[t]\n\t"                                                  \
    "strd %[m], %[t], [%[blk], #" #mo "]\n\t"                                    \
    "str %[e], [%[blk], #" #eo "]\n\t"
/* channel i (bo = 4i): the doubled bias 2 * (b + input_offset * sum), the sum in the K word at mo */
#define PREPARE_ASM(bo, mo, eo)                                                   \
    "ldr %[b], [%[bias], #" #bo "]\n\t"                                          \
    "ldr %[t], [%[blk], #" #mo "+4]\n\t"                                         \
    "mla %[t], %[t], %[in_off], %[b]\n\t"                                        \
    "lsl %[t], %[t], #1\n\t"                                                     \
    "str %[t], [%[blk], #" #bo "]\n\t"                                           \
    PREPARE_TAIL_ASM(bo, mo, eo)
/* The same for the pair path's blocks ((m, K, e) per channel at mo), whose K words hold input_offset times the
 * channel's sum of doubled weights (widen_filter_pairs): the bias is 2 * b plus that share. */
#define PREPARE3_ASM(bo, mo)                                                      \
    "ldr %[b], [%[bias], #" #bo "]\n\t"                                          \
    "ldr %[t], [%[blk], #" #mo "+4]\n\t"                                         \
    "add %[t], %[t], %[b], lsl #1\n\t"                                           \
    "str %[t], [%[blk], #" #bo "]\n\t"                                           \
    PREPARE_TAIL_ASM(bo, mo, mo + 8)
/* prepare_usual (BK_MK, BK_E layout) and prepare_pairs (the pair path's (m, K, e) triplets, for its LDMs), one group
 * a turn; `asm4`: the four channels' PREPARE_ASM / PREPARE3_ASM */
#define PREPARE_FUNCTION(name, asm4)                                                                               \
    __attribute__((noinline)) static int32_t name(tr_word *blk, int32_t block_words, int32_t groups,               \
                                                  const int32_t *bias, const int32_t *mult, const int32_t *shift,  \
                                                  int32_t input_offset, int32_t output_offset)                     \
    {                                                                                                              \
        static const int32_t no_bias[4];                                                                           \
        const int32_t bias_step = bias ? 4 : 0;                                                                    \
        if (!bias) bias = no_bias;                                                                                 \
        const uint32_t o2 = 2 * (uint32_t)output_offset + 1;                                                       \
        for (int32_t g = 0; g < groups; ++g, blk += block_words, mult += 4, shift += 4, bias += bias_step) {       \
            uint32_t bad = 0, b, m, e, t;                                                                          \
            __asm__ volatile(asm4                                                                                  \
                             : [bad] "+r"(bad), [b] "=&r"(b), [m] "=&r"(m), [e] "=&r"(e), [t] "=&r"(t)             \
                             : [blk] "r"(blk), [bias] "r"(bias), [mult] "r"(mult), [shift] "r"(shift),             \
                               [in_off] "r"(input_offset), [o2] "r"(o2)                                            \
                             : "cc", "memory");                                                                    \
            if (bad) return g;                                                                                     \
        }                                                                                                          \
        return groups;                                                                                             \
    }
PREPARE_FUNCTION(prepare_usual, PREPARE_ASM(0, 16, 48) PREPARE_ASM(4, 24, 52) PREPARE_ASM(8, 32, 56)
                                    PREPARE_ASM(12, 40, 60))
PREPARE_FUNCTION(prepare_pairs, PREPARE3_ASM(0, 16) PREPARE3_ASM(4, 28) PREPARE3_ASM(8, 40) PREPARE3_ASM(12, 52))
#undef PREPARE_FUNCTION
#undef PREPARE_ASM
#undef PREPARE3_ASM
#undef PREPARE_TAIL_ASM

typedef struct {
    /* geometry */
    tr_shape4 in, filter, out;
    const tr_conv_params *p;
    const int8_t *input;
    /* this chunk: channels [c0, c0 + ch), groups of four */
    int32_t c0, ch, groups;
    /* band: filter-height slots of `width` positions x groups x 2 words, then one slot of padding only (the rows
     * above and below the input); key of the input row each slot holds */
    tr_word *slots;
    int32_t width, slot_words, left;
    int32_t key[MAX_FH];
    uint32_t pad2; /* -input_offset in both halves: padding, whose x + input_offset is 0 */
} dw_ctx;

/* Words [0, words) at dst set to `v` (words: a multiple of two), sixteen bytes per STM, a last STRD. */
static void fill_words(tr_word *dst, int32_t words, uint32_t v)
{
    register uint32_t r2 __asm__("r2") = v, r3 __asm__("r3") = v, r4 __asm__("r4") = v, r5 __asm__("r5") = v;
    int32_t k = words >> 2;
    if (k)
        __asm__ volatile("0:\n\t"
                         "stmia %[dst]!, {%[a], %[b], %[c], %[e]}\n\t"
                         "subs %[k], %[k], #1\n\t"
                         "bne 0b"
                         : [dst] "+r"(dst), [k] "+r"(k)
                         : [a] "r"(r2), [b] "r"(r3), [c] "r"(r4), [e] "r"(r5)
                         : "cc", "memory");
    if (words & 2) *(tr_dword *)dst = r2 | (uint64_t)r3 << 32;
}

/* The band's padding, written once per chunk: every slot filled with -input_offset, which widen_row then overwrites
 * at the input's positions only, so that the left and right padding columns and the padding slot (the rows above and
 * below the input) stay. The padding contributes (x + input_offset) * w = 0 as in the reference (the input offset is
 * folded into the biases: input_offset * the channel's sum of weights). */
static void pad_band(const dw_ctx *d) { fill_words(d->slots, (d->filter.h + 1) * d->slot_words, d->pad2); }

/* Input row iy of batch b into slot s: the int8 values widened as they are. A slot holds, for each group of four
 * channels, `width` positions of two words: a filter row's taps are then adjacent (8 bytes apart) for every group. */
static void widen_row(dw_ctx *d, int32_t s, int32_t b, int32_t iy)
{
    d->key[s] = b * d->in.h + iy;
    /* locals: the stores through dst (may_alias) would otherwise reload every field at every position */
    const int32_t in_w = d->in.w, in_c = d->in.c, groups = d->groups, ch = d->ch, width = d->width;
    tr_dword *dst = (tr_dword *)(d->slots + s * d->slot_words) + d->left;
    const int8_t *row = d->input + ((b * d->in.h + iy) * in_w) * in_c + d->c0;
    const int32_t pairs = in_w >> 1;
    int32_t g = 0;
    if ((((uintptr_t)row | (uint32_t)in_c) & 3) == 0 && ch >= 8) {
        /* word-aligned input: two groups at a time, one LDRD of eight channels per position, their halves stored
         * to the two groups' rows; the loop over pairs of groups in the assembly too (the per-group bookkeeping is
         * what small rows spend most on) */
        const int32_t step[3] = {in_w, (width - in_w) * 8, width * 8}; /* positions; bytes: gap to the next pair, a
                                                                         * group's row */
        int32_t n = ch >> 3;
        const int8_t *src = row, *s;
        tr_dword *d = dst, *d2;
        int32_t k;
        uint32_t t0, t1, u0, u1;
        __asm__ volatile("1:\n\t"
                         "ldr %[k], [%[cfg]]\n\t"
                         "ldr %[t0], [%[cfg], #8]\n\t"
                         "mov %[s], %[src]\n\t"
                         "add %[d2], %[d], %[t0]\n\t"
                         "0:\n\t"
                         "ldrd %[t0], %[t1], [%[s]]\n\t"
                         "add %[s], %[s], %[c]\n\t"
                         "sxtb16 %[u0], %[t0], ror #8\n\t"
                         "sxtb16 %[t0], %[t0]\n\t"
                         "sxtb16 %[u1], %[t1], ror #8\n\t"
                         "sxtb16 %[t1], %[t1]\n\t"
                         "strd %[t0], %[u0], [%[d]], #8\n\t"
                         "strd %[t1], %[u1], [%[d2]], #8\n\t"
                         "subs %[k], %[k], #1\n\t"
                         "bne 0b\n\t"
                         "ldr %[t0], [%[cfg], #4]\n\t"
                         "add %[d], %[d2], %[t0]\n\t"
                         "add %[src], %[src], #8\n\t"
                         "subs %[n], %[n], #1\n\t"
                         "bne 1b"
                         : [src] "+r"(src), [d] "+r"(d), [n] "+r"(n), [s] "=&r"(s), [d2] "=&r"(d2), [k] "=&r"(k),
                           [t0] "=&r"(t0), [t1] "=&r"(t1), [u0] "=&r"(u0), [u1] "=&r"(u1)
                         : [c] "r"(in_c), [cfg] "r"(step)
                         : "cc", "memory");
        g = (ch >> 3) * 2;
        dst += g * width;
    }
    for (; g < groups; ++g, dst += width) {
        const int32_t avail = ch - 4 * g;
        const int8_t *src = row + 4 * g;
        tr_dword *to = dst;
        if (avail >= 4) {
            /* two positions a turn: unaligned LDRs (fine on v7E-M), the second at a register offset, STRD with
             * writeback */
            uint32_t t0, t1, t2, t3;
            int32_t k = pairs;
            if (k)
                __asm__ volatile("0:\n\t"
                                 "ldr %[t0], [%[src]]\n\t"
                                 "ldr %[t2], [%[src], %[c]]\n\t"
                                 "add %[src], %[src], %[c], lsl #1\n\t"
                                 "sxtb16 %[t1], %[t0], ror #8\n\t"
                                 "sxtb16 %[t0], %[t0]\n\t"
                                 "sxtb16 %[t3], %[t2], ror #8\n\t"
                                 "sxtb16 %[t2], %[t2]\n\t"
                                 "strd %[t0], %[t1], [%[to]], #8\n\t"
                                 "strd %[t2], %[t3], [%[to]], #8\n\t"
                                 "subs %[k], %[k], #1\n\t"
                                 "bne 0b"
                                 : [src] "+r"(src), [to] "+r"(to), [k] "+r"(k), [t0] "=&r"(t0), [t1] "=&r"(t1),
                                   [t2] "=&r"(t2), [t3] "=&r"(t3)
                                 : [c] "r"(in_c)
                                 : "cc", "memory");
            if (in_w & 1) {
                uint32_t v;
                memcpy(&v, src, 4);
                *to = (uint32_t)__sxtb16(v) | (uint64_t)sxtb16_ror8(v) << 32; /* (ACLE's int32 would sign-extend) */
            }
        } else {
            for (int32_t x = in_w; x > 0; --x, src += in_c, ++to) widen4(src, avail, (tr_word *)to);
        }
    }
}

/* One tap of four channels: 16-bit pairs x = (x0,x2),(x1,x3) and w alike; SMLABB/SMLATT per channel. */
#define TAP(x, w)                                                       \
    do {                                                                \
        const uint64_t xx_ = *(const tr_dword *)(x), ww_ = *(const tr_dword *)(w);      \
        const uint32_t x02_ = (uint32_t)xx_, x13_ = (uint32_t)(xx_ >> 32);              \
        const uint32_t w02_ = (uint32_t)ww_, w13_ = (uint32_t)(ww_ >> 32);              \
        a0 = __smlabb(x02_, w02_, a0);                                  \
        a2 = __smlatt(x02_, w02_, a2);                                  \
        a1 = __smlabb(x13_, w13_, a1);                                  \
        a3 = __smlatt(x13_, w13_, a3);                                  \
    } while (0)

/* The usual 3x3 (undilated) for one pixel of four channels, in assembly: three band rows (x0, x1, x2: three adjacent
 * taps of two words each) and the widened filter (w: 18 words); 9 x (LDRD, LDRD, 4 multiply-accumulates). From C the
 * compiler split the weight loads and spilled the row pointers. */
#define TAP_ASM(xo, wo)                                  \
    "ldrd %[p], %[q], [%[x], #" #xo "]\n\t"            \
    "ldrd %[u], %[v], [%[w], #" #wo "]\n\t"            \
    "smlabb %[a0], %[p], %[u], %[a0]\n\t"              \
    "smlatt %[a2], %[p], %[u], %[a2]\n\t"              \
    "smlabb %[a1], %[q], %[v], %[a1]\n\t"              \
    "smlatt %[a3], %[q], %[v], %[a3]\n\t"
static inline __attribute__((always_inline)) void taps3x3(const tr_word *x0, const tr_word *x1, const tr_word *x2,
                                                          const tr_word *w, int32_t *a0, int32_t *a1, int32_t *a2,
                                                          int32_t *a3)
{
    uint32_t p, q, u, v;
#define ROW_ASM(xr, wo0, wo1, wo2)                                                                      \
    __asm__(TAP_ASM(0, wo0) TAP_ASM(8, wo1) TAP_ASM(16, wo2)                                            \
            : [a0] "+r"(*a0), [a1] "+r"(*a1), [a2] "+r"(*a2), [a3] "+r"(*a3), [p] "=&r"(p), [q] "=&r"(q), \
              [u] "=&r"(u), [v] "=&r"(v)                                                                \
            : [x] "r"(xr), [w] "r"(w))
    ROW_ASM(x0, 0, 8, 16);
    ROW_ASM(x1, 24, 32, 40);
    ROW_ASM(x2, 48, 56, 64);
#undef ROW_ASM
}

/* The 3x3 mode-0 path (every channel of the group with e in [1, 22], whole int8 range, undilated 3x3, four real
 * channels): the block (BK_*, byte offsets below: biases 0, (multiplier, K) 16 + 8i, e 48 + 4i, steps 64-80, filter
 * 88 + 8t) is reached from one pointer with immediate offsets. dw_rq_fast in assembly: */
#ifdef TR_ROUNDING_SINGLE
#define RQ_ASM(a, mo, eo, k)                             \
    "ldrd %[u], %[v], [%[b], #" #mo "]\n\t"            \
    "smmla %[v], %[" a "], %[u], %[v]\n\t"             \
    "ldr %[u], [%[b], #" #eo "]\n\t"                   \
    "asr %[v], %[v], %[u]\n\t"                         \
    "ssat %[v], #8, %[v]\n\t"                          \
    "strb %[v], [%[o], #" #k "]\n\t"
#else
#define RQ_ASM(a, mo, eo, k)                             \
    "ldrd %[u], %[v], [%[b], #" #mo "]\n\t"            \
    "add %[v], %[v], %[" a "], asr #31\n\t"            \
    "smmlar %[v], %[" a "], %[u], %[v]\n\t"            \
    "ldr %[u], [%[b], #" #eo "]\n\t"                   \
    "asr %[v], %[v], %[u]\n\t"                         \
    "ssat %[v], #8, %[v]\n\t"                          \
    "strb %[v], [%[o], #" #k "]\n\t"
#endif
/* A tap at an addressing mode of the band row (post-indexed on each row's first tap: the row pointers step to the next
 * pixel as they are read, for strides 1 and 2). */
#define TAPX_ASM(addr, wo)                               \
    "ldrd %[p], %[q], " addr "\n\t"                    \
    "ldrd %[u], %[v], [%[b], #" #wo "]\n\t"            \
    "smlabb %[a0], %[p], %[u], %[a0]\n\t"              \
    "smlatt %[a2], %[p], %[u], %[a2]\n\t"              \
    "smlabb %[a1], %[q], %[v], %[a1]\n\t"              \
    "smlatt %[a3], %[q], %[v], %[a3]\n\t"
/* three taps of a row at stride 1 (8 bytes a pixel) and stride 2 (16) */
#define ROW_S1(x, w0, w1, w2) TAPX_ASM("[%[" x "]], #8", w0) TAPX_ASM("[%[" x "]]", w1) TAPX_ASM("[%[" x "], #8]", w2)
#define ROW_S2(x, w0, w1, w2) TAPX_ASM("[%[" x "]], #16", w0) TAPX_ASM("[%[" x "], #-8]", w1) TAPX_ASM("[%[" x "]]", w2)
/* The filter rows an output row reads: all three, or without the top or the bottom one when that row is padding only
 * (its taps would add -input_offset * w: the biases of BK_BIAS_NO_TOP / BK_BIAS_NO_BOTTOM hold that share instead). */
#define ROWS_ALL(ROW) ROW("x0", 88, 96, 104) ROW("x1", 112, 120, 128) ROW("x2", 136, 144, 152)
#define ROWS_NO_TOP(ROW) ROW("x1", 112, 120, 128) ROW("x2", 136, 144, 152)
#define ROWS_NO_BOTTOM(ROW) ROW("x0", 88, 96, 104) ROW("x1", 112, 120, 128)
#define ROW3X3_ASM(ROWS, ROW, bias)                                                                                  \
    "1:\n\t"                                                                                                      \
    "ldr %[n], [%[b], #76]\n\t"                                                                                   \
    "0:\n\t"                                                                                                      \
    "ldrd %[a0], %[a1], [%[b], #" #bias "]\n\t"                                                                   \
    "ldrd %[a2], %[a3], [%[b], #" #bias "+8]\n\t"                                                                 \
    ROWS(ROW)                                                                                                     \
    RQ_ASM("a0", 16, 48, 0) RQ_ASM("a1", 24, 52, 1) RQ_ASM("a2", 32, 56, 2) RQ_ASM("a3", 40, 60, 3)               \
    "ldr %[q], [%[b], #64]\n\t"                                                                                   \
    "add %[o], %[o], %[q]\n\t"                                                                                    \
    "subs %[n], %[n], #1\n\t"                                                                                     \
    "bne 0b\n\t"                                                                                                  \
    "ldrd %[p], %[q], [%[b], #68]\n\t"                                                                            \
    "add %[x0], %[x0], %[p]\n\t"                                                                                  \
    "add %[x1], %[x1], %[p]\n\t"                                                                                  \
    "add %[x2], %[x2], %[p]\n\t"                                                                                  \
    "add %[o], %[o], %[q]\n\t"                                                                                    \
    "ldr %[p], [%[b], #80]\n\t"                                                                                   \
    "add %[b], %[b], #192\n\t"                                                                                    \
    "cmp %[p], #0\n\t"                                                                                            \
    "beq 1b"
_Static_assert(BLOCK_WORDS(9) * 4 == 160 && BK_FILTER * 4 == 88 && BK_MK * 4 == 16 && BK_E * 4 == 48 &&
                   BK_OUT_STEP * 4 == 64 && BK_BAND_NEXT * 4 == 68 && BK_PIXELS * 4 == 76 && BK_LAST * 4 == 80 &&
                   BK_BIAS_NO_TOP * 4 == 160 && BK_BIAS_NO_BOTTOM * 4 == 176 && BLOCK3X3_WORDS * 4 == 192,
               "row3x3's immediate offsets are the block's layout");

/* An output row of every full group: per pixel the nine taps, requantised and stored, all in registers (14); then
 * the next group's block. stride2: the band pointers step 16 bytes a pixel, otherwise 8. */
static inline __attribute__((always_inline)) void row3x3(const tr_word *x0, const tr_word *x1, const tr_word *x2,
                                                         const tr_word *b, int8_t *o, int stride2, int rows)
{
    int32_t a0, a1, a2, a3, count;
    uint32_t p, q, u, v;
#define ROW3X3_OPERANDS                                                                                              \
    : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [p] "=&r"(p), [q] "=&r"(q), [u] "=&r"(u),    \
      [v] "=&r"(v), [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [o] "+r"(o), [n] "=&r"(count), [b] "+r"(b)        \
    :                                                                                                                \
    : "cc", "memory"
    if (rows == ROWS_NO_TOP_ONES) {
        if (stride2) __asm__ volatile(ROW3X3_ASM(ROWS_NO_TOP, ROW_S2, 160) ROW3X3_OPERANDS);
        else __asm__ volatile(ROW3X3_ASM(ROWS_NO_TOP, ROW_S1, 160) ROW3X3_OPERANDS);
    } else if (rows == ROWS_NO_BOTTOM_ONES) {
        if (stride2) __asm__ volatile(ROW3X3_ASM(ROWS_NO_BOTTOM, ROW_S2, 176) ROW3X3_OPERANDS);
        else __asm__ volatile(ROW3X3_ASM(ROWS_NO_BOTTOM, ROW_S1, 176) ROW3X3_OPERANDS);
    } else {
        if (stride2) __asm__ volatile(ROW3X3_ASM(ROWS_ALL, ROW_S2, 0) ROW3X3_OPERANDS);
        else __asm__ volatile(ROW3X3_ASM(ROWS_ALL, ROW_S1, 0) ROW3X3_OPERANDS);
    }
#undef ROW3X3_OPERANDS
}

/* Channel i of the group whose block is blk; oc: the output channel, or any valid one for a padding channel (its
 * result is not stored) */
static inline int8_t finish(int32_t acc2, const tr_word *blk, int32_t i, int32_t oc, const tr_per_channel *q,
                            const tr_conv_params *p, int mode)
{
    const int32_t m = (int32_t)blk[BK_MK + 2 * i], k = (int32_t)blk[BK_MK + 2 * i + 1], e = (int32_t)blk[BK_E + i];
    int32_t v;
    if (mode != 2 || e > 0) v = dw_rq_fast(acc2, m, k, e);
    else if (e < 0) v = dw_rq_fast(acc2, m, k, -e) + p->output_offset;
    else v = tr_mul_by_quantized_multiplier(acc2 >> 1, q->multiplier[oc], q->shift[oc]) + p->output_offset;
    v = __ssat(v, 8);
    if (mode != 0) v = tr_clamp(v, p->act_min, p->act_max);
    return (int8_t)v;
}

/* The band slots output row oy of batch b reads, one per filter row (pad_row for rows above or below the input):
 * rows the band holds already are kept, the others widened (widen) into the slots no filter row of this output row
 * uses. */
static inline __attribute__((always_inline)) void band_rows(dw_ctx *d, int32_t b, int32_t oy, const tr_word *row[MAX_FH], const tr_word *pad_row,
                      void (*widen)(dw_ctx *, int32_t, int32_t, int32_t))
{
    const tr_conv_params *p = d->p;
    uint32_t used = 0; /* slots holding rows this output row reads */
    for (int32_t fy = 0; fy < d->filter.h; ++fy) {
        const int32_t iy = oy * p->stride_h - p->pad_h + fy * p->dilation_h, key = b * d->in.h + iy;
        if (iy < 0 || iy >= d->in.h) { /* above or below the input: the padding slot */
            row[fy] = pad_row;
            continue;
        }
        int32_t s = 0;
        while (s < d->filter.h && d->key[s] != key) ++s;
        if (s < d->filter.h) used |= 1u << s;
        row[fy] = s < d->filter.h ? d->slots + s * d->slot_words : NULL;
    }
    for (int32_t fy = 0; fy < d->filter.h; ++fy) {
        if (row[fy]) continue;
        int32_t s = 0;
        while (used & (1u << s)) ++s;
        used |= 1u << s;
        widen(d, s, b, oy * p->stride_h - p->pad_h + fy * p->dilation_h);
        row[fy] = d->slots + s * d->slot_words;
    }
}

/* Every output of the chunk; `mode` as in conv_s8_dsp.c (0: fast requantisation and SSAT as the clamp, 1: fast and a
 * narrower clamp, 2: any channel), a constant in each copy. asm3x3: the undilated 3x3 at stride 1 or 2, whose full
 * groups take row3x3 in mode 0. */
static inline __attribute__((always_inline)) void chunk(dw_ctx *d, const tr_word *blocks, int32_t block_words,
                                                        int asm3x3, const tr_per_channel *q, int8_t *output, int mode)
{
    const tr_conv_params *p = d->p;
    const int32_t fw = d->filter.w;
    const int32_t tap_step = p->dilation_w * 2; /* words to the next tap along a filter row */
    const int32_t px_step = p->stride_w * 2;    /* words to the next output pixel */
    const int fh3w3 = d->filter.h == 3 && fw == 3 && p->dilation_w == 1;
    const tr_word *pad_row = d->slots + d->filter.h * d->slot_words;
    for (int32_t s = 0; s < d->filter.h; ++s) d->key[s] = -1 - s; /* nothing held (keys are never negative) */
    pad_band(d);
    for (int32_t b = 0; b < d->out.n; ++b)
        for (int32_t oy = 0; oy < d->out.h; ++oy) {
            const tr_word *row[MAX_FH];
            band_rows(d, b, oy, row, pad_row, widen_row);
            int8_t *o_row = output + ((b * d->out.h + oy) * d->out.w) * d->out.c + d->c0;
            int32_t g = 0;
            if (mode == 0 && asm3x3 && d->ch >= 4) { /* every full group in assembly */
                const int rows = row[0] == pad_row && row[2 % MAX_FH] != pad_row   ? ROWS_NO_TOP_ONES
                                 : row[2 % MAX_FH] == pad_row && row[0] != pad_row ? ROWS_NO_BOTTOM_ONES
                                                                                   : ROWS_ALL_ONES;
                row3x3(row[0], row[1 % MAX_FH], row[2 % MAX_FH], blocks, o_row, p->stride_w == 2, rows);
                g = d->ch >> 2;
            }
            for (; g < d->groups; ++g) {
                const tr_word *blk = blocks + g * block_words, *wg = blk + BK_FILTER;
                const int32_t oc = d->c0 + 4 * g, n = d->ch - 4 * g;
                const tr_word *xg[MAX_FH] = {0};
                for (int32_t fy = 0; fy < d->filter.h; ++fy) xg[fy] = row[fy] + g * d->width * 2;
                const tr_word *x0 = xg[0], *x1 = xg[1 % MAX_FH], *x2 = xg[2 % MAX_FH];
                int8_t *o = o_row + 4 * g;
                for (int32_t ox = 0; ox < d->out.w; ++ox, o += d->out.c) {
                    int32_t a0 = (int32_t)blk[0], a1 = (int32_t)blk[1], a2 = (int32_t)blk[2], a3 = (int32_t)blk[3];
                    const int32_t base = ox * px_step;
                    if (fh3w3) { /* the usual 3x3, undilated: three rows of three adjacent taps, unrolled */
                        taps3x3(x0 + base, x1 + base, x2 + base, wg, &a0, &a1, &a2, &a3);
                    } else {
                        const tr_word *w = wg;
                        for (int32_t fy = 0; fy < d->filter.h; ++fy) {
                            const tr_word *x = xg[fy] + base;
                            for (int32_t fx = fw; fx > 0; --fx, x += tap_step, w += 2) TAP(x, w);
                        }
                    }
                    const int8_t v0 = finish(a0, blk, 0, oc, q, p, mode);
                    const int8_t v1 = finish(a1, blk, 1, n > 1 ? oc + 1 : oc, q, p, mode);
                    const int8_t v2 = finish(a2, blk, 2, n > 2 ? oc + 2 : oc, q, p, mode);
                    const int8_t v3 = finish(a3, blk, 3, n > 3 ? oc + 3 : oc, q, p, mode);
                    if (n >= 4) {
                        o[0] = v0;
                        o[1] = v1;
                        o[2] = v2;
                        o[3] = v3;
                    } else { /* the last, partial group */
                        o[0] = v0;
                        if (n > 1) o[1] = v1;
                        if (n > 2) o[2] = v2;
                    }
                }
            }
        }
}

/* ---- Stride 2 along the width: two taps of a channel in one SMLAD ----
 * At stride 2 the taps of an output row, taken two by two, fall on the same pairs of input columns for every output
 * pixel: output ox reads padded columns 2ox + k, so taps (2i, 2i+1) read pair ox + i, and an odd filter's last tap
 * the first column of pair ox + fw/2. So this path's band holds, per group of four channels and pair of columns j
 * (padded columns 2j and 2j+1), four words: channel c's two values as 16-bit halves (x[2j], x[2j+1]); the filter is
 * widened to the matching (2w[2i], 2w[2i+1]) per channel and, for the last tap, (2w_c0, 2w_c2), (2w_c1, 2w_c3). A
 * pair of taps of four channels is then two LDRDs of the band, two of the filter and four SMLADs (1.0 instructions
 * per MAC against 1.5 for a tap of row3x3), and the last tap 1.75. Shapes: the 3x3 (vww's stride 2 layers) and the
 * 1x5 (vibration's), whole int8 range or a clamp inside it (a pass at the end), channels a multiple of four, every channel in dw_rq_fast's range; the others
 * take the general path. At stride 2, a 3x3's output row whose bottom filter row reads padding only leaves that row
 * out (PAIRS_3X3_NO_BOTTOM); other rows above or below the input read a padding slot (-input_offset). The 3x3 at
 * stride 1 (rows of four pixels and more) reads the same band: see PAIRS_3X3_S1 below.
 * Written for issue 14's metric, executed instructions, where an LDM, LDRD or STM counts once: on silicon an LDM or
 * STM of n words takes about n + 1 cycles (the (m, K, e) LDMs, the band's four-word STMs), and pixel B's STRH of two
 * outputs is unaligned for odd channel offsets (two bus accesses); each replaces as many cycles of single loads and
 * stores as it costs, or nearly, so the count's gains should mostly hold in cycles, but they were not measured so. */
/* The pair path's row kinds (pairs_row); the filter's layouts follow the first, third and fourth. */
enum { PAIRS_3X3, PAIRS_3X3_NO_BOTTOM, PAIRS_1X5, PAIRS_3X3_S1, PAIRS_3X3_S1_NO_TOP, PAIRS_3X3_S1_NO_BOTTOM };

/* `count` pairs of -input_offset from `at` in each of `rows` group rows `row_bytes` apart (the band's group rows are
 * evenly spaced across its slots): the pairs that lie wholly in the padding, written once per chunk. */
static void pad_pairs(tr_word *at, int32_t rows, int32_t row_bytes, int32_t count, uint32_t pad2)
{
    register uint32_t r2 __asm__("r2") = pad2, r3 __asm__("r3") = pad2, r4 __asm__("r4") = pad2, r5 __asm__("r5") = pad2;
    if (rows <= 0 || count <= 0) return;
    tr_word *t;
    int32_t k;
    if (count == 1)
        __asm__ volatile("0:\n\t"
                         "stm %[at], {%[a], %[b], %[c], %[e]}\n\t"
                         "add %[at], %[at], %[rb]\n\t"
                         "subs %[n], %[n], #1\n\t"
                         "bne 0b"
                         : [at] "+r"(at), [n] "+r"(rows)
                         : [a] "r"(r2), [b] "r"(r3), [c] "r"(r4), [e] "r"(r5), [rb] "r"(row_bytes)
                         : "cc", "memory");
    else
        __asm__ volatile("1:\n\t"
                         "mov %[t], %[at]\n\t"
                         "mov %[k], %[cnt]\n\t"
                         "0:\n\t"
                         "stmia %[t]!, {%[a], %[b], %[c], %[e]}\n\t"
                         "subs %[k], %[k], #1\n\t"
                         "bne 0b\n\t"
                         "add %[at], %[at], %[rb]\n\t"
                         "subs %[n], %[n], #1\n\t"
                         "bne 1b"
                         : [at] "+r"(at), [n] "+r"(rows), [t] "=&r"(t), [k] "=&r"(k)
                         : [a] "r"(r2), [b] "r"(r3), [c] "r"(r4), [e] "r"(r5), [rb] "r"(row_bytes), [cnt] "r"(count)
                         : "cc", "memory");
}

/* Input row iy of batch b into slot s, as pairs (see above): the pairs with an input column in each half in
 * assembly, every group in one loop; a pair with padding in one half (odd padding) per group in C. */
__attribute__((noinline)) static void widen_row_pairs(dw_ctx *d, int32_t s, int32_t b, int32_t iy)
{
    d->key[s] = b * d->in.h + iy;
    const int32_t in_w = d->in.w, in_c = d->in.c, groups = d->groups, pairs = d->width, pad_w = d->left;
    const uint32_t pad2 = d->pad2;
    const int8_t *row = d->input + ((b * d->in.h + iy) * in_w) * in_c + d->c0;
    tr_word *const dst = d->slots + s * d->slot_words;
    /* pairs [jl, je) hold two input columns */
    const int32_t jl = (pad_w + 1) >> 1, je = (in_w + pad_w) >> 1;
    if (je > jl && !(groups & 1) && !((uintptr_t)row & 3)) {
/* one group's pair of columns from its words of the two columns (p, q): four words by one STM, `to` on a group row */
#define PAIR_WIDEN_ASM(p, q)                                  \
    "pkhbt %[w1], %[" p "], %[" q "], lsl #16\n\t"           \
    "pkhtb %[w3], %[" q "], %[" p "], asr #16\n\t"           \
    "sxtb16 %[w0], %[w1]\n\t"                               \
    "sxtb16 %[w1], %[w1], ror #8\n\t"                       \
    "sxtb16 %[w2], %[w3]\n\t"                               \
    "sxtb16 %[w3], %[w3], ror #8\n\t"
#define PAIR_GROUP_ASM(p, q)                                  \
    PAIR_WIDEN_ASM(p, q)                                      \
    "stm %[to], {%[w0], %[w1], %[w2], %[w3]}\n\t"           \
    "add %[to], %[to], %[t]\n\t"
        if (groups == 2) { /* eight channels: both groups' rows written in step, every pair in one turn */
            register uint32_t w0 __asm__("r0"), w1 __asm__("r1"), w2 __asm__("r2"), w3 __asm__("r3");
            const int8_t *src = row + (2 * jl - pad_w) * in_c, *f2 = src + in_c;
            tr_word *to = dst + 4 * jl, *to_b = to + pairs * 4;
            int32_t nj = je - jl;
            uint32_t p1, q1;
            __asm__ volatile("0:\n\t"
                             "ldrd %[w0], %[p1], [%[src]]\n\t"
                             "ldrd %[w2], %[q1], [%[f2]]\n\t"
                             "add %[src], %[src], %[c2]\n\t"
                             "add %[f2], %[f2], %[c2]\n\t"
                             PAIR_WIDEN_ASM("w0", "w2")
                             "stmia %[to]!, {%[w0], %[w1], %[w2], %[w3]}\n\t"
                             PAIR_WIDEN_ASM("p1", "q1")
                             "stmia %[to_b]!, {%[w0], %[w1], %[w2], %[w3]}\n\t"
                             "subs %[nj], %[nj], #1\n\t"
                             "bne 0b"
                             : [src] "+r"(src), [f2] "+r"(f2), [to] "+r"(to), [to_b] "+r"(to_b), [nj] "+r"(nj),
                               [p1] "=&r"(p1), [q1] "=&r"(q1), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2),
                               [w3] "=&r"(w3)
                             : [c2] "r"(2 * in_c)
                             : "cc", "memory");
        } else if (groups == 4) { /* sixteen channels: four group rows, every pair of columns in one turn */
            register uint32_t w0 __asm__("r0"), w1 __asm__("r1"), w2 __asm__("r2"), w3 __asm__("r3");
            const int8_t *src = row + (2 * jl - pad_w) * in_c, *f2 = src + in_c;
            tr_word *to = dst + 4 * jl;
            int32_t nj = je - jl;
            const int32_t t = pairs * 16, back = 3 * pairs * 16 - 16; /* a group's row; from the fourth to the next pair */
            uint32_t p1, q1;
            __asm__ volatile("0:\n\t"
                             "ldrd %[w0], %[p1], [%[src]]\n\t"
                             "ldrd %[w2], %[q1], [%[f2]]\n\t"
                             PAIR_GROUP_ASM("w0", "w2") PAIR_GROUP_ASM("p1", "q1")
                             "ldrd %[w0], %[p1], [%[src], #8]\n\t"
                             "ldrd %[w2], %[q1], [%[f2], #8]\n\t"
                             "add %[src], %[src], %[c2]\n\t"
                             "add %[f2], %[f2], %[c2]\n\t"
                             PAIR_GROUP_ASM("w0", "w2") PAIR_WIDEN_ASM("p1", "q1")
                             "stm %[to], {%[w0], %[w1], %[w2], %[w3]}\n\t"
                             "sub %[to], %[to], %[back]\n\t"
                             "subs %[nj], %[nj], #1\n\t"
                             "bne 0b"
                             : [src] "+r"(src), [f2] "+r"(f2), [to] "+r"(to), [nj] "+r"(nj), [p1] "=&r"(p1),
                               [q1] "=&r"(q1), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3)
                             : [c2] "r"(2 * in_c), [t] "r"(t), [back] "r"(back)
                             : "cc", "memory");
        } else {
            /* two groups a turn (LDRD: word-aligned rows), along the channels of each pair of columns, every pair in
             * the one loop; a group's four words by one STM (registers in its order) */
            register uint32_t w0 __asm__("r0"), w1 __asm__("r1"), w2 __asm__("r2"), w3 __asm__("r3");
            const int32_t g2 = groups >> 1;
            /* turns (of four groups, the loop's two halves, when groups is a multiple of four: else two, the first
             * half skipped); bytes: a group's row, then from one pair's end to the next pair (input and band) */
            const int32_t cfg[4] = {(g2 + 1) >> 1, pairs * 16, 2 * in_c - 8 * g2, 16 - g2 * 2 * pairs * 16};
            const int odd_pairs = g2 & 1;
            const int8_t *src = row + (2 * jl - pad_w) * in_c, *f2 = src + in_c;
            tr_word *to = dst + 4 * jl;
            int32_t nj = je - jl, k;
            uint32_t p1, q1, t;
            __asm__ volatile("1:\n\t"
                             "ldr %[k], [%[cfg]]\n\t"
                             "ldr %[t], [%[cfg], #4]\n\t"
                             "cmp %[odd], #0\n\t"
                             "bne 2f\n\t"
                             "0:\n\t"
                             "ldrd %[w0], %[p1], [%[src]], #8\n\t"
                             "ldrd %[w2], %[q1], [%[f2]], #8\n\t"
                             PAIR_GROUP_ASM("w0", "w2") PAIR_GROUP_ASM("p1", "q1")
                             "2:\n\t"
                             "ldrd %[w0], %[p1], [%[src]], #8\n\t"
                             "ldrd %[w2], %[q1], [%[f2]], #8\n\t"
                             PAIR_GROUP_ASM("w0", "w2") PAIR_GROUP_ASM("p1", "q1")
                             "subs %[k], %[k], #1\n\t"
                             "bne 0b\n\t"
                             "ldrd %[k], %[t], [%[cfg], #8]\n\t"
                             "add %[src], %[src], %[k]\n\t"
                             "add %[f2], %[f2], %[k]\n\t"
                             "add %[to], %[to], %[t]\n\t"
                             "subs %[nj], %[nj], #1\n\t"
                             "bne 1b"
                             : [src] "+r"(src), [f2] "+r"(f2), [to] "+r"(to), [nj] "+r"(nj), [k] "=&r"(k), [t] "=&r"(t),
                               [p1] "=&r"(p1), [q1] "=&r"(q1), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2),
                               [w3] "=&r"(w3)
                             : [cfg] "r"(cfg), [odd] "r"(odd_pairs)
                             : "cc", "memory");
        }
    } else if (je > jl) {
        const int8_t *src = row + (2 * jl - pad_w) * in_c;
        tr_word *to = dst + 4 * jl;
        const int32_t cfg[2] = {je - jl, (pairs - (je - jl)) * 16}; /* pairs per group; bytes to the next group's */
        int32_t g = groups, k;
        const int8_t *from;
        uint32_t t0, t1, t2, t3;
        __asm__ volatile("1:\n\t"
                         "ldr %[k], [%[cfg]]\n\t"
                         "mov %[from], %[src]\n\t"
                         "0:\n\t"
                         "ldr %[t0], [%[from]]\n\t"
                         "ldr %[t1], [%[from], %[c]]\n\t"
                         "add %[from], %[from], %[c], lsl #1\n\t"
                         "pkhbt %[t2], %[t0], %[t1], lsl #16\n\t"
                         "pkhtb %[t3], %[t1], %[t0], asr #16\n\t"
                         "sxtb16 %[t0], %[t2]\n\t"
                         "sxtb16 %[t1], %[t2], ror #8\n\t"
                         "sxtb16 %[t2], %[t3]\n\t"
                         "sxtb16 %[t3], %[t3], ror #8\n\t"
                         "strd %[t0], %[t1], [%[to]], #8\n\t"
                         "strd %[t2], %[t3], [%[to]], #8\n\t"
                         "subs %[k], %[k], #1\n\t"
                         "bne 0b\n\t"
                         "ldr %[t0], [%[cfg], #4]\n\t"
                         "add %[to], %[to], %[t0]\n\t"
                         "add %[src], %[src], #4\n\t"
                         "subs %[g], %[g], #1\n\t"
                         "bne 1b"
                         : [src] "+r"(src), [to] "+r"(to), [g] "+r"(g), [k] "=&r"(k), [from] "=&r"(from),
                           [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)
                         : [c] "r"(in_c), [cfg] "r"(cfg)
                         : "cc", "memory");
    }
    /* a pair with padding in one half: (pad, x[0]) on the left for odd padding, (x[in_w - 1], pad) on the right */
    const int32_t partial[2] = {pad_w & 1 ? jl - 1 : -1, je >= jl && ((in_w + pad_w) & 1) ? je : -1};
    for (int side = 0; side < 2; ++side) {
        const int32_t j = partial[side];
        if (j < 0 || j >= pairs) continue;
        const int8_t *src = row + (side ? in_w - 1 : 0) * in_c;
        tr_word *to = dst + 4 * j;
        for (int32_t g = groups; g > 0; --g, src += 4, to += pairs * 4) {
            uint32_t v;
            memcpy(&v, src, 4);
            const uint32_t e = __sxtb16(v), o = sxtb16_ror8(v);
            if (side == 0) {
                to[0] = (pad2 & 0xFFFFu) | (e << 16);
                to[1] = (pad2 & 0xFFFFu) | (o << 16);
                to[2] = (pad2 & 0xFFFFu) | (e & 0xFFFF0000u);
                to[3] = (pad2 & 0xFFFFu) | (o & 0xFFFF0000u);
            } else {
                to[0] = (e & 0xFFFFu) | (pad2 & 0xFFFF0000u);
                to[1] = (o & 0xFFFFu) | (pad2 & 0xFFFF0000u);
                to[2] = (e >> 16) | (pad2 & 0xFFFF0000u);
                to[3] = (o >> 16) | (pad2 & 0xFFFF0000u);
            }
        }
    }
}

/* The filter of a full group as pairs (see above), doubled, and each channel's input_offset * (sum of doubled
 * weights) in its K word (BK_TRIPLET + 3i + 1), the bias's share that prepare_usual adds. In assembly, every row in
 * one block (from C the compiler built the halves with shifts and masks): per pair of taps two loads, PKHBT/PKHTB,
 * four SXTB16, four doublings and four SMLADs with (input_offset, input_offset) (off2); the last tap of an odd row as
 * (2w_c0, 2w_c2), (2w_c1, 2w_c3), which SXTB16 gives as they are. */
/* a pair of taps widened and doubled into t0..t3 (channels 0..3), src stepped two taps */
#define FPAIR_WIDEN_ASM                                  \
    "ldr %[t0], [%[src]]\n\t"                          \
    "ldr %[t1], [%[src], %[c]]\n\t"                    \
    "add %[src], %[src], %[c], lsl #1\n\t"             \
    "pkhbt %[t2], %[t0], %[t1], lsl #16\n\t"           \
    "pkhtb %[t3], %[t1], %[t0], asr #16\n\t"           \
    "sxtb16 %[t0], %[t2]\n\t"                          \
    "sxtb16 %[t1], %[t2], ror #8\n\t"                  \
    "sxtb16 %[t2], %[t3]\n\t"                          \
    "sxtb16 %[t3], %[t3], ror #8\n\t"                  \
    "sadd16 %[t0], %[t0], %[t0]\n\t"                   \
    "sadd16 %[t1], %[t1], %[t1]\n\t"                   \
    "sadd16 %[t2], %[t2], %[t2]\n\t"                   \
    "sadd16 %[t3], %[t3], %[t3]\n\t"
#define FPAIR_STORE_ASM                                  \
    "strd %[t0], %[t1], [%[w]], #8\n\t"                \
    "strd %[t2], %[t3], [%[w]], #8\n\t"
/* a last tap widened and doubled into t0 (channels 0, 2), t1 (1, 3), src stepped a tap */
#define FLAST_WIDEN_ASM                                  \
    "ldr %[t0], [%[src]]\n\t"                          \
    "add %[src], %[src], %[c]\n\t"                     \
    "sxtb16 %[t1], %[t0], ror #8\n\t"                  \
    "sxtb16 %[t0], %[t0]\n\t"                          \
    "sadd16 %[t1], %[t1], %[t1]\n\t"                   \
    "sadd16 %[t0], %[t0], %[t0]\n\t"
#define FPAIR_ASM                                        \
    FPAIR_WIDEN_ASM                                      \
    "smlad %[s0], %[t0], %[ones], %[s0]\n\t"           \
    "smlad %[s1], %[t1], %[ones], %[s1]\n\t"           \
    "smlad %[s2], %[t2], %[ones], %[s2]\n\t"           \
    "smlad %[s3], %[t3], %[ones], %[s3]\n\t"           \
    FPAIR_STORE_ASM
#define FLAST_ASM                                        \
    FLAST_WIDEN_ASM                                      \
    "smlabb %[s0], %[t0], %[ones], %[s0]\n\t"          \
    "smlatb %[s2], %[t0], %[ones], %[s2]\n\t"          \
    "smlabb %[s1], %[t1], %[ones], %[s1]\n\t"          \
    "smlatb %[s3], %[t1], %[ones], %[s3]\n\t"          \
    "strd %[t0], %[t1], [%[w]], #8\n\t"
/* The same without the sums (taps counted once already) */
#define FPAIR_NS_ASM FPAIR_WIDEN_ASM FPAIR_STORE_ASM
#define FLAST_NS_ASM FLAST_WIDEN_ASM "strd %[t0], %[t1], [%[w]], #8\n\t"
/* A row of the stride-1 3x3 (PAIRS_3X3_S1), 12 words: (w0, w1) pairs, (w1, w2) pairs, then the single taps per
 * pass of two channels: (w0_c0, w0_c1), (w2_c0, w2_c1), (w0_c2, w0_c3), (w2_c2, w2_c3) (one LDRD a pass). */
#define FROW_S1_ASM                                      \
    FPAIR_ASM                                            \
    "ldr %[t0], [%[src]]\n\t"                          \
    "sxtb16 %[t1], %[t0], ror #8\n\t"                  \
    "sxtb16 %[t0], %[t0]\n\t"                          \
    "sadd16 %[t1], %[t1], %[t1]\n\t"                   \
    "sadd16 %[t0], %[t0], %[t0]\n\t"                   \
    "smlabb %[s0], %[t0], %[ones], %[s0]\n\t"          \
    "smlatb %[s2], %[t0], %[ones], %[s2]\n\t"          \
    "smlabb %[s1], %[t1], %[ones], %[s1]\n\t"          \
    "smlatb %[s3], %[t1], %[ones], %[s3]\n\t"          \
    "pkhbt %[t2], %[t0], %[t1], lsl #16\n\t"           \
    "pkhtb %[t3], %[t1], %[t0], asr #16\n\t"           \
    "str %[t2], [%[w], #20]\n\t"                       \
    "str %[t3], [%[w], #28]\n\t"                       \
    "sub %[src], %[src], %[c]\n\t"                     \
    FPAIR_NS_ASM                                         \
    "sub %[src], %[src], %[c], lsl #1\n\t"             \
    "sub %[src], %[src], %[c]\n\t"                     \
    FLAST_WIDEN_ASM                                      \
    "pkhbt %[t2], %[t0], %[t1], lsl #16\n\t"           \
    "pkhtb %[t3], %[t1], %[t0], asr #16\n\t"           \
    "str %[t2], [%[w]]\n\t"                            \
    "str %[t3], [%[w], #8]\n\t"                        \
    "add %[w], %[w], #16\n\t"                          \
    "add %[src], %[src], %[c], lsl #1\n\t"
static void widen_filter_pairs(tr_word *blk, const int8_t *src, int32_t filter_c, int kind, uint32_t off2)
{
    tr_word *w = blk + BK_FILTER;
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint32_t t0, t1, t2, t3;
#define FILTER_OPERANDS                                                                                            \
    : [src] "+r"(src), [w] "+r"(w), [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [t0] "=&r"(t0),   \
      [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)                                                              \
    : [c] "r"(filter_c), [ones] "r"(off2)                                                                         \
    : "memory"
    if (kind == PAIRS_3X3) __asm__ volatile(FPAIR_ASM FLAST_ASM FPAIR_ASM FLAST_ASM FPAIR_ASM FLAST_ASM FILTER_OPERANDS);
    else if (kind == PAIRS_3X3_S1) __asm__ volatile(FROW_S1_ASM FROW_S1_ASM FROW_S1_ASM FILTER_OPERANDS);
    else __asm__ volatile(FPAIR_ASM FPAIR_ASM FLAST_ASM FILTER_OPERANDS);
#undef FILTER_OPERANDS
    blk[BK_TRIPLET + 1] = (uint32_t)s0;
    blk[BK_TRIPLET + 4] = (uint32_t)s1;
    blk[BK_TRIPLET + 7] = (uint32_t)s2;
    blk[BK_TRIPLET + 10] = (uint32_t)s3;
}

/* A pair of taps: band pair at `xa` (c0 c1) and `xb` (c2 c3), the filter's four words at block offset wo. */
#define PTAP_ASM(xa, xb, wo)                             \
    "ldrd %[p], %[q], " xa "\n\t"                      \
    "ldrd %[u], %[v], [%[b], #" #wo "]\n\t"            \
    "smlad %[a0], %[p], %[u], %[a0]\n\t"               \
    "smlad %[a1], %[q], %[v], %[a1]\n\t"               \
    "ldrd %[p], %[q], " xb "\n\t"                      \
    "ldrd %[u], %[v], [%[b], #" #wo "+8]\n\t"          \
    "smlad %[a2], %[p], %[u], %[a2]\n\t"               \
    "smlad %[a3], %[q], %[v], %[a3]\n\t"
/* The last tap of an odd filter row: the first column of the pair at xa / xb, the filter's two words at wo,
 * (2w_c0, 2w_c2), (2w_c1, 2w_c3). */
#define PLAST_ASM(xa, xb, wo)                            \
    "ldrd %[p], %[q], " xa "\n\t"                      \
    "ldrd %[u], %[v], [%[b], #" #wo "]\n\t"            \
    "smlabb %[a0], %[p], %[u], %[a0]\n\t"              \
    "smlabb %[a1], %[q], %[v], %[a1]\n\t"              \
    "ldrd %[p], %[q], " xb "\n\t"                      \
    "smlabt %[a2], %[p], %[u], %[a2]\n\t"              \
    "smlabt %[a3], %[q], %[v], %[a3]\n\t"
/* dw_rq_fast of channel i: its (multiplier, K, e) by one LDM from v, which steps on to the next channel's. */
#ifdef TR_ROUNDING_SINGLE
#define RQL_ASM(a, k)                                    \
    "ldmia %[v]!, {%[p], %[q], %[u]}\n\t"              \
    "smmla %[q], %[" a "], %[p], %[q]\n\t"             \
    "asr %[q], %[q], %[u]\n\t"                         \
    "ssat %[q], #8, %[q]\n\t"                          \
    "strb %[q], [%[o], #" #k "]\n\t"
#else
#define RQL_ASM(a, k)                                    \
    "ldmia %[v]!, {%[p], %[q], %[u]}\n\t"              \
    "add %[q], %[q], %[" a "], asr #31\n\t"            \
    "smmlar %[q], %[" a "], %[p], %[q]\n\t"            \
    "asr %[q], %[q], %[u]\n\t"                         \
    "ssat %[q], #8, %[q]\n\t"                          \
    "strb %[q], [%[o], #" #k "]\n\t"
#endif
/* A 3-tap row (the row pointer steps 16 bytes, a pair, per pixel) and a 5-tap row. */
#define PROW3(x, wo) PTAP_ASM("[%[" x "]], #16", "[%[" x "], #-8]", wo) PLAST_ASM("[%[" x "]]", "[%[" x "], #8]", wo + 16)
#define PROW5(x, wo)                                                                                             \
    PTAP_ASM("[%[" x "]], #16", "[%[" x "], #-8]", wo) PTAP_ASM("[%[" x "]]", "[%[" x "], #8]", wo + 16)         \
    PLAST_ASM("[%[" x "], #16]", "[%[" x "], #24]", wo + 32)
#define PROWS_3X3 PROW3("x0", 88) PROW3("x1", 112) PROW3("x2", 136)
#define PROWS_1X5 PROW5("x0", 88)
/* Two pixels (A, B) of two channels (c, c + 1) a turn: each load of the filter serves both pixels, and at stride 2
 * pixel A's last pair is pixel B's first, loaded once. Accumulators a0, a1: A's channels c, c + 1; a2, a3: B's. Pass
 * 0 takes channels 0 and 1 (offset 0 in a pair and in the filter's pairs, the bottom halves of its last-tap words),
 * pass 1 channels 2 and 3 (offset 8, the top halves); the row pointers step 32 bytes, two pixels, in pass 0, so that
 * pass 1's offsets are 32 less. */
#define P2TAP_ASM(ldx, xa, xb, wo)                       \
    "ldrd %[u], %[v], [%[b], #" #wo "]\n\t"            \
    ldx                                                  \
    "ldrd %[p], %[q], " xa "\n\t"                      \
    "smlad %[a0], %[p], %[u], %[a0]\n\t"               \
    "smlad %[a1], %[q], %[v], %[a1]\n\t"               \
    "ldrd %[p], %[q], " xb "\n\t"                      \
    "smlad %[a2], %[p], %[u], %[a2]\n\t"               \
    "smlad %[a3], %[q], %[v], %[a3]\n\t"
/* the next pair of taps, whose pixel-A pair is in p, q already (stride 2: the previous pixel-B pair) */
#define P2TAPN_ASM(xb, wo)                               \
    "ldrd %[u], %[v], [%[b], #" #wo "]\n\t"            \
    "smlad %[a0], %[p], %[u], %[a0]\n\t"               \
    "smlad %[a1], %[q], %[v], %[a1]\n\t"               \
    "ldrd %[p], %[q], " xb "\n\t"                      \
    "smlad %[a2], %[p], %[u], %[a2]\n\t"               \
    "smlad %[a3], %[q], %[v], %[a3]\n\t"
/* the last tap: A's in p, q already; hl: "bb" (pass 0) or "bt" (pass 1) */
#define P2LAST_ASM(xb, wo, hl)                           \
    "ldrd %[u], %[v], [%[b], #" #wo "]\n\t"            \
    "smla" hl " %[a0], %[p], %[u], %[a0]\n\t"          \
    "smla" hl " %[a1], %[q], %[v], %[a1]\n\t"          \
    "ldrd %[p], %[q], " xb "\n\t"                      \
    "smla" hl " %[a2], %[p], %[u], %[a2]\n\t"          \
    "smla" hl " %[a3], %[q], %[v], %[a3]\n\t"
#define P2ROW3_0(x, wo) P2TAP_ASM("", "[%[" x "]], #32", "[%[" x "], #-16]", wo) P2LAST_ASM("[%[" x "]]", wo + 16, "bb")
#define P2ROW3_1(x, wo) P2TAP_ASM("", "[%[" x "], #-24]", "[%[" x "], #-8]", wo + 8) P2LAST_ASM("[%[" x "], #8]", wo + 16, "bt")
#define P2ROW5_0(x, wo)                                                                                          \
    P2TAP_ASM("", "[%[" x "]], #32", "[%[" x "], #-16]", wo) P2TAPN_ASM("[%[" x "]]", wo + 16)                   \
    P2LAST_ASM("[%[" x "], #16]", wo + 32, "bb")
#define P2ROW5_1(x, wo)                                                                                          \
    P2TAP_ASM("", "[%[" x "], #-24]", "[%[" x "], #-8]", wo + 8) P2TAPN_ASM("[%[" x "], #8]", wo + 24)           \
    P2LAST_ASM("[%[" x "], #24]", wo + 32, "bt")
/* channel c of both pixels requantised: (multiplier, K, e) by one LDM from v; the results left in the accumulators */
#ifdef TR_ROUNDING_SINGLE
#define RQ2ONE_ASM(a)                                    \
    "smmla %[t], %[" a "], %[p], %[q]\n\t"             \
    "asr %[t], %[t], %[u]\n\t"                         \
    "ssat %[" a "], #8, %[t]\n\t"
#else
#define RQ2ONE_ASM(a)                                    \
    "add %[t], %[q], %[" a "], asr #31\n\t"            \
    "smmlar %[t], %[" a "], %[p], %[t]\n\t"            \
    "asr %[t], %[t], %[u]\n\t"                         \
    "ssat %[" a "], #8, %[t]\n\t"
#endif
/* both pixels' outputs of channels c, c + 1 (c = 2k): requantised, stored at o + c (A) and o + out.c + c (B, as one
 * halfword: unaligned STRH is fine on v7-M) */
#define RQ2_ASM(mko, c, c1, step_c)                      \
    "add %[v], %[b], #" #mko "\n\t"                    \
    "ldmia %[v]!, {%[p], %[q], %[u]}\n\t"              \
    RQ2ONE_ASM("a0") RQ2ONE_ASM("a2")                    \
    "ldmia %[v]!, {%[p], %[q], %[u]}\n\t"              \
    RQ2ONE_ASM("a1") RQ2ONE_ASM("a3")                    \
    "strb %[a0], [%[o], #" #c "]\n\t"                  \
    "strb %[a1], [%[o], #" #c1 "]\n\t"                 \
    "ldr %[t], [%[b], #" #step_c "]\n\t"               \
    "bfi %[a2], %[a3], #8, #8\n\t"                     \
    "strh %[a2], [%[o], %[t]]\n\t"
#define P2ROWS_3X3_0 P2ROW3_0("x0", 88) P2ROW3_0("x1", 112) P2ROW3_0("x2", 136)
#define P2ROWS_3X3_1 P2ROW3_1("x0", 88) P2ROW3_1("x1", 112) P2ROW3_1("x2", 136)
#define P2ROWS_1X5_0 P2ROW5_0("x0", 88)
#define P2ROWS_1X5_1 P2ROW5_1("x0", 88)
/* An output row of every group, as ROW3X3_ASM: two pixels a turn (block word 21: pixel pairs; `cnt`: the count's
 * word), then an odd last pixel (word 19: 1 if so) as four channels of one pixel (PROWS: the 1-pixel rows, RQL_ASM);
 * then the next group's block (`size` bytes on) while word 20 (the blocks after this one) is not 0. Words 16 and 19:
 * out.c and out.c + 2 for pixel B's stores. */
#define PAIRS_ASM(ROWS2_0, ROWS2_1, ROWS, size, cnt, bo, LDM_BIAS)                                              \
    "1:\n\t"                                                                                                      \
    "ldr %[t], [%[b], #84]\n\t"                                                                                   \
    "cmp %[t], #0\n\t"                                                                                            \
    "beq 2f\n\t"                                                                                                  \
    "str %[t], [%[b], #" #cnt "]\n\t"                                                                             \
    "0:\n\t"                                                                                                      \
    "ldrd %[a0], %[a1], [%[b], #" #bo "]\n\t"                                                                     \
    "ldrd %[a2], %[a3], [%[b], #" #bo "]\n\t"                                                                     \
    ROWS2_0                                                                                                       \
    RQ2_ASM(16, 0, 1, 64)                                                                                         \
    "ldrd %[a0], %[a1], [%[b], #" #bo "+8]\n\t"                                                                   \
    "ldrd %[a2], %[a3], [%[b], #" #bo "+8]\n\t"                                                                   \
    ROWS2_1                                                                                                       \
    RQ2_ASM(40, 2, 3, 76)                                                                                         \
    "ldr %[t], [%[b], #64]\n\t"                                                                                   \
    "add %[o], %[o], %[t], lsl #1\n\t"                                                                            \
    "ldr %[t], [%[b], #" #cnt "]\n\t"                                                                             \
    "subs %[t], %[t], #1\n\t"                                                                                     \
    "str %[t], [%[b], #" #cnt "]\n\t"                                                                             \
    "bne 0b\n\t"                                                                                                  \
    "2:\n\t"                                                                                                      \
    "ldr %[t], [%[b], #" #cnt "+4]\n\t"                                                                           \
    "cmp %[t], #0\n\t"                                                                                            \
    "beq 3f\n\t"                                                                                                  \
    LDM_BIAS                                                                                                      \
    ROWS                                                                                                          \
    "add %[v], %[b], #16\n\t"                                                                                     \
    RQL_ASM("a0", 0) RQL_ASM("a1", 1) RQL_ASM("a2", 2) RQL_ASM("a3", 3)                                           \
    "ldr %[q], [%[b], #64]\n\t"                                                                                   \
    "add %[o], %[o], %[q]\n\t"                                                                                    \
    "3:\n\t"                                                                                                      \
    "ldrd %[p], %[q], [%[b], #68]\n\t"                                                                            \
    "add %[x0], %[x0], %[p]\n\t"                                                                                  \
    "add %[x1], %[x1], %[p]\n\t"                                                                                  \
    "add %[x2], %[x2], %[p]\n\t"                                                                                  \
    "add %[o], %[o], %[q]\n\t"                                                                                    \
    "ldr %[p], [%[b], #80]\n\t"                                                                                   \
    "add %[b], %[b], #" #size "\n\t"                                                                              \
    "cmp %[p], #0\n\t"                                                                                            \
    "bne 1b"
#define LDM_BIAS_ASM "ldm %[b], {%[a0], %[a1], %[a2], %[a3]}\n\t"
#define LDM_BIAS_NO_BOTTOM_ASM "add %[v], %[b], #160\n\tldm %[v], {%[a0], %[a1], %[a2], %[a3]}\n\t"
/* The 3x3's output rows whose bottom filter row reads padding only leave that row out: their biases (block words
 * 40-43, byte 160) hold its share instead (-input_offset times the row's doubled weights), as row3x3's do. */
#define P2ROWS_3X3NB_0 P2ROW3_0("x0", 88) P2ROW3_0("x1", 112)
#define P2ROWS_3X3NB_1 P2ROW3_1("x0", 88) P2ROW3_1("x1", 112)
#define PROWS_3X3NB PROW3("x0", 88) PROW3("x1", 112)
/* Stride 1 (PAIRS_3X3_S1): the two pixels of a turn are an even one, A (pair j with (w0, w1), pair j + 1's first
 * column with w2) and the odd one after it, B (pair j's second column with w0, pair j + 1 with (w1, w2)); both read
 * pairs j and j + 1, and the row pointers step one pair per turn. A filter row is 12 words (FROW_S1_ASM): (w0, w1)
 * pairs at wo, (w1, w2) pairs at wo + 16, a pass's single taps (w0's, w2's) at wo + 32 (pass 0) and wo + 40. */
#define S1ROW_ASM(xj, xj1, wo01, wo12, wot)              \
    "ldrd %[p], %[q], " xj "\n\t"                      \
    "ldrd %[u], %[v], [%[b], #" #wo01 "]\n\t"          \
    "smlad %[a0], %[p], %[u], %[a0]\n\t"               \
    "smlad %[a1], %[q], %[v], %[a1]\n\t"               \
    "ldrd %[u], %[v], [%[b], #" #wot "]\n\t"           \
    "smlatb %[a2], %[p], %[u], %[a2]\n\t"              \
    "smlatt %[a3], %[q], %[u], %[a3]\n\t"              \
    "ldrd %[p], %[q], " xj1 "\n\t"                     \
    "smlabb %[a0], %[p], %[v], %[a0]\n\t"              \
    "smlabt %[a1], %[q], %[v], %[a1]\n\t"              \
    "ldrd %[u], %[v], [%[b], #" #wo12 "]\n\t"          \
    "smlad %[a2], %[p], %[u], %[a2]\n\t"               \
    "smlad %[a3], %[q], %[v], %[a3]\n\t"
#define S1ROW_0(x, wo) S1ROW_ASM("[%[" x "]], #16", "[%[" x "]]", wo, wo + 16, wo + 32)
#define S1ROW_1(x, wo) S1ROW_ASM("[%[" x "], #-8]", "[%[" x "], #8]", wo + 8, wo + 24, wo + 40)
#define S1ROWS_0 S1ROW_0("x0", 88) S1ROW_0("x1", 136) S1ROW_0("x2", 184)
#define S1ROWS_1 S1ROW_1("x0", 88) S1ROW_1("x1", 136) S1ROW_1("x2", 184)
/* an odd last pixel (even): the (w0, w1) pairs as PROW3, w2 from the passes' single-tap words */
#define PROW3_S1(x, wo)                                  \
    PTAP_ASM("[%[" x "]], #16", "[%[" x "], #-8]", wo)   \
    "ldrd %[p], %[q], [%[" x "]]\n\t"                   \
    "ldr %[u], [%[b], #" #wo "+36]\n\t"                \
    "smlabb %[a0], %[p], %[u], %[a0]\n\t"              \
    "smlabt %[a1], %[q], %[u], %[a1]\n\t"              \
    "ldrd %[p], %[q], [%[" x "], #8]\n\t"               \
    "ldr %[u], [%[b], #" #wo "+44]\n\t"                \
    "smlabb %[a2], %[p], %[u], %[a2]\n\t"              \
    "smlabt %[a3], %[q], %[u], %[a3]\n\t"
#define PROWS_3X3_S1 PROW3_S1("x0", 88) PROW3_S1("x1", 136) PROW3_S1("x2", 184)
/* without the top or the bottom filter row (padding only), their biases at block words 58-61 and 62-65 */
#define S1ROWS_NT_0 S1ROW_0("x1", 136) S1ROW_0("x2", 184)
#define S1ROWS_NT_1 S1ROW_1("x1", 136) S1ROW_1("x2", 184)
#define PROWS_3X3_S1_NT PROW3_S1("x1", 136) PROW3_S1("x2", 184)
#define S1ROWS_NB_0 S1ROW_0("x0", 88) S1ROW_0("x1", 136)
#define S1ROWS_NB_1 S1ROW_1("x0", 88) S1ROW_1("x1", 136)
#define PROWS_3X3_S1_NB PROW3_S1("x0", 88) PROW3_S1("x1", 136)
#define LDM_BIAS_S1_NO_TOP_ASM "add %[v], %[b], #232\n\tldm %[v], {%[a0], %[a1], %[a2], %[a3]}\n\t"
#define LDM_BIAS_S1_NO_BOTTOM_ASM "add %[v], %[b], #248\n\tldm %[v], {%[a0], %[a1], %[a2], %[a3]}\n\t"
/* the blocks: BK_FILTER + the filter, (the 3x3's) biases without the bottom row, the pixel-pair count's word and the
 * odd-pixel flag (the last word) */
enum {
    PAIRS3X3_WORDS = BK_FILTER + 18 + 4 + 2,
    PAIRS1X5_WORDS = BK_FILTER + 10 + 2,
    PAIRS3X3_S1_WORDS = BK_FILTER + 36 + 8 + 2,
    PAIRS_BIAS_NO_BOTTOM = 40,
    PAIRS_S1_BIAS_NO_TOP = 58,
    PAIRS_S1_BIAS_NO_BOTTOM = 62
};
_Static_assert(PAIRS3X3_WORDS * 4 == 184 && PAIRS1X5_WORDS * 4 == 136 && PAIRS3X3_S1_WORDS * 4 == 272 &&
                   PAIRS_BIAS_NO_BOTTOM * 4 == 160 && PAIRS_S1_BIAS_NO_TOP * 4 == 232 &&
                   PAIRS_S1_BIAS_NO_BOTTOM * 4 == 248,
               "PAIRS_ASM's block sizes");

__attribute__((noinline)) static void pairs_row(const tr_word *x0, const tr_word *x1, const tr_word *x2, const tr_word *b, int8_t *o, int kind)
{
    /* registers in the order the LDMs fill them */
    register int32_t a0 __asm__("r0"), a1 __asm__("r1"), a2 __asm__("r2"), a3 __asm__("r3");
    register uint32_t p __asm__("r4"), q __asm__("r5"), u __asm__("r6");
    uint32_t v, t;
#define PAIRS_OPERANDS                                                                                               \
    : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [p] "=&r"(p), [q] "=&r"(q), [u] "=&r"(u),    \
      [v] "=&r"(v), [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [o] "+r"(o), [t] "=&r"(t), [b] "+r"(b)            \
    :                                                                                                                \
    : "cc", "memory"
    if (kind == PAIRS_3X3)
        __asm__ volatile(PAIRS_ASM(P2ROWS_3X3_0, P2ROWS_3X3_1, PROWS_3X3, 184, 176, 0, LDM_BIAS_ASM) PAIRS_OPERANDS);
    else if (kind == PAIRS_3X3_NO_BOTTOM)
        __asm__ volatile(PAIRS_ASM(P2ROWS_3X3NB_0, P2ROWS_3X3NB_1, PROWS_3X3NB, 184, 176, 160, LDM_BIAS_NO_BOTTOM_ASM)
                             PAIRS_OPERANDS);
    else if (kind == PAIRS_3X3_S1)
        __asm__ volatile(PAIRS_ASM(S1ROWS_0, S1ROWS_1, PROWS_3X3_S1, 272, 264, 0, LDM_BIAS_ASM) PAIRS_OPERANDS);
    else if (kind == PAIRS_3X3_S1_NO_TOP)
        __asm__ volatile(PAIRS_ASM(S1ROWS_NT_0, S1ROWS_NT_1, PROWS_3X3_S1_NT, 272, 264, 232, LDM_BIAS_S1_NO_TOP_ASM)
                             PAIRS_OPERANDS);
    else if (kind == PAIRS_3X3_S1_NO_BOTTOM)
        __asm__ volatile(PAIRS_ASM(S1ROWS_NB_0, S1ROWS_NB_1, PROWS_3X3_S1_NB, 272, 264, 248,
                                   LDM_BIAS_S1_NO_BOTTOM_ASM) PAIRS_OPERANDS);
    else __asm__ volatile(PAIRS_ASM(P2ROWS_1X5_0, P2ROWS_1X5_1, PROWS_1X5, 136, 128, 0, LDM_BIAS_ASM) PAIRS_OPERANDS);
#undef PAIRS_OPERANDS
}

/* For the 3x3's rows that leave filter row r out (it reads padding only): the biases plus its share,
 * -input_offset * the row's doubled weights, in the words the row kind's LDM reads. */
static inline __attribute__((always_inline)) void row_biases(tr_word *blk, int32_t groups, int32_t block_words,
                                                             int layout, int32_t r, int32_t input_offset)
{
    const int32_t noff = -input_offset;
    const int s1 = layout == PAIRS_3X3_S1;
    const int32_t at = !s1 ? PAIRS_BIAS_NO_BOTTOM : r ? PAIRS_S1_BIAS_NO_BOTTOM : PAIRS_S1_BIAS_NO_TOP;
    for (int32_t g = 0; g < groups; ++g, blk += block_words) {
        /* (w0, w1) pairs first in both layouts; w2 from the last-tap words ((c0, c2), (c1, c3)) at stride 2, from
         * the single-tap words ((c0, c1) at 9, (c2, c3) at 11) at stride 1 */
        const tr_word *w = blk + BK_FILTER + (s1 ? 12 : 6) * r;
        const int32_t lo = (int32_t)w[s1 ? 9 : 4], hi = (int32_t)w[s1 ? 11 : 5]; /* the words holding w2 */
        const int32_t w2_0 = (int16_t)lo, w2_1 = s1 ? lo >> 16 : (int16_t)hi;
        const int32_t w2_2 = s1 ? (int16_t)hi : lo >> 16, w2_3 = hi >> 16;
        blk[at + 0] = blk[0] + (uint32_t)(noff * __smlad(w[0], 0x00010001u, w2_0));
        blk[at + 1] = blk[1] + (uint32_t)(noff * __smlad(w[1], 0x00010001u, w2_1));
        blk[at + 2] = blk[2] + (uint32_t)(noff * __smlad(w[2], 0x00010001u, w2_2));
        blk[at + 3] = blk[3] + (uint32_t)(noff * __smlad(w[3], 0x00010001u, w2_3));
    }
}

/* The whole call on this path, or 0 (nothing written that the general path does not write again) for a call it
 * does not take. */
static int depthwise_pairs(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                           tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output)
{
    const int is3x3 = filter.h == 3 && filter.w == 3, s1 = p->stride_w == 1;
    /* at stride 1, rows of 4 pixels and more: on vww/25's 3x3 outputs the set-up (12 filter words a row) outweighs
     * the taps saved (73,872 instructions against row3x3's 71,430) */
    if (!(is3x3 || (filter.h == 1 && filter.w == 5 && !s1)) || p->stride_w > 2 || (s1 && out.w < 4) ||
        p->dilation_w != 1 ||
        p->depth_multiplier != 1 || (in.c & 3) || out.w < 1 || out.h < 1)
        return 0;
    /* the whole int8 range, or a clamp inside it (a pass over the outputs at the end: clamp_s8_dsp.h) */
    const int full = p->act_min <= -128 && p->act_max >= 127;
    if (!full && (p->act_min < -128 || p->act_max > 127 || p->act_min > p->act_max)) return 0;
    const int layout = !is3x3 ? PAIRS_1X5 : s1 ? PAIRS_3X3_S1 : PAIRS_3X3; /* the filter's */
    /* the pairs an output row reads: at stride 2, ox + i for i <= fw / 2; at stride 1, up to (out.w - 1) / 2 + 1 */
    const int32_t pairs = s1 ? (out.w + 3) >> 1 : out.w + (filter.w >> 1);
    const int32_t block_words = layout == PAIRS_3X3 ? PAIRS3X3_WORDS : layout == PAIRS_3X3_S1 ? PAIRS3X3_S1_WORDS
                                                                                             : PAIRS1X5_WORDS;
    /* output rows reading above or below the input: the 3x3's whose bottom row alone (and at stride 1, whose top row
     * alone) reads padding leave that row out (PAIRS_3X3_NO_BOTTOM, PAIRS_3X3_S1_NO_TOP, _NO_BOTTOM), the others read
     * a padding slot */
    int pad_rows = 0, no_bottom = 0, no_top = 0;
    for (int32_t oy = 0; oy < out.h; ++oy) {
        const int32_t top = oy * p->stride_h - p->pad_h, bottom = top + (filter.h - 1) * p->dilation_h;
        const int32_t mid_in = top + p->dilation_h >= 0 && top + p->dilation_h < in.h;
        if (is3x3 && top >= 0 && bottom >= in.h && mid_in) no_bottom = 1;
        else if (layout == PAIRS_3X3_S1 && top < 0 && bottom < in.h && mid_in) no_top = 1;
        else if (top < 0 || bottom >= in.h) pad_rows = 1;
    }
    const int32_t per_channel = 4 * pairs * (filter.h + pad_rows) + block_words;
    int32_t ch = (TR_SCRATCH_BYTES / per_channel) & ~3;
    if (ch < 4) return 0;
    if (ch >= in.c) {
        ch = in.c;
    } else if (ch >= 8) { /* chunks of equal size, groups in pairs (widen_row_pairs' LDRD loop) */
        const int32_t chunks = (in.c + (ch & ~7) - 1) / (ch & ~7);
        ch = ((in.c + chunks - 1) / chunks + 7) & ~7;
    }
    const uint32_t pad2 = ((uint32_t)-p->input_offset & 0xFFFFu) | ((uint32_t)-p->input_offset << 16);
    const uint32_t off2 = ((uint32_t)p->input_offset & 0xFFFFu) | ((uint32_t)p->input_offset << 16);
    const int32_t taps = filter.h * filter.w;
    for (int32_t c0 = 0; c0 < in.c; c0 += ch) {
        const int32_t n = in.c - c0 < ch ? in.c - c0 : ch, groups = n >> 2;
        tr_word *blocks = (tr_word *)(void *)tr_kernel_scratch;
        dw_ctx d = {in, filter, out, p, input, c0, n, groups, blocks + groups * block_words, pairs,
                    pairs * groups * 4, p->pad_w, {0}, pad2};
        tr_word *blk = blocks;
        for (int32_t g = 0; g < groups; ++g, blk += block_words)
            widen_filter_pairs(blk, weights + c0 + 4 * g, filter.c, layout, off2);
        if (prepare_pairs(blocks, block_words, groups, bias ? bias + c0 : NULL, q->multiplier + c0, q->shift + c0,
                          p->input_offset, p->output_offset) != groups)
            return 0; /* a channel outside the usual range: the general path, for every output */
        (void)taps;
        /* (each call with constants: the compiler's general loop took twice the instructions) */
        if (no_bottom && layout == PAIRS_3X3) row_biases(blocks, groups, block_words, PAIRS_3X3, 2, p->input_offset);
        if (no_bottom && layout == PAIRS_3X3_S1)
            row_biases(blocks, groups, block_words, PAIRS_3X3_S1, 2, p->input_offset);
        if (no_top) row_biases(blocks, groups, block_words, PAIRS_3X3_S1, 0, p->input_offset);
        /* the row pointers step a pair per pixel at stride 2, per two pixels (and the odd last one) at stride 1 */
        const int32_t stepped = s1 ? (out.w >> 1) + (out.w & 1) : out.w;
        const uint32_t band_next = (uint32_t)((pairs - stepped) * 16), out_next = (uint32_t)(4 - out.w * out.c);
        {   /* the steps, the same in every block but the count of blocks after it (BK_LAST here: PAIRS_ASM stops at
             * 0); in assembly: from C the compiler reloaded every value for every block */
            const uint32_t out_step = (uint32_t)out.c, pixel_b2 = (uint32_t)out.c + 2;
            const uint32_t pixel_pairs = (uint32_t)out.w >> 1, odd = (uint32_t)out.w & 1;
            const int32_t step = block_words * 4;
            tr_word *bk = blocks;
            int32_t k = groups;
            __asm__ volatile("0:\n\t"
                             "strd %[os], %[bn], [%[bk], #64]\n\t"
                             "strd %[on], %[b2], [%[bk], #72]\n\t"
                             "subs %[k], %[k], #1\n\t"
                             "strd %[k], %[pp], [%[bk], #80]\n\t"
                             "add %[bk], %[bk], %[st]\n\t"
                             "str %[odd], [%[bk], #-4]\n\t" /* the block's last word */
                             "bne 0b"
                             : [bk] "+r"(bk), [k] "+r"(k)
                             : [os] "r"(out_step), [bn] "r"(band_next), [on] "r"(out_next), [b2] "r"(pixel_b2),
                               [pp] "r"(pixel_pairs), [odd] "r"(odd), [st] "r"(step)
                             : "cc", "memory");
        }
        tr_word *const pad_row = d.slots + filter.h * d.slot_words;
        if (pad_rows) fill_words(pad_row, d.slot_words, pad2);
        /* the pairs wholly in the padding, before and after the input: [0, pad_w / 2), [(in_w + pad_w + 1) / 2, ...) */
        const int32_t pad_left = p->pad_w >> 1, pad_right_from = (in.w + p->pad_w + 1) >> 1;
        pad_pairs(d.slots, filter.h * groups, pairs * 16, pad_left, pad2);
        pad_pairs(d.slots + 4 * pad_right_from, filter.h * groups, pairs * 16, pairs - pad_right_from, pad2);
        for (int32_t s = 0; s < filter.h; ++s) d.key[s] = -1 - s;
        for (int32_t b = 0; b < out.n; ++b)
            for (int32_t oy = 0; oy < out.h; ++oy) {
                const tr_word *row[MAX_FH];
                band_rows(&d, b, oy, row, pad_row, widen_row_pairs);
                int8_t *o_row = output + ((b * out.h + oy) * out.w) * out.c + c0;
                const int only_bottom = is3x3 && row[2] == pad_row && row[0] != pad_row && row[1] != pad_row;
                const int only_top = is3x3 && row[0] == pad_row && row[1] != pad_row && row[2 % MAX_FH] != pad_row;
                const int kind = layout == PAIRS_3X3      ? (only_bottom ? PAIRS_3X3_NO_BOTTOM : PAIRS_3X3)
                                 : layout == PAIRS_3X3_S1 ? (only_bottom ? PAIRS_3X3_S1_NO_BOTTOM
                                                             : only_top  ? PAIRS_3X3_S1_NO_TOP
                                                                         : PAIRS_3X3_S1)
                                                          : layout;
                pairs_row(row[0], row[is3x3 ? 1 : 0], row[is3x3 ? 2 : 0], blocks, o_row, kind);
            }
    }
    if (!full) tr_clamp_s8_dsp(output, out.n * out.h * out.w * out.c, p->act_min, p->act_max);
    return 1;
}

/* dw_prepare for the four channels of group g (past the chunk's end: any valid channel's constants, never stored).
 * Returns 1 if all four take the fast form, 0 if not, -1 if one could overflow the doubled accumulator. */
static int prepare_channels(tr_word *blk, int32_t g, const int32_t sums[4], const dw_ctx *d, const int8_t *weights,
                            const int32_t *bias, const tr_per_channel *q, int32_t taps)
{
    int fast = 1;
    for (int32_t i = 0; i < 4; ++i) {
        const int32_t c = 4 * g + i, oc = d->c0 + (c < d->ch ? c : 0);
        int32_t sum_w = sums[i];
        if (taps > 255) /* the 16-bit sums could overflow */
            for (int32_t t = sum_w = 0; t < taps; ++t) sum_w += weights[t * d->filter.c + oc];
        const int r = dw_prepare(blk, i, bias ? bias[oc] : 0, sum_w, q->multiplier[oc], q->shift[oc], d->p, taps);
        if (r < 0) return -1;
        fast &= r;
    }
    return fast;
}

void tr_depthwise_conv_s8_dsp(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                              tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out,
                              int8_t *output)
{
    if (depthwise_pairs(p, q, in, input, filter, weights, bias, out, output)) return;
    const int32_t taps = filter.h * filter.w;
    /* the padded width the output row reads: left padding, the input, right padding */
    const int32_t reach = (out.w - 1) * p->stride_w + (filter.w - 1) * p->dilation_w + 1;
    const int32_t right = reach - p->pad_w - in.w > 0 ? reach - p->pad_w - in.w : 0;
    const int32_t width = p->pad_w + in.w + right;
    /* the undilated 3x3's assembly path (row3x3) */
    const int asm3x3 = filter.h == 3 && filter.w == 3 && p->dilation_w == 1 && out.w > 0 && p->stride_w <= 2;
    const int32_t block_words = asm3x3 ? BLOCK3X3_WORDS : BLOCK_WORDS(taps);
    /* scratch bytes per channel: band slots and the padding slot (2 bytes per position and row), a quarter of a
     * block */
    const int32_t per_channel = 2 * width * (filter.h + 1) + block_words;
    int32_t ch = (TR_SCRATCH_BYTES / per_channel) & ~3;
    if (p->depth_multiplier != 1 || filter.h > MAX_FH || ch < 4) {
        tr_depthwise_conv_s8_ref(p, q, in, input, filter, weights, bias, out, output);
        return;
    }
    if (ch > in.c) ch = (in.c + 3) & ~3;
    const int full = p->act_min <= -128 && p->act_max >= 127;
    /* locals: the set-up's stores (may_alias) would otherwise reload them for every channel */
    const int32_t *const mult = q->multiplier, *const shifts = q->shift;
    const int32_t in_off = p->input_offset, out_off = p->output_offset;
    const uint32_t pad2 = ((uint32_t)-p->input_offset & 0xFFFFu) | ((uint32_t)-p->input_offset << 16);
    for (int32_t c0 = 0; c0 < in.c; c0 += ch) {
        const int32_t n = in.c - c0 < ch ? in.c - c0 : ch, groups = (n + 3) >> 2;
        /* scratch: the blocks, then the band slots */
        tr_word *blocks = (tr_word *)(void *)tr_kernel_scratch;
        dw_ctx d = {in, filter, out, p, input, c0, n, groups, blocks + groups * block_words, width,
                    width * groups * 2, p->pad_w, {0}, pad2};
        int all_fast = 1;
        /* the full groups: filters, then (usually) every channel's constants in one pass */
        const int32_t usual = taps <= 255 ? n >> 2 : 0;
        for (int32_t g = 0; g < usual; ++g) widen_filter(blocks + g * block_words, weights + c0 + 4 * g, filter.c, taps);
        const int32_t usual_done = usual ? prepare_usual(blocks, block_words, usual, bias ? bias + c0 : NULL, mult + c0,
                                                         shifts + c0, in_off, out_off)
                                         : 0;
        for (int32_t g = 0; g < groups; ++g) {
            tr_word *blk = blocks + g * block_words;
            int32_t sums[4]; /* the sums of each channel's weights, for the input offset's share */
            if (g < usual) {
                if (g < usual_done) continue;
                for (int32_t i = 0; i < 4; ++i) sums[i] = (int32_t)blk[BK_SUM + 2 * i];
                if (g == usual_done) /* prepare_usual stopped in this group: sums it overwrote, from the weights */
                    for (int32_t i = 0; i < 4; ++i)
                        for (int32_t t = sums[i] = 0; t < taps; ++t) sums[i] += weights[t * filter.c + c0 + 4 * g + i];
            } else {
                /* a last group of fewer than four channels (the missing ones read as 0), or too many taps for the
                 * 16-bit sums */
                uint32_t s02 = 0, s13 = 0;
                tr_word *w = blk + BK_FILTER;
                const int8_t *src = weights + c0 + 4 * g;
                for (int32_t t = 0; t < taps; ++t, src += filter.c, w += 2) {
                    widen4(src, n - 4 * g, w);
                    s02 = __sadd16(s02, w[0]);
                    s13 = __sadd16(s13, w[1]);
                    w[0] = __sadd16(w[0], w[0]);
                    w[1] = __sadd16(w[1], w[1]);
                }
                sums[0] = (int16_t)s02;
                sums[1] = (int16_t)s13;
                sums[2] = (int16_t)(s02 >> 16);
                sums[3] = (int16_t)(s13 >> 16);
            }
            const int fast = prepare_channels(blk, g, sums, &d, weights, bias, q, taps);
            if (fast < 0) { /* an accumulator could overflow doubled: the reference, for every output */
                tr_depthwise_conv_s8_ref(p, q, in, input, filter, weights, bias, out, output);
                return;
            }
            all_fast &= fast;
        }
        if (asm3x3) { /* row3x3's steps, the same in every block but the last full group's flag */
            const uint32_t band_next = (uint32_t)((width * 2 - out.w * p->stride_w * 2) * (int32_t)sizeof(tr_word));
            const uint32_t out_next = (uint32_t)(4 - out.w * out.c), out_step = (uint32_t)out.c, pixels = (uint32_t)out.w;
            tr_word *blk = blocks;
            for (int32_t g = n >> 2; g > 0; --g, blk += block_words) {
                blk[BK_OUT_STEP] = out_step;
                blk[BK_BAND_NEXT] = band_next;
                blk[BK_OUT_NEXT] = out_next;
                blk[BK_PIXELS] = pixels;
                blk[BK_LAST] = 0;
            }
            if (n >= 4) blocks[((n >> 2) - 1) * block_words + BK_LAST] = 1;
            /* the biases without the top or the bottom filter row's padding taps: bias - input_offset * (the row's sum
             * of doubled weights), for row3x3 (mode 0) */
            const uint32_t noff = (uint32_t)-in_off & 0xFFFFu; /* -input_offset in the bottom half, for SMLAxB */
            blk = blocks;
            for (int32_t g = all_fast && full ? n >> 2 : 0; g > 0; --g, blk += block_words) {
                const tr_word *w = blk + BK_FILTER;
                const uint32_t t02 = __sadd16(__sadd16(w[0], w[2]), w[4]), t13 = __sadd16(__sadd16(w[1], w[3]), w[5]);
                const uint32_t b02 = __sadd16(__sadd16(w[12], w[14]), w[16]), b13 = __sadd16(__sadd16(w[13], w[15]), w[17]);
                const int32_t c0b = (int32_t)blk[BK_BIAS], c1b = (int32_t)blk[BK_BIAS + 1];
                const int32_t c2b = (int32_t)blk[BK_BIAS + 2], c3b = (int32_t)blk[BK_BIAS + 3];
                blk[BK_BIAS_NO_TOP + 0] = (uint32_t)__smlabb(t02, noff, c0b);
                blk[BK_BIAS_NO_TOP + 1] = (uint32_t)__smlabb(t13, noff, c1b);
                blk[BK_BIAS_NO_TOP + 2] = (uint32_t)__smlatb(t02, noff, c2b);
                blk[BK_BIAS_NO_TOP + 3] = (uint32_t)__smlatb(t13, noff, c3b);
                blk[BK_BIAS_NO_BOTTOM + 0] = (uint32_t)__smlabb(b02, noff, c0b);
                blk[BK_BIAS_NO_BOTTOM + 1] = (uint32_t)__smlabb(b13, noff, c1b);
                blk[BK_BIAS_NO_BOTTOM + 2] = (uint32_t)__smlatb(b02, noff, c2b);
                blk[BK_BIAS_NO_BOTTOM + 3] = (uint32_t)__smlatb(b13, noff, c3b);
            }
        }
        if (!all_fast) chunk(&d, blocks, block_words, asm3x3, q, output, 2);
        else if (full) chunk(&d, blocks, block_words, asm3x3, q, output, 0);
        else chunk(&d, blocks, block_words, asm3x3, q, output, 1);
    }
}
#endif
