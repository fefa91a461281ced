/* The MLPerf Tiny DUT protocol (see ../shared/reference/dut-protocol.md): `%`-terminated commands, `m-` messages,
 * `e-[...]` errors, `m-ready` after every command. Plus tinyrig's `caps` and `outraw`. */
#include "dut.h"
#include <string.h>
#include "text.h"

static char line[TR_LINE_MAX];
static uint32_t line_len;
static int line_overflow;
static uint32_t expect_bytes, loaded_bytes;

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

/* A timestamp: performance mode prints the timer; energy mode pulses the pin for the power monitor, no text.
 * `since`: when non-NULL, the microseconds are `since->us` plus the whole microseconds elapsed since `since->ticks`,
 * so the two timestamps of a window differ by exactly its duration, whatever the sub-microsecond phase of the first. */
typedef struct {
    uint64_t ticks, us;
} stamp;

static stamp timestamp(tr_dut *d, const stamp *since)
{
    const uint64_t ticks = d->timer_ticks();
    stamp s = {ticks, since ? since->us + (ticks - since->ticks) / d->ticks_per_us : ticks / d->ticks_per_us};
    if (d->energy_mode) {
        d->pin(1);
        d->pin(0);
    } else {
        say_num(d, "m-lap-us-", s.us);
    }
    return s;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses a non-negative decimal; -1 when not one. */
static long parse_uint(const char *s)
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
        const long n = parse_uint(argv[2]);
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
            char *pos = tr_put_u64(tr_put_str(buf, buf + sizeof buf, "m-[Expecting "), buf + sizeof buf, (uint64_t)n);
            tr_put_str(pos, buf + sizeof buf, " bytes]");
            say(d, buf);
        }
        return;
    }
    if (argc >= 2 && strcmp(argv[1], "print") == 0) {
        long count = argc >= 3 ? parse_uint(argv[2]) : (long)expect_bytes;
        const long offset = argc >= 4 ? parse_uint(argv[3]) : 0;
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
    if (loaded_bytes == expect_bytes) say(d, "m-load-done");
}

static void print_results(tr_dut *d)
{
    static char buf[640]; /* ~20 characters per value: room for 30 outputs */
    const size_t n = d->results(buf + 11, sizeof buf - 13);
    memcpy(buf, "m-results-[", 11);
    buf[11 + n] = ']';
    buf[12 + n] = 0;
    say(d, buf);
}

static void cmd_infer(tr_dut *d, int argc, char **argv)
{
    if (d->model_error) {
        say3(d, "e-[", d->model_error, "]");
        return;
    }
    const long n = argc >= 2 ? parse_uint(argv[1]) : -1;
    const long w = argc >= 3 ? parse_uint(argv[2]) : 10; /* MLPerf's default warm-up */
    if (n <= 0) {
        say(d, "e-[Inference iterations must be >0]");
        return;
    }
    if (w < 0) {
        say(d, "e-[Warmup iterations must be >=0]");
        return;
    }
    d->load(expect_bytes ? expect_bytes : d->input_capacity);
    say_num(d, "m-warmup-start-", (uint64_t)w);
    for (long i = 0; i < w; ++i) d->infer();
    say(d, "m-warmup-done");
    say_num(d, "m-infer-start-", (uint64_t)n);
    const stamp t0 = timestamp(d, NULL);
    for (long i = 0; i < n; ++i) d->infer();
    timestamp(d, &t0);
    say(d, "m-infer-done");
    print_results(d);
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
        say(d, "caps         : tinyrig: buffer sizes, arena and model bytes");
        say(d, "outraw       : tinyrig: the last raw output tensor, hex");
    } else if (strcmp(argv[0], "timestamp") == 0) {
        timestamp(d, NULL);
    } else if (strcmp(argv[0], "db") == 0) {
        cmd_db(d, argc, argv);
    } else if (strcmp(argv[0], "infer") == 0) {
        cmd_infer(d, argc, argv);
    } else if (strcmp(argv[0], "results") == 0) {
        print_results(d);
    } else if (strcmp(argv[0], "caps") == 0) {
        cmd_caps(d);
    } else if (strcmp(argv[0], "outraw") == 0) {
        cmd_outraw(d);
    } else {
        say3(d, "e-[Unknown command: ", argv[0], "]");
    }
    say(d, "m-ready");
}

void tr_dut_boot(tr_dut *d)
{
    line_len = 0;
    line_overflow = 0;
    expect_bytes = loaded_bytes = 0;
    say(d, d->energy_mode ? "m-timestamp-mode-energy" : "m-timestamp-mode-performance");
    timestamp(d, NULL);
    if (d->model_error) say3(d, "e-[", d->model_error, "]");
    say(d, "m-init-done");
    say(d, "m-ready");
}

void tr_dut_feed(tr_dut *d, char c)
{
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
