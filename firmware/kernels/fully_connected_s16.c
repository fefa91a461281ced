/* FULLY_CONNECTED, int16x8: int16 activations, int8 weights (per-tensor or per-channel), int64 bias (TFLite
 * reference_integer_ops FullyConnected / FullyConnectedPerChannel instantiated for int16 with an int64 accumulator):
 * a 64-bit sum, requantised by the int64 MultiplyByQuantizedMultiplier. */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_fully_connected_s16_ref(const tr_fc_params *p, int32_t batches, int32_t in_depth, const int16_t *input,
                                int32_t out_depth, const int8_t *weights, const int64_t *bias, int16_t *output)
{
    for (int32_t b = 0; b < batches; ++b)
        for (int32_t o = 0; o < out_depth; ++o) {
            int64_t acc = 0;
            const int16_t *x = input + b * in_depth;
            const int8_t *w = weights + o * in_depth;
            for (int32_t i = 0; i < in_depth; ++i) acc += (int64_t)(x[i] + p->input_offset) * (w[i] + p->filter_offset);
            if (bias) acc += bias[o];
            const int32_t v = tr_mul_by_quantized_multiplier_s64(acc, tr_fc_multiplier(p, o), tr_fc_shift(p, o)) + p->output_offset;
            output[b * out_depth + o] = (int16_t)tr_clamp(v, p->act_min, p->act_max);
        }
}
