/* CONV_2D with a 1x1 filter without padding (pointwise; strided too), with the Cortex-M DSP extension. Same bits as
 * conv_s8.c; conv_s8_dsp.c hands these layers here (tr_conv_1x1_s8_dsp returns 0 for what it does not take).
 *
 * Two pixels by four output channels, two depths a step, both operands already 16-bit: one LDRD gives both pixels'
 * pairs, two LDRDs the four channels' pairs, and eight SMLADs use them: 11 instructions per 16 MACs. The instruction
 * count is the measure here (tinyrig's QEMU plugin counts executed instructions, an LDRD or LDM as one); on M4 silicon
 * an LDRD/LDM/STM takes a cycle per word, so cycles are higher than these counts. Eight accumulators, four operands and
 * two pointers take all 14 registers, so the dot products are a fully unrolled body of STEPS steps entered part-way
 * (Duff's device) and left through an address kept on the stack: a group costs two jumps, plus a 3-instruction test
 * per pass of the body when the input has more than 2 STEPS channels.
 *
 * The filter is widened once per call, four channels' rows interleaved step by step with the group's biases before
 * and its requantisation constants after (widen_group); the input of a band of pixel pairs once, or once per chunk of
 * groups when neither the whole filter nor the whole input fits the scratch beside the other. An odd pixel count's
 * last pixel runs alone (7 instructions per 8 MACs). Channels whose weights are all zero (pruned; most of the
 * official vww01's deep pointwise channels) or whose multiplier is 0 have a constant output, requantised once from the
 * bias by the reference function; when that saves more than it costs, only the other channels are computed, stored
 * packed and then moved to their places between the constants, otherwise they are computed with zero weights.
 * Built with -DTR_CONV_1X1_COMPUTE_CONSTANT_CHANNELS they are always computed: the kernel's speed without the
 * model's pruning (the README's benchmark section gives both for the official vww01).
 *
 * Requantisation: 4 instructions an output (doubled accumulator) or 5 (2m form), one more where the offset is added
 * after the shift, plus packing four outputs into a word store (requant_fast.h's form takes 6 and a byte store). With
 * the accumulator doubled (x2 = 2x), the reference's SRDHM then rounding shift by e is
 *   (hi + floor((x2 * m + 2^31) / 2^32)) >> e,  hi = 2^(e-1) - [x < 0]       (SMMLAR, then ASR)
 * by requant_fast.h's argument (nested floors merge; SMMLAR's rounding constant 2^31 is SRDHM's 2^30 doubled), and
 * with one rounding (TR_ROUNDING_SINGLE) (2^(e-1) + floor(x2 * m / 2^32)) >> e (SMMLA). The accumulator comes doubled
 * from a doubled filter and bias where 2x fits int32 and the filter has fewer weights than twice the outputs;
 * otherwise it is x, the multiplier is stored as 2m - 2^32 (m in [2^30, 2^31)) and x is added back into hi (one ADD).
 * The output offset goes into hi as offset * 2^e when that fits every channel, else it is added after the shift.
 * Exact for every computed channel with a multiplier in [0, 2^31) (doubled form) or [2^30, 2^31) (2m form), a right
 * shift e in [1, 31], |bias| plus the largest dot product within int32 and the high word within int32 (checked per
 * channel; constant channels may have any), and the whole int8 clamp; other layers take conv_s8_dsp.c's paths. */
#include "tr_kernels.h"
#if defined(TR_KERNELS_DSP) && defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#include "quant_math.h"
#include "scratch.h"

typedef uint32_t __attribute__((may_alias)) word;

#define STEPS 64        /* depth pairs in the unrolled body */
#define STEP_BYTES 44   /* 11 32-bit instructions */
#define GROUP_HEAD 8    /* words before a group's filter: the four biases, twice (one per pixel) */
#define GROUP_TAIL 12   /* words after it: multiplier, hi, e of each channel */

/* What run_pairs reads (copied to its stack frame: its registers are all taken). */
typedef struct {
    const word *in, *in_end; /* the first pixel pair's widened input, S steps of two words */
    uint32_t entry;          /* bytes into the unrolled body where S steps start, plus 1 (Thumb state) */
    const word *f, *f_end;   /* the groups of the widened filter to run */
    int8_t *out0, *out1;     /* the first pair's first group's outputs, pixel 0 and 1 (4 bytes each, advanced per group) */
    int32_t offset;          /* the output offset, when added after the shift */
    const word *pairs_end;   /* one past the last pair's input */
    int32_t out_step;        /* bytes from past a pair's last group to the next pair's first: 2 cout - 4 groups */
    int32_t pair_bytes;      /* bytes of a widened pair */
    int32_t passes;          /* 0: one pass of the body covers a pair's input; else more than one */
} run_ctx;

/* One step: both pixels' pairs (r8, r9), channels 0 and 1's (r10, r11), then 2 and 3's; accumulators r0-r3 are pixel
 * 0's channels 0-3, r4-r7 pixel 1's. Only 32-bit encodings, so that a step is STEP_BYTES long. */
#define STEP                              \
    "ldrd r8, r9, [r12], #8\n\t"          \
    "ldrd r10, r11, [lr], #8\n\t"         \
    "smlad r0, r10, r8, r0\n\t"           \
    "smlad r4, r10, r9, r4\n\t"           \
    "smlad r1, r11, r8, r1\n\t"           \
    "smlad r5, r11, r9, r5\n\t"           \
    "ldrd r10, r11, [lr], #8\n\t"         \
    "smlad r2, r10, r8, r2\n\t"           \
    "smlad r6, r10, r9, r6\n\t"           \
    "smlad r3, r11, r8, r3\n\t"           \
    "smlad r7, r11, r9, r7\n\t"
#define STEP4 STEP STEP STEP STEP
#define STEP16 STEP4 STEP4 STEP4 STEP4
#define STEP64 STEP16 STEP16 STEP16 STEP16
/* A lone pixel (the last of an odd count): its pairs are every other word of a pair's input (itself twice). */
#define ONE_STEP_BYTES 28 /* 7 32-bit instructions */
#define ONE                               \
    "ldr r8, [r12], #8\n\t"              \
    "ldrd r10, r11, [lr], #8\n\t"        \
    "smlad r0, r10, r8, r0\n\t"          \
    "smlad r1, r11, r8, r1\n\t"          \
    "ldrd r10, r11, [lr], #8\n\t"        \
    "smlad r2, r10, r8, r2\n\t"          \
    "smlad r3, r11, r8, r3\n\t"
#define ONE4 ONE ONE ONE ONE
#define ONE16 ONE4 ONE4 ONE4 ONE4
#define ONE64 ONE16 ONE16 ONE16 ONE16

/* Requantisation pieces, channel constants in r8 (multiplier), r9 (hi), r10 (e), the offset in r12 (added after).
 * MUL_DOUBLED: the accumulator is 2x; MUL_M2: it is x and r8 holds 2m - 2^32 (m in [2^30, 2^31)), whose product
 * x * 2m - x * 2^32 needs x back in the high word. */
#ifdef TR_ROUNDING_SINGLE
#define MUL_DOUBLED(a) "smmla " a ", " a ", r8, r9\n\t"
#define MUL_M2(a) "add r11, r9, " a "\n\t" "smmla " a ", " a ", r8, r11\n\t"
#else
#define MUL_DOUBLED(a) "add r11, r9, " a ", asr #31\n\t" "smmlar " a ", " a ", r8, r11\n\t"
#define MUL_M2(a) "add r11, r9, " a "\n\t" "add r11, r11, " a ", asr #31\n\t" "smmlar " a ", " a ", r8, r11\n\t"
#endif
#define OFFSET_ADD(a, b) "add " a ", " a ", r12\n\t" "add " b ", " b ", r12\n\t"
#define OFFSET_IN_HI(a, b) ""
#define CHANNEL(a, b, MUL, OFFSET)        \
    "ldm lr!, {r8, r9, r10}\n\t"         \
    MUL(a) MUL(b)                         \
    "asr " a ", " a ", r10\n\t"          \
    "asr " b ", " b ", r10\n\t"          \
    OFFSET(a, b)                          \
    "ssat " a ", #8, " a "\n\t"          \
    "ssat " b ", #8, " b "\n\t"
/* Four channels of two pixels requantised, packed into a word each and stored (pixel 1 first: a lone pixel has
 * out1 == out0), out0 and out1 advanced; they are left in r8 and r9. */
#define PAIR_OUT(MUL, OFFSET)                                                      \
    CHANNEL("r0", "r4", MUL, OFFSET) CHANNEL("r1", "r5", MUL, OFFSET)              \
    CHANNEL("r2", "r6", MUL, OFFSET) CHANNEL("r3", "r7", MUL, OFFSET)              \
    "bfi r0, r1, #8, #8\n\t"                                                       \
    "bfi r0, r2, #16, #8\n\t"                                                      \
    "bfi r0, r3, #24, #8\n\t"                                                      \
    "bfi r4, r5, #8, #8\n\t"                                                       \
    "bfi r4, r6, #16, #8\n\t"                                                      \
    "bfi r4, r7, #24, #8\n\t"                                                      \
    "ldrd r8, r9, [sp, #20]\n\t"                                                   \
    "str r4, [r9], #4\n\t"                                                         \
    "str r0, [r8], #4\n\t"                                                         \
    "strd r8, r9, [sp, #20]\n\t"
#define NONE(b) ""
#define OFFSET1_ADD(a, b) "add " a ", " a ", r12\n\t"
#define CHANNEL1(a, MUL, OFFSET)          \
    "ldm lr!, {r8, r9, r10}\n\t"         \
    MUL(a)                                \
    "asr " a ", " a ", r10\n\t"          \
    OFFSET(a, NONE)                       \
    "ssat " a ", #8, " a "\n\t"
/* The same for a lone pixel: out0 only (r9, out1, is left as it was). */
#define ONE_OUT(MUL, OFFSET)                                                       \
    CHANNEL1("r0", MUL, OFFSET) CHANNEL1("r1", MUL, OFFSET)                        \
    CHANNEL1("r2", MUL, OFFSET) CHANNEL1("r3", MUL, OFFSET)                        \
    "bfi r0, r1, #8, #8\n\t"                                                       \
    "bfi r0, r2, #16, #8\n\t"                                                      \
    "bfi r0, r3, #24, #8\n\t"                                                      \
    "ldrd r8, r9, [sp, #20]\n\t"                                                   \
    "str r0, [r8], #4\n\t"                                                         \
    "str r8, [sp, #20]\n\t"

/* Every group of [f, f_end) for every pixel pair of [in, pairs_end): biases, dot products, requantisation, one word
 * store per pixel and group. A group jumps into the body (entry) and leaves it through `exit`: straight to the
 * requantisation when one pass of the body covers the input (cin <= 2 STEPS), else to the test for another pass. */
#define RUN_PAIRS(name, BODY, OUT, OFFSET_LOAD)                                         \
    __attribute__((naked, noinline, noipa)) static void name(const run_ctx *ctx __attribute__((unused))) \
    {                                                                                      \
        __asm__ volatile(                                                                  \
            "push {r4-r11, lr}\n\t"                                                        \
            "sub sp, sp, #48\n\t"                                                          \
            "ldm r0, {r1-r12}\n\t"                                                         \
            "stm sp, {r1-r12}\n\t"                                                         \
            "adr r0, 1f\n\t"                                                               \
            "add r0, r0, r3\n\t"                                                           \
            "str r0, [sp, #8]\n\t"                                                         \
            "adr r0, 3f\n\t"                                                               \
            "cmp r12, #0\n\t"                                                              \
            "beq 4f\n\t"                                                                   \
            "adr r0, 2f\n\t"                                                               \
            "4:\n\t"                                                                       \
            "add r0, r0, #1\n\t"                                                           \
            "str r0, [sp, #44]\n\t"                                                        \
            "mov r12, r1\n\t"                                                              \
            "mov lr, r4\n\t"                                                               \
            "0:\n\t"                                                                       \
            "ldm lr!, {r0-r7}\n\t"                                                         \
            "ldr pc, [sp, #8]\n\t"                                                         \
            "1:\n\t" BODY                                                                  \
            "ldr pc, [sp, #44]\n\t"                                                        \
            "2:\n\t"                                                                       \
            "ldr r10, [sp, #4]\n\t"                                                        \
            "cmp r12, r10\n\t"                                                             \
            "bne 1b\n\t"                                                                   \
            "3:\n\t" OFFSET_LOAD                                                           \
            OUT                                                                            \
            "ldr r12, [sp]\n\t"                                                            \
            "ldr r10, [sp, #16]\n\t"                                                       \
            "cmp lr, r10\n\t"                                                              \
            "bne 0b\n\t"                                                                   \
            "ldr r10, [sp, #36]\n\t" /* the next pair */                                   \
            "add r8, r8, r10\n\t"                                                          \
            "add r9, r9, r10\n\t"                                                          \
            "strd r8, r9, [sp, #20]\n\t"                                                   \
            "ldrd r12, r10, [sp]\n\t"                                                      \
            "ldr r11, [sp, #40]\n\t"                                                       \
            "add r12, r12, r11\n\t"                                                        \
            "add r10, r10, r11\n\t"                                                        \
            "strd r12, r10, [sp]\n\t"                                                      \
            "ldr r11, [sp, #32]\n\t"                                                       \
            "ldr lr, [sp, #12]\n\t"                                                        \
            "cmp r12, r11\n\t"                                                             \
            "bne 0b\n\t"                                                                   \
            "add sp, sp, #48\n\t"                                                          \
            "pop {r4-r11, pc}\n\t");                                                       \
    }
#define OFFSET_LOAD "ldr r12, [sp, #28]\n\t"
RUN_PAIRS(run_pairs_doubled, STEP64, PAIR_OUT(MUL_DOUBLED, OFFSET_IN_HI), "")
RUN_PAIRS(run_pairs_doubled_post, STEP64, PAIR_OUT(MUL_DOUBLED, OFFSET_ADD), OFFSET_LOAD)
RUN_PAIRS(run_pairs_m2, STEP64, PAIR_OUT(MUL_M2, OFFSET_IN_HI), "")
RUN_PAIRS(run_pairs_m2_post, STEP64, PAIR_OUT(MUL_M2, OFFSET_ADD), OFFSET_LOAD)
RUN_PAIRS(run_one_doubled, ONE64, ONE_OUT(MUL_DOUBLED, OFFSET_IN_HI), "")
RUN_PAIRS(run_one_doubled_post, ONE64, ONE_OUT(MUL_DOUBLED, OFFSET1_ADD), OFFSET_LOAD)
RUN_PAIRS(run_one_m2, ONE64, ONE_OUT(MUL_M2, OFFSET_IN_HI), "")
RUN_PAIRS(run_one_m2_post, ONE64, ONE_OUT(MUL_M2, OFFSET1_ADD), OFFSET_LOAD)

static inline uint32_t sxtb16_ror8(uint32_t v)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}

static inline uint32_t sxtab16_ror8(uint32_t a, uint32_t v)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
    return r;
}

/* The last bytes of a row of n (n % 4 of them), zero-padded to a word, read byte by byte (never past the row). */
static inline uint32_t row_tail(const int8_t *row, int32_t n)
{
    uint32_t v = 0;
    for (int32_t j = n & ~3; j < n; ++j) v |= (uint32_t)(uint8_t)row[j] << (8 * (j & 3));
    return v;
}

static inline uint32_t load_word(const int8_t *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, 4); /* an unaligned LDR */
    return v;
}

/* One channel's row of weights into every 4th word of a group (a word of 4 weights gives two steps' words, 8 words
 * apart), doubled or not: for groups short of live channels (widen_rows4 takes the others). */
static void widen_row(word *d, const int8_t *row, int32_t cin, int doubled)
{
    for (int32_t k = 0; k < (cin + 3) >> 2; ++k, d += 8) {
        const uint32_t v = 4 * k + 4 <= cin ? load_word(row + 4 * k) : row_tail(row, cin);
        const uint32_t lo = __sxtb16(v), hi = sxtb16_ror8(v);
        d[0] = doubled ? (uint32_t)__sadd16(lo, lo) : lo;
        d[4] = doubled ? (uint32_t)__sadd16(hi, hi) : hi;
    }
}

/* The first `words` words of four rows into a group's steps, 16 weights for 4 loads, 8 SXTB16 (8 SADD16 more when
 * doubled) and 2 STM: the filter is widened once per call, but it is 196,000 weights over the official vww01's
 * pointwise layers. Arguments: d (r0), the four rows (r1), words > 0 (r2). */
#define WIDEN_ROWS4(name, DOUBLE)                                                        \
    __attribute__((naked, noinline, noipa)) static void name(word *d __attribute__((unused)),                 \
                                                             const int8_t *const *rows __attribute__((unused)), \
                                                             int32_t words __attribute__((unused)))            \
    {                                                                                    \
        __asm__ volatile("push {r4-r11, lr}\n\t"                                         \
                         "ldm r1, {r4-r7}\n\t"                                           \
                         "mov r3, r2\n\t"                                                \
                         "1:\n\t"                                                        \
                         "ldr r1, [r4], #4\n\t"                                          \
                         "ldr r2, [r5], #4\n\t"                                          \
                         "ldr r8, [r6], #4\n\t"                                          \
                         "ldr r9, [r7], #4\n\t"                                          \
                         "sxtb16 r10, r1\n\t"                                            \
                         "sxtb16 r11, r2\n\t"                                            \
                         "sxtb16 r12, r8\n\t"                                            \
                         "sxtb16 lr, r9\n\t"                                             \
                         "sxtb16 r1, r1, ror #8\n\t"                                     \
                         "sxtb16 r2, r2, ror #8\n\t"                                     \
                         "sxtb16 r8, r8, ror #8\n\t"                                     \
                         "sxtb16 r9, r9, ror #8\n\t" DOUBLE                              \
                         "stm r0!, {r10, r11, r12, lr}\n\t"                              \
                         "stm r0!, {r1, r2, r8, r9}\n\t"                                 \
                         "subs r3, r3, #1\n\t"                                           \
                         "bne 1b\n\t"                                                    \
                         "pop {r4-r11, pc}\n\t");                                        \
    }
WIDEN_ROWS4(widen_rows4, "")
WIDEN_ROWS4(widen_rows4_doubled, "sadd16 r10, r10, r10\n\t"                               \
                                 "sadd16 r11, r11, r11\n\t"                               \
                                 "sadd16 r12, r12, r12\n\t"                               \
                                 "sadd16 lr, lr, lr\n\t"                                  \
                                 "sadd16 r1, r1, r1\n\t"                                  \
                                 "sadd16 r2, r2, r2\n\t"                                  \
                                 "sadd16 r8, r8, r8\n\t"                                  \
                                 "sadd16 r9, r9, r9\n\t")

/* The channels listed at chan[j0..j0 + 4) (those from n on absent) as run_pairs reads them. Absent and constant
 * channels have zero weights and bias, an accumulator of 0, and constants that requantise it to their output. */
static word *widen_group(word *s, const int8_t *weights, const int32_t *bias, const tr_per_channel *q,
                         const uint16_t *chan, const int8_t *constant, const int8_t *value, int32_t j0, int32_t n,
                         int32_t cin, int doubled, int post, int32_t output_offset)
{
    const int32_t steps = ((cin + 3) >> 2) * 2, words = cin >> 2;
    const int8_t *rows[4];
    int lives = 0;
    for (int32_t c = 0; c < 4; ++c) {
        const int32_t ch = j0 + c < n ? chan[j0 + c] : -1;
        rows[c] = ch >= 0 && !constant[ch] ? weights + ch * cin : NULL;
        lives += rows[c] != NULL;
    }
    if (lives == 4 && words > 0) {
        if (doubled) widen_rows4_doubled(s + GROUP_HEAD, rows, words);
        else widen_rows4(s + GROUP_HEAD, rows, words);
    }
    for (int32_t c = 0; c < 4; ++c) {
        const int32_t b = rows[c] && bias ? bias[chan[j0 + c]] : 0;
        s[c] = s[4 + c] = (uint32_t)(doubled ? 2 * b : b);
        if (lives == 4) { /* the last word, short of 4 weights */
            if (cin & 3) widen_row(s + GROUP_HEAD + 8 * words + c, rows[c] + 4 * words, cin & 3, doubled);
        } else if (rows[c]) {
            widen_row(s + GROUP_HEAD + c, rows[c], cin, doubled);
        } else {
            for (int32_t k = 0; k < steps; ++k) s[GROUP_HEAD + 4 * k + c] = 0;
        }
    }
    s += GROUP_HEAD + steps * 4;
    for (int32_t c = 0; c < 4; ++c, s += 3) {
        if (!rows[c]) { /* accumulator 0: (hi >> 1) is the channel's output (less the offset added after) */
            const int32_t k = j0 + c < n ? value[chan[j0 + c]] - (post ? output_offset : 0) : 0;
            s[0] = 0;
            s[1] = (uint32_t)(2 * k + 1);
            s[2] = 1;
            continue;
        }
        const int32_t m = q->multiplier[chan[j0 + c]], e = -q->shift[chan[j0 + c]];
        s[0] = doubled ? (uint32_t)m : 2u * (uint32_t)m; /* 2m - 2^32 as a signed word */
        s[1] = (1u << (e - 1)) + (post ? 0u : (uint32_t)output_offset << e);
        s[2] = (uint32_t)e;
    }
    return s;
}

/* Whether a row of weights is all zero (such a channel's accumulator is its bias, whatever the input). */
static int row_is_zero(const int8_t *row, int32_t n)
{
    int32_t k = 0;
    if (((uintptr_t)row & 3) == 0) {
        const word *w = (const word *)(const void *)row;
        for (; k + 16 <= n; k += 16, w += 4)
            if (w[0] | w[1] | w[2] | w[3]) return 0;
    }
    for (; k + 4 <= n; k += 4)
        if (load_word(row + k)) return 0;
    for (; k < n; ++k)
        if (row[k]) return 0;
    return 1;
}

/* n bytes, a word at a time while they last (either side may be unaligned: LDR and STR take that on v7E-M). */
static inline void copy_row(int8_t *dst, const int8_t *src, int32_t n)
{
    int32_t k = 0;
    for (; k + 4 <= n; k += 4) {
        uint32_t v;
        __builtin_memcpy(&v, src + k, 4);
        __builtin_memcpy(dst + k, &v, 4);
    }
    for (; k < n; ++k) dst[k] = src[k];
}

/* Two pixels' rows as run_pairs reads them, the input offset added (the padding past cin meets zero weights). Two
 * words in, four out: 8 instructions and the loop's. */
static inline __attribute__((always_inline)) void widen_pair(word *d, const int8_t *a, const int8_t *b, int32_t cin,
                                                             uint32_t offset2)
{
    const int8_t *const a_end = a + (cin & ~3);
    while (a != a_end) {
        uint32_t va, vb, x0, x1;
        __asm__("ldr %[va], [%[a]], #4\n\t"
                "ldr %[vb], [%[b]], #4\n\t"
                "sxtab16 %[x0], %[off], %[va]\n\t"
                "sxtab16 %[x1], %[off], %[vb]\n\t"
                "strd %[x0], %[x1], [%[d]], #8\n\t"
                "sxtab16 %[x0], %[off], %[va], ror #8\n\t"
                "sxtab16 %[x1], %[off], %[vb], ror #8\n\t"
                "strd %[x0], %[x1], [%[d]], #8"
                : [a] "+r"(a), [b] "+r"(b), [d] "+r"(d), [va] "=&r"(va), [vb] "=&r"(vb), [x0] "=&r"(x0), [x1] "=&r"(x1)
                : [off] "r"(offset2)
                : "memory");
    }
    if (cin & 3) {
        const uint32_t va = row_tail(a - (cin & ~3), cin), vb = row_tail(b - (cin & ~3), cin);
        d[0] = __sxtab16(offset2, va);
        d[1] = __sxtab16(offset2, vb);
        d[2] = sxtab16_ror8(offset2, va);
        d[3] = sxtab16_ror8(offset2, vb);
    }
}

/* Where output pixel p's input row is, at strides above 1: every stride-th pixel of every stride-th row (a 1x1 filter
 * at stride 2 without padding, as ResNet shortcuts have). */
typedef struct {
    const int8_t *input;
    int32_t cin, out_h, out_w, stride_h, stride_w, in_h, in_w;
} pixel_rows;

static inline const int8_t *pixel_row(const pixel_rows *r, int32_t p)
{
    const int32_t per_image = r->out_h * r->out_w, b = p / per_image, yx = p - b * per_image, oy = yx / r->out_w;
    const int32_t ox = yx - oy * r->out_w;
    return r->input + ((b * r->in_h + oy * r->stride_h) * r->in_w + ox * r->stride_w) * r->cin;
}

/* Pairs [p0, p1) of the pixels into the band (the last pair of an odd count: its pixel twice). */
static void widen_band(word *band, const pixel_rows *r, int32_t p0, int32_t p1, int32_t pixels, int32_t pair_words,
                       uint32_t offset2)
{
    if (r->stride_h == 1 && r->stride_w == 1) { /* rows one after another */
        const int32_t cin = r->cin;
        const int8_t *a = r->input + 2 * p0 * cin;
        int32_t pr = p0;
        if ((cin & 3) == 0) { /* whole pairs in one loop: 10 instructions a word of each pixel, 4 a pair */
            int32_t n = (p1 < pixels / 2 ? p1 : pixels / 2) - p0;
            if (n > 0) {
                const int32_t words = cin >> 2;
                pr += n;
                uint32_t va, vb, x0, x1, k;
                __asm__ volatile("1:\n\t"
                                 "mov %[k], %[words]\n\t"
                                 "2:\n\t"
                                 "ldr %[vb], [%[a], %[cin]]\n\t"
                                 "ldr %[va], [%[a]], #4\n\t"
                                 "sxtab16 %[x0], %[off], %[va]\n\t"
                                 "sxtab16 %[x1], %[off], %[vb]\n\t"
                                 "strd %[x0], %[x1], [%[d]], #8\n\t"
                                 "sxtab16 %[x0], %[off], %[va], ror #8\n\t"
                                 "sxtab16 %[x1], %[off], %[vb], ror #8\n\t"
                                 "strd %[x0], %[x1], [%[d]], #8\n\t"
                                 "subs %[k], %[k], #1\n\t"
                                 "bne 2b\n\t"
                                 "add %[a], %[a], %[cin]\n\t"
                                 "subs %[n], %[n], #1\n\t"
                                 "bne 1b"
                                 : [a] "+r"(a), [d] "+r"(band), [n] "+r"(n), [k] "=&r"(k), [va] "=&r"(va),
                                   [vb] "=&r"(vb), [x0] "=&r"(x0), [x1] "=&r"(x1)
                                 : [cin] "r"(cin), [words] "r"(words), [off] "r"(offset2)
                                 : "cc", "memory");
            }
        }
        for (; pr < p1; ++pr, band += pair_words, a += 2 * cin)
            widen_pair(band, a, 2 * pr + 1 < pixels ? a + cin : a, cin, offset2);
        return;
    }
    for (int32_t pr = p0; pr < p1; ++pr, band += pair_words) {
        const int8_t *a = pixel_row(r, 2 * pr);
        widen_pair(band, a, 2 * pr + 1 < pixels ? pixel_row(r, 2 * pr + 1) : a, r->cin, offset2);
    }
}

int tr_conv_1x1_s8_dsp(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                       tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out, int8_t *output)
{
    if (filter.h != 1 || filter.w != 1 || p->stride_h < 1 || p->stride_w < 1 || p->pad_h != 0 || p->pad_w != 0 ||
        in.n != out.n || out.h < 1 || out.w < 1 || (out.h - 1) * p->stride_h >= in.h ||
        (out.w - 1) * p->stride_w >= in.w || (p->stride_h == 1 && in.h != out.h) || (p->stride_w == 1 && in.w != out.w) ||
        p->act_min > -128 || p->act_max < 127)
        return 0;
    const int32_t cin = in.c, cout = out.c, pixels = out.n * out.h * out.w;
    if (cin < 1 || cin > 65535 || cout < 1 || cout > TR_SCRATCH_BYTES / 8 || pixels < 1) return 0; /* chan[] fits */
    const int32_t in_off = p->input_offset, out_off = p->output_offset;
    if (in_off < -128 || in_off > 128 || out_off < -128 || out_off > 127) return 0;

    /* Constant channels: all-zero weights (their accumulator is the bias) or multiplier 0. Pruned models have many
     * (the official vww01: 971 of the 1,344 channels of its pointwise layers 10-26); they are requantised once here,
     * and the dot products run over the others only, listed in `chan`, four to a group. Their outputs are stored
     * packed at the front of each pixel's row, then moved to their channels, the constants written around them
     * (expand, below). The list, the constants and a pixel's packed outputs take the front of the scratch. */
    uint16_t *chan = (uint16_t *)(void *)tr_kernel_scratch;
    int8_t *value = (int8_t *)(chan + ((cout + 1) & ~1)), *constant = value + ((cout + 3) & ~3), *moved = constant;
    const int32_t reserved = ((cout + 1) & ~1) / 2 + 2 * ((cout + 3) >> 2); /* words */
    int32_t n = 0;
    for (int32_t c = 0; c < cout; ++c) {
        const int8_t *row = weights + c * cin;
        constant[c] = (int8_t)(q->multiplier[c] == 0 || ((cin < 4 || load_word(row) == 0) && row_is_zero(row, cin)));
        if (constant[c]) {
            const int32_t v = tr_mul_by_quantized_multiplier(bias ? bias[c] : 0, q->multiplier[c], q->shift[c]);
            value[c] = (int8_t)tr_clamp(v + out_off, -128, 127);
        } else {
            chan[n++] = (uint16_t)c;
        }
    }
    /* worth it when the constant channels' dot products and requantisation (about 0.7 cin + 6 instructions an
     * output) cost more than moving a pixel's outputs (about 6 a computed channel, 1 a channel); otherwise they are
     * computed with zero weights and constants that give their value (widen_group) */
#ifdef TR_CONV_1X1_COMPUTE_CONSTANT_CHANNELS /* a hand build's switch (make EXTRA_CFLAGS=...): the kernel alone */
    const int packed = 0;
#else
    const int packed = n < cout && 4 * ((n + 3) >> 2) <= cout && (cout - n) * (7 * cin + 60) > 10 * (6 * n + cout);
#endif
    if (!packed && n < cout) {
        n = cout;
        for (int32_t c = 0; c < cout; ++c) chan[c] = (uint16_t)c;
    }

    const int32_t steps = ((cin + 3) >> 2) * 2;
    const int32_t pair_words = steps * 2, group_words = GROUP_HEAD + steps * 4 + GROUP_TAIL;
    const int32_t room = TR_SCRATCH_BYTES / 4 - reserved; /* words */
    if (pair_words + group_words > room) return 0;
    /* Per channel: the accumulator x within int32 (x2 = 2x too for the doubled form) and the high word
     * hi + floor((x2 * m + 2^31) / 2^32), which is at most |x| m / 2^31 + 1 from hi, too (see the top). In 32 bits
     * (a 64-bit shift per channel cost about as much as a group of dot products): x < 2^31 and m < 2^31 keep
     * x m / 2^31 below 2^31; the offset goes after the shift for e > 23 whether or not it would fit. */
    const uint32_t dot = (uint32_t)cin * (uint32_t)(128 + (in_off < 0 ? -in_off : in_off)) * 128u;
    const uint32_t spread = 2u * (uint32_t)(out_off < 0 ? -out_off : out_off) + 1u; /* (2|offset| + 1) 2^(e-1) */
    int post = 0, can_double = 1, can_m2 = 1;
    for (int32_t j = 0; j < n; ++j) {
        const int32_t c = chan[j], m = q->multiplier[c], e = -q->shift[c];
        if (constant[c]) continue;
        if (m < 0 || e < 1 || e > 31) return 0;
        const int32_t b = bias ? bias[c] : 0;
        const uint32_t x = (b < 0 ? 0u - (uint32_t)b : (uint32_t)b) + dot;
        if (x >= 0x80000000u) return 0;
        const uint64_t product = (uint64_t)x * (uint32_t)m;
        const uint32_t high = (uint32_t)(product >> 31) + 2u, half = 1u << (e - 1);
        if (half + high >= 0x80000000u) return 0;
        post |= e > 23 || (spread << (e - 1)) + high >= 0x80000000u;
        can_double &= x < 0x40000000u;
        can_m2 &= m >= (1 << 30);
    }
    if (!can_double && !can_m2) return 0;
    /* doubled in the filter (once per call: cout * cin / 2 SADD16) or x with 2m (one more ADD an output) */
    const int doubled = can_double && (!can_m2 || cin < 2 * pixels);
    void (*run_two)(const run_ctx *) = doubled ? (post ? run_pairs_doubled_post : run_pairs_doubled)
                                               : (post ? run_pairs_m2_post : run_pairs_m2);
    void (*run_one)(const run_ctx *) = doubled ? (post ? run_one_doubled_post : run_one_doubled)
                                               : (post ? run_one_m2_post : run_one_m2);

    /* The scratch holds a chunk of groups and a band of pairs. When the whole filter fits beside a pair, or the whole
     * input beside a group, each is widened once; otherwise the input is widened again for every chunk. Packed, every
     * group stores 4 bytes (a short last one's extra bytes land inside the row: 4 groups <= cout). */
    const int32_t groups = (n + 3) >> 2, full = packed ? groups : n >> 2, pairs = (pixels + 1) >> 1;
    int32_t chunk, band;
    if (groups * group_words + pair_words <= room) {
        chunk = groups;
    } else if (pairs * pair_words + group_words <= room) {
        chunk = (room - pairs * pair_words) / group_words;
    } else {
        chunk = room / 2 / group_words > 0 ? room / 2 / group_words : 1;
    }
    band = (room - chunk * group_words) / pair_words;
    if (band > pairs) band = pairs;
    word *filter_words = (word *)(void *)tr_kernel_scratch + reserved, *band_words = filter_words + chunk * group_words;
    const uint32_t offset2 = ((uint32_t)in_off & 0xFFFFu) | ((uint32_t)in_off << 16);
    const pixel_rows rows = {input, cin, out.h, out.w, p->stride_h, p->stride_w, in.h, in.w};
    run_ctx ctx;
    const uint32_t skip = (uint32_t)((STEPS - steps % STEPS) % STEPS);
    ctx.offset = out_off;
    ctx.pair_bytes = pair_words * 4;
    ctx.passes = steps > STEPS;
    for (int32_t g0 = 0; g0 < groups; g0 += chunk) {
        const int32_t g1 = groups - g0 < chunk ? groups : g0 + chunk, g_full = full < g1 ? full : g1;
        word *s = filter_words;
        for (int32_t g = g0; g < g1; ++g) s = widen_group(s, weights, bias, q, chan, constant, value, 4 * g, n, cin, doubled, post, out_off);
        for (int32_t b0 = 0; b0 < pairs; b0 += band) {
            const int32_t b1 = pairs - b0 < band ? pairs : b0 + band;
            if (band < pairs || g0 == 0) widen_band(band_words, &rows, b0, b1, pixels, pair_words, offset2);
            /* pairs of two pixels, then the lone last pixel of an odd count (stored twice, to one place) */
            const int32_t whole = 2 * b1 <= pixels ? b1 : b1 - 1;
            for (int32_t part = 0; part < 2; ++part) {
                const int32_t r0 = part == 0 ? b0 : whole, r1 = part == 0 ? whole : b1;
                if (r1 <= r0) continue;
                int8_t *o0 = output + 2 * r0 * cout;
                int8_t *o1 = part == 0 ? o0 + cout : o0;
                void (*run)(const run_ctx *) = part == 0 ? run_two : run_one;
                ctx.entry = skip * (part == 0 ? STEP_BYTES : ONE_STEP_BYTES) + 1;
                ctx.in = band_words + (r0 - b0) * pair_words;
                ctx.in_end = ctx.in + steps * 2;
                ctx.pairs_end = band_words + (r1 - b0) * pair_words;
                if (g_full > g0) {
                    ctx.f = filter_words;
                    ctx.f_end = filter_words + (g_full - g0) * group_words;
                    ctx.out0 = o0 + 4 * g0;
                    ctx.out1 = o1 + 4 * g0;
                    ctx.out_step = 2 * cout - 4 * (g_full - g0);
                    run(&ctx);
                }
                if (g1 > g_full) { /* the last group, short of channels: pair by pair through a buffer */
                    for (int32_t pr = r0; pr < r1; ++pr) {
                        uint32_t tmp[2];
                        ctx.in = band_words + (pr - b0) * pair_words;
                        ctx.in_end = ctx.in + steps * 2;
                        ctx.pairs_end = ctx.in + pair_words;
                        ctx.f = filter_words + (g_full - g0) * group_words;
                        ctx.f_end = ctx.f + group_words;
                        ctx.out0 = (int8_t *)tmp;
                        ctx.out1 = (int8_t *)tmp + 4;
                        ctx.out_step = 0;
                        run(&ctx);
                        int8_t *d0 = output + 2 * pr * cout, *d1 = part == 0 ? d0 + cout : d0;
                        for (int32_t c = 4 * g_full; c < cout; ++c) {
                            if (part == 0) d1[c] = ((const int8_t *)tmp)[4 + c - 4 * g_full];
                            d0[c] = ((const int8_t *)tmp)[c - 4 * g_full];
                        }
                    }
                }
            }
        }
    }
    /* expand: each pixel's packed outputs to their channels, the constant channels around them */
    for (int32_t px = 0; packed && px < pixels; ++px) {
        int8_t *row = output + px * cout;
        copy_row(moved, row, n); /* over the flags, no longer needed */
        copy_row(row, value, cout);
        for (int32_t j = 0; j < n; ++j) row[chan[j]] = moved[j];
    }
    return 1;
}
#endif
