/* CONCATENATION, int8 (TFLite reference_ops Concatenation): the inputs' slices along the axis, one after the other, for
 * each index of the dimensions before it. TFLite's int8 kernel does no rescaling: every input must have the output's
 * scale and zero point (checked when the model is prepared). */
#include <string.h>
#include "tr_kernels.h"

void tr_concatenation_s8_ref(int32_t outer, int32_t n_inputs, const int8_t *const *inputs, const int32_t *inner,
                             int8_t *output)
{
    for (int32_t o = 0; o < outer; ++o)
        for (int32_t k = 0; k < n_inputs; ++k) {
            memcpy(output, inputs[k] + o * inner[k], (size_t)inner[k]);
            output += inner[k];
        }
}
