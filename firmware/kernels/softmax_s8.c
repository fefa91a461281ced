/* SOFTMAX, int8 in and out (TFLite reference_ops Softmax for int8 with gemmlowp fixed point): differences from the
 * row maximum are scaled into Q5.26, exponentiated with gemmlowp's exp_on_negative_values, summed in Q12.19,
 * inverted with a Newton-Raphson reciprocal and scaled to the output's 1/256 steps, zero point -128. */
#include "quant_math.h"
#include "tr_kernels.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUM_INTEGER_BITS 12

/* gemmlowp's SaturatingRoundingMultiplyByPOT for a positive exponent: a saturating left shift. */
static int32_t sat_shift_left(int32_t x, int exponent)
{
    const int32_t threshold = (int32_t)((1LL << (31 - exponent)) - 1);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return (int32_t)((uint32_t)x << exponent);
}

/* exp(x) for x in [-1/4, 0), Q0.31 in and out: Taylor expansion around -1/8. */
static int32_t exp_on_interval_neg_quarter_to_0(int32_t a)
{
    const int32_t constant_term = 1895147668;     /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;  /* 1/3 */
    const int32_t x = a + (1 << 28);              /* a + 1/8 */
    const int32_t x2 = tr_srdhm(x, x);
    const int32_t x3 = tr_srdhm(x2, x);
    const int32_t x4 = tr_srdhm(x2, x2);
    const int32_t x4_over_4 = tr_rounding_divide_by_pot(x4, 2);
    const int32_t poly = tr_rounding_divide_by_pot(tr_srdhm(x4_over_4 + x3, constant_1_over_3) + x2, 1);
    return constant_term + tr_srdhm(constant_term, x + poly);
}

/* exp(a) for a <= 0; a in Q5.26, result in Q0.31. */
static int32_t exp_on_negative_values_q5(int32_t a)
{
    const int fractional_bits = 31 - SCALED_DIFF_INTEGER_BITS;
    const int32_t one_quarter = 1 << (fractional_bits - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_quarter = (a & mask) - one_quarter;
    /* Rescale Q5.26 -> Q0.31: multiply by 2^5, saturating */
    int32_t result = exp_on_interval_neg_quarter_to_0(sat_shift_left(a_mod_quarter_minus_quarter, SCALED_DIFF_INTEGER_BITS));
    const int32_t remainder = a_mod_quarter_minus_quarter - a;
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    for (int e = -2; e <= 4; ++e) { /* exp(-2^e) for each set bit of the remainder */
        if (SCALED_DIFF_INTEGER_BITS > e && (remainder & (1 << (fractional_bits + e)))) {
            result = tr_srdhm(result, multipliers[e + 2]);
        }
    }
    return a == 0 ? INT32_MAX : result;
}

static int count_leading_zeros(uint32_t x)
{
    if (x == 0) return 32;
    int n = 0;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        ++n;
    }
    return n;
}

static int32_t rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* 1 / (1 + a) for a in [0, 1): Q0.31 in, Q0.31 out (Newton-Raphson in Q2.29). */
static int32_t one_over_one_plus_x(int32_t a)
{
    const int32_t half_denominator = rounding_half_sum(a, INT32_MAX);
    const int32_t c48_over_17 = 1515870810, cneg32_over_17 = -1010580540;
    int32_t x = c48_over_17 + tr_srdhm(half_denominator, cneg32_over_17);
    const int32_t one_q2 = 1 << 29;
    for (int i = 0; i < 3; ++i) {
        const int32_t hdx = tr_srdhm(half_denominator, x);      /* Q2.29 */
        const int32_t one_minus = one_q2 - hdx;                 /* Q2.29 */
        x = x + sat_shift_left(tr_srdhm(x, one_minus), 2);     /* Q4.27 -> Q2.29 */
    }
    return sat_shift_left(x, 1); /* x/2 in Q1.30 reinterpreted, rescaled to Q0.31 */
}

/* int8 out (output8: zero point -128, scale 1/256) or int16 out (output16: zero point -32768, scale 1/65536): TFLite's
 * Softmax template writes either type, only the final shift and offset differ */
static void softmax_rows(const tr_softmax_params *p, int32_t rows, int32_t depth, const int8_t *input, int8_t *output8, int16_t *output16)
{
    const int out_bits = output16 ? 16 : 8;
    const int32_t out_min = output16 ? INT16_MIN : -128, out_max = output16 ? INT16_MAX : 127;
    for (int32_t r = 0; r < rows; ++r) {
        const int8_t *in = input + r * depth;
        int32_t max_in_row = -128;
        for (int32_t c = 0; c < depth; ++c)
            if (in[c] > max_in_row) max_in_row = in[c];
        int32_t sum_of_exps = 0; /* Q12.19 */
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t diff = in[c] - max_in_row;
            if (diff >= p->diff_min) {
                const int32_t scaled = tr_mul_by_quantized_multiplier(diff, p->input_multiplier, p->input_left_shift);
                sum_of_exps += tr_rounding_divide_by_pot(exp_on_negative_values_q5(scaled), ACCUM_INTEGER_BITS);
            }
        }
        const int headroom_plus_one = count_leading_zeros((uint32_t)sum_of_exps);
        const int num_bits_over_unit = ACCUM_INTEGER_BITS - headroom_plus_one;
        const int32_t shifted_sum_minus_one = (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - (1u << 31));
        const int32_t shifted_scale = one_over_one_plus_x(shifted_sum_minus_one);
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t diff = in[c] - max_in_row;
            int32_t v = out_min;
            if (diff >= p->diff_min) {
                const int32_t scaled = tr_mul_by_quantized_multiplier(diff, p->input_multiplier, p->input_left_shift);
                const int32_t exp_in_0 = exp_on_negative_values_q5(scaled);
                const int32_t unsat = tr_rounding_divide_by_pot(tr_srdhm(shifted_scale, exp_in_0), num_bits_over_unit + 31 - out_bits);
                v = tr_clamp(unsat + out_min, out_min, out_max);
            }
            if (output16) output16[r * depth + c] = (int16_t)v;
            else output8[r * depth + c] = (int8_t)v;
        }
    }
}

void tr_softmax_s8_ref(const tr_softmax_params *p, int32_t rows, int32_t depth, const int8_t *input, int8_t *output)
{
    softmax_rows(p, rows, depth, input, output, NULL);
}

void tr_softmax_s8_s16_ref(const tr_softmax_params *p, int32_t rows, int32_t depth, const int8_t *input, int16_t *output)
{
    softmax_rows(p, rows, depth, input, NULL, output);
}
