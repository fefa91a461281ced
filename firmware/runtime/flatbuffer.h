/* A bounds-checked flatbuffer reader: just what reading a .tflite needs (tables through their vtables, vectors,
 * scalars). Every access is checked against the buffer; the first failure is kept in `error` and later reads
 * return zero, so callers check once at the end of a step. */
#ifndef TR_FLATBUFFER_H
#define TR_FLATBUFFER_H
#include <stdint.h>

typedef struct {
    const uint8_t *base;
    uint32_t size;
    const char *error; /* NULL while everything read was in bounds */
} tr_fb;

/* Position of the root table, or 0 (with error set) when the buffer is not a flatbuffer. */
uint32_t tr_fb_root(tr_fb *fb);
/* Position of field `index` of `table`, or 0 when absent. */
uint32_t tr_fb_field(tr_fb *fb, uint32_t table, unsigned index);
/* Follows an offset field (table, vector, string) to its target, or 0 when absent. */
uint32_t tr_fb_ref(tr_fb *fb, uint32_t table, unsigned index);
uint32_t tr_fb_vec_len(tr_fb *fb, uint32_t vec);
/* Element i of a vector of tables/strings/vectors (offsets). */
uint32_t tr_fb_vec_ref(tr_fb *fb, uint32_t vec, uint32_t i);
uint8_t tr_fb_u8(tr_fb *fb, uint32_t pos);
int32_t tr_fb_i32(tr_fb *fb, uint32_t pos);
int64_t tr_fb_i64(tr_fb *fb, uint32_t pos);
float tr_fb_f32(tr_fb *fb, uint32_t pos);
/* Scalar field with its schema default. */
int32_t tr_fb_field_i32(tr_fb *fb, uint32_t table, unsigned index, int32_t dflt);
int32_t tr_fb_field_u8(tr_fb *fb, uint32_t table, unsigned index, int32_t dflt);
float tr_fb_field_f32(tr_fb *fb, uint32_t table, unsigned index, float dflt);
/* Checks that `count` elements of `elem` bytes from pos are inside the buffer. */
int tr_fb_check(tr_fb *fb, uint32_t pos, uint32_t count, uint32_t elem);

#endif
