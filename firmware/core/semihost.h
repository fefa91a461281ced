/* Arm semihosting: on an emulated board (QEMU with -semihosting-config enable=on,target=native) the firmware reads and
 * writes host files. The stream engine reads its audio this way, one hop at a time, standing in for the I2S DMA a real
 * board has (QEMU models no I2S); the console stays free for commands. Never called on physical boards: a BKPT 0xAB
 * without a debugger attached stops the core. */
#ifndef TR_SEMIHOST_H
#define TR_SEMIHOST_H
#include <stdint.h>
#include <string.h>

#if !defined(__arm__) && !(defined(__riscv) && __riscv_xlen == 32)
#error "semihosting (the emulated stream's audio source) is written for Arm and RV32 only"
#endif

enum { TR_SH_OPEN = 0x01, TR_SH_CLOSE = 0x02, TR_SH_WRITE = 0x05, TR_SH_READ = 0x06, TR_SH_SEEK = 0x0A, TR_SH_FLEN = 0x0C };
enum { TR_SH_MODE_RB = 1, TR_SH_MODE_WB = 5 };

#if defined(__arm__)
static inline int32_t tr_semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}
#else
/* RISC-V: an ebreak between `slli x0, x0, 0x1f` and `srai x0, x0, 7`, all three uncompressed (QEMU reads the words
 * either side of the ebreak, so they must not straddle a page: the 16-byte alignment keeps them in one); a0 is the
 * operation and its result, a1 the argument block. Its own function in its own section, so the alignment padding
 * never falls inside compressed code. */
int32_t tr_semihost_riscv(uint32_t op, const void *arg);
__asm__(".pushsection .text.tr_semihost_riscv,\"axG\",@progbits,tr_semihost_riscv,comdat\n"
        ".balign 16\n"
        ".weak tr_semihost_riscv\n"
        ".type tr_semihost_riscv, @function\n"
        "tr_semihost_riscv:\n"
        ".option push\n"
        ".option norvc\n"
        "slli x0, x0, 0x1f\n"
        "ebreak\n"
        "srai x0, x0, 7\n"
        "ret\n"
        ".option pop\n"
        ".size tr_semihost_riscv, . - tr_semihost_riscv\n"
        ".popsection\n");
static inline int32_t tr_semihost(uint32_t op, const void *arg)
{
    __asm__ volatile("" ::: "memory"); /* the argument block is in memory before the call */
    return tr_semihost_riscv(op, arg);
}
#endif

/* A host file handle, or -1. */
static inline int32_t tr_sh_open(const char *path, uint32_t mode)
{
    const uint32_t args[3] = {(uint32_t)(uintptr_t)path, mode, (uint32_t)strlen(path)};
    return tr_semihost(TR_SH_OPEN, args);
}
static inline void tr_sh_close(int32_t handle)
{
    const uint32_t args[1] = {(uint32_t)handle};
    (void)tr_semihost(TR_SH_CLOSE, args);
}
/* Bytes read (the call returns the bytes not read). */
static inline uint32_t tr_sh_read(int32_t handle, void *buf, uint32_t len)
{
    const uint32_t args[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, len};
    return len - (uint32_t)tr_semihost(TR_SH_READ, args);
}
/* 0 when every byte was written. */
static inline int32_t tr_sh_write(int32_t handle, const void *buf, uint32_t len)
{
    const uint32_t args[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, len};
    return tr_semihost(TR_SH_WRITE, args);
}
static inline int32_t tr_sh_seek(int32_t handle, uint32_t pos)
{
    const uint32_t args[2] = {(uint32_t)handle, pos};
    return tr_semihost(TR_SH_SEEK, args);
}
static inline int32_t tr_sh_flen(int32_t handle)
{
    const uint32_t args[1] = {(uint32_t)handle};
    return tr_semihost(TR_SH_FLEN, args);
}

#endif
