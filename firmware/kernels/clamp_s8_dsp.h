/* The activation clamp of the DSP kernels' outputs as a pass over the bytes they stored (saturated to int8 already):
 * four at a time with SSUB8 and SEL (max with act_min, then min with act_max), about 1.5 instructions an output, so
 * that the assembly paths keep one form for every activation. Same bytes as the reference's tr_clamp when
 * -128 <= act_min <= act_max <= 127 (clamping a saturated value to a range inside int8 is clamping the value). */
#ifndef TR_CLAMP_S8_DSP_H
#define TR_CLAMP_S8_DSP_H
#include <stdint.h>
#include <string.h>
#if defined(__ARM_FEATURE_DSP)

static inline int8_t tr_clamp_s8_byte(int8_t v, int32_t lo, int32_t hi)
{
    return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

/* n bytes at p clamped to [lo, hi], -128 <= lo <= hi <= 127 */
static inline void tr_clamp_s8_dsp(int8_t *p, int32_t n, int32_t lo, int32_t hi)
{
    for (; n > 0 && ((uintptr_t)p & 3); --n, ++p) *p = tr_clamp_s8_byte(*p, lo, hi);
    const uint32_t lo4 = 0x01010101u * (uint8_t)lo, hi4 = 0x01010101u * (uint8_t)hi;
    for (; n >= 4; n -= 4, p += 4) {
        uint32_t v, t;
        memcpy(&v, p, 4);
        /* SEL reads the GE flags of the SSUB8 before it: one block, so that nothing comes between */
        __asm__("ssub8 %[t], %[v], %[lo]\n\t" /* GE per byte: v >= lo */
                "sel %[v], %[v], %[lo]\n\t"
                "ssub8 %[t], %[hi], %[v]\n\t" /* GE per byte: hi >= v */
                "sel %[v], %[v], %[hi]"
                : [v] "+r"(v), [t] "=&r"(t)
                : [lo] "r"(lo4), [hi] "r"(hi4)
                : "cc");
        memcpy(p, &v, 4);
    }
    for (; n > 0; --n, ++p) *p = tr_clamp_s8_byte(*p, lo, hi);
}
#endif
#endif
