/* SOFTMAX, int16 in and out (TFLite reference_ops SoftmaxInt16, as TFLite Micro runs it): each difference from the row
 * maximum is scaled so that [-65535, 0] covers [-10, 0], looked up in an interpolated exp table, summed; the sum is
 * normalised and inverted through an interpolated 1/(1+x) table, and each exp scaled by it to [0, 32767] (scale
 * 1/32768). The two 513-entry tables are built once, at the first int16 SOFTMAX's preparation, by the formula of
 * TFLite's LUTPopulate<int16_t> in single precision; the host interpreter builds them the same way
 * (harness/interpreter/softmax_s16.ts). */
#include <math.h>
#include "quant_math.h"
#include "tr_kernels.h"

#define LUT_STEPS 512
static int16_t exp_lut[LUT_STEPS + 1], one_over_one_plus_x_lut[LUT_STEPS + 1];
static int tables_built;

static float exp_of(float x) { return expf(x); }
static float one_over_one_plus(float x) { return 1.0f / (1.0f + x); }

static float clamp_to_int16(float v) { return v < -32768.0f ? -32768.0f : (v > 32767.0f ? 32767.0f : v); }

/* The table of f over the int16 input range (input_scale, input_zp) in the int16 output range (output_scale, 0):
 * 512 samples, each corrected by half the error of linear interpolation at its step's midpoint, and the end point. */
static void lut_populate(float (*f)(float), float input_scale, int32_t input_zp, float output_scale, int16_t *lut)
{
    const float input_min = input_scale * (float)(INT16_MIN - input_zp);
    const float input_max = input_scale * (float)(INT16_MAX - input_zp);
    const float output_min = output_scale * (float)INT16_MIN, output_max = output_scale * (float)INT16_MAX;
    const float step = (input_max - input_min) / (float)LUT_STEPS;
    const float half_step = step / 2.0f;
    const float inv = 65536.0f / (output_max - output_min);
    for (int i = 0; i < LUT_STEPS; ++i) {
        const float v = f(input_min + (float)i * step);
        const float v_mid = f(input_min + (float)i * step + half_step);
        const float v_next = f(input_min + (float)(i + 1) * step);
        const float sample = roundf(v * inv);
        const float interpolated_mid = roundf((v_next * inv + roundf(v * inv)) / 2.0f);
        const float mid = roundf(v_mid * inv);
        const float bias = roundf((interpolated_mid - mid) / 2.0f);
        lut[i] = (int16_t)clamp_to_int16(sample - bias);
    }
    lut[LUT_STEPS] = (int16_t)clamp_to_int16(roundf(f(input_max) * inv));
}

void tr_softmax_s16_build_tables(void)
{
    if (tables_built) return;
    const float range = 65535.0f; /* INT16_MAX - INT16_MIN */
    lut_populate(exp_of, 10.0f / range, INT16_MAX, 2.0f / range, exp_lut); /* exp on [-10, 0] */
    lut_populate(one_over_one_plus, 1.0f / range, INT16_MIN, 2.0f / range, one_over_one_plus_x_lut); /* x in [0, 1] */
    tables_built = 1;
}

const int16_t *tr_softmax_s16_table(int which) { return which ? one_over_one_plus_x_lut : exp_lut; }

/* TFLite's LUTLookup for int16: the top 9 bits index, the low 7 interpolate to the next entry, rounded */
static int16_t lut_lookup(int16_t value, const int16_t *lut)
{
    const int32_t index = 256 + (value >> 7);
    const int32_t offset = value & 0x7f;
    const int16_t base = lut[index];
    const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
    return (int16_t)(base + ((slope * offset + 64) >> 7));
}

static int16_t sat16(int32_t v) { return (int16_t)tr_clamp(v, INT16_MIN, INT16_MAX); }

void tr_softmax_s16_ref(const tr_softmax_params *p, int32_t rows, int32_t depth, const int16_t *input, int16_t *output)
{
    for (int32_t r = 0; r < rows; ++r) {
        const int16_t *x = input + r * depth;
        int16_t *y = output + r * depth;
        int16_t max = INT16_MIN;
        for (int32_t c = 0; c < depth; ++c) max = x[c] > max ? x[c] : max;
        int32_t sum = 0; /* Q16.15; y holds the exps meanwhile, as TFLite's kernel does */
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t scaled = tr_mul_by_quantized_multiplier(x[c] - max, p->input_multiplier, p->input_left_shift);
            y[c] = lut_lookup(sat16(scaled + 32767), exp_lut);
            sum += y[c];
        }
        int headroom_plus_one = 0; /* leading zeros of the (positive) sum */
        while (headroom_plus_one < 32 && !((uint32_t)sum & (0x80000000u >> headroom_plus_one))) ++headroom_plus_one;
        const int32_t shifted = (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
        /* 1/(1+x) with x = sum - 1, recentred from [0, 65535] to the int16 range */
        const int16_t reciprocal = lut_lookup(sat16(shifted - ((1 << 15) + (1 << 16))), one_over_one_plus_x_lut);
        const int right_shift = 31 - headroom_plus_one;
        for (int32_t c = 0; c < depth; ++c) {
            const int32_t v = (int32_t)(((int64_t)y[c] * reciprocal + ((int64_t)1 << (right_shift - 1))) >> right_shift);
            y[c] = (int16_t)tr_clamp(v, 0, INT16_MAX);
        }
    }
}
