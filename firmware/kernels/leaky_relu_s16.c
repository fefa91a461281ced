/* LEAKY_RELU, int16 (version 2; TFLite Micro runs QuantizeLeakyRelu for int16 too, zero points 0): the int8
 * arithmetic (elementwise.h), clamped to int16. */
#include "elementwise.h"

void tr_leaky_relu_s16_ref(const tr_leaky_relu_params *p, int32_t size, const int16_t *input, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) output[i] = (int16_t)tr_clamp(tr_leaky_relu_one(p, input[i]), INT16_MIN, INT16_MAX);
}
