#include "kb.h"

uint32_t kb_next(kb_rng *r)
{
    uint32_t x = r->s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return r->s = x;
}

int32_t kb_range(kb_rng *r, int32_t lo, int32_t hi)
{
    const uint32_t span = (uint32_t)hi - (uint32_t)lo + 1u;
    return span == 0 ? (int32_t)kb_next(r) : (int32_t)((uint32_t)lo + kb_next(r) % span);
}

uint32_t kb_fnv(uint32_t h, const int8_t *p, int32_t n)
{
    for (int32_t i = 0; i < n; ++i) h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h;
}

void kb_s(kb_line *l, const char *s)
{
    while (*s && l->len < (int)sizeof l->buf - 3) l->buf[l->len++] = *s++;
}

void kb_i(kb_line *l, int64_t v)
{
    char t[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        t[n++] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u);
    if (v < 0) t[n++] = '-';
    char s[24];
    for (int i = 0; i < n; ++i) s[i] = t[n - 1 - i];
    s[n] = 0;
    kb_s(l, s);
}

void kb_x(kb_line *l, uint32_t v)
{
    char s[9];
    for (int i = 0; i < 8; ++i) s[i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xFu];
    s[8] = 0;
    kb_s(l, s);
}

void kb_line_end(kb_line *l)
{
    l->buf[l->len++] = '\r';
    l->buf[l->len++] = '\n';
    l->buf[l->len] = 0;
    kb_write(l->buf);
    l->len = 0;
}
