/* ADD, int8, by table: the same bits as add_s8.c. Each input is one of 256 values, so its rescaled form (offset, left
 * shift, input multiplier: the first half of tr_add_one) is looked up in a table of 256 words built once per call,
 * and only the output's requantisation is computed per element, with requant_fast.h's SMLAL form where the output
 * shift allows it (ADD's is about -19: 2^-20 headroom times the scale ratio). 512 multiplications per call instead of
 * two per element: ResNet-8's three ADDs (28,672 elements) went from 152 instructions an element to about 12. */
#include "elementwise.h"
#include "requant_fast.h"
#include "scratch.h"
#ifdef __ARM_FEATURE_SAT
#include <arm_acle.h>
#endif

/* One run of n outputs; a and b step by sa and sb (0: a broadcast value, 1: along the run). fast: the output's
 * requantisation has the fast form; full: the clamp is the whole int8 range. Every constant is a local here: an int8
 * store may alias the parameters, which the compiler would otherwise reload for every element. */
static inline __attribute__((always_inline)) void add_run(const int32_t *ta, const int32_t *tb, tr_rq_channel rq,
                                                          int32_t shift, int32_t offset, int32_t lo, int32_t hi,
                                                          const int8_t *a, int32_t sa, const int8_t *b, int32_t sb,
                                                          int8_t *out, int32_t n, int fast, int full)
{
    for (int8_t *end = out + n; out != end; a += sa, b += sb) {
        const int32_t sum = ta[*a] + tb[*b];
        int32_t v = fast ? tr_rq_core(sum, rq.multiplier, rq.hi, rq.rshift) : tr_rq(sum, &rq, shift, offset);
#ifdef __ARM_FEATURE_SAT
        v = __ssat(v, 8); /* one instruction; within [lo, hi] afterwards only if lo = -128 and hi = 127 */
        if (!full) v = tr_clamp(v, lo, hi);
#else
        v = full ? tr_clamp(v, -128, 127) : tr_clamp(v, lo, hi);
#endif
        *out++ = (int8_t)v;
    }
}

#if defined(__ARM_FEATURE_DSP)
/* The common case in assembly, two outputs a turn: one shape, the fast requantisation, the whole int8 clamp. 12
 * instructions an output (two LDRSB, two table loads, the sum, requant_fast.h's four or five, SSAT, STRB) and the
 * loop's two every other output, where the compiler's loop took 15 with a spilled multiplier. */
#ifdef TR_ROUNDING_SINGLE
#define ADD_RQ "mov %[y], #0\n\t" "mov %[h], %[hi]\n\t"
#else
#define ADD_RQ                                  \
    "and %[y], %[x], #0x80000000\n\t"          \
    "orr %[y], %[y], #0x40000000\n\t"          \
    "add %[h], %[hi], %[x], asr #31\n\t"
#endif
#define ADD_ONE                                 \
    "ldrsb %[x], [%[a]], #1\n\t"               \
    "ldrsb %[y], [%[b]], #1\n\t"               \
    "ldr %[x], [%[ta], %[x], lsl #2]\n\t"      \
    "ldr %[y], [%[tb], %[y], lsl #2]\n\t"      \
    "add %[x], %[x], %[y]\n\t" ADD_RQ          \
    "smlal %[y], %[h], %[x], %[m]\n\t"         \
    "asr %[h], %[h], %[rs]\n\t"                \
    "ssat %[h], #8, %[h]\n\t"                  \
    "strb %[h], [%[o]], #1\n\t"
static void add_run_asm(const int32_t *ta, const int32_t *tb, const tr_rq_channel *rq, const int8_t *a, const int8_t *b,
                        int8_t *out, int32_t n)
{
    const int8_t *end = out + n;
    int32_t x, y, h;
#define ADD_OPERANDS                                                                                                  \
    : [a] "+r"(a), [b] "+r"(b), [o] "+r"(out), [x] "=&r"(x), [y] "=&r"(y), [h] "=&r"(h)                            \
    : [ta] "r"(ta), [tb] "r"(tb), [m] "r"(rq->multiplier), [hi] "r"(rq->hi), [rs] "r"(rq->rshift), [end] "r"(end)   \
    : "cc", "memory"
    if (n & 1) __asm__ volatile(ADD_ONE ADD_OPERANDS);
    if (n >> 1) __asm__ volatile("1:\n\t" ADD_ONE ADD_ONE "cmp %[o], %[end]\n\tbne 1b" ADD_OPERANDS);
#undef ADD_OPERANDS
}
#endif

void tr_add_s8_lut(const tr_add_params *p, const tr_broadcast *bc, const int8_t *a, const int8_t *b, int8_t *output)
{
    int32_t *ta = tr_kernel_scratch + 128, *tb = tr_kernel_scratch + 384; /* indexed by the int8 value */
    for (int32_t v = -128; v < 128; ++v) {
        ta[v] = tr_mul_by_quantized_multiplier((int32_t)((uint32_t)(p->input1_offset + v) << p->left_shift),
                                               p->input1_multiplier, p->input1_shift);
        tb[v] = tr_mul_by_quantized_multiplier((int32_t)((uint32_t)(p->input2_offset + v) << p->left_shift),
                                               p->input2_multiplier, p->input2_shift);
    }
    tr_rq_channel rq;
    tr_rq_prepare(&rq, 0, p->output_multiplier, p->output_shift, p->output_offset);
    const int fast = rq.rshift >= 0, full = p->act_min <= -128 && p->act_max >= 127;
    const int32_t shift = p->output_shift, offset = p->output_offset, lo = p->act_min, hi = p->act_max;
    /* runs along the innermost dimension; the outer ones walked as tr_broadcast_next walks them */
    const int inner = TR_BROADCAST_DIMS - 1;
    const int32_t n = bc->dims[inner], sa = bc->a_stride[inner], sb = bc->b_stride[inner];
    const int32_t runs = tr_broadcast_size(bc) / (n ? n : 1);
    if (runs == 1 && sa == 1 && sb == 1) { /* one shape: strides are constants */
#if defined(__ARM_FEATURE_DSP)
        if (fast && full) add_run_asm(ta, tb, &rq, a, b, output, n);
#else
        if (fast && full) add_run(ta, tb, rq, shift, offset, lo, hi, a, 1, b, 1, output, n, 1, 1);
#endif
        else if (fast) add_run(ta, tb, rq, shift, offset, lo, hi, a, 1, b, 1, output, n, 1, 0);
        else add_run(ta, tb, rq, shift, offset, lo, hi, a, 1, b, 1, output, n, 0, 0);
        return;
    }
    tr_broadcast_walk it = {{0}, 0, 0};
    for (int32_t r = 0; r < runs; ++r, tr_broadcast_step(bc, &it, inner - 1)) {
        const int8_t *x = a + it.a, *y = b + it.b;
        int8_t *o = output + r * n;
        if (fast && full) add_run(ta, tb, rq, shift, offset, lo, hi, x, sa, y, sb, o, n, 1, 1);
        else if (fast) add_run(ta, tb, rq, shift, offset, lo, hi, x, sa, y, sb, o, n, 1, 0);
        else add_run(ta, tb, rq, shift, offset, lo, hi, x, sa, y, sb, o, n, 0, 0);
    }
}
