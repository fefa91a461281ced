/* What the kernel check and the kernel benchmark share: the platform (console, marker store, exit), a seeded PRNG
 * and small formatting helpers (no printf: the firmware links no stdio). */
#ifndef TR_KB_H
#define TR_KB_H
#include <stdint.h>

/* kb_target.c (under QEMU) or kb_host.c (native) */
void kb_init(void);
void kb_write(const char *s);
/* One store to tr_bench_marker: tinyrig's QEMU plugin logs the instruction count of every store to it. */
void kb_marker(uint32_t value);
void kb_exit(int code);

/* xorshift32: the same sequence on every platform */
typedef struct {
    uint32_t s;
} kb_rng;
uint32_t kb_next(kb_rng *r);
int32_t kb_range(kb_rng *r, int32_t lo, int32_t hi); /* uniform in [lo, hi] */
/* FNV-1a over bytes, continued from h */
uint32_t kb_fnv(uint32_t h, const int8_t *p, int32_t n);
#define KB_FNV_INIT 2166136261u

/* Appends to a line buffer; kb_line_end writes it with "\r\n". */
typedef struct {
    char buf[256];
    int len;
} kb_line;
void kb_s(kb_line *l, const char *s);
void kb_i(kb_line *l, int64_t v);
void kb_x(kb_line *l, uint32_t v); /* 8 hex digits */
void kb_line_end(kb_line *l);

#endif
