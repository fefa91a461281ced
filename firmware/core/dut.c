/* The MLPerf Tiny DUT protocol (see ../shared/reference/dut-protocol.md): `%`-terminated commands, `m-` messages,
 * `e-[...]` errors, `m-ready` after every command. Plus tinyrig's own commands, which unmodified MLPerf hosts never
 * send: `caps`, `outraw`, `pins` (timestamp-pin pulses in performance mode, and phase marks) and `dbraw` (input bytes
 * sent raw with a CRC-32, half the wire bytes of hex). */
#include "dut.h"
#include <string.h>
#include "crc32.h"
#include "text.h"

/* TR_MLPERF_ONLY: firmware that speaks MLPerf's protocol and nothing else (tinyrig's own commands answer
 * `e-[Unknown command: ...]`, as on MLPerf's reference firmware), so the host's fallback to MLPerf's `db` lines and
 * timestamps can be run end to end (`tinyrig build --protocol mlperf`). Built with MLPerf's 80-character buffer. */
#ifdef TR_MLPERF_ONLY
#define TR_EXTENSIONS 0
#else
#define TR_EXTENSIONS 1
#endif

static char line[TR_LINE_MAX];
static uint32_t line_len;
static int line_overflow;
static uint32_t expect_bytes, loaded_bytes;

/* `dbraw`: raw bytes still to come in the current block, where they go, and the CRC-32 they must have. */
static uint32_t raw_remaining, raw_block, raw_expected_crc, raw_crc;
static const char *raw_refusal; /* non-NULL: the block is read and dropped, then this error is reported */

/* What the timestamp pin shows besides MLPerf's energy-mode timestamps. */
enum { PINS_OFF, PINS_WINDOW, PINS_PHASES };
static int pins;
static const char *const pins_names[] = {"off", "window", "phases"};

static void pulse(tr_dut *d)
{
    d->pin(1);
    d->pin(0);
}

/* A phase boundary (input load, pre-processing, post-processing), pulsed only when the host asked for phases: an
 * unmodified MLPerf energy runner counts every edge as a timestamp. */
static void mark(tr_dut *d)
{
    if (pins == PINS_PHASES) pulse(d);
}

static void say(tr_dut *d, const char *s)
{
    d->write(s);
    d->write("\r\n");
}

/* prefix followed by a number, e.g. m-lap-us-1234 */
static void say_num(tr_dut *d, const char *prefix, uint64_t v)
{
    char buf[64];
    tr_put_u64(tr_put_str(buf, buf + sizeof buf, prefix), buf + sizeof buf, v);
    say(d, buf);
}

/* prefix, text, suffix: e.g. e-[...] lines */
static void say3(tr_dut *d, const char *prefix, const char *text, const char *suffix)
{
    char buf[192];
    char *const end = buf + sizeof buf;
    tr_put_str(tr_put_str(tr_put_str(buf, end, prefix), end, text), end, suffix);
    say(d, buf);
}

/* A timestamp: the timer read and, in energy mode or when the host asked for pins, the pin pulsed for the power
 * monitor. Nothing is printed here: a window's m-lap-us lines are printed after its second timestamp (say_window), so
 * its edges bound the inferences alone. (MLPerf's reference prints the first inside the window, which puts the time to
 * format and send it, a cost that varies with the number's digits, into the window's latency and energy.) */
static uint64_t timestamp(tr_dut *d)
{
    const uint64_t ticks = d->timer_ticks();
    if (d->energy_mode || pins != PINS_OFF) pulse(d);
    return ticks;
}

/* A lone timestamp (the `timestamp` command, boot): performance mode prints it at once. */
static void say_timestamp(tr_dut *d)
{
    const uint64_t ticks = timestamp(d);
    if (!d->energy_mode) say_num(d, "m-lap-us-", ticks / d->ticks_per_us);
}

/* A window's two m-lap-us lines (performance mode only). The second is the first plus the whole microseconds between
 * the two timer reads, so the two differ by exactly the window's duration, whatever the sub-microsecond phase of the
 * first. */
static void say_window(tr_dut *d, uint64_t t0, uint64_t t1)
{
    if (d->energy_mode) return;
    const uint64_t us0 = t0 / d->ticks_per_us;
    say_num(d, "m-lap-us-", us0);
    say_num(d, "m-lap-us-", us0 + (t1 - t0) / d->ticks_per_us);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long tr_parse_uint(const char *s)
{
    if (!s || !*s) return -1;
    long v = 0;
    for (; *s; ++s) {
        if (*s < '0' || *s > '9' || v > 100000000L) return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

static void cmd_db(tr_dut *d, int argc, char **argv)
{
    char buf[96];
    if (argc >= 3 && strcmp(argv[1], "load") == 0) {
        const long n = tr_parse_uint(argv[2]);
        if (n <= 0) {
            say(d, "e-[db load needs a byte count > 0]");
        } else if ((unsigned long)n > d->input_capacity) {
            char *pos = tr_put_u64(tr_put_str(buf, buf + sizeof buf, "e-[db load of "), buf + sizeof buf, (uint64_t)n);
            pos = tr_put_u64(tr_put_str(pos, buf + sizeof buf, " bytes exceeds the "), buf + sizeof buf, d->input_capacity);
            tr_put_str(pos, buf + sizeof buf, "-byte input buffer]");
            say(d, buf);
        } else {
            expect_bytes = (uint32_t)n;
            loaded_bytes = 0;
            mark(d); /* input load begins */
            char *pos = tr_put_u64(tr_put_str(buf, buf + sizeof buf, "m-[Expecting "), buf + sizeof buf, (uint64_t)n);
            tr_put_str(pos, buf + sizeof buf, " bytes]");
            say(d, buf);
        }
        return;
    }
    if (argc >= 2 && strcmp(argv[1], "print") == 0) {
        long count = argc >= 3 ? tr_parse_uint(argv[2]) : (long)expect_bytes;
        const long offset = argc >= 4 ? tr_parse_uint(argv[3]) : 0;
        if (count < 0 || offset < 0 || (unsigned long)(offset + count) > d->input_capacity) {
            say(d, "e-[db print range is outside the input buffer]");
            return;
        }
        for (long i = 0; i < count; i += 16) {
            char out[8 + 16 * 3 + 4];
            char *pos = tr_put_str(out, out + sizeof out, "m-buffer");
            for (long j = i; j < count && j < i + 16; ++j) pos = tr_put_hex2(tr_put_str(pos, out + sizeof out, "-"), out + sizeof out, d->input[offset + j]);
            say(d, out);
        }
        return;
    }
    if (argc != 2) {
        say(d, "e-[db needs `load N`, `print [N] [offset]` or hex bytes]");
        return;
    }
    const char *hex = argv[1];
    const size_t digits = strlen(hex);
    if (digits % 2) {
        say(d, "e-[Insufficent number of hex digits]");
        return;
    }
    for (size_t i = 0; i < digits; ++i) {
        if (hex_value(hex[i]) < 0) {
            const char bad[2] = {hex[i], 0};
            say3(d, "e-[Invalid hex digit '", bad, "']");
            return;
        }
    }
    if (loaded_bytes + digits / 2 > expect_bytes) {
        say(d, "e-[db data beyond the size given to db load]");
        return;
    }
    for (size_t i = 0; i < digits; i += 2) d->input[loaded_bytes++] = (uint8_t)(hex_value(hex[i]) << 4 | hex_value(hex[i + 1]));
    ++d->input_writes;
    if (loaded_bytes == expect_bytes) {
        mark(d); /* input load ends */
        say(d, "m-load-done");
    }
}

/* `dbraw K CRC`: the next K bytes on the line are input, raw, appended to what `db load N` armed; CRC is their CRC-32
 * (IEEE, as zlib's) in hex. Answered once the K bytes are in. A block that cannot be taken is still read to its end,
 * so its bytes are never taken for commands. */
static void cmd_dbraw(tr_dut *d, int argc, char **argv)
{
    const long k = argc == 3 ? tr_parse_uint(argv[1]) : -1;
    uint32_t crc = 0;
    int crc_ok = argc == 3 && strlen(argv[2]) >= 1 && strlen(argv[2]) <= 8;
    for (const char *p = crc_ok ? argv[2] : ""; *p; ++p) {
        const int v = hex_value(*p);
        if (v < 0) crc_ok = 0;
        crc = crc << 4 | (uint32_t)(v < 0 ? 0 : v);
    }
    if (k <= 0 || k > TR_RAW_MAX || !crc_ok) {
        char buf[96];
        char *pos = tr_put_u64(tr_put_str(buf, buf + sizeof buf, "e-[dbraw needs a block size 1.."), buf + sizeof buf, TR_RAW_MAX);
        tr_put_str(pos, buf + sizeof buf, " and its CRC-32 in hex]");
        say(d, buf);
        say(d, "m-ready");
        return;
    }
    raw_refusal = NULL;
    if (expect_bytes == 0) raw_refusal = "e-[dbraw before db load]";
    else if (loaded_bytes + (uint32_t)k > expect_bytes) raw_refusal = "e-[db data beyond the size given to db load]";
    raw_remaining = raw_block = (uint32_t)k;
    raw_expected_crc = crc;
    raw_crc = tr_crc32_begin();
}

/* `dbfile K PATH`: the K bytes `db load K` armed come from the host file PATH instead of the line (QEMU semihosting
 * stands in for a DMA, as for the stream engine's audio; the console keeps the commands). A tinyrig extension that
 * only firmware built for it answers (`file-input` in caps). */
static void cmd_dbfile(tr_dut *d, int argc, char **argv)
{
    const long k = argc == 3 ? tr_parse_uint(argv[1]) : -1;
    if (!d->read_input_file) {
        say(d, "e-[dbfile: this firmware takes input over the line only]");
    } else if (expect_bytes == 0 || loaded_bytes != 0 || k != (long)expect_bytes) {
        say(d, "e-[dbfile K needs db load K just before it]");
    } else if (d->read_input_file(argv[2], d->input, (uint32_t)k) != (uint32_t)k) {
        say(d, "e-[dbfile: the host file holds fewer than K bytes, or cannot be read]");
    } else {
        loaded_bytes = (uint32_t)k;
        ++d->input_writes;
        mark(d); /* input load ends */
        say(d, "m-load-done");
    }
}

static void raw_byte(tr_dut *d, uint8_t byte)
{
    if (!raw_refusal) d->input[loaded_bytes + (raw_block - raw_remaining)] = byte;
    if (raw_remaining == raw_block && !raw_refusal) ++d->input_writes; /* (a block refused by its CRC wrote too) */
    raw_crc = tr_crc32_add(raw_crc, byte);
    if (--raw_remaining) return;
    if (raw_refusal) {
        say(d, raw_refusal);
    } else if (tr_crc32_end(raw_crc) != raw_expected_crc) {
        say(d, "e-[dbraw block CRC-32 mismatch: bytes were lost or changed on the line]");
    } else {
        loaded_bytes += raw_block;
        if (loaded_bytes == expect_bytes) {
            mark(d); /* input load ends */
            say(d, "m-load-done");
        }
    }
    say(d, "m-ready");
}

static void cmd_pins(tr_dut *d, int argc, char **argv)
{
    if (argc == 2) {
        int found = -1;
        for (int i = 0; i < 3; ++i)
            if (strcmp(argv[1], pins_names[i]) == 0) found = i;
        if (found < 0) {
            say(d, "e-[pins takes off, window or phases]");
            return;
        }
        pins = found;
    }
    say3(d, "m-pins-[", pins_names[pins], "]");
}

static char default_results_line[TR_RESULTS_LINE_DEFAULT];

/* The output vector as MLPerf prints it (dequantised, or the reconstruction error): the post-processing phase. */
static void compute_results(tr_dut *d)
{
    char *line = d->results_line;
    const size_t n = d->results(line + 11, d->results_line_size - 13);
    memcpy(line, "m-results-[", 11);
    line[11 + n] = ']';
    line[12 + n] = 0;
}

static void print_results(tr_dut *d)
{
    compute_results(d);
    say(d, d->results_line);
}

static void cmd_infer(tr_dut *d, int argc, char **argv)
{
    if (d->model_error) {
        say3(d, "e-[", d->model_error, "]");
        return;
    }
    const long n = argc >= 2 ? tr_parse_uint(argv[1]) : -1;
    const long w = argc >= 3 ? tr_parse_uint(argv[2]) : 10; /* MLPerf's default warm-up */
    if (n <= 0) {
        say(d, "e-[Inference iterations must be >0]");
        return;
    }
    if (w < 0) {
        say(d, "e-[Warmup iterations must be >=0]");
        return;
    }
    /* Phase marks time pre- and post-processing by the pin; the timer restarts first so its wrap interrupts fall at
     * the same points of them whatever the wait for the host's bytes took (else one lands in a phase or not, run to run) */
    if (pins == PINS_PHASES && d->timer_align) d->timer_align();
    mark(d); /* pre-processing: the input buffer into the model's input tensor */
    d->load(expect_bytes ? expect_bytes : d->input_capacity);
    mark(d);
    say_num(d, "m-warmup-start-", (uint64_t)w);
    for (long i = 0; i < w; ++i) d->infer();
    say(d, "m-warmup-done");
    say_num(d, "m-infer-start-", (uint64_t)n);
    if (d->timer_align) d->timer_align();
    const uint64_t t0 = timestamp(d);
    for (long i = 0; i < n; ++i) d->infer();
    const uint64_t t1 = timestamp(d);
    say_window(d, t0, t1);
    say(d, "m-infer-done");
    mark(d); /* post-processing: the output vector */
    compute_results(d);
    mark(d);
    say(d, d->results_line);
}

static void cmd_caps(tr_dut *d)
{
    char buf[256];
    char *const end = buf + sizeof buf;
    char *pos = tr_put_u64(tr_put_str(buf, end, "m-caps-[proto=1,line-max="), end, TR_LINE_MAX);
    pos = tr_put_u64(tr_put_str(pos, end, ",db-max="), end, (TR_LINE_MAX - 5) / 2);
    pos = tr_put_u64(tr_put_str(pos, end, ",out-raw=1,arena="), end, d->arena_used);
    pos = tr_put_u64(tr_put_str(pos, end, ",arena-size="), end, d->arena_size);
    pos = tr_put_u64(tr_put_str(pos, end, ",model-bytes="), end, d->model_bytes);
    pos = tr_put_u64(tr_put_str(pos, end, ",input-bytes="), end, d->input_capacity);
    pos = tr_put_u64(tr_put_str(pos, end, ",output-bytes="), end, d->output_bytes);
    pos = tr_put_u64(tr_put_str(pos, end, ",raw-max="), end, TR_RAW_MAX);
    pos = tr_put_str(pos, end, ",pins=1");
    if (d->read_input_file) pos = tr_put_str(pos, end, ",file-input=1");
    if (d->build_id) pos = tr_put_str(tr_put_str(pos, end, ",build="), end, d->build_id);
    tr_put_str(pos, end, "]");
    say(d, buf);
}

static void cmd_outraw(tr_dut *d)
{
    uint32_t n = 0;
    const uint8_t *raw = d->output_raw(&n);
    static const char digits[] = "0123456789abcdef";
    d->write("m-outraw-[");
    char pair[3] = {0, 0, 0};
    for (uint32_t i = 0; i < n; ++i) {
        pair[0] = digits[raw[i] >> 4];
        pair[1] = digits[raw[i] & 15];
        d->write(pair);
    }
    say(d, "]");
}

static void run_command(tr_dut *d)
{
    char *argv[8];
    int argc = 0;
    /* split on spaces in place (newlib's strtok would pull in its allocator) */
    for (char *p = line; *p && argc < 8;) {
        while (*p == ' ') *p++ = 0;
        if (!*p) break;
        argv[argc++] = p;
        while (*p && *p != ' ') ++p;
    }
    if (argc == 0) {
        /* an empty command (a lone `%`) only asks for m-ready */
    } else if (strcmp(argv[0], "name") == 0) {
        say3(d, "m-name-dut-[", d->name, "]");
    } else if (strcmp(argv[0], "profile") == 0) {
        say3(d, "m-profile-[", d->version, "]");
        say3(d, "m-model-[", d->model_id, "]");
    } else if (strcmp(argv[0], "help") == 0) {
        say(d, d->version);
        say(d, "help         : this text");
        say(d, "name         : the device's name");
        say(d, "profile      : firmware version and model id");
        say(d, "timestamp    : a timestamp (energy mode: a pulse on the timestamp pin)");
        say(d, "db load N    : expect N bytes of input");
        say(d, "db HH..HH    : input bytes as hex");
        say(d, "db print [N] [offset] : show the input buffer");
        say(d, "infer N [W]  : W warm-up inferences (default 10), then N timed ones");
        say(d, "results      : the last output vector");
        if (TR_EXTENSIONS) {
            say(d, "caps         : tinyrig: buffer sizes, arena and model bytes");
            say(d, "outraw       : tinyrig: the last raw output tensor, hex");
            say(d, "pins [off|window|phases] : tinyrig: pulse the timestamp pin at timestamps, and at phase bounds");
            say(d, "dbraw K CRC  : tinyrig: K raw input bytes follow (CRC-32 in hex)");
            if (d->read_input_file) say(d, "dbfile K PATH : tinyrig: the K input bytes from a host file (emulator semihosting)");
        }
    } else if (strcmp(argv[0], "timestamp") == 0) {
        say_timestamp(d);
    } else if (strcmp(argv[0], "db") == 0) {
        cmd_db(d, argc, argv);
    } else if (strcmp(argv[0], "infer") == 0) {
        cmd_infer(d, argc, argv);
    } else if (strcmp(argv[0], "results") == 0) {
        print_results(d);
    } else if (TR_EXTENSIONS && strcmp(argv[0], "caps") == 0) {
        cmd_caps(d);
    } else if (TR_EXTENSIONS && strcmp(argv[0], "outraw") == 0) {
        cmd_outraw(d);
    } else if (TR_EXTENSIONS && strcmp(argv[0], "pins") == 0) {
        cmd_pins(d, argc, argv);
    } else if (TR_EXTENSIONS && strcmp(argv[0], "dbraw") == 0) {
        cmd_dbraw(d, argc, argv);
        return; /* answered when its bytes are in (or at once, refused) */
    } else if (TR_EXTENSIONS && strcmp(argv[0], "dbfile") == 0) {
        cmd_dbfile(d, argc, argv);
    } else if (!(d->extra_command && d->extra_command(argc, argv))) {
        say3(d, "e-[Unknown command: ", argv[0], "]");
    }
    say(d, "m-ready");
}

void tr_dut_boot(tr_dut *d)
{
    if (!d->results_line) { /* firmware that sized none for its model gets the protocol's own */
        d->results_line = default_results_line;
        d->results_line_size = sizeof default_results_line;
    }
    line_len = 0;
    line_overflow = 0;
    expect_bytes = loaded_bytes = 0;
    raw_remaining = 0;
    pins = PINS_OFF;
    say(d, d->energy_mode ? "m-timestamp-mode-energy" : "m-timestamp-mode-performance");
    say_timestamp(d);
    if (d->model_error) say3(d, "e-[", d->model_error, "]");
    say(d, "m-init-done");
    say(d, "m-ready");
}

void tr_dut_feed(tr_dut *d, char c)
{
    if (raw_remaining) {
        raw_byte(d, (uint8_t)c);
        return;
    }
    if (c == '%') {
        line[line_len] = 0;
        if (line_overflow) {
            char buf[96];
            char *pos = tr_put_u64(tr_put_str(buf, buf + sizeof buf, "e-[command longer than "), buf + sizeof buf, TR_LINE_MAX - 1);
            tr_put_str(pos, buf + sizeof buf, " characters]");
            say(d, buf);
            say(d, "m-ready");
        } else {
            run_command(d);
        }
        line_len = 0;
        line_overflow = 0;
        return;
    }
    if (c == '\r' || c == '\n') return; /* a CR/LF around a command must not break it */
    if (line_len + 1 >= TR_LINE_MAX) {
        line_overflow = 1;
        return;
    }
    line[line_len++] = c;
}
