/* TANH, int16 (TFLite reference_integer_ops::Tanh for int16, as TFLite Micro runs it; zero points 0, output scale
 * 2^-15): tanh(x) = 2 sigmoid(2x) - 1 through LOGISTIC's table (logistic_s16.c), with 8 fractional bits of the rescaled
 * input instead of 9, mirrored for negative inputs. */
#include "tr_kernels.h"

void tr_tanh_s16_ref(const tr_sigmoid_params *p, int32_t size, const int16_t *input, int16_t *output)
{
    const uint16_t *table = tr_sigmoid_s16_table();
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = tr_sigmoid_s16_rescale(p, input[i]);
        const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
        const uint32_t uh = ax >> 8;
        int32_t r;
        if (uh >= 255) {
            r = 0xFFFF << 8;
        } else {
            const uint32_t ua = table[uh], ub = table[uh + 1];
            r = (int32_t)((ua << 8) + (ax & 0xFF) * (ub - ua));
        }
        r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
        output[i] = (int16_t)(r >> 8);
    }
}
