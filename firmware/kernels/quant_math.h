/* Fixed-point arithmetic of TFLite's integer kernels (facts from TFLite's quantization_util and gemmlowp's
 * fixedpoint rules): requantisation by a Q31 multiplier and a power-of-two shift. Two rounding rules, chosen at build
 * time (make ROUNDING=double|single, docs/architecture.md "Rounding"):
 *  - double (default; TFLite Micro's and CMSIS-NN's default, TFLite's without TFLITE_SINGLE_ROUNDING): the left shift,
 *    SaturatingRoundingDoublingHighMul (gemmlowp's nudge and truncating division: (a*b + 2^30) >> 31, ties up),
 *    then RoundingDivideByPOT (ties away from zero);
 *  - single (-DTR_ROUNDING_SINGLE; TFLite with TFLITE_SINGLE_ROUNDING, its default in recent releases): the 64-bit
 *    product rounded once, half up: (x * m + 2^(30 - shift)) >> (31 - shift). TFLite's SmallerThanOneExp and
 *    GreaterThanOne variants are the same function in that mode, as tr_mul_by_quantized_multiplier is here. */
#ifndef TR_QUANT_MATH_H
#define TR_QUANT_MATH_H
#include <stdint.h>

/* multiplier * 2^shift approximates `real` (TFLite QuantizeMultiplier: frexp, round to Q31). */
void tr_quantize_multiplier(double real, int32_t *multiplier, int *shift);
int32_t tr_srdhm(int32_t a, int32_t b);                   /* SaturatingRoundingDoublingHighMul */
int32_t tr_rounding_divide_by_pot(int32_t x, int exponent); /* RoundingDivideByPOT */
/* MultiplyByQuantizedMultiplier: x * multiplier * 2^shift, rounded by the build's rule (above). */
int32_t tr_mul_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift);
/* MultiplyByQuantizedMultiplier for a 64-bit accumulator (TFLite's int16x8 kernels: |x| < 2^47, shift -31..7): the
 * multiplier rounded to Q15 and one rounding, half up, whatever the build's rule (TFLite's int64 overload has one
 * form in both modes). */
int32_t tr_mul_by_quantized_multiplier_s64(int64_t x, int32_t multiplier, int shift);
static inline int32_t tr_clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

#endif
