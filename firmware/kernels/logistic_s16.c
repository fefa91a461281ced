/* LOGISTIC, int16 (TFLite reference_integer_ops::Logistic for int16, as TFLite Micro runs it; zero points 0, output
 * scale 2^-15): the input rescaled to steps of 1/(3 x 4096) (+-2^17 covers +-10.7), then sigmoid of |x| interpolated
 * in a 256-entry uint16 table (9 fractional bits), mirrored for negative inputs, saturating beyond the table.
 *
 * The table is TFLite's `sigmoid_table_uint16` ("sigmoid(i/24) at 0.16"). Its entries are not sigmoid(i/24) rounded
 * (44 of 256 differ by one); each is, for i < 255, sigmoid(i/24) plus half the error of linear interpolation at the
 * middle of the step [i/24, (i+1)/24], times 65536, rounded, and the last is 65535 (1.0 saturated to uint16). That
 * formula gives all 256 of TFLite's values (checked in the native tests against their hash); it is computed here in
 * double precision (every value is at least 0.004 from a rounding boundary), once, when the model is read. */
#include <math.h>
#include "tr_kernels.h"

static uint16_t sigmoid_table[256];
static int table_built;

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

void tr_sigmoid_s16_build_table(void)
{
    if (table_built) return;
    const double h = 1.0 / 24.0;
    for (int i = 0; i < 255; ++i) {
        const double v = sigmoid(i * h), next = sigmoid((i + 1) * h), mid = sigmoid(i * h + h / 2.0);
        const double interpolation_error = mid - (v + next) / 2.0;
        sigmoid_table[i] = (uint16_t)floor((v + interpolation_error / 2.0) * 65536.0 + 0.5);
    }
    sigmoid_table[255] = 65535;
    table_built = 1;
}

const uint16_t *tr_sigmoid_s16_table(void) { return sigmoid_table; }

/* the input in the table's steps: a power-of-two input scale takes multiplier 0 (3 << shift, no rounding) */
int32_t tr_sigmoid_s16_rescale(const tr_sigmoid_params *p, int16_t x)
{
    int32_t multiplier = p->multiplier, shift = p->shift;
    if (multiplier == 0) {
        multiplier = 3 << shift;
        shift = 0;
    }
    const int32_t round = shift > 0 ? 1 << (shift - 1) : 0;
    return (x * multiplier + round) >> shift;
}

/* sigmoid at |x| from the table, `frac` low bits of |x| interpolating between entries (the result has `frac` more
 * fractional bits); `saturated` beyond the table */
uint32_t tr_sigmoid_s16_interpolate(uint32_t ax, int frac, uint32_t saturated)
{
    const uint32_t uh = ax >> frac;
    if (uh >= 255) return saturated;
    const uint32_t ua = sigmoid_table[uh], ub = sigmoid_table[uh + 1];
    return (ua << frac) + (ax & ((1u << frac) - 1)) * (ub - ua);
}

void tr_logistic_s16_ref(const tr_sigmoid_params *p, int32_t size, const int16_t *input, int16_t *output)
{
    for (int32_t i = 0; i < size; ++i) {
        const int32_t x = tr_sigmoid_s16_rescale(p, input[i]);
        uint32_t r = tr_sigmoid_s16_interpolate((uint32_t)(x < 0 ? -x : x), 9, 0x7FFFu << 10);
        r = x >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
        output[i] = (int16_t)(r >> 10);
    }
}
