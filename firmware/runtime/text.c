#include "text.h"

char *tr_put_str(char *pos, char *end, const char *s)
{
    while (*s && pos + 1 < end) *pos++ = *s++;
    *pos = 0;
    return pos;
}

char *tr_put_u64(char *pos, char *end, uint64_t v)
{
    char digits[21];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n && pos + 1 < end) *pos++ = digits[--n];
    *pos = 0;
    return pos;
}

char *tr_put_i64(char *pos, char *end, int64_t v)
{
    if (v < 0) {
        pos = tr_put_str(pos, end, "-");
        return tr_put_u64(pos, end, (uint64_t)0 - (uint64_t)v);
    }
    return tr_put_u64(pos, end, (uint64_t)v);
}

char *tr_put_hex2(char *pos, char *end, uint8_t v)
{
    static const char hex[] = "0123456789abcdef";
    const char s[3] = {hex[v >> 4], hex[v & 15u], 0};
    return tr_put_str(pos, end, s);
}

char *tr_put_float(char *pos, char *end, float v)
{
    if (v != v) return tr_put_str(pos, end, "nan");
    const int negative = v < 0;
    const double a = negative ? -(double)v : (double)v;
    if (a > 1e15) return tr_put_str(pos, end, negative ? "-inf" : "inf");
    const uint64_t micro = (uint64_t)(a * 1e6 + 0.5); /* round half up on the magnitude */
    if (negative && micro) pos = tr_put_str(pos, end, "-");
    pos = tr_put_u64(pos, end, micro / 1000000u);
    pos = tr_put_str(pos, end, ".");
    const uint32_t frac = (uint32_t)(micro % 1000000u);
    for (uint32_t div = 100000u; div; div /= 10u) {
        const char d[2] = {(char)('0' + (frac / div) % 10u), 0};
        pos = tr_put_str(pos, end, d);
    }
    return pos;
}
