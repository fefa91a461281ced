/* HARD_SWISH, int8 (TFLite's reference_ops HardSwish, which TFLite Micro runs): x * relu6(x + 3) / 6 in 16-bit fixed
 * point. The input on a high-resolution scale (x 2^7) is multiplied by two Q15 multipliers, one to the output scale
 * and one to the "relu-ish" scale where 3.0 is 2^15; the relu-ish value is mapped to [0, 1] and multiplied in with
 * truncation (SaturatingDoublingHighMul), as TFLite does to cancel the rounding's bias. int16 throughout, as there. */
#include "tr_kernels.h"

static int16_t saturate16(int32_t v) { return (int16_t)(v < INT16_MIN ? INT16_MIN : (v > INT16_MAX ? INT16_MAX : v)); }

static int16_t saturating_left_shift16(int16_t v, int amount) { return saturate16((int32_t)v * (1 << amount)); }

/* gemmlowp SaturatingRoundingDoublingHighMul, int16 */
static int16_t srdhm16(int16_t a, int16_t b)
{
    if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
    const int32_t ab = (int32_t)a * b;
    return (int16_t)((ab + (ab >= 0 ? (1 << 14) : (1 - (1 << 14)))) / (1 << 15));
}

/* SaturatingDoublingHighMul, int16: truncating toward zero */
static int16_t sdhm16(int16_t a, int16_t b)
{
    if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
    return (int16_t)(((int32_t)a * b) / (1 << 15));
}

/* gemmlowp RoundingDivideByPOT, int16 */
static int16_t rounding_divide_by_pot16(int16_t x, int exponent)
{
    const int16_t mask = (int16_t)((1 << exponent) - 1);
    const int16_t threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return (int16_t)((x >> exponent) + ((x & mask) > threshold ? 1 : 0));
}

void tr_hard_swish_s8_ref(const tr_hard_swish_params *p, int32_t size, const int8_t *input, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int16_t hires = (int16_t)((input[i] - p->input_zp) * (1 << 7));
        const int16_t preshift_output = srdhm16(hires, p->output_multiplier);
        int16_t reluish = hires;
        if (p->reluish_exponent > 0) reluish = saturating_left_shift16(reluish, p->reluish_exponent - 1);
        reluish = srdhm16(reluish, p->reluish_multiplier);
        if (p->reluish_exponent > 0) reluish = saturating_left_shift16(reluish, 1);
        if (p->reluish_exponent < 0) reluish = rounding_divide_by_pot16(reluish, -p->reluish_exponent);
        reluish = (int16_t)((reluish + (1 << 15)) >> 1);
        const int16_t value = rounding_divide_by_pot16(sdhm16(reluish, preshift_output), -p->output_exponent);
        const int32_t shifted = (int16_t)(value + p->output_zp);
        output[i] = (int8_t)(shifted < INT8_MIN ? INT8_MIN : (shifted > INT8_MAX ? INT8_MAX : shifted));
    }
}
