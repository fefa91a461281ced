/* The MLPerf Tiny device-under-test protocol, fed one received byte at a time. */
#ifndef TR_DUT_H
#define TR_DUT_H
#include <stddef.h>
#include <stdint.h>

/* Command buffer: MLPerf's is 80 characters; ours is larger so `db` lines can carry more bytes (caps says so). */
#ifndef TR_LINE_MAX
#define TR_LINE_MAX 1024
#endif
/* The protocol's own m-results buffer, for firmware that does not size one for its model (dut.results_line). */
#define TR_RESULTS_LINE_DEFAULT 640
/* tinyrig's binary input transfer: at most this many raw bytes follow one `dbraw` command. Small enough that a host
 * which lost its place can end a half-received block by sending this many filler bytes. */
#define TR_RAW_MAX 1024

/* What the protocol needs from the rest of the firmware (the model glue in main.c, or a test double natively). */
typedef struct {
    uint8_t *input;              /* the `db` buffer */
    uint32_t input_capacity;     /* its size: TR_INPUT_BYTES */
    uint32_t input_writes;       /* counts the `db`/`dbraw` commands that wrote into it (load transforms a new input once) */
    const char *name, *version, *model_id;
    const char *model_error;     /* non-NULL when the model was refused at start-up */
    const char *build_id;        /* the harness's build id (TR_BUILD_ID, 16 hex digits), NULL for a hand build */
    /* input buffer -> model input tensor: before every `infer`, outside its timed window */
    void (*load)(uint32_t bytes);
    void (*infer)(void);               /* one inference */
    /* Writes the result vector, comma separated, into buf; returns its length. */
    size_t (*results)(char *buf, size_t size);
    /* Where the m-results line is built, sized by the firmware for its model's whole output vector; left NULL, boot
     * points it at a buffer of the protocol's own (TR_RESULTS_LINE_DEFAULT bytes, ~50 values). */
    char *results_line;
    size_t results_line_size;
    /* The raw output tensor bytes */
    const uint8_t *(*output_raw)(uint32_t *bytes);
    uint32_t arena_used, arena_size, model_bytes, output_bytes;
    void (*write)(const char *s); /* console output */
    uint64_t (*timer_ticks)(void);
    uint32_t ticks_per_us;
    void (*timer_align)(void);   /* port_timer_align: just before each timed window (may be NULL) */
    void (*pin)(int level);
    int energy_mode;
    /* Commands of a firmware extension (the stream engine, core/stream.c): returns 1 when it took the command, which
     * then gets its m-ready as any other. NULL: none. */
    int (*extra_command)(int argc, char **argv);
    /* An emulated board's second way in for input bytes (QEMU semihosting, core/semihost.h): reads the first `len` bytes
     * of the host file `path` into dst, returns how many it read. NULL: input comes over the line only. */
    uint32_t (*read_input_file)(const char *path, uint8_t *dst, uint32_t len);
} tr_dut;

/* Parses a non-negative decimal argument; -1 when it is not one (or is above about 10^9). */
long tr_parse_uint(const char *s);

void tr_dut_boot(tr_dut *d);
/* Feeds one received byte; commands run when their `%` arrives. */
void tr_dut_feed(tr_dut *d, char c);

#endif
