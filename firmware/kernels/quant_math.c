#include "quant_math.h"
#include <math.h>

void tr_quantize_multiplier(double real, int32_t *multiplier, int *shift)
{
    if (real == 0.0) {
        *multiplier = 0;
        *shift = 0;
        return;
    }
    int exp;
    const double q = frexp(real, &exp);
    int64_t q_fixed = (int64_t)round(q * (double)(1LL << 31));
    if (q_fixed == (1LL << 31)) { /* rounding reached 1.0: renormalise */
        q_fixed /= 2;
        ++exp;
    }
    if (exp < -31) { /* too small to represent: TFLite flushes to zero */
        exp = 0;
        q_fixed = 0;
    }
    *multiplier = (int32_t)q_fixed;
    *shift = exp;
}

int32_t tr_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t nudge = ab >= 0 ? (1LL << 30) : (1 - (1LL << 30));
    return (int32_t)((ab + nudge) / (1LL << 31)); /* C division truncates toward zero, as gemmlowp's */
}

int32_t tr_rounding_divide_by_pot(int32_t x, int exponent)
{
    const int32_t mask = (int32_t)((1LL << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t tr_mul_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift)
{
#ifdef TR_ROUNDING_SINGLE
    /* one rounding, half up: (x * multiplier + 2^(30 - shift)) >> (31 - shift), in 64 bits */
    const int total = 31 - shift;
    return (int32_t)(((int64_t)x * multiplier + ((int64_t)1 << (total - 1))) >> total);
#else
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    return tr_rounding_divide_by_pot(tr_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
#endif
}

int32_t tr_mul_by_quantized_multiplier_s64(int64_t x, int32_t multiplier, int shift)
{
    /* the Q31 multiplier rounded to Q15, then (x * m15 + 2^(14 - shift)) >> (15 - shift): TFLite's int64 overload,
     * the same under either rounding rule */
    const int64_t m15 = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
    const int total = 15 - shift;
    return (int32_t)((x * m15 + ((int64_t)1 << (total - 1))) >> total);
}
