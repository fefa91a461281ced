/* gemmlowp's fixed-point exp, logistic and tanh on raw int32 values (Qm.(31-m): m integer bits), as TFLite Micro's
 * int8 LOGISTIC and TANH compute them (facts from gemmlowp's fixedpoint.h); the host's harness/interpreter/
 * fixed-point.ts is the same arithmetic. */
#ifndef TR_FIXED_POINT_H
#define TR_FIXED_POINT_H
#include <stdint.h>

/* SaturatingRoundingMultiplyByPOT: x * 2^exponent, saturating going left, rounding to nearest going right. */
int32_t tr_fp_mul_by_pot(int32_t x, int exponent);
/* exp(a) for a <= 0 with `integer_bits` (at most 5) integer bits; Q0.31. */
int32_t tr_fp_exp_on_negative_values(int32_t a, int integer_bits);
int32_t tr_fp_logistic_q4(int32_t a); /* Q4.27 -> Q0.31 */
int32_t tr_fp_tanh_q4(int32_t a);     /* Q4.27 -> Q0.31 */

#endif
