/* placeholder */
#include "tr_kernels.h"
#if defined(TR_KERNELS_DSP) && defined(__ARM_FEATURE_DSP)
void tr_depthwise_conv_s8_dsp(const tr_conv_params *p, const tr_per_channel *q, tr_shape4 in, const int8_t *input,
                              tr_shape4 filter, const int8_t *weights, const int32_t *bias, tr_shape4 out,
                              int8_t *output)
{
    tr_depthwise_conv_s8_ref(p, q, in, input, filter, weights, bias, out, output);
}
#endif
