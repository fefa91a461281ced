/*
 * tinyrig's QEMU TCG plugin: timestamps, in executed guest instructions, every store to one address (the
 * firmware's timestamp pin register). Under -icount shift=N one instruction is 2^N virtual nanoseconds, so the
 * host turns these counts into the exact virtual time of each pin edge: the emulated board's energy monitor.
 *
 *   qemu-system-arm ... -icount shift=5 -plugin <this.so>,addr=0x40028000,out=/tmp/pin.log
 *
 * Each line of `out` is "<instructions executed up to and including the store> <store address>".
 *
 * With idle=<lo>-<hi> (the firmware's idle section: the code that waits for the host's bytes), instructions in that
 * address range are not counted: a real core would be asleep there (the firmware spins briefly before its WFI to
 * keep QEMU's one-byte UART fed, see ports/idle.h), so the counts are of the core's work alone.
 *
 * QEMU 7.2 (Debian 12) ships no qemu-plugin.h, so the few declarations this needs are written below from
 * its plugin API (API version 1; symbols resolved from the QEMU binary at load time).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU plugin API v1 declarations (types and functions as QEMU 7.2 exports them) ---- */
typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info, uint64_t vaddr,
                                          void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
                                              uint64_t imm);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw, void *userdata);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
#define PLUGIN_EXPORT __attribute__((visibility("default")))
PLUGIN_EXPORT int qemu_plugin_version = 1;
/* ---- end of API declarations ---- */

/* The inline counter adds a whole block's count of counted instructions when the block starts, so a store with k
 * counted instructions after it in its block has executed `counter - k` of them. Exact as long as the block runs to
 * its end, which a store to a GPIO register does not prevent. */
static uint64_t executed;
static uint64_t idle_lo, idle_hi; /* the idle section, [lo, hi); empty without idle= */
static uint64_t watch_lo, watch_hi; /* [lo, hi) */
static FILE *out;

/* One per instrumented instruction: how many counted instructions of its block come after it. Translation blocks live
 * until QEMU flushes them, so these are never freed (the process is short-lived). */
struct insn_pos {
    uint64_t after;
};

static void on_store(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *userdata)
{
    (void)vcpu;
    if (vaddr < watch_lo || vaddr >= watch_hi) return;
    /* QEMU 7.2 calls back for the loads too, whatever `rw` asked for: a read-modify-write of a GPIO register (the
     * sifive-e port's pin) would log each edge twice */
    if (!qemu_plugin_mem_is_store(info)) return;
    const struct insn_pos *pos = userdata;
    fprintf(out, "%" PRIu64 " 0x%" PRIx64 "\n", executed - pos->after, vaddr);
    fflush(out); /* the host reads edges while the run is going */
}

static bool idle_insn(struct qemu_plugin_insn *insn)
{
    const uint64_t va = qemu_plugin_insn_vaddr(insn);
    return va >= idle_lo && va < idle_hi;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    const size_t n = qemu_plugin_tb_n_insns(tb);
    size_t counted = 0;
    for (size_t i = 0; i < n; i++) counted += !idle_insn(qemu_plugin_tb_get_insn(tb, i));
    if (counted) qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, counted);
    size_t after = counted; /* counted instructions from this one to the block's end */
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        if (idle_insn(insn)) continue; /* a store in the idle section would be logged at no position; there is none */
        after--;
        struct insn_pos *pos = malloc(sizeof *pos); /* host-side tool: allocation is fine here */
        if (!pos) abort();
        pos->after = after;
        qemu_plugin_register_vcpu_mem_cb(insn, on_store, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_W, pos);
    }
}

static void on_exit_(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    fprintf(out, "end %" PRIu64 "\n", executed);
    fclose(out);
}

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *out_path = NULL;
    uint64_t size = 4;
    bool have_addr = false;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "addr=", 5) == 0) {
            watch_lo = strtoull(argv[i] + 5, NULL, 0);
            have_addr = true;
        } else if (strncmp(argv[i], "size=", 5) == 0) {
            size = strtoull(argv[i] + 5, NULL, 0);
        } else if (strncmp(argv[i], "idle=", 5) == 0) {
            char *dash;
            idle_lo = strtoull(argv[i] + 5, &dash, 0);
            if (*dash != '-') {
                fprintf(stderr, "tinyrig pin plugin: idle=<lo>-<hi>, got %s\n", argv[i]);
                return -1;
            }
            idle_hi = strtoull(dash + 1, NULL, 0);
        } else if (strncmp(argv[i], "out=", 4) == 0) {
            out_path = argv[i] + 4;
        } else {
            fprintf(stderr, "tinyrig pin plugin: unknown argument %s (addr=, size=, idle=, out=)\n", argv[i]);
            return -1;
        }
    }
    if (!have_addr || !out_path) {
        fprintf(stderr, "tinyrig pin plugin: needs addr=<pin register> and out=<file>\n");
        return -1;
    }
    watch_hi = watch_lo + size;
    out = fopen(out_path, "w");
    if (!out) {
        perror(out_path);
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit_, NULL);
    return 0;
}
