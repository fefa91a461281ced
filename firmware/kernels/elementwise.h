/* ADD's, SUB's and MUL's arithmetic on one pair of inputs (and LEAKY_RELU's and PRELU's), shared by the int8 and int16 kernels (TFLite's AddElementwise and
 * MulElementwise are one template for both types; int16 ADD takes 15 bits of headroom where int8 takes 20, set in the
 * parameters). */
#ifndef TR_ELEMENTWISE_H
#define TR_ELEMENTWISE_H
#include "quant_math.h"
#include "tr_kernels.h"

/* SUB is ADD's arithmetic with the second input's rescaled value subtracted (TFLite's SubElementwise), not added */
static inline int32_t tr_add_sub_one(const tr_add_params *p, int32_t a, int32_t b, int subtract)
{
    const int32_t x = (int32_t)((uint32_t)(p->input1_offset + a) << p->left_shift);
    const int32_t y = (int32_t)((uint32_t)(p->input2_offset + b) << p->left_shift);
    const int32_t sx = tr_mul_by_quantized_multiplier(x, p->input1_multiplier, p->input1_shift);
    const int32_t sy = tr_mul_by_quantized_multiplier(y, p->input2_multiplier, p->input2_shift);
    const int32_t raw = tr_mul_by_quantized_multiplier(subtract ? sx - sy : sx + sy, p->output_multiplier, p->output_shift) + p->output_offset;
    return tr_clamp(raw, p->act_min, p->act_max);
}

static inline int32_t tr_add_one(const tr_add_params *p, int32_t a, int32_t b)
{
    return tr_add_sub_one(p, a, b, 0);
}

static inline int32_t tr_mul_one(const tr_mul_params *p, int32_t a, int32_t b)
{
    const int32_t prod = (a + p->input1_offset) * (b + p->input2_offset);
    return tr_clamp(p->output_offset + tr_mul_by_quantized_multiplier(prod, p->multiplier, p->shift), p->act_min, p->act_max);
}

/* LEAKY_RELU's arithmetic (TFLite reference_ops QuantizeLeakyRelu), unclamped: the int8 and int16 kernels clamp to
 * their type */
static inline int32_t tr_leaky_relu_one(const tr_leaky_relu_params *p, int32_t x)
{
    const int32_t v = x - p->input_zp;
    if (v >= 0) return p->output_zp + tr_mul_by_quantized_multiplier(v, p->identity_multiplier, p->identity_shift);
    const int32_t scaled = tr_mul_by_quantized_multiplier(v, p->alpha_multiplier, p->alpha_shift);
    return p->output_zp + (p->alpha_negative ? -scaled : scaled);
}

/* PRELU's arithmetic (TFLite reference_ops BroadcastPrelu4DSlow), unclamped */
static inline int32_t tr_prelu_one(const tr_prelu_params *p, int32_t x, int32_t alpha)
{
    const int32_t v = p->input_offset + x;
    if (v >= 0) return p->output_offset + tr_mul_by_quantized_multiplier(v, p->multiplier_1, p->shift_1);
    return p->output_offset + tr_mul_by_quantized_multiplier(v * (p->alpha_offset + alpha), p->multiplier_2, p->shift_2);
}

#endif
