/* Fixed-point arithmetic of TFLite's integer kernels (facts from TFLite's quantization_util and gemmlowp's
 * fixedpoint rules): requantisation by a Q31 multiplier and a power-of-two shift, with round-half-away-from-zero
 * in the doubling high multiply and round-half-up (away from zero for negatives) in the shift. */
#ifndef TR_QUANT_MATH_H
#define TR_QUANT_MATH_H
#include <stdint.h>

/* multiplier * 2^shift approximates `real` (TFLite QuantizeMultiplier: frexp, round to Q31). */
void tr_quantize_multiplier(double real, int32_t *multiplier, int *shift);
int32_t tr_srdhm(int32_t a, int32_t b);                   /* SaturatingRoundingDoublingHighMul */
int32_t tr_rounding_divide_by_pot(int32_t x, int exponent); /* RoundingDivideByPOT */
/* MultiplyByQuantizedMultiplier: x * multiplier * 2^shift, rounded as TFLite rounds. */
int32_t tr_mul_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift);
static inline int32_t tr_clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

#endif
