/* The reference requantisation (quant_math.c: tr_mul_by_quantized_multiplier) on four lanes with Helium, exactly.
 * Double rounding (the default):
 *  - the left shift, VSHL by a register (non-saturating, as the reference's (uint32_t)x << left);
 *  - SaturatingRoundingDoublingHighMul is VQRDMULH: (2ab + 2^31) >> 32, saturated, which is (ab + 2^30) >> 31, the
 *    reference's value including its one saturating case;
 *  - RoundingDivideByPOT by e rounds half away from zero; VRSHL by -e rounds half up (adding 2^(e-1) without
 *    overflow), so negative values are first lowered by one (saturating; at INT32_MIN the result is the same): the
 *    fix-up is the sign of x AND -e (-e has its sign bit set exactly when e > 0), shifted down to 0 or -1. */
#ifndef TR_REQUANT_MVE_H
#define TR_REQUANT_MVE_H
#include <arm_mve.h>
#include <stdint.h>

#ifdef TR_ROUNDING_SINGLE
#include "quant_math.h"
/* Single rounding, (x*m + 2^(30+e)) >> (31+e) with P = x*m in 64 bits: for e >= 2 the low word of P cannot change
 * the result (the rounding constant 2^(30+e) is a multiple of 2^32 and the low word adds less than one unit of the
 * final 2^(31+e)), so it is the high word H = VMULH(x, m) shifted right by e - 1 rounding half up, which VRSHL by
 * -(e - 1) does exactly. Lanes with e < 2 (rare: real multipliers of 0.25 and more) take the scalar function, except
 * zero multipliers (TFLite's shift 0 for real multipliers below 2^-32), which give 0 here as there. */
static inline int32x4_t tr_mve_requantize(int32x4_t acc, int32x4_t multiplier, int32x4_t left, int32x4_t right)
{
    int32x4_t v = vrshlq_s32(vmulhq_s32(acc, multiplier), vaddq_n_s32(right, 1));
    /* some lane has e < 2 and a multiplier other than 0 (a zero multiplier gives 0 at any shift here too) */
    if ((vcmpleq_n_s32(right, -2) | vcmpeqq_n_s32(multiplier, 0)) != 0xFFFF) {
        int32_t a[4], m[4], sl[4], sr[4], r[4];
        vst1q_s32(a, acc);
        vst1q_s32(m, multiplier);
        vst1q_s32(sl, left);
        vst1q_s32(sr, right);
        vst1q_s32(r, v);
        for (int lane = 0; lane < 4; ++lane)
            if (sr[lane] > -2 && m[lane] != 0) r[lane] = tr_mul_by_quantized_multiplier(a[lane], m[lane], sl[lane] + sr[lane]);
        v = vld1q_s32(r);
    }
    return v;
}
#else
/* left = max(shift, 0), right = min(shift, 0) = -e, as the reference splits the shift */
static inline int32x4_t tr_mve_requantize(int32x4_t acc, int32x4_t multiplier, int32x4_t left, int32x4_t right)
{
    const int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, left), multiplier);
    const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, right), 31);
    return vrshlq_s32(vqaddq_s32(x, fixup), right);
}
#endif

/* The same where every lane's shift is at most 0 (left = 0), without the left shift. */
static inline int32x4_t tr_mve_requantize_right(int32x4_t acc, int32x4_t multiplier, int32x4_t right)
{
#ifdef TR_ROUNDING_SINGLE
    return tr_mve_requantize(acc, multiplier, vdupq_n_s32(0), right);
#else
    const int32x4_t x = vqrdmulhq_s32(acc, multiplier);
    const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, right), 31);
    return vrshlq_s32(vqaddq_s32(x, fixup), right);
#endif
}

/* + output offset, clamped to the activation range */
static inline int32x4_t tr_mve_finish(int32x4_t v, int32_t output_offset, int32_t act_min, int32_t act_max)
{
    v = vaddq_n_s32(v, output_offset);
    return vminq_s32(vmaxq_s32(v, vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
}

#endif
