/* The inner product the DSP kernels share: sum of (x[i] + x_offset) * w[i] over n int8 pairs, four at a time with
 * SMLAD (two 16x16 multiply-accumulates per instruction). Integer arithmetic throughout: the same bits as the
 * reference loop. */
#ifndef TR_DOT_S8_DSP_H
#define TR_DOT_S8_DSP_H
#include <stdint.h>
#include <string.h>
#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

static inline int32_t tr_dot_s8_dsp(const int8_t *x, const int8_t *w, int32_t n, int32_t x_offset, int32_t acc)
{
    /* x_offset in [-128, 128] and x + x_offset in [-255, 255]: both fit a 16-bit lane */
    const uint32_t offset_pair = ((uint32_t)x_offset & 0xFFFFu) | ((uint32_t)x_offset << 16);
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t xv, wv;
        memcpy(&xv, x + i, 4); /* unaligned word loads are fine on v7E-M */
        memcpy(&wv, w + i, 4);
        const uint32_t x02 = __sadd16(__sxtb16(xv), offset_pair);       /* bytes 0 and 2 */
        const uint32_t x13 = __sadd16(__sxtb16(((xv >> 8) | (xv << 24))), offset_pair); /* bytes 1 and 3 */
        const uint32_t w02 = __sxtb16(wv), w13 = __sxtb16(((wv >> 8) | (wv << 24)));
        acc = __smlad(x02, w02, acc);
        acc = __smlad(x13, w13, acc);
    }
    for (; i < n; ++i) acc += (x[i] + x_offset) * w[i];
    return acc;
}
#endif
#endif
