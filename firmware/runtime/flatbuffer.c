#include "flatbuffer.h"
#include <string.h>

int tr_fb_check(tr_fb *fb, uint32_t pos, uint32_t count, uint32_t elem)
{
    if (fb->error) return 0;
    const uint64_t end = (uint64_t)pos + (uint64_t)count * elem;
    if (end > fb->size) {
        fb->error = "offset out of range";
        return 0;
    }
    return 1;
}

static uint32_t rd32(tr_fb *fb, uint32_t pos)
{
    if (!tr_fb_check(fb, pos, 1, 4)) return 0;
    uint32_t v;
    memcpy(&v, fb->base + pos, 4); /* flatbuffers are little-endian, as every target here */
    return v;
}

static uint16_t rd16(tr_fb *fb, uint32_t pos)
{
    if (!tr_fb_check(fb, pos, 1, 2)) return 0;
    uint16_t v;
    memcpy(&v, fb->base + pos, 2);
    return v;
}

uint32_t tr_fb_root(tr_fb *fb)
{
    if (fb->size < 8) {
        fb->error = "file too short";
        return 0;
    }
    return tr_fb_check(fb, 4, 1, 4) ? rd32(fb, 0) : 0;
}

uint32_t tr_fb_field(tr_fb *fb, uint32_t table, unsigned index)
{
    if (fb->error || table == 0) return 0;
    const int32_t soff = (int32_t)rd32(fb, table);
    const int64_t vt = (int64_t)table - soff;
    if (vt <= 0 || vt >= fb->size) {
        fb->error = "vtable out of range";
        return 0;
    }
    const uint16_t vt_size = rd16(fb, (uint32_t)vt);
    const uint32_t slot = 4 + 2 * index;
    if (slot + 2 > vt_size) return 0; /* field newer than this file: absent */
    const uint16_t off = rd16(fb, (uint32_t)vt + slot);
    return off ? table + off : 0;
}

uint32_t tr_fb_ref(tr_fb *fb, uint32_t table, unsigned index)
{
    const uint32_t pos = tr_fb_field(fb, table, index);
    if (!pos) return 0;
    const uint32_t target = pos + rd32(fb, pos);
    return tr_fb_check(fb, target, 1, 4) ? target : 0;
}

uint32_t tr_fb_vec_len(tr_fb *fb, uint32_t vec) { return vec ? rd32(fb, vec) : 0; }

uint32_t tr_fb_vec_ref(tr_fb *fb, uint32_t vec, uint32_t i)
{
    const uint32_t pos = vec + 4 + 4 * i;
    const uint32_t target = pos + rd32(fb, pos);
    return tr_fb_check(fb, target, 1, 4) ? target : 0;
}

uint8_t tr_fb_u8(tr_fb *fb, uint32_t pos) { return tr_fb_check(fb, pos, 1, 1) ? fb->base[pos] : 0; }
int32_t tr_fb_i32(tr_fb *fb, uint32_t pos) { return (int32_t)rd32(fb, pos); }

int64_t tr_fb_i64(tr_fb *fb, uint32_t pos)
{
    if (!tr_fb_check(fb, pos, 1, 8)) return 0;
    int64_t v;
    memcpy(&v, fb->base + pos, 8);
    return v;
}

float tr_fb_f32(tr_fb *fb, uint32_t pos)
{
    const uint32_t bits = rd32(fb, pos);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

int32_t tr_fb_field_i32(tr_fb *fb, uint32_t table, unsigned index, int32_t dflt)
{
    const uint32_t pos = tr_fb_field(fb, table, index);
    return pos ? tr_fb_i32(fb, pos) : dflt;
}

int32_t tr_fb_field_u8(tr_fb *fb, uint32_t table, unsigned index, int32_t dflt)
{
    const uint32_t pos = tr_fb_field(fb, table, index);
    return pos ? (int32_t)tr_fb_u8(fb, pos) : dflt;
}

float tr_fb_field_f32(tr_fb *fb, uint32_t table, unsigned index, float dflt)
{
    const uint32_t pos = tr_fb_field(fb, table, index);
    return pos ? tr_fb_f32(fb, pos) : dflt;
}
