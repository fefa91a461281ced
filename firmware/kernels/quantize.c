/* QUANTIZE: float32 -> int8 or int16 (TFLite's QUANTIZE kernel) and between int8 and int16 (TFLite reference_ops
 * Requantize).
 *
 * float32 -> int8/int16 is q = clamp(round(x / scale) + zero_point), ties away from zero, with the division in one of two
 * precisions (build option QUANTIZE_DIVISION, firmware/semantics.mk; docs/architecture.md "QUANTIZE"):
 *  - double (default): x / scale in double precision, as TFLite's builtin (optimised) QUANTIZE kernel computes it;
 *  - float (-DTR_QUANTIZE_FLOAT_DIVISION): in single precision, as TFLite's reference AffineQuantize computes it.
 * A Cortex-M4's FPU has no double: a soft double division and round cost ~640 instructions per element. The double
 * result is computed in single precision, exactly. Let t = x / scale (the real quotient), f = t rounded to float and
 * r = t rounded to double (what the double division gives). Every half-integer h with |h| < 2^22 is a float, and
 * rounding to nearest never crosses a representable number: t > h gives f >= h and r >= h, t < h gives f <= h and
 * r <= h. So round(f) and round(r) (ties away from zero) can differ only when f or r is h itself, and r = h implies
 * f = h (h is then nearer t than any other float). Hence round(r) = round(f) whenever f is not a half-integer, and
 * only elements whose float quotient is exactly a tie take the double division. |f| >= 2^22 saturates either way
 * (int8 and int16 alike).
 * NaN quantises to the zero point. */
#include <math.h>
#include "quant_math.h"
#include "tr_kernels.h"

static inline int32_t quantize_one(float x, float scale, int32_t zero_point, int32_t lo, int32_t hi)
{
    const float f = x / scale;
    if (f != f) return tr_clamp(zero_point, lo, hi);
    if (!(fabsf(f) < 0x1p22f)) return f > 0 ? hi : lo;
    const int32_t i = (int32_t)f;
    const float frac = f - (float)i; /* exact */
    int32_t q = i + (frac >= 0.5f) - (frac <= -0.5f);
#ifndef TR_QUANTIZE_FLOAT_DIVISION
    if (frac == 0.5f || frac == -0.5f) q = (int32_t)round((double)x / (double)scale); /* a tie in float: see above */
#endif
    return tr_clamp(q + zero_point, lo, hi);
}

void tr_quantize_f32_s8_ref(int32_t size, const float *input, float scale, int32_t zero_point, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) output[i] = (int8_t)quantize_one(input[i], scale, zero_point, -128, 127);
}

void tr_quantize_f32_s16_ref(int32_t size, const float *input, float scale, int32_t zero_point, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) output[i] = (int16_t)quantize_one(input[i], scale, zero_point, INT16_MIN, INT16_MAX);
}

void tr_requantize_s8_ref(int32_t size, const int8_t *input, int32_t input_zp, int32_t multiplier, int32_t shift,
                          int32_t output_zp, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t v = tr_mul_by_quantized_multiplier(input[i] - input_zp, multiplier, shift) + output_zp;
        output[i] = (int8_t)tr_clamp(v, -128, 127);
    }
}

void tr_requantize_ref(int32_t size, const void *input, int input_bits, int32_t input_zp, int32_t multiplier, int32_t shift,
                       int32_t output_zp, void *output, int output_bits)
{
    const int8_t *in8 = input;
    const int16_t *in16 = input;
    int8_t *out8 = output;
    int16_t *out16 = output;
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = input_bits == 16 ? in16[i] : in8[i];
        const int32_t v = tr_mul_by_quantized_multiplier(x - input_zp, multiplier, shift) + output_zp;
        if (output_bits == 16) out16[i] = (int16_t)tr_clamp(v, INT16_MIN, INT16_MAX);
        else out8[i] = (int8_t)tr_clamp(v, -128, 127);
    }
}
