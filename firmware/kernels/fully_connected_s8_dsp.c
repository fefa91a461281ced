/* FULLY_CONNECTED with Cortex-M DSP instructions (SMLAD dot products). Same bits as fully_connected_s8.c. */
#include "tr_kernels.h"
#if defined(TR_KERNELS_DSP) && defined(__ARM_FEATURE_DSP)
#include "dot_s8_dsp.h"
#include "quant_math.h"

void tr_fully_connected_s8_dsp(const tr_fc_params *p, int32_t batches, int32_t in_depth, const int8_t *input,
                               int32_t out_depth, const int8_t *weights, const int32_t *bias, int8_t *output)
{
    if (p->filter_offset != 0) { /* asymmetric weights: TFLite's int8 weights are symmetric, keep the plain loop */
        tr_fully_connected_s8_ref(p, batches, in_depth, input, out_depth, weights, bias, output);
        return;
    }
    for (int32_t b = 0; b < batches; ++b)
        for (int32_t o = 0; o < out_depth; ++o) {
            int32_t acc = tr_dot_s8_dsp(input + b * in_depth, weights + o * in_depth, in_depth, p->input_offset, 0);
            if (bias) acc += bias[o];
            acc = tr_mul_by_quantized_multiplier(acc, p->multiplier, p->shift);
            acc += p->output_offset;
            output[b * out_depth + o] = (int8_t)tr_clamp(acc, p->act_min, p->act_max);
        }
}
#endif
