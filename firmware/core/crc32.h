/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32): checks `dbraw` blocks. Bitwise, no table: flash matters more than
 * speed here, and the check runs outside timed windows. */
#ifndef TR_CRC32_H
#define TR_CRC32_H
#include <stdint.h>

static inline uint32_t tr_crc32_begin(void) { return 0xFFFFFFFFu; }

static inline uint32_t tr_crc32_add(uint32_t crc, uint8_t byte)
{
    crc ^= byte;
    for (int i = 0; i < 8; ++i) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    return crc;
}

static inline uint32_t tr_crc32_end(uint32_t crc) { return crc ^ 0xFFFFFFFFu; }

#endif
