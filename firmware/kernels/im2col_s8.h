/* Gathering a convolution's receptive field (im2col) into a byte buffer, shared by the optimised conv kernels.
 * Static functions in a header: each kernel file that includes it gets its own copy, so kernels stay one per file. */
#ifndef TR_IM2COL_S8_H
#define TR_IM2COL_S8_H
#include <stdint.h>
#include <string.h>

typedef uint32_t __attribute__((may_alias, aligned(4))) tr_word;

/* Byte loops written out, not memcpy/memset: the runs are a few bytes and a library call costs more than the copy.
 * (The attribute keeps GCC from turning the loops back into those calls.) */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

static inline NO_LIBCALL void copy_bytes(int8_t *dst, const int8_t *src, int32_t n)
{
    for (; n >= 4; n -= 4, src += 4, dst += 4) { /* unaligned words are fine on v7E-M */
        uint32_t v;
        memcpy(&v, src, 4);
        memcpy(dst, &v, 4);
    }
    for (; n > 0; --n) *dst++ = *src++;
}

/* copy_bytes for the band's input rows (hundreds of bytes), in assembly: word-aligned ones 16 bytes a turn with
 * LDRD/STRD (1.5 instructions a word; LDRD needs word alignment), others 8 bytes a turn with unaligned LDR/STR (3 a
 * word), where copy_bytes's loop takes 4. Kept apart from copy_bytes, which the gathers call for runs of a few bytes. */
static inline NO_LIBCALL void copy_row(int8_t *dst, const int8_t *src, int32_t n)
{
#if defined(__ARM_ARCH) && __ARM_ARCH >= 7
    uint32_t a, b, c, d;
    if (n >= 16 && (((uintptr_t)dst | (uintptr_t)src) & 3) == 0) {
        for (int32_t turns = n >> 4; turns > 0;)
            __asm__ volatile("1:\n\t"
                             "ldrd %[a], %[b], [%[s]], #8\n\t"
                             "ldrd %[c], %[d], [%[s]], #8\n\t"
                             "strd %[a], %[b], [%[t]], #8\n\t"
                             "strd %[c], %[d], [%[t]], #8\n\t"
                             "subs %[n], %[n], #1\n\t"
                             "bne 1b"
                             : [s] "+r"(src), [t] "+r"(dst), [n] "+r"(turns), [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c),
                               [d] "=&r"(d)
                             :
                             : "cc", "memory");
        n &= 15;
    }
    for (int32_t turns = n >> 3; turns > 0;)
        __asm__ volatile("1:\n\t"
                         "ldr %[a], [%[s]], #4\n\t"
                         "ldr %[b], [%[s]], #4\n\t"
                         "str %[a], [%[t]], #4\n\t"
                         "str %[b], [%[t]], #4\n\t"
                         "subs %[n], %[n], #1\n\t"
                         "bne 1b"
                         : [s] "+r"(src), [t] "+r"(dst), [n] "+r"(turns), [a] "=&r"(a), [b] "=&r"(b)
                         :
                         : "cc", "memory");
    n &= 7;
#endif
    copy_bytes(dst, src, n);
}

static inline NO_LIBCALL void fill_bytes(int8_t *dst, int8_t v, int32_t n)
{
    for (; n > 0; --n) *dst++ = v;
}

/* What gathering a receptive field needs, worked out once per call. */
typedef struct {
    const int8_t *input;
    int32_t in_h, in_w, in_c, f_h, f_w;
    int32_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
    int32_t row;   /* bytes of one filter row: f_w * in_c */
    int32_t line;  /* bytes of one input row: in_w * in_c */
    int8_t zp;     /* padding value: the input zero point, -input_offset (always an int8) */
} gather_ctx;

/* The receptive field of output pixel (b, oy, ox) as K bytes in filter order (OHWI's HWI). Padding is the input zero
 * point: once the offset is added it is 0 and contributes nothing, as in the reference. A filter row is at most
 * three runs: padding, the taps inside the input (one copy unless dilated), padding. */
static NO_LIBCALL void gather(const gather_ctx *g, int32_t b, int32_t oy, int32_t ox, int8_t *bytes)
{
    const int32_t iy0 = oy * g->stride_h - g->pad_h, ix0 = ox * g->stride_w - g->pad_w;
    const int32_t dw = g->dil_w, in_c = g->in_c, row = g->row;
    int32_t fx0 = 0, fx1 = g->f_w; /* taps [fx0, fx1) lie inside the input horizontally */
    if (ix0 < 0 || ix0 + (fx1 - 1) * dw >= g->in_w) {
        while (fx0 < fx1 && ix0 + fx0 * dw < 0) ++fx0;
        while (fx1 > fx0 && ix0 + (fx1 - 1) * dw >= g->in_w) --fx1;
    }
    const int8_t *src = g->input + ((b * g->in_h + iy0) * g->in_w + ix0) * in_c; /* tap (0, 0), maybe outside */
    const int32_t src_step = g->dil_h * g->line;
    int32_t iy = iy0;
    if (fx0 == 0 && fx1 == g->f_w && dw == 1 && (row & 3) == 0) {
        /* the common case: every filter row inside the input is one run of whole words */
        const uint32_t zp4 = (uint8_t)g->zp * 0x01010101u;
        tr_word *dst = (tr_word *)bytes;
        for (int32_t fy = g->f_h; fy > 0; --fy, src += src_step, iy += g->dil_h) {
            if ((uint32_t)iy < (uint32_t)g->in_h) {
                for (int32_t n = row >> 2, i = 0; n > 0; --n, i += 4) {
                    uint32_t v;
                    memcpy(&v, src + i, 4);
                    *dst++ = v;
                }
            } else {
                for (int32_t n = row >> 2; n > 0; --n) *dst++ = zp4;
            }
        }
        return;
    }
    /* padding, inside taps, padding: byte loops, as these runs are a few bytes each */
    const int32_t left = fx0 * in_c, inside = (fx1 - fx0) * in_c;
    const int8_t zp = g->zp;
    for (int32_t fy = g->f_h; fy > 0; --fy, src += src_step, iy += g->dil_h) {
        if ((uint32_t)iy >= (uint32_t)g->in_h || inside == 0) {
            for (int32_t i = row; i > 0; --i) *bytes++ = zp;
        } else if (dw == 1) {
            int32_t i = 0;
            for (; i < left; ++i) *bytes++ = zp;
            for (const int8_t *s = src + left; i < left + inside; ++i) *bytes++ = *s++;
            for (; i < row; ++i) *bytes++ = zp;
        } else {
            for (int32_t fx = 0; fx < g->f_w; ++fx, bytes += in_c) {
                if (fx >= fx0 && fx < fx1) copy_bytes(bytes, src + fx * dw * in_c, in_c);
                else fill_bytes(bytes, zp, in_c);
            }
        }
    }
}

/* The band: the input rows one output row reads (f_h of them, dilation apart), each with its horizontal padding
 * written out as the zero point, so that any output pixel's filter row is a plain run of f_w * in_c bytes at
 * ox * stride_w * in_c (undilated filters). Built once per output row, it makes a pixel at the edge cost what one
 * inside does. */
typedef struct {
    int8_t *rows;            /* f_h rows of `row` bytes */
    int32_t row, pad_right;  /* bytes per band row; padded positions right of the input */
    int32_t b, oy;           /* whose rows it holds (-1: none yet) */
} band_ctx;

/* Whether the band of this layer fits `room` bytes at `buf` (undilated horizontally only); sets it up if so. */
static inline int band_init(band_ctx *band, const gather_ctx *g, int32_t out_w, int8_t *buf, int32_t room)
{
    const int32_t reach = (out_w - 1) * g->stride_w + g->f_w; /* padded width read */
    band->pad_right = reach - g->pad_w - g->in_w > 0 ? reach - g->pad_w - g->in_w : 0;
    band->row = (g->pad_w + g->in_w + band->pad_right) * g->in_c;
    band->rows = buf;
    band->b = band->oy = -1;
    return g->dil_w == 1 && band->row * g->f_h <= room;
}

static NO_LIBCALL void band_build(band_ctx *band, const gather_ctx *g, int32_t b, int32_t oy)
{
    const int32_t left = g->pad_w * g->in_c, right = band->pad_right * g->in_c;
    int8_t *dst = band->rows;
    for (int32_t fy = 0, iy = oy * g->stride_h - g->pad_h; fy < g->f_h; ++fy, iy += g->dil_h, dst += band->row) {
        if ((uint32_t)iy >= (uint32_t)g->in_h) {
            fill_bytes(dst, g->zp, band->row);
            continue;
        }
        fill_bytes(dst, g->zp, left);
        copy_row(dst + left, g->input + (b * g->in_h + iy) * g->line, g->line);
        fill_bytes(dst + left + g->line, g->zp, right);
    }
    band->b = b;
    band->oy = oy;
}

/* Output pixel (b, oy, ox)'s first filter row in the band (later rows follow band->row bytes apart). */
static inline const int8_t *band_pixel(band_ctx *band, const gather_ctx *g, int32_t b, int32_t oy, int32_t ox)
{
    if (b != band->b || oy != band->oy) band_build(band, g, b, oy);
    return band->rows + ox * g->stride_w * g->in_c;
}

/* The receptive field of (b, oy, ox) from the band, as gather() gives it. */
static inline void band_gather(band_ctx *band, const gather_ctx *g, int32_t b, int32_t oy, int32_t ox, int8_t *bytes)
{
    const int8_t *src = band_pixel(band, g, b, oy, ox);
    for (int32_t fy = g->f_h; fy > 0; --fy, src += band->row, bytes += g->row) copy_bytes(bytes, src, g->row);
}

#endif
