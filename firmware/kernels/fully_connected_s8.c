/* FULLY_CONNECTED, int8, per-tensor or per-channel weights (TFLite reference_integer_ops FullyConnected and
 * FullyConnectedPerChannel: row o requantised with its own multiplier and shift). */
#include "quant_math.h"
#include "tr_kernels.h"

void tr_fully_connected_s8_ref(const tr_fc_params *p, int32_t batches, int32_t in_depth, const int8_t *input,
                               int32_t out_depth, const int8_t *weights, const int32_t *bias, int8_t *output)
{
    for (int32_t b = 0; b < batches; ++b)
        for (int32_t o = 0; o < out_depth; ++o) {
            int32_t acc = 0;
            const int8_t *x = input + b * in_depth;
            const int8_t *w = weights + o * in_depth;
            for (int32_t i = 0; i < in_depth; ++i) acc += (x[i] + p->input_offset) * (w[i] + p->filter_offset);
            if (bias) acc += bias[o];
            acc = tr_mul_by_quantized_multiplier(acc, tr_fc_multiplier(p, o), tr_fc_shift(p, o));
            acc += p->output_offset;
            output[b * out_depth + o] = (int8_t)tr_clamp(acc, p->act_min, p->act_max);
        }
}
