/* FULLY_CONNECTED with the Cortex-M DSP extension. Same bits as fully_connected_s8.c.
 *
 * The input vector is widened once per batch into the shared scratch: 16-bit x + input offset, as the pairs SMLAD
 * multiplies, (x0,x2),(x1,x3) for each four values. Then four output rows at a time: one LDRD of input pairs serves
 * four weight words, each sign-extended by SXTB16 and SXTB16 ROR #8 into the same pairs, so 16 MACs cost 1 LDRD,
 * 4 LDR, 8 SXTB16 and 8 SMLAD (the loop, in assembly, branches every 32). Requantisation is requant_fast.h's, per row for per-channel weights. Asymmetric weights (a filter offset, which
 * TFLite's int8 weights never have) and inputs longer than the scratch take the reference kernel. */
#include "tr_kernels.h"
#if defined(TR_KERNELS_DSP) && defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#include <string.h>
#include "quant_math.h"
#include "requant_fast.h"
#include "scratch.h"

typedef uint32_t __attribute__((may_alias, aligned(4))) tr_word;
typedef uint64_t __attribute__((may_alias, aligned(8))) tr_dword;

static inline uint32_t sxtb16_ror8(uint32_t v)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v)); /* one instruction; __sxtb16(__ror(v, 8)) may be two */
    return r;
}

static inline uint32_t load_word(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4); /* unaligned words are fine on v7E-M */
    return v;
}

/* One weight word (four values) against the input pairs x: two SMLADs. */
static inline int32_t mac4(uint32_t w, uint32_t x02, uint32_t x13, int32_t acc)
{
    acc = __smlad(__sxtb16(w), x02, acc);
    return __smlad(sxtb16_ror8(w), x13, acc);
}

/* One group of four inputs (pairs in x02, x13) against one weight word (loaded by `load`): 2 SXTB16, 2 SMLAD. */
#define ROW_GROUP(load, a)                           \
    load                                             \
    "sxtb16 %[u], %[t]\n\t"                          \
    "smlad %[" a "], %[u], %[x02], %[" a "]\n\t"     \
    "sxtb16 %[t], %[t], ror #8\n\t"                  \
    "smlad %[" a "], %[t], %[x13], %[" a "]\n\t"
/* Rows 0 and 2 through their pointers, rows 1 and 3 at `stride` bytes past them (a register fewer than four
 * pointers: the loop needs every other register). */
#define GROUP_4ROWS                                                    \
    "ldrd %[x02], %[x13], [%[x]], #8\n\t"                              \
    ROW_GROUP("ldr %[t], [%[wa], %[s]]\n\t", "a1")                     \
    ROW_GROUP("ldr %[t], [%[wa]], #4\n\t", "a0")                       \
    ROW_GROUP("ldr %[t], [%[wb], %[s]]\n\t", "a3")                     \
    ROW_GROUP("ldr %[t], [%[wb]], #4\n\t", "a2")

/* Four consecutive rows' dot products (row o at w, the next ones in_depth bytes apart) over `groups` groups. In
 * assembly because it needs 13 registers: compiled from C, accumulators and the counter went to the stack in every
 * iteration. */
static inline __attribute__((always_inline)) void rows4(const int8_t *w, int32_t in_depth, const tr_word *xw,
                                                        int32_t groups, int32_t acc[4])
{
    const int8_t *wa = w, *wb = w + 2 * in_depth;
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    const tr_word *x = xw, *end = xw + 2 * groups;
    int32_t stride = in_depth;
    uint32_t x02, x13, t, u;
    __asm__("sub %[t], %[end], %[x]\n\t" /* 8 bytes a group: an odd count has bit 3 set */
            "tst %[t], #8\n\t"
            "beq 1f\n\t" GROUP_4ROWS
            "cmp %[x], %[end]\n\t"
            "beq 2f\n\t"
            "1:\n\t" GROUP_4ROWS GROUP_4ROWS
            "cmp %[x], %[end]\n\t"
            "bne 1b\n\t"
            "2:"
            : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [wa] "+r"(wa), [wb] "+r"(wb), [x] "+r"(x),
              [x02] "=&r"(x02), [x13] "=&r"(x13), [t] "=&r"(t), [u] "=&r"(u), [end] "+r"(end), [s] "+r"(stride)
            :
            : "cc", "memory");
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* Row o's output: per-tensor weights share one prepared channel (rq), per-channel ones prepare row o's here (a few
 * instructions against the row's in_depth multiply-accumulates). */
static inline int8_t finish(int32_t acc, const tr_rq_channel *rq, const tr_fc_params *p, int32_t o)
{
    tr_rq_channel row;
    const int32_t shift = tr_fc_shift(p, o);
    if (p->channel_multiplier) {
        tr_rq_prepare(&row, 0, p->channel_multiplier[o], shift, p->output_offset);
        rq = &row;
    }
    const int32_t v = tr_rq(acc, rq, shift, p->output_offset);
    return (int8_t)tr_clamp(v, p->act_min, p->act_max);
}

void tr_fully_connected_s8_dsp(const tr_fc_params *p, int32_t batches, int32_t in_depth, const int8_t *input,
                               int32_t out_depth, const int8_t *weights, const int32_t *bias, int8_t *output)
{
    if (p->filter_offset != 0 || in_depth * 2 > TR_SCRATCH_BYTES) {
        tr_fully_connected_s8_ref(p, batches, in_depth, input, out_depth, weights, bias, output);
        return;
    }
    const int32_t groups = in_depth >> 2, tail = in_depth & 3;
    const uint32_t offset2 = ((uint32_t)p->input_offset & 0xFFFFu) | ((uint32_t)p->input_offset << 16);
    tr_word *xw = (tr_word *)tr_kernel_scratch;
    tr_rq_channel rq;
    tr_rq_prepare(&rq, 0, p->multiplier, p->shift, p->output_offset);
    for (int32_t b = 0; b < batches; ++b) {
        const int8_t *x = input + b * in_depth;
        for (int32_t g = 0; g < groups; ++g) {
            const uint32_t v = load_word(x + 4 * g);
            xw[2 * g] = __sadd16(__sxtb16(v), offset2);
            xw[2 * g + 1] = __sadd16(sxtb16_ror8(v), offset2);
        }
        int8_t *y = output + b * out_depth;
        int32_t o = 0;
        for (; o + 4 <= out_depth; o += 4) {
            const int8_t *w0 = weights + o * in_depth, *w1 = w0 + in_depth, *w2 = w1 + in_depth, *w3 = w2 + in_depth;
            int32_t a0 = bias ? bias[o] : 0, a1 = bias ? bias[o + 1] : 0;
            int32_t a2 = bias ? bias[o + 2] : 0, a3 = bias ? bias[o + 3] : 0;
            if (groups > 0) {
                int32_t acc[4] = {a0, a1, a2, a3};
                rows4(w0, in_depth, xw, groups, acc);
                a0 = acc[0];
                a1 = acc[1];
                a2 = acc[2];
                a3 = acc[3];
                w0 += groups * 4;
                w1 += groups * 4;
                w2 += groups * 4;
                w3 += groups * 4;
            }
            for (int32_t i = 0; i < tail; ++i) {
                const int32_t xi = x[groups * 4 + i] + p->input_offset;
                a0 += w0[i] * xi;
                a1 += w1[i] * xi;
                a2 += w2[i] * xi;
                a3 += w3[i] * xi;
            }
            const int8_t v0 = finish(a0, &rq, p, o), v1 = finish(a1, &rq, p, o + 1), v2 = finish(a2, &rq, p, o + 2),
                         v3 = finish(a3, &rq, p, o + 3);
            y[o] = v0;
            y[o + 1] = v1;
            y[o + 2] = v2;
            y[o + 3] = v3;
        }
        for (; o < out_depth; ++o) {
            const int8_t *w0 = weights + o * in_depth;
            int32_t a0 = bias ? bias[o] : 0;
            const tr_dword *xp = (const tr_dword *)xw;
            for (int32_t g = groups; g > 0; --g, w0 += 4) {
                const uint64_t xx = *xp++;
                a0 = mac4(load_word(w0), (uint32_t)xx, (uint32_t)(xx >> 32), a0);
            }
            for (int32_t i = 0; i < tail; ++i) a0 += w0[i] * (x[groups * 4 + i] + p->input_offset);
            y[o] = finish(a0, &rq, p, o);
        }
    }
}
#endif
