/* Fixed-point LFBE (lfbe.h). Every step is the integer arithmetic harness/streaming/lfbe.ts describes, in the same
 * order; right shifts of negative values are arithmetic (GCC's, documented), rounding is (p + 2^(s-1)) >> s. The
 * thresholds are computed once in double with + - x / floor only, as the TypeScript does, so they agree to the bit. */
#include "lfbe.h"
#include <math.h>
#include <string.h>
#include "lfbe_tables.h"

#define HOP TR_LFBE_HOP
#define WINDOW TR_LFBE_WINDOW
#define FFT (TR_LFBE_WINDOW / 2)

static inline int32_t rshr(int64_t p, int s) { return (int32_t)((p + ((int64_t)1 << (s - 1))) >> s); }

/* 2^x with the fixed series of lfbe.ts's exp2Exact. */
static double exp2_exact(double x)
{
    const double n = floor(x);
    const double f = (x - n) * 0.6931471805599453;
    double term = 1, sum = 1;
    for (int k = 1; k <= 24; ++k) {
        term = (term * f) / (double)k;
        sum = sum + term;
    }
    return ldexp(sum, (int)n);
}

void tr_lfbe_init(tr_lfbe *s, float scale, int32_t zero_point)
{
    for (int j = 0; j < 255; ++j) {
        const int32_t level = -127 + j;
        const double f = ((double)(level - zero_point) - 0.5) * (double)scale;
        if (f <= 0) s->thresholds[j] = 0;
        else if (f > 1) s->thresholds[j] = UINT64_MAX;
        else s->thresholds[j] = (uint64_t)ceil(exp2_exact(40 + ((64 * f - 52) * 3.321928094887362) / 10));
    }
    tr_lfbe_reset(s);
}

void tr_lfbe_reset(tr_lfbe *s)
{
    memset(s->emph, 0, sizeof s->emph);
    s->prev = 0;
}

int8_t tr_lfbe_quantize(const tr_lfbe *s, uint64_t mel)
{
    int lo = 0, hi = 255;
    while (lo < hi) {
        const int mid = (lo + hi) >> 1;
        if (s->thresholds[mid] <= mel) lo = mid + 1;
        else hi = mid;
    }
    return (int8_t)(-128 + lo);
}

static void fft512(int32_t *re, int32_t *im)
{
    for (int i = 1, j = 0; i < FFT; ++i) {
        int bit = FFT >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) {
            const int32_t r = re[i], m = im[i];
            re[i] = re[j], im[i] = im[j];
            re[j] = r, im[j] = m;
        }
    }
    for (int len = 2; len <= FFT; len <<= 1) {
        const int half = len >> 1, step = FFT / len;
        for (int i = 0; i < FFT; i += len) {
            for (int k = 0; k < half; ++k) {
                const int64_t wr = lfbe_fft_cos[k * step], wi = -lfbe_fft_sin[k * step];
                const int p = i + k, q = p + half;
                const int32_t tr = rshr(re[q] * wr - im[q] * wi, 15);
                const int32_t ti = rshr(re[q] * wi + im[q] * wr, 15);
                re[q] = re[p] - tr;
                im[q] = im[p] - ti;
                re[p] = re[p] + tr;
                im[p] = im[p] + ti;
            }
        }
    }
}

void tr_lfbe_push(tr_lfbe *s, const int16_t *hop, int8_t *frame)
{
    memmove(s->emph, s->emph + HOP, HOP * sizeof s->emph[0]);
    for (int i = 0; i < HOP; ++i) {
        s->emph[HOP + i] = 32 * (int32_t)hop[i] - 31 * s->prev;
        s->prev = hop[i];
    }
    for (int m = 0; m < FFT; ++m) {
        s->re[m] = rshr((int64_t)s->emph[2 * m] * lfbe_window[2 * m], 17);
        s->im[m] = rshr((int64_t)s->emph[2 * m + 1] * lfbe_window[2 * m + 1], 17);
    }
    fft512(s->re, s->im);
    /* The real spectrum's powers, bin by bin into the bands that use them (each bin is in at most two). */
    uint64_t mel[TR_LFBE_BANDS];
    for (int b = 0; b < TR_LFBE_BANDS; ++b) {
        uint64_t acc = 0;
        const int start = lfbe_mel_start[b], n = lfbe_mel_length[b];
        const uint16_t *w = lfbe_mel_weights + lfbe_mel_offset[b];
        for (int i = 0; i < n; ++i) {
            const int k = start + i, a = k % FFT, c = (FFT - k) % FFT;
            const int64_t ar = s->re[a], ai = s->im[a], br = s->re[c], bi = -(int64_t)s->im[c];
            const int64_t dr = ar - br, di = ai - bi;
            const int64_t cs = lfbe_split_cos[k], sn = lfbe_split_sin[k];
            const int64_t xr = ar + br + rshr(-sn * dr + cs * di, 15);
            const int64_t xi = ai + bi + rshr(-cs * dr - sn * di, 15);
            const int64_t r = rshr(xr, 9), im = rshr(xi, 9);
            acc += (uint64_t)w[i] * (uint64_t)(r * r + im * im);
        }
        mel[b] = acc;
    }
    for (int b = 0; b < TR_LFBE_BANDS; ++b) frame[b] = tr_lfbe_quantize(s, mel[b]);
}
