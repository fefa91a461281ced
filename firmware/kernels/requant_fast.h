/* The optimised kernels' per-output requantisation: tr_mul_by_quantized_multiplier (quant_math.c) plus the output
 * offset, in one 32x32->64 multiply-accumulate (SMLAL) and one shift, with per-channel constants prepared once.
 * Exact for channels whose shift is in [-31, -2] (real multipliers in [2^-32, 0.25), as convolutions' are) and whose
 * multiplier is non-negative (as tr_quantize_multiplier makes them), and for multiplier 0 at any shift (TFLite's
 * QuantizeMultiplier writes 0 with shift 0 for real multipliers below 2^-32: the official vww01 has 20 such channels);
 * other channels (shifts -1 and above with a non-zero multiplier) take the reference function.
 *
 * Why it is exact. The reference rounds twice: SRDHM(x, m) = (x*m + 2^30) >> 31 (gemmlowp's nudge and truncating
 * division come to this floor), then RoundingDivideByPOT by e = -shift, which is (h + 2^(e-1) - [h < 0]) >> e.
 * Nested floors of integer divisions merge: floor((floor(a / 2^31) + c) / 2^e) = floor((a + c*2^31) / 2^(31+e)), so
 * the result is (x*m + 2^30 + 2^(e+30) - [x < 0]*2^31) >> (31 + e), in 64 bits without overflow ([h < 0] may be
 * replaced by [x < 0]: they differ only when h = 0, where both give 0). The shift is at least 33 (e >= 2), so this is
 * the high word of the 64-bit sum shifted right by e - 1; the constant's high word is 2^(e-2) (minus 1 when x < 0,
 * whose low word is then 0xC0000000 instead of 0x40000000). Adding the output offset before that shift, as
 * offset*2^(e-1), is exact too; the high word stays within int32 for e <= 24 (|x*m| < 2^62 puts the product's part
 * of it within +-2^30, and |offset*2^(e-1)| <= 2^30). For e in [25, 31] (the official vww01 has 951 channels there)
 * the offset is added after the shift instead (rshift holds -(e - 1): tr_rq's second form); the constant alone,
 * 2^(e-2), stays below 2^30. A zero multiplier gives 0 + offset at any shift, which the e = 2 form computes.
 * Single rounding (TR_ROUNDING_SINGLE) is (x*m + 2^(30+e)) >> (31+e) outright: the same sum without the [x < 0]
 * term, so the constant's high word is 2^(e-2) (+ the offset) for every x and its low word is 0. */
#ifndef TR_REQUANT_FAST_H
#define TR_REQUANT_FAST_H
#include <stdint.h>
#include "quant_math.h"

typedef struct {
    int32_t bias;       /* 0 when the operator has none */
    int32_t multiplier;
    int32_t hi;         /* 2^(e-2) + output_offset * 2^(e-1) (e <= 24), 2^(e-2) (e in [25, 31]) */
    int32_t rshift;     /* e - 1 (e <= 24); -(e - 1) (e in [25, 31]: hi lacks the offset, added after the shift);
                         * -1: this channel takes tr_mul_by_quantized_multiplier */
} tr_rq_channel;

static inline void tr_rq_prepare(tr_rq_channel *c, int32_t bias, int32_t multiplier, int32_t shift, int32_t output_offset)
{
    c->bias = bias;
    c->multiplier = multiplier;
    if (multiplier == 0) shift = -2; /* 0 + offset whatever the shift: the e = 2 form */
    if (shift >= -24 && shift <= -2 && multiplier >= 0) {
        const int32_t e = -shift;
        c->hi = (int32_t)((1u << (e - 2)) + (uint32_t)output_offset * (1u << (e - 1)));
        c->rshift = e - 1;
    } else if (shift >= -31 && shift < -24 && multiplier > 0) {
        const int32_t e = -shift;
        c->hi = (int32_t)(1u << (e - 2));
        c->rshift = -(e - 1);
    } else {
        c->hi = 0;
        c->rshift = -1;
    }
}

/* The 64-bit sum's high word shifted right by rshift (>= 0): acc requantised, plus the offset if hi holds it. */
static inline int32_t tr_rq_core(int32_t acc, int32_t multiplier, int32_t hi_constant, int32_t rshift)
{
#ifdef TR_ROUNDING_SINGLE
    uint32_t lo = 0;
    int32_t hi = hi_constant;
#else
    uint32_t lo = ((uint32_t)acc & 0x80000000u) | 0x40000000u;
    int32_t hi = hi_constant + (acc >> 31);
#endif
#if defined(__ARM_FEATURE_DSP) || defined(__ARM_FEATURE_MVE)
    __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(acc), "r"(multiplier));
#else
    const int64_t v = (int64_t)hi * 4294967296LL + (int64_t)lo + (int64_t)acc * multiplier;
    hi = (int32_t)(v >> 32);
#endif
    return hi >> rshift;
}

/* acc requantised plus the output offset, for a channel with rshift >= 0. */
static inline int32_t tr_rq_fast(int32_t acc, const tr_rq_channel *c)
{
    return tr_rq_core(acc, c->multiplier, c->hi, c->rshift);
}

/* Any channel: the fast form or the reference function. */
static inline int32_t tr_rq(int32_t acc, const tr_rq_channel *c, int32_t shift, int32_t output_offset)
{
    if (c->rshift >= 0) return tr_rq_fast(acc, c);
    if (c->rshift < -1) return tr_rq_core(acc, c->multiplier, c->hi, -c->rshift) + output_offset;
    return tr_mul_by_quantized_multiplier(acc, c->multiplier, shift) + output_offset;
}

#endif
