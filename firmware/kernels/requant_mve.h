/* The reference requantisation (quant_math.c: tr_mul_by_quantized_multiplier) on four lanes with Helium, exactly:
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

/* left = max(shift, 0), right = min(shift, 0) = -e, as the reference splits the shift */
static inline int32x4_t tr_mve_requantize(int32x4_t acc, int32x4_t multiplier, int32x4_t left, int32x4_t right)
{
    const int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, left), multiplier);
    const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, right), 31);
    return vrshlq_s32(vqaddq_s32(x, fixup), right);
}

/* + output offset, clamped to the activation range */
static inline int32x4_t tr_mve_finish(int32x4_t v, int32_t output_offset, int32_t act_min, int32_t act_max)
{
    v = vaddq_n_s32(v, output_offset);
    return vminq_s32(vmaxq_s32(v, vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
}

#endif
