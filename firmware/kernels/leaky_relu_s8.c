/* LEAKY_RELU, int8 (TFLite reference_ops QuantizeLeakyRelu, as TFLite Micro runs it): requantised by one multiplier at
 * and above the input's zero point, by alpha's below (elementwise.h), clamped to int8. */
#include "elementwise.h"

void tr_leaky_relu_s8_ref(const tr_leaky_relu_params *p, int32_t size, const int8_t *input, int8_t *output)
{
    for (int32_t i = 0; i < size; ++i) output[i] = (int8_t)tr_clamp(tr_leaky_relu_one(p, input[i]), INT8_MIN, INT8_MAX);
}
