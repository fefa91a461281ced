/* Tiny text building without printf: the firmware never needs stdio (newlib's printf family drags in its
 * allocator). Each function appends to [pos, end) and returns the new position, always leaving room for a NUL. */
#ifndef TR_TEXT_H
#define TR_TEXT_H
#include <stdint.h>

char *tr_put_str(char *pos, char *end, const char *s);
char *tr_put_u64(char *pos, char *end, uint64_t v);
char *tr_put_i64(char *pos, char *end, int64_t v);
char *tr_put_hex2(char *pos, char *end, uint8_t v);
/* v with six decimals ("-0.015625", "12.500000", "nan", "inf"). */
char *tr_put_float(char *pos, char *end, float v);

#endif
