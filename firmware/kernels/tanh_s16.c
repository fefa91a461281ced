/* TANH, int16 (TFLite reference_integer_ops::Tanh for int16, as TFLite Micro runs it; zero points 0, output scale
 * 2^-15): tanh(x) = 2 sigmoid(2x) - 1 through LOGISTIC's table (logistic_s16.c), with 8 fractional bits of the rescaled
 * input instead of 9, mirrored for negative inputs. */
#include "tr_kernels.h"

void tr_tanh_s16_ref(const tr_sigmoid_params *p, int32_t size, const int16_t *input, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = tr_sigmoid_s16_rescale(p, input[i]);
        int32_t r = (int32_t)tr_sigmoid_s16_interpolate((uint32_t)(x < 0 ? -x : x), 8, 0xFFFFu << 8);
        r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
        output[i] = (int16_t)(r >> 8);
    }
}
