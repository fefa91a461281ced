/* gemmlowp's fixed-point functions (fixed_point.h). Sums wrap as gemmlowp's int32 Add does, computed unsigned so that
 * the wrap is defined in C; a product of two values is SaturatingRoundingDoublingHighMul of the raws. */
#include "fixed_point.h"
#include "quant_math.h"

static int32_t add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static int32_t sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

int32_t tr_fp_mul_by_pot(int32_t x, int exponent)
{
    if (exponent > 0) {
        const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
        if (x > threshold) return INT32_MAX;
        if (x < -threshold) return INT32_MIN;
        return (int32_t)((uint32_t)x << exponent);
    }
    return exponent < 0 ? tr_rounding_divide_by_pot(x, -exponent) : x;
}

/* (a + b) / 2, rounded half away from zero */
static int32_t rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* exp(a) for a in [-1/4, 0), Q0.31: a Taylor expansion around -1/8 */
static int32_t exp_on_negative_quarter(int32_t a)
{
    const int32_t constant_term = 1895147668; /* exp(-1/8) */
    const int32_t one_third = 715827883;
    const int32_t x = add(a, 1 << 28);
    const int32_t x2 = tr_srdhm(x, x);
    const int32_t x3 = tr_srdhm(x2, x);
    const int32_t x4 = tr_srdhm(x2, x2);
    const int32_t x4_over_4 = tr_fp_mul_by_pot(x4, -2);
    const int32_t poly = tr_fp_mul_by_pot(add(tr_srdhm(add(x4_over_4, x3), one_third), x2), -1);
    return add(constant_term, tr_srdhm(constant_term, add(x, poly)));
}

/* exp(-2^e) in Q0.31, e = -2..4: the barrel shifter's factors */
static const int32_t exp_factors[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};

int32_t tr_fp_exp_on_negative_values(int32_t a, int integer_bits)
{
    const int fractional_bits = 31 - integer_bits;
    const int32_t quarter = (int32_t)1 << (fractional_bits - 2);
    const int32_t a_mod_quarter_minus_quarter = sub(a & (quarter - 1), quarter);
    int32_t result = exp_on_negative_quarter(tr_fp_mul_by_pot(a_mod_quarter_minus_quarter, integer_bits));
    const uint32_t remainder = (uint32_t)sub(a_mod_quarter_minus_quarter, a);
    for (int e = -2; e <= 4; ++e) {
        if (integer_bits > e && (remainder & (1u << (fractional_bits + e))) != 0) result = tr_srdhm(result, exp_factors[e + 2]);
    }
    return a == 0 ? INT32_MAX : result;
}

/* Newton-Raphson on half the denominator (1 + a) / 2, three steps in Q2.29: 1 / (1 + a), or (1 - a) / (1 + a) when
 * `minus`, for a in (0, 1), Q0.31 */
static int32_t reciprocal(int32_t a, int minus)
{
    const int32_t half_denominator = rounding_half_sum(a, INT32_MAX);
    int32_t x = add(1515870810, tr_srdhm(half_denominator, -1010580540)); /* 48/17 - 32/17 d */
    for (int i = 0; i < 3; ++i) {
        const int32_t one_minus_dx = sub(1 << 29, tr_srdhm(half_denominator, x));
        x = add(x, tr_fp_mul_by_pot(tr_srdhm(x, one_minus_dx), 2));
    }
    return minus ? tr_fp_mul_by_pot(sub(x, 1 << 29), 2) : tr_fp_mul_by_pot(x, 1);
}

int32_t tr_fp_logistic_q4(int32_t a)
{
    if (a == 0) return 1 << 30;
    const int32_t of_positive = reciprocal(tr_fp_exp_on_negative_values(a > 0 ? sub(0, a) : a, 4), 0);
    return a > 0 ? of_positive : sub(INT32_MAX, of_positive);
}

int32_t tr_fp_tanh_q4(int32_t a)
{
    if (a == 0) return 0;
    /* -tanh(n) for n = -|a|: its exp taken of 2n, the same raw read with 5 integer bits */
    const int32_t t = reciprocal(tr_fp_exp_on_negative_values(a < 0 ? a : sub(0, a), 5), 1);
    return a < 0 ? sub(0, t) : t;
}
