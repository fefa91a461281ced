/* Native tests of the firmware's portable parts: the protocol fed byte by byte, the .tflite reader on good and
 * malformed files, the fixed-point arithmetic and kernels against worked values and float references. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dut.h"
#include "flatbuffer.h"
#include "model.h"
#include "quant_math.h"
#include "requant_fast.h"
#include "tr_kernels.h"

static int failures, checks;
#define CHECK(cond, ...)                                   \
    do {                                                   \
        ++checks;                                          \
        if (!(cond)) {                                     \
            ++failures;                                    \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);    \
            printf(__VA_ARGS__);                           \
            printf("\n");                                  \
        }                                                  \
    } while (0)

/* ---- protocol ---- */
static char out[1 << 16];
static size_t out_len;
static uint8_t input[64];
static int inferences, loads;
static uint64_t fake_ticks;
static void w(const char *s) { while (*s && out_len + 1 < sizeof out) out[out_len++] = *s++; out[out_len] = 0; }
static void load(uint32_t n) { (void)n; ++loads; }
static void infer(void) { ++inferences; fake_ticks += 250; }
static size_t results(char *buf, size_t size) { return (size_t)snprintf(buf, size, "0.250000,0.750000"); }
static const uint8_t raw[2] = {0x80, 0x7f};
static const uint8_t *output_raw(uint32_t *n) { *n = 2; return raw; }
static uint64_t ticks(void) { return fake_ticks += 3; }
/* the timestamp pin's history: '1' and '0' per write, reset by feed() */
static char pin_log[256];
static size_t pin_len;
static void pin(int level) { if (pin_len + 1 < sizeof pin_log) { pin_log[pin_len++] = level ? '1' : '0'; pin_log[pin_len] = 0; } }
static int aligned;
static size_t aligned_at[4]; /* how many pin writes there had been at each align */
static void align(void) { if (aligned < 4) aligned_at[aligned] = pin_len; ++aligned; }

static tr_dut dut_under_test(void)
{
    tr_dut d = {0};
    d.input = input; d.input_capacity = sizeof input; d.name = "test"; d.version = "v1"; d.model_id = "kws01";
    d.load = load; d.infer = infer; d.results = results; d.output_raw = output_raw; d.write = w;
    d.timer_ticks = ticks; d.ticks_per_us = 25; d.pin = pin; d.timer_align = align;
    return d;
}

static void feed(tr_dut *d, const char *s) { out_len = 0; out[0] = 0; pin_len = 0; pin_log[0] = 0; while (*s) tr_dut_feed(d, *s++); }
static void feed_bytes(tr_dut *d, const uint8_t *b, size_t n) { while (n--) tr_dut_feed(d, (char)*b++); }

/* `dbfile K PATH`: an emulated board's input from a host file (here a stand-in for the semihosting read) */
static const char *file_path_read;
static uint32_t fake_file(const char *path, uint8_t *dst, uint32_t len)
{
    static const uint8_t bytes[6] = {9, 8, 7, 6, 5, 4};
    file_path_read = path;
    const uint32_t n = len < sizeof bytes ? len : (uint32_t)sizeof bytes;
    memcpy(dst, bytes, n);
    return n;
}

static void test_dbfile(void)
{
    tr_dut d = dut_under_test();
    tr_dut_boot(&d);
    feed(&d, "db load 4%");
    feed(&d, "dbfile 4 /tmp/in.bin%");
    CHECK(strstr(out, "e-[dbfile: this firmware takes input over the line only]") != NULL, "no file source: refused: %s", out);
    feed(&d, "caps%");
    CHECK(strstr(out, "file-input") == NULL, "caps says no file input: %s", out);
    d.read_input_file = fake_file;
    feed(&d, "caps%");
    CHECK(strstr(out, ",pins=1,file-input=1]") != NULL, "caps says file input: %s", out);
    feed(&d, "db load 4%");
    feed(&d, "dbfile 4 /tmp/in.bin%");
    CHECK(strstr(out, "m-load-done") != NULL && memcmp(input, "\x09\x08\x07\x06", 4) == 0, "dbfile loads the file's bytes: %s", out);
    CHECK(file_path_read && strcmp(file_path_read, "/tmp/in.bin") == 0, "dbfile reads the path given");
    feed(&d, "db load 8%");
    feed(&d, "dbfile 8 /tmp/in.bin%");
    CHECK(strstr(out, "e-[dbfile: the host file holds fewer than K bytes, or cannot be read]") != NULL, "a short file is refused: %s", out);
    feed(&d, "db load 4%");
    feed(&d, "dbfile 3 /tmp/in.bin%");
    CHECK(strstr(out, "e-[dbfile K needs db load K just before it]") != NULL, "K must be what db load armed: %s", out);
}

/* zlib's crc32 of "123456789" is cbf43926; the firmware's must agree (the host computes it with zlib) */
static uint32_t crc_of(const uint8_t *b, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    while (n--) { c ^= *b++; for (int i = 0; i < 8; ++i) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u))); }
    return c ^ 0xFFFFFFFFu;
}

/* tinyrig's additions: pins (window pulses beside the printed timestamps, phase marks) and dbraw. */
static void test_protocol_additions(void)
{
    tr_dut d = dut_under_test();
    tr_dut_boot(&d);
    CHECK(crc_of((const uint8_t *)"123456789", 9) == 0xCBF43926u, "CRC-32 check value");
    feed(&d, "caps%");
    CHECK(strstr(out, ",raw-max=1024,pins=1]") != NULL, "caps names raw-max and pins: %s", out);
    d.build_id = "0123456789abcdef";
    feed(&d, "caps%");
    CHECK(strstr(out, ",raw-max=1024,pins=1,build=0123456789abcdef]\r\n") != NULL, "caps ends with the build id: %s", out);
    d.build_id = NULL;
    /* performance mode, pins off: timestamps are printed, the pin stays still (MLPerf's behaviour) */
    feed(&d, "db load 4%");
    feed(&d, "db 01020304%");
    aligned = 0;
    feed(&d, "infer 2 0%");
    CHECK(pin_len == 0 && aligned == 1, "pins off: no pulses (%s); the timer aligned once before the window (%d)", pin_log, aligned);
    feed(&d, "pins window%");
    CHECK(strcmp(out, "m-pins-[window]\r\nm-ready\r\n") == 0, "pins window: %s", out);
    feed(&d, "infer 2 0%");
    CHECK(strcmp(pin_log, "1010") == 0 && strstr(out, "m-lap-us-") != NULL, "window: a pulse at each timestamp, still printed: %s", pin_log);
    feed(&d, "pins phases%");
    aligned = 0;
    feed(&d, "infer 2 0%");
    CHECK(strcmp(pin_log, "101010101010") == 0, "phases: pre-processing (2 edges), window (2), post-processing (2): %s", pin_log);
    /* the timer's wraps fall at the same points of every phase: it restarts before pre-processing and the window */
    CHECK(aligned == 2 && aligned_at[0] == 0 && aligned_at[1] == 4, "phases: aligned %d times, after %zu and %zu pin writes", aligned,
          aligned_at[0], aligned_at[1]);
    feed(&d, "db load 4%");
    CHECK(strcmp(pin_log, "10") == 0, "phases: db load marks the start of the input load: %s", pin_log);
    const uint8_t block[4] = {0x25, 0x00, 0xff, 0x0d}; /* '%', NUL, 0xff, CR: raw bytes are data, not framing */
    char cmd[64];
    snprintf(cmd, sizeof cmd, "dbraw 4 %08x%%", (unsigned)crc_of(block, 4));
    feed(&d, cmd);
    CHECK(out_len == 0, "dbraw answers only once its bytes are in: %s", out);
    feed_bytes(&d, block, 4);
    CHECK(strcmp(out, "m-load-done\r\nm-ready\r\n") == 0 && memcmp(input, block, 4) == 0, "dbraw loads raw bytes: %s", out);
    CHECK(strcmp(pin_log, "10") == 0, "phases: the end of the input load is marked: %s", pin_log);
    feed(&d, "pins bogus%");
    CHECK(strstr(out, "e-[pins takes off, window or phases]") == out, "bad pins argument: %s", out);
    feed(&d, "pins off%");
    /* a corrupted block: refused by its CRC, nothing counted, the buffer can be completed by a resend */
    feed(&d, "db load 8%");
    const uint8_t good[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    snprintf(cmd, sizeof cmd, "dbraw 4 %08x%%", (unsigned)crc_of(good, 4));
    feed(&d, cmd);
    const uint8_t flipped[4] = {1, 2, 3, 5};
    feed_bytes(&d, flipped, 4);
    CHECK(strstr(out, "e-[dbraw block CRC-32 mismatch") == out, "CRC mismatch is an error: %s", out);
    feed(&d, cmd);
    feed_bytes(&d, good, 4);
    CHECK(strcmp(out, "m-ready\r\n") == 0, "resent block accepted, load not done yet: %s", out);
    snprintf(cmd, sizeof cmd, "dbraw 4 %08x%%", (unsigned)crc_of(good + 4, 4));
    feed(&d, cmd);
    feed_bytes(&d, good + 4, 4);
    CHECK(strcmp(out, "m-load-done\r\nm-ready\r\n") == 0 && memcmp(input, good, 8) == 0, "second block completes: %s", out);
    /* a block beyond db load's size is read to its end and refused: its bytes never become commands */
    snprintf(cmd, sizeof cmd, "dbraw 2 %08x%%", (unsigned)crc_of((const uint8_t *)"%%", 2));
    feed(&d, cmd);
    feed_bytes(&d, (const uint8_t *)"%%", 2);
    CHECK(strcmp(out, "e-[db data beyond the size given to db load]\r\nm-ready\r\n") == 0, "overlong dbraw: %s", out);
    feed(&d, "dbraw 2000 0%");
    CHECK(strstr(out, "e-[dbraw needs a block size 1..1024") == out, "oversized block refused at once: %s", out);
    feed(&d, "dbraw 4 xyz%");
    CHECK(strstr(out, "e-[dbraw needs") == out, "bad CRC refused at once: %s", out);
    feed(&d, "name%");
    CHECK(strcmp(out, "m-name-dut-[test]\r\nm-ready\r\n") == 0, "still in step afterwards: %s", out);
    /* energy mode: window pulses always (MLPerf), nothing printed */
    tr_dut e = dut_under_test();
    e.energy_mode = 1;
    tr_dut_boot(&e);
    feed(&e, "infer 1 0%");
    CHECK(strcmp(pin_log, "1010") == 0 && strstr(out, "m-lap-us-") == NULL, "energy mode: pulses only: %s / %s", pin_log, out);
}

static void test_protocol(void)
{
    tr_dut d = dut_under_test();
    tr_dut_boot(&d);
    CHECK(strstr(out, "m-timestamp-mode-performance\r\n") == out, "boot starts with the timestamp mode: %s", out);
    CHECK(strstr(out, "m-init-done\r\nm-ready\r\n") != NULL, "boot ends with init-done, ready: %s", out);
    feed(&d, "name%");
    CHECK(strcmp(out, "m-name-dut-[test]\r\nm-ready\r\n") == 0, "name: %s", out);
    feed(&d, "\r\nprofile%");
    CHECK(strcmp(out, "m-profile-[v1]\r\nm-model-[kws01]\r\nm-ready\r\n") == 0, "CR/LF before a command is ignored: %s", out);
    feed(&d, "db load 4%");
    CHECK(strcmp(out, "m-[Expecting 4 bytes]\r\nm-ready\r\n") == 0, "db load: %s", out);
    feed(&d, "db 0102%");
    CHECK(strcmp(out, "m-ready\r\n") == 0, "partial db: %s", out);
    feed(&d, "db 0a0B%");
    CHECK(strcmp(out, "m-load-done\r\nm-ready\r\n") == 0 && input[2] == 10 && input[3] == 11, "db completes: %s", out);
    feed(&d, "db print%");
    CHECK(strcmp(out, "m-buffer-01-02-0a-0b\r\nm-ready\r\n") == 0, "db print: %s", out);
    feed(&d, "db 123%");
    CHECK(strstr(out, "e-[Insufficent number of hex digits]\r\nm-ready") == out, "odd hex: %s", out);
    feed(&d, "db zz%");
    CHECK(strstr(out, "e-[Invalid hex digit 'z']") == out, "bad hex: %s", out);
    feed(&d, "db load 65%");
    CHECK(strstr(out, "e-[db load of 65 bytes exceeds the 64-byte input buffer]") == out, "oversized db load refused: %s", out);
    inferences = 0;
    feed(&d, "infer 4 2%");
    CHECK(inferences == 6, "2 warm-up + 4 timed inferences, got %d", inferences);
    CHECK(strstr(out, "m-warmup-start-2\r\nm-warmup-done\r\nm-infer-start-4\r\nm-lap-us-") == out, "infer sequence: %s", out);
    unsigned long long t0 = 0, t1 = 0;
    const char *l0 = strstr(out, "m-lap-us-"), *l1 = l0 ? strstr(l0 + 1, "m-lap-us-") : NULL;
    CHECK(l0 && l1 && sscanf(l0, "m-lap-us-%llu", &t0) == 1 && sscanf(l1, "m-lap-us-%llu", &t1) == 1, "two timestamps: %s", out);
    CHECK(t1 - t0 == (4 * 250 + 3) / 25, "window = whole microseconds of its ticks: %llu", t1 - t0);
    CHECK(strstr(out, "m-infer-done\r\nm-results-[0.250000,0.750000]\r\nm-ready\r\n") != NULL, "results: %s", out);
    feed(&d, "infer 0%");
    CHECK(strstr(out, "e-[Inference iterations must be >0]") == out, "infer 0: %s", out);
    inferences = 0;
    feed(&d, "infer 1%");
    CHECK(inferences == 11, "W defaults to 10: %d", inferences);
    feed(&d, "outraw%");
    CHECK(strcmp(out, "m-outraw-[807f]\r\nm-ready\r\n") == 0, "outraw: %s", out);
    feed(&d, "caps%");
    CHECK(strstr(out, "m-caps-[proto=1,line-max=1024,db-max=509,out-raw=1,") == out, "caps: %s", out);
    feed(&d, "bogus%");
    CHECK(strcmp(out, "e-[Unknown command: bogus]\r\nm-ready\r\n") == 0, "unknown: %s", out);
    char longline[TR_LINE_MAX + 10];
    memset(longline, 'a', sizeof longline - 2);
    longline[sizeof longline - 2] = '%';
    longline[sizeof longline - 1] = 0;
    feed(&d, longline);
    CHECK(strstr(out, "e-[command longer than 1023 characters]\r\nm-ready") == out, "overlong line: %s", out);
    feed(&d, "\xff\x01garbage%");
    CHECK(strstr(out, "e-[Unknown command: ") == out, "garbage bytes are an unknown command, not a crash: %s", out);
}

/* ---- reader ---- */
static tr_model model;
static uint8_t file[1 << 20];

static void test_reader(const char *path)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "open %s", path);
    if (!f) return;
    const size_t n = fread(file, 1, sizeof file, f);
    fclose(f);
    CHECK(tr_model_prepare(&model, file, (uint32_t)n) == 0, "vibration model prepares: %s", model.error);
    CHECK(model.n_ops > 0 && model.arena_needed > 0, "ops %u arena %u", model.n_ops, (unsigned)model.arena_needed);
    static uint8_t copy[1 << 20];
    /* every truncation is refused cleanly, never read past the end (ASan would abort) */
    for (size_t cut = 0; cut < n; cut += 97) {
        memcpy(copy, file, cut);
        CHECK(tr_model_prepare(&model, copy, (uint32_t)cut) != 0, "truncated at %zu accepted", cut);
    }
    memcpy(copy, file, n);
    memcpy(copy + 4, "XXXX", 4);
    CHECK(tr_model_prepare(&model, copy, (uint32_t)n) != 0 && strstr(model.error, "TFL3"), "identifier: %s", model.error);
    /* an operator the runtime does not have, and a version beyond what it implements: refused at start-up, named, and
     * the boot prints it as an e- line (the model's first operator code is rewritten in place) */
    {
        tr_fb fb = {copy, (uint32_t)n, NULL};
        memcpy(copy, file, n);
        const uint32_t code = tr_fb_vec_ref(&fb, tr_fb_ref(&fb, tr_fb_root(&fb), 1 /* operator_codes */), 0);
        const uint32_t builtin = tr_fb_field(&fb, code, 3 /* builtin_code */), deprecated = tr_fb_field(&fb, code, 0);
        CHECK(builtin != 0 && tr_fb_i32(&fb, builtin) == 1, "first operator code is AVERAGE_POOL_2D (builtin_code field present)");
        const int32_t gelu = 150;
        memcpy(copy + builtin, &gelu, 4);
        if (deprecated) copy[deprecated] = 127; /* PLACEHOLDER_FOR_GREATER_OP_CODES */
        CHECK(tr_model_prepare(&model, copy, (uint32_t)n) != 0 && strcmp(model.error, "unsupported operator GELU v2 (int8)") == 0,
              "unsupported operator named: %s", model.error);
        tr_dut d = dut_under_test();
        d.model_error = model.error;
        tr_dut_boot(&d);
        CHECK(strstr(out, "e-[unsupported operator GELU v2 (int8)]\r\nm-init-done\r\nm-ready\r\n") != NULL, "boot names it: %s", out);
        feed(&d, "infer 1 0%");
        CHECK(strcmp(out, "e-[unsupported operator GELU v2 (int8)]\r\nm-ready\r\n") == 0, "infer refused with it: %s", out);
        memcpy(copy, file, n);
        const uint32_t version = tr_fb_field(&fb, code, 2 /* version */);
        CHECK(version != 0, "version field present");
        const int32_t v99 = 99;
        memcpy(copy + version, &v99, 4);
        CHECK(tr_model_prepare(&model, copy, (uint32_t)n) != 0 && strcmp(model.error, "unsupported operator AVERAGE_POOL_2D v99 (int8)") == 0,
              "too new a version named: %s", model.error);
    }
    /* random corruption: refused or accepted, never a crash */
    srand(1);
    for (int t = 0; t < 300; ++t) {
        memcpy(copy, file, n);
        for (int k = 0; k < 8; ++k) copy[rand() % n] = (uint8_t)rand();
        (void)tr_model_prepare(&model, copy, (uint32_t)n);
    }
}

/* ---- arithmetic and kernels ---- */
static void test_kernels(void)
{
    int32_t m;
    int s;
    tr_quantize_multiplier(0.5, &m, &s);
    CHECK(m == (1 << 30) && s == 0, "QuantizeMultiplier(0.5) = %d, %d", m, s);
    tr_quantize_multiplier(0.07, &m, &s);
    CHECK(tr_mul_by_quantized_multiplier(100, m, s) == 7, "100 * 0.07");
    CHECK(tr_mul_by_quantized_multiplier(-150, m, s) == -11, "-150 * 0.07");
    /* where the two rounding rules differ: a tie below zero in the shift (-2 * 0.5 / 2 = -0.5), and 4 * 0.65 / 2 = 1.3,
     * which double rounding takes to 2 (2.6 -> 3, then 1.5 -> 2) */
#ifdef TR_ROUNDING_SINGLE
    printf("(single rounding, QUANTIZE dividing in float, int8 MEAN folded)\n");
    CHECK(tr_mul_by_quantized_multiplier(-2, 1 << 30, -1) == 0, "single rounding: -0.5 rounds half up to 0");
    CHECK(tr_mul_by_quantized_multiplier(4, 1395864371, -1) == 1, "single rounding: 1.3 -> 1");
#else
    CHECK(tr_mul_by_quantized_multiplier(-2, 1 << 30, -1) == -1, "double rounding: -0.5 rounds away from zero to -1");
    CHECK(tr_mul_by_quantized_multiplier(4, 1395864371, -1) == 2, "double rounding: 1.3 -> 2.6 -> 3 -> 1.5 -> 2");
#endif
    CHECK(tr_rounding_divide_by_pot(-5, 1) == -3 && tr_rounding_divide_by_pot(5, 1) == 3, "RDBPOT halves");
    CHECK(tr_srdhm(INT32_MIN, INT32_MIN) == INT32_MAX, "SRDHM saturates");

    /* the same hand-worked convolution as test/interpreter.test.ts */
    const int8_t in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const int8_t wt[18] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0};
    const int32_t bias[2] = {10, -4};
    int32_t mult[2], shift[2];
    tr_quantize_multiplier(0.5, &mult[0], &s);
    shift[0] = s;
    tr_quantize_multiplier(0.25, &mult[1], &s);
    shift[1] = s;
    tr_conv_params p = {2, 2, 1, 1, 1, 1, 1, 3, -128, 127, 1};
    tr_per_channel q = {mult, shift};
    int8_t o[8];
    tr_conv_s8_ref(&p, &q, (tr_shape4){1, 3, 3, 1}, in, (tr_shape4){2, 3, 3, 1}, wt, bias, (tr_shape4){1, 2, 2, 2}, o);
    CHECK(o[0] == 12 && o[1] == 3 && o[6] == 16 && o[7] == 7, "conv: %d %d %d %d", o[0], o[1], o[6], o[7]);

    /* softmax within one output step of float */
    srand(3);
    for (int t = 0; t < 300; ++t) {
        const float scale = t % 3 == 0 ? 0.05f : t % 3 == 1 ? 0.1f : 0.25f;
        tr_softmax_params sp;
        double real = (double)scale * (double)(1LL << 26);
        tr_quantize_multiplier(real, &sp.input_multiplier, &s);
        sp.input_left_shift = s;
        sp.diff_min = -(int32_t)floor(31.0 * (double)(1LL << 26) / (double)(1LL << s));
        const int depth = 2 + rand() % 10;
        int8_t x[12], y[12];
        double sum = 0;
        for (int i = 0; i < depth; ++i) {
            x[i] = (int8_t)(rand() % 256 - 128);
            sum += exp((double)scale * x[i]);
        }
        tr_softmax_s8_ref(&sp, 1, depth, x, y);
        int16_t y16[12]; /* int8 in, int16 out (zero point -32768, scale 1/65536): within 2^-15 of float */
        tr_softmax_s8_s16_ref(&sp, 1, depth, x, y16);
        for (int i = 0; i < depth; ++i) {
            const double want = exp((double)scale * x[i]) / sum, got = (y[i] + 128) / 256.0;
            CHECK(fabs(want - got) <= 1.0 / 256 + 1e-9, "softmax %d: %f vs %f", i, got, want);
            const double got16 = (y16[i] + 32768) / 65536.0;
            CHECK(fabs(want - got16) <= 1.0 / 32768, "softmax int8 -> int16 %d: %f vs %f", i, got16, want);
        }
    }
    int8_t pooled;
    const int8_t pin4[4] = {-1, -2, -2, -1};
    tr_pool_params pp = {1, 1, 2, 2, 0, 0, -128, 127};
    tr_avg_pool_s8_ref(&pp, (tr_shape4){1, 2, 2, 1}, pin4, (tr_shape4){1, 1, 1, 1}, &pooled);
    CHECK(pooled == -2, "avg pool -1.5 -> -2: %d", pooled);
}

/* ---- reference kernels: edge cases, as equalities between independent formulations ---- */
static uint32_t kseed = 7;
static int32_t krand(int32_t lo, int32_t hi)
{
    kseed ^= kseed << 13;
    kseed ^= kseed >> 17;
    kseed ^= kseed << 5;
    return lo + (int32_t)(kseed % (uint32_t)(hi - lo + 1));
}
static int32_t kzp(void) { return krand(0, 3) == 0 ? -128 : krand(0, 2) == 0 ? 127 : krand(-128, 127); }
static void krandom(int8_t *p, int32_t n)
{
    const int mode = krand(0, 5);
    for (int32_t i = 0; i < n; ++i) p[i] = (int8_t)(mode == 0 ? 127 : mode == 1 ? -128 : krand(-128, 127));
}

/* Scales of trained layers, sometimes saturating (the largest multiplier, left shifts), and an activation clamp. */
static void kparams(int32_t n, int32_t *mult, int32_t *shift, int32_t *bias, tr_conv_params *p)
{
    for (int32_t c = 0; c < n; ++c) {
        mult[c] = krand(0, 7) == 0 ? INT32_MAX : krand(1 << 30, INT32_MAX);
        shift[c] = krand(0, 7) == 0 ? krand(0, 2) : krand(-12, -1);
        bias[c] = krand(-30000, 30000);
    }
    p->input_offset = -kzp();
    p->output_offset = kzp();
    p->act_min = krand(0, 1) ? -128 : krand(-128, 127);
    p->act_max = krand(0, 1) ? 127 : krand(p->act_min, 127);
}

static int32_t same_out(int32_t in, int32_t f, int32_t stride, int32_t dil, int32_t *pad_before, int32_t *padded)
{
    const int32_t eff = (f - 1) * dil + 1, out = (in + stride - 1) / stride;
    const int32_t total = (out - 1) * stride + eff - in;
    *pad_before = total > 0 ? total / 2 : 0;
    *padded = (out - 1) * stride + eff; /* rows a VALID convolution of `out` outputs reads */
    return out;
}

/* SAME padding (including strides, dilation and zero points at -128/127) equals VALID over the input explicitly
 * padded with its zero point: padding contributes nothing. Depthwise with multiplier M equals a convolution whose
 * output channel c*M+m reads input channel c only. FULLY_CONNECTED equals a 1x1 convolution. */
static void test_kernel_equivalences(void)
{
    static int8_t x[4096], xp[8192], w[4096], wc[16384], y0[4096], y1[4096];
    static int32_t mult[64], shift[64], bias[64], mult1[64];
    int same = 1, dw_same = 1, fc_same = 1, fc_pc_same = 1, in_range = 1;
    for (int t = 0; t < 400; ++t) {
        tr_conv_params p = {0};
        p.stride_h = krand(1, 3);
        p.stride_w = krand(1, 3);
        p.dilation_h = krand(1, 2);
        p.dilation_w = krand(1, 2);
        p.depth_multiplier = 1;
        const tr_shape4 in = {krand(1, 2), krand(1, 7), krand(1, 7), krand(1, 5)};
        tr_shape4 f = {krand(1, 5), krand(1, 4), krand(1, 4), in.c};
        int32_t ph, pw, hp, wp;
        const tr_shape4 out = {in.n, same_out(in.h, f.h, p.stride_h, p.dilation_h, &ph, &hp),
                               same_out(in.w, f.w, p.stride_w, p.dilation_w, &pw, &wp), f.n};
        kparams(out.c, mult, shift, bias, &p);
        krandom(x, in.n * in.h * in.w * in.c);
        krandom(w, f.n * f.h * f.w * f.c);
        const tr_per_channel q = {mult, shift};
        const int32_t n = out.n * out.h * out.w * out.c;
        /* the padded input: rows [-ph, hp - ph), columns [-pw, wp - pw) of the original, zero point outside */
        for (int32_t b = 0; b < in.n; ++b)
            for (int32_t yy = 0; yy < hp; ++yy)
                for (int32_t xx = 0; xx < wp; ++xx)
                    for (int32_t c = 0; c < in.c; ++c) {
                        const int32_t iy = yy - ph, ix = xx - pw;
                        xp[((b * hp + yy) * wp + xx) * in.c + c] =
                            iy >= 0 && iy < in.h && ix >= 0 && ix < in.w ? x[((b * in.h + iy) * in.w + ix) * in.c + c]
                                                                         : (int8_t)-p.input_offset;
                    }
        const tr_shape4 inp = {in.n, hp, wp, in.c};
        p.pad_h = ph;
        p.pad_w = pw;
        tr_conv_s8_ref(&p, &q, in, x, f, w, bias, out, y0);
        tr_conv_params v = p;
        v.pad_h = v.pad_w = 0;
        tr_conv_s8_ref(&v, &q, inp, xp, f, w, bias, out, y1);
        same &= memcmp(y0, y1, (size_t)n) == 0;
        for (int32_t i = 0; i < n; ++i) in_range &= y0[i] >= p.act_min && y0[i] <= p.act_max;

        /* depthwise, multiplier 1..3, against the convolution with the expanded filter */
        const int32_t dm = krand(1, 3);
        tr_shape4 fd = {1, f.h, f.w, in.c * dm}, od = {out.n, out.h, out.w, in.c * dm};
        if (od.c <= 64 && od.c * f.h * f.w * in.c <= (int32_t)sizeof wc) {
            p.depth_multiplier = dm;
            kparams(od.c, mult, shift, bias, &p);
            krandom(w, fd.h * fd.w * fd.c);
            tr_depthwise_conv_s8_ref(&p, &q, in, x, fd, w, bias, od, y0);
            tr_shape4 fc = {od.c, f.h, f.w, in.c};
            for (int32_t oc = 0; oc < od.c; ++oc)
                for (int32_t k = 0; k < f.h * f.w; ++k)
                    for (int32_t ic = 0; ic < in.c; ++ic)
                        wc[(oc * f.h * f.w + k) * in.c + ic] = ic == oc / dm ? w[k * fd.c + oc] : 0;
            p.depth_multiplier = 1;
            tr_conv_s8_ref(&p, &q, in, x, fc, wc, bias, od, y1);
            dw_same &= memcmp(y0, y1, (size_t)(od.n * od.h * od.w * od.c)) == 0;
        }

        /* fully connected against a 1x1 convolution (one multiplier for every channel) */
        const int32_t batches = krand(1, 3), depth = krand(1, 200), outs = krand(1, 20);
        tr_conv_params pc = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1};
        kparams(outs, mult, shift, bias, &pc);
        for (int32_t c = 0; c < outs; ++c) mult1[c] = mult[0], shift[c] = shift[0];
        krandom(x, batches * depth);
        krandom(w, outs * depth);
        const tr_fc_params fp = {pc.input_offset, 0, pc.output_offset, mult[0], shift[0], pc.act_min, pc.act_max, NULL, NULL};
        tr_fully_connected_s8_ref(&fp, batches, depth, x, outs, w, bias, y0);
        const tr_per_channel q1 = {mult1, shift};
        tr_conv_s8_ref(&pc, &q1, (tr_shape4){1, batches, 1, depth}, x, (tr_shape4){outs, 1, 1, depth}, w, bias,
                       (tr_shape4){1, batches, 1, outs}, y1);
        fc_same &= memcmp(y0, y1, (size_t)(batches * outs)) == 0;
        /* per-channel weights: each output row's own multiplier and shift, as the 1x1 convolution's channels */
        kparams(outs, mult, shift, bias, &pc);
        const tr_fc_params fpc = {pc.input_offset, 0, pc.output_offset, mult[0], shift[0], pc.act_min, pc.act_max, mult, shift};
        tr_fully_connected_s8_ref(&fpc, batches, depth, x, outs, w, bias, y0);
        const tr_per_channel qc = {mult, shift};
        tr_conv_s8_ref(&pc, &qc, (tr_shape4){1, batches, 1, depth}, x, (tr_shape4){outs, 1, 1, depth}, w, bias,
                       (tr_shape4){1, batches, 1, outs}, y1);
        fc_pc_same &= memcmp(y0, y1, (size_t)(batches * outs)) == 0;
    }
    CHECK(same, "SAME padding == VALID over the input padded with its zero point");
    CHECK(dw_same, "depthwise == convolution with the expanded filter");
    CHECK(fc_same, "fully connected == 1x1 convolution");
    CHECK(fc_pc_same, "per-channel fully connected == 1x1 convolution with per-channel multipliers");
    CHECK(in_range, "outputs within the activation clamp");

    /* a filter offset (asymmetric weights), worked by hand: (1+5)*(3-3) + (-2+5)*(4-3) + 2 = 5; x 0.5 -> 2.5 rounds
     * away from zero to 3; + output offset 1 */
    const int8_t fx[2] = {1, -2}, fw[2] = {3, 4};
    const int32_t fb = 2;
    int32_t m;
    int sh;
    tr_quantize_multiplier(0.5, &m, &sh);
    const tr_fc_params fo = {5, -3, 1, m, sh, -128, 127, NULL, NULL};
    int8_t fy;
    tr_fully_connected_s8_ref(&fo, 1, 2, fx, 1, fw, &fb, &fy);
    CHECK(fy == 4, "fully connected with a filter offset: %d", fy);
    /* saturation: the largest multiplier with a left shift sends any sizeable sum to the int8 limits */
    const tr_fc_params fs = {128, 0, -128, INT32_MAX, 3, -128, 127, NULL, NULL};
    const int8_t big[2] = {127, 127}, wpos[2] = {127, 127}, wneg[2] = {-128, -128};
    int8_t hi, lo;
    tr_fully_connected_s8_ref(&fs, 1, 2, big, 1, wpos, NULL, &hi);
    tr_fully_connected_s8_ref(&fs, 1, 2, big, 1, wneg, NULL, &lo);
    CHECK(hi == 127 && lo == -128, "saturates to the int8 limits: %d %d", hi, lo);
}

/* requant_fast.h (the optimised kernels' requantisation) against the reference arithmetic: every channel it takes
 * (shift -31..-2 with multiplier >= 0, and multiplier 0 at any shift), accumulators from the extremes to rounding
 * ties; and every such channel must take a fast form (the official vww01 uses shifts -31..-2 and 0 with multiplier
 * 0), not the reference function. */
static void test_requant_fast(void)
{
    static const int32_t special[] = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30)};
    static const int32_t mults[] = {0, 1 << 30, (1 << 30) + 1, 3 << 29, INT32_MAX};
    long bad = 0, fast = 0, slow_in_range = 0, post = 0;
    for (int32_t t = 0; t < 600000; ++t) {
        const int32_t m = t % 5 == 0 ? mults[krand(0, 4)] : krand(1 << 30, INT32_MAX);
        const int32_t shift = krand(-31, 3), off = krand(-128, 127);
        int32_t acc = t % 7 == 0 ? special[krand(0, 9)] : t % 3 == 0 ? krand(-5000, 5000) : (int32_t)(kseed ^ (uint32_t)t);
        if (t % 11 == 0 && shift <= -1 && shift >= -21) acc = krand(-1000, 1000) * (1 << (-shift - 1)); /* near ties */
        if (t % 13 == 0 && shift <= -22) { /* near ties of the large shifts: acc * m close to (k + 1/2) * 2^(31+e) */
            const int32_t e = -shift, kmax = e >= 30 ? 1 : 1 << (30 - e);
            const int64_t target = ((int64_t)krand(-kmax, kmax - 1) * 2 + 1) * ((int64_t)1 << (30 + e));
            int64_t q = target / (m > 0 ? m : 1) + krand(-2, 2);
            acc = (int32_t)(q > INT32_MAX ? INT32_MAX : q < INT32_MIN ? INT32_MIN : q);
        }
        tr_rq_channel c;
        tr_rq_prepare(&c, 0, m, shift, off);
        const int fast_form = c.rshift != -1;
        slow_in_range += !fast_form && ((shift <= -2 && shift >= -31) || m == 0);
        const int32_t ref = tr_mul_by_quantized_multiplier(acc, m, shift);
        if (ref > INT32_MAX - 128 || ref < INT32_MIN + 128) continue; /* the reference's + offset would overflow */
        fast += fast_form;
        post += c.rshift < -1;
        bad += tr_rq(acc, &c, shift, off) != ref + off;
    }
    CHECK(bad == 0 && fast > 100000 && post > 10000 && slow_in_range == 0,
          "requant_fast.h == reference: %ld differ (%ld on a fast form, %ld with the offset after the shift); %ld channels "
          "of shift -31..-2 or multiplier 0 took the reference function",
          bad, fast, post, slow_in_range);
}

/* QUANTIZE float32 -> int8 against the plain formula of the build's semantics (quantize.c): the double division
 * computed directly, or the float one; random scales and values, a third of them within a few float ulps of a
 * rounding tie, where the fast path must hand over to the exact one. */
static void test_quantize(void)
{
    long bad = 0, near_ties = 0;
    for (int32_t t = 0; t < 3000000; ++t) {
        const float scale = (float)exp((double)krand(-9000, 2300) / 1000.0); /* 1.2e-4 .. 10 */
        const int32_t zp = krand(-128, 127);
        float x;
        if (t % 3 == 0) { /* k + 1/2 times the scale, moved by a few ulps */
            x = ((float)krand(-1100, 1100) + 0.5f) * scale;
            for (int32_t k = krand(-3, 3); k != 0; k += k > 0 ? -1 : 1) x = nextafterf(x, k > 0 ? INFINITY : -INFINITY);
            ++near_ties;
        } else {
            x = (float)krand(-2000000, 2000000) * 1e-3f * scale * (t % 7 == 0 ? 8.0f : 0.1f);
        }
        int8_t got;
        tr_quantize_f32_s8_ref(1, &x, scale, zp, &got);
#ifdef TR_QUANTIZE_FLOAT_DIVISION
        const double q = (double)roundf(x / scale);
#else
        const double q = round((double)x / (double)scale);
#endif
        const int32_t want = q > 1000 ? 127 : q < -1000 ? -128 : tr_clamp((int32_t)q + zp, -128, 127);
        if (got != want && bad++ < 3) printf("quantize x=%a scale=%a zp=%d: %d, want %d\n", (double)x, (double)scale, zp, got, want);
    }
    CHECK(bad == 0, "QUANTIZE float -> int8 == its formula: %ld of 3000000 differ (%ld near ties)", bad, near_ties);
    const float nan = NAN;
    int8_t q;
    tr_quantize_f32_s8_ref(1, &nan, 0.5f, -7, &q);
    CHECK(q == -7, "NaN quantises to the zero point: %d", q);
    /* a tie below zero goes away from zero (-40.5 -> -41), in both precisions */
    const float tie = -20.25f;
    tr_quantize_f32_s8_ref(1, &tie, 0.5f, 0, &q);
    CHECK(q == -41, "QUANTIZE -40.5 rounds away from zero: %d", q);
}

/* The operators converters emit besides the convolutions, against hand-worked values. */
static void test_more_operators(void)
{
    /* RELU with scale ratio 1 (multiplier 2^30 x 2^1) and zero points 0: max(0, x) */
    const tr_relu_params rp = {0, 0, 1 << 30, 1, 0, 127};
    const int8_t rx[4] = {-5, -1, 0, 7};
    int8_t ry[4];
    tr_relu_s8_ref(&rp, 4, rx, ry);
    CHECK(ry[0] == 0 && ry[1] == 0 && ry[2] == 0 && ry[3] == 7, "RELU: %d %d %d %d", ry[0], ry[1], ry[2], ry[3]);
    /* RELU6 into a scale twice as fine (ratio 2: multiplier 2^30 x 2^2), output zero point -128, six at -128 + 20 */
    const tr_relu_params r6 = {3, -128, 1 << 30, 2, -128, -108};
    const int8_t r6x[3] = {2, 8, 100};
    tr_relu_s8_ref(&r6, 3, r6x, ry);
    CHECK(ry[0] == -128 && ry[1] == -118 && ry[2] == -108, "RELU6: %d %d %d", ry[0], ry[1], ry[2]);
    const int8_t ma[3] = {-128, 5, 127}, mb[3] = {0, -5, 126};
    int8_t mo[3];
    const tr_broadcast run3 = {{1, 1, 1, 1, 1, 3}, {0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 1}};
    tr_maximum_s8_ref(&run3, ma, mb, mo);
    CHECK(mo[0] == 0 && mo[1] == 5 && mo[2] == 127, "MAXIMUM");
    tr_minimum_s8_ref(&run3, ma, mb, mo);
    CHECK(mo[0] == -128 && mo[1] == -5 && mo[2] == 126, "MINIMUM");
    /* LEAKY_RELU int8, input and output at one scale (identity (2^30, 1)), alpha 0.25 ((2^30, -1)), zero points 3 and
     * -2: 103 -> 98, -97 -> -25 - 2, -125 -> -32 - 2; alpha -0.5 by magnitude, negated: -97 -> 50 - 2 */
    const int8_t lx[3] = {103, -97, -125};
    int8_t ly[3];
    const tr_leaky_relu_params lp = {3, -2, 1 << 30, 1, 1 << 30, -1, 0};
    tr_leaky_relu_s8_ref(&lp, 3, lx, ly);
    CHECK(ly[0] == 98 && ly[1] == -27 && ly[2] == -34, "LEAKY_RELU: %d %d %d", ly[0], ly[1], ly[2]);
    const tr_leaky_relu_params lneg = {3, -2, 1 << 30, 1, 1 << 30, 0, 1};
    tr_leaky_relu_s8_ref(&lneg, 3, lx, ly);
    CHECK(ly[0] == 98 && ly[1] == 48 && ly[2] == 62, "LEAKY_RELU negative alpha: %d %d %d", ly[0], ly[1], ly[2]);
    /* RESIZE_NEAREST_NEIGHBOR of a [1,4,1,1] column to 6 rows: half_pixel_centers picks rows 0 1 1 2 3 3
     * (floor((i + 0.5) x 2/3)), align_corners 0 1 1 2 2 3 (round(i x 3/5)), neither 0 0 1 2 2 3 (floor(i x 2/3)) */
    const int8_t rsx[4] = {10, 11, 12, 13};
    int8_t rz[6];
    const tr_resize_params half = {0, 1}, corners = {1, 0}, plain = {0, 0};
    tr_resize_nearest_ref(&half, 1, (tr_shape4){1, 4, 1, 1}, rsx, (tr_shape4){1, 6, 1, 1}, rz);
    CHECK(memcmp(rz, (const int8_t[]){10, 11, 11, 12, 13, 13}, 6) == 0, "RESIZE_NEAREST_NEIGHBOR half-pixel: %d %d %d %d %d %d", rz[0], rz[1], rz[2], rz[3], rz[4], rz[5]);
    tr_resize_nearest_ref(&corners, 1, (tr_shape4){1, 4, 1, 1}, rsx, (tr_shape4){1, 6, 1, 1}, rz);
    CHECK(memcmp(rz, (const int8_t[]){10, 11, 11, 12, 12, 13}, 6) == 0, "RESIZE_NEAREST_NEIGHBOR align_corners: %d %d %d %d %d %d", rz[0], rz[1], rz[2], rz[3], rz[4], rz[5]);
    tr_resize_nearest_ref(&plain, 1, (tr_shape4){1, 4, 1, 1}, rsx, (tr_shape4){1, 6, 1, 1}, rz);
    CHECK(memcmp(rz, (const int8_t[]){10, 10, 11, 12, 12, 13}, 6) == 0, "RESIZE_NEAREST_NEIGHBOR: %d %d %d %d %d %d", rz[0], rz[1], rz[2], rz[3], rz[4], rz[5]);
    /* int16, a [1,1,2,2] row doubled in width: pixels (2 values) copied whole */
    const int16_t r16x[4] = {-30000, 1, 30000, 2};
    int16_t r16y[8];
    tr_resize_nearest_ref(&plain, 2, (tr_shape4){1, 1, 2, 2}, r16x, (tr_shape4){1, 1, 4, 2}, r16y);
    CHECK(memcmp(r16y, (const int16_t[]){-30000, 1, -30000, 1, 30000, 2, 30000, 2}, sizeof r16y) == 0, "int16 RESIZE_NEAREST_NEIGHBOR");
    /* STRIDED_SLICE of a [3,4] counting 0..11: rows 0 and 2, columns 1 and 3 (steps 2); column 0 backwards (step -1, from
     * row 2 to the stop before row 0) */
    const int8_t sx34[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    int8_t sy[4];
    const tr_strided_slice_params every2 = {{0, 0, 0, 1}, {1, 1, 3, 4}, {1, 1, 2, 2}}, back = {{0, 0, 2, 0}, {1, 1, -1, 1}, {1, 1, -1, 1}};
    tr_strided_slice_ref(&every2, 1, (tr_shape4){1, 1, 3, 4}, sx34, sy);
    CHECK(memcmp(sy, (const int8_t[]){1, 3, 9, 11}, 4) == 0, "STRIDED_SLICE: %d %d %d %d", sy[0], sy[1], sy[2], sy[3]);
    tr_strided_slice_ref(&back, 1, (tr_shape4){1, 1, 3, 4}, sx34, sy);
    CHECK(memcmp(sy, (const int8_t[]){8, 4, 0}, 3) == 0, "STRIDED_SLICE backwards: %d %d %d", sy[0], sy[1], sy[2]);
    /* REDUCE_MAX / REDUCE_MIN over H and W of [1,2,2,2] (channels apart), and over C alone */
    const int8_t rmx[8] = {1, -5, 7, 100, -128, 3, 0, 2};
    int8_t rmy[4];
    tr_reduce_max_min_s8_ref((tr_shape4){1, 2, 2, 2}, rmx, 0x6, 1, rmy);
    CHECK(rmy[0] == 7 && rmy[1] == 100, "REDUCE_MAX over H, W: %d %d", rmy[0], rmy[1]);
    tr_reduce_max_min_s8_ref((tr_shape4){1, 2, 2, 2}, rmx, 0x6, 0, rmy);
    CHECK(rmy[0] == -128 && rmy[1] == -5, "REDUCE_MIN over H, W: %d %d", rmy[0], rmy[1]);
    tr_reduce_max_min_s8_ref((tr_shape4){1, 2, 2, 2}, rmx, 0x8, 1, rmy);
    CHECK(memcmp(rmy, (const int8_t[]){1, 100, 3, 2}, 4) == 0, "REDUCE_MAX over C: %d %d %d %d", rmy[0], rmy[1], rmy[2], rmy[3]);
    /* TRANSPOSE [2,3] -> [3,2] (perm [1,0], right-aligned to [0,1,3,2]), and int16 [1,2,1,3] -> [1,3,2,1] (NHWC to NCHW,
     * perm [0,3,1,2]) */
    const int8_t tx[6] = {1, 2, 3, 4, 5, 6};
    int8_t ty[6];
    const tr_transpose_params swap = {{0, 1, 3, 2}}, nchw = {{0, 3, 1, 2}};
    tr_transpose_ref(&swap, 1, (tr_shape4){1, 1, 2, 3}, tx, ty);
    CHECK(memcmp(ty, (const int8_t[]){1, 4, 2, 5, 3, 6}, 6) == 0, "TRANSPOSE: %d %d %d %d %d %d", ty[0], ty[1], ty[2], ty[3], ty[4], ty[5]);
    const int16_t t16x[6] = {-30000, 2, 3, 30000, 5, 6};
    int16_t t16y[6];
    tr_transpose_ref(&nchw, 2, (tr_shape4){1, 2, 1, 3}, t16x, t16y);
    CHECK(memcmp(t16y, (const int16_t[]){-30000, 30000, 2, 5, 3, 6}, sizeof t16y) == 0, "int16 TRANSPOSE: %d %d %d %d %d %d", t16y[0], t16y[1], t16y[2],
          t16y[3], t16y[4], t16y[5]);
    /* ABS int8, zero points 3 and -100, one scale (no rescale): -7 -> |-10| - 100 = -90, 13 -> 10 - 100 = -90, 127 ->
     * 124 - 100 = 24; with a rescale of 0.5 ((2^30, 0)): -7 -> 5 - 100 = -95 */
    const int8_t abx[3] = {-7, 13, 127};
    int8_t aby[3];
    const tr_abs_params ap_same = {3, -100, 0, 0, 0}, ap_half = {3, -100, 1, 1 << 30, 0};
    tr_abs_s8_ref(&ap_same, 3, abx, aby);
    CHECK(aby[0] == -90 && aby[1] == -90 && aby[2] == 24, "ABS: %d %d %d", aby[0], aby[1], aby[2]);
    tr_abs_s8_ref(&ap_half, 3, abx, aby);
    CHECK(aby[0] == -95 && aby[1] == -95 && aby[2] == -38, "ABS rescaled: %d %d %d", aby[0], aby[1], aby[2]);
    /* int16: |-32768| saturates at 32767 */
    const int16_t ab16x[3] = {-32768, -5, 300};
    int16_t ab16y[3];
    const tr_abs_params ap16 = {0, 0, 0, 0, 0};
    tr_abs_s16_ref(&ap16, 3, ab16x, ab16y);
    CHECK(ab16y[0] == 32767 && ab16y[1] == 5 && ab16y[2] == 300, "int16 ABS: %d %d %d", ab16y[0], ab16y[1], ab16y[2]);
    /* PAD one column before, the zero point elsewhere */
    const tr_pad_params pp = {{0, 0, 1, 0}, -7};
    const int8_t px[2] = {1, 2};
    int8_t py[3];
    tr_pad_ref(&pp, 1, (tr_shape4){1, 1, 2, 1}, px, (tr_shape4){1, 1, 3, 1}, py);
    CHECK(py[0] == -7 && py[1] == 1 && py[2] == 2, "PAD: %d %d %d", py[0], py[1], py[2]);
    /* PADV2 int8 with -128 (a max-pool's padding): [1,2,1,2] padded [[0,0],[1,0],[0,1],[1,0]] -> [1,3,2,3] */
    const tr_pad_params pv2 = {{0, 1, 0, 1}, -128};
    const int8_t pvx[4] = {1, 2, 3, 4};
    int8_t pvy[18];
    tr_pad_ref(&pv2, 1, (tr_shape4){1, 2, 1, 2}, pvx, (tr_shape4){1, 3, 2, 3}, pvy);
    CHECK(memcmp(pvy, (const int8_t[]){-128, -128, -128, -128, -128, -128, -128, 1, 2, -128, -128, -128, -128, 3, 4, -128, -128, -128}, 18) == 0,
          "PADV2 int8: %d %d %d %d %d %d", pvy[6], pvy[7], pvy[8], pvy[12], pvy[13], pvy[14]);
    /* CONCATENATION of [2,1] and [2,2] along the last axis */
    const int8_t c0[2] = {1, 2}, c1[4] = {3, 4, 5, 6};
    const int8_t *parts[2] = {c0, c1};
    const int32_t inner[2] = {1, 2};
    int8_t cy[6];
    tr_concatenation_s8_ref(2, 2, parts, inner, cy);
    CHECK(memcmp(cy, (const int8_t[]){1, 3, 4, 2, 5, 6}, 6) == 0, "CONCATENATION");
    /* MUL: (3 + 1) * (4 - 1) * 0.5 = 6, + 2 */
    const tr_mul_params mp = {1, -1, 2, 1 << 30, 0, -128, 127};
    const int8_t m1 = 3, m2 = 4;
    int8_t my;
    const tr_broadcast run1 = {{1, 1, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 1}};
    tr_mul_s8_ref(&mp, &run1, &m1, &m2, &my);
    CHECK(my == 8, "MUL: %d", my);
    const int8_t mx[8] = {1, -1, 2, -2, 3, -3, 4, -4};
    int8_t mean[2];
#ifndef TR_MEAN_INT8_FOLD
    /* MEAN over 2x2: 10 / 4 = 2.5 -> 3, -10 / 4 -> -3 (half away from zero) */
    const tr_mean_params mn = {0, 0, 1 << 30, 1};
    tr_mean_hw_s8_ref(&mn, (tr_shape4){1, 2, 2, 2}, mx, mean);
    CHECK(mean[0] == 3 && mean[1] == -3, "MEAN: %d %d", mean[0], mean[1]);
#else
    /* MEAN_INT8=fold: model.c folds 1/4 into the multiplier (0.25: 1 << 30, shift -1) and the sum is requantised once:
     * 10 -> 2.5 -> 3; -10 -> -2.5 -> -3 by two roundings (the last away from zero), -2 by one (ties up) */
    const tr_mean_params mn = {0, 0, 1 << 30, -1};
    tr_mean_hw_s8_ref(&mn, (tr_shape4){1, 2, 2, 2}, mx, mean);
#ifdef TR_ROUNDING_SINGLE
    CHECK(mean[0] == 3 && mean[1] == -2, "MEAN folded: %d %d", mean[0], mean[1]);
#else
    CHECK(mean[0] == 3 && mean[1] == -3, "MEAN folded: %d %d", mean[0], mean[1]);
#endif
#endif
    CHECK(strcmp(tr_op_name(77), "SHAPE") == 0 && strcmp(tr_op_name(150), "GELU") == 0 && tr_op_name(210) == NULL, "builtin names");
}

/* Broadcasting (TFLite's, numpy's rules), worked by hand: an input of extent 1 in a dimension is repeated along it. */
static void test_broadcasting(void)
{
    /* MAXIMUM / MINIMUM of [2,3] and [3]: b repeated for each row */
    const int8_t a23[6] = {1, -5, 7, -2, 9, 0}, b3[3] = {0, 0, 5};
    const tr_broadcast rows = {{1, 1, 1, 1, 2, 3}, {0, 0, 0, 0, 3, 1}, {0, 0, 0, 0, 0, 1}};
    int8_t y[6];
    tr_maximum_s8_ref(&rows, a23, b3, y);
    CHECK(memcmp(y, (const int8_t[]){1, 0, 7, 0, 9, 5}, 6) == 0, "MAXIMUM [2,3] with [3]: %d %d %d %d %d %d", y[0], y[1], y[2], y[3], y[4], y[5]);
    tr_minimum_s8_ref(&rows, a23, b3, y);
    CHECK(memcmp(y, (const int8_t[]){0, -5, 5, -2, 0, 0}, 6) == 0, "MINIMUM [2,3] with [3]");
    /* MUL of [2,1] and [1,3] (both repeated: an outer product), scale ratio 1 (2^30 x 2^1), no offsets */
    const int8_t a21[2] = {2, -3}, b13[3] = {1, 2, 3};
    const tr_broadcast outer = {{1, 1, 1, 1, 2, 3}, {0, 0, 0, 0, 1, 0}, {0, 0, 0, 0, 0, 1}};
    const tr_mul_params unit = {0, 0, 0, 1 << 30, 1, -128, 127};
    tr_mul_s8_ref(&unit, &outer, a21, b13, y);
    CHECK(memcmp(y, (const int8_t[]){2, 4, 6, -3, -6, -9}, 6) == 0, "MUL [2,1] x [1,3]: %d %d %d %d %d %d", y[0], y[1], y[2], y[3], y[4], y[5]);
    /* ADD of [2,2] and a scalar (as [1]), every scale 1: inputs to half scale (2^30, 0) with 20 bits of headroom, the
     * sum back by 2^-19 (2^30, -18): 10 + 5 = 15 ... */
    const int8_t a22[4] = {10, 20, 30, -40}, five = 5;
    const tr_broadcast scalar = {{1, 1, 1, 1, 2, 2}, {0, 0, 0, 0, 2, 1}, {0, 0, 0, 0, 0, 0}};
    const tr_add_params ap = {0, 0, 0, 20, 1 << 30, 0, 1 << 30, 0, 1 << 30, -18, -128, 127};
    tr_add_s8_ref(&ap, &scalar, a22, &five, y);
    CHECK(memcmp(y, (const int8_t[]){15, 25, 35, -35}, 4) == 0, "ADD [2,2] + scalar: %d %d %d %d", y[0], y[1], y[2], y[3]);
    /* PRELU of [2,2] with a per-column alpha [2] (1 and 2 at scale 0.25: slopes 0.25 and 0.5), input and output at one
     * scale ((2^30, 1)), alpha's product by (2^30, -1): 10 -> 10, -8 -> -8 x 2 x 0.25 = -4, -4 -> -1, 6 -> 6 */
    const int8_t px22[4] = {10, -8, -4, 6}, palpha[2] = {1, 2};
    const tr_broadcast per_col = {{1, 1, 1, 1, 2, 2}, {0, 0, 0, 0, 2, 1}, {0, 0, 0, 0, 0, 1}};
    const tr_prelu_params prp = {0, 0, 0, 1 << 30, 1, 1 << 30, -1};
    tr_prelu_s8_ref(&prp, &per_col, px22, palpha, y);
    CHECK(memcmp(y, (const int8_t[]){10, -4, -1, 6}, 4) == 0, "PRELU: %d %d %d %d", y[0], y[1], y[2], y[3]);
    /* int16 with int8 alpha, identity 2 ((2^30, 2)), alpha's product by 0.5 ((2^30, 0)): -30000 x 3 x 0.5 saturates */
    const int16_t pr16x[4] = {1000, -30000, -10, 20000};
    int16_t pr16y[4];
    const tr_prelu_params prp16 = {0, 0, 0, 1 << 30, 2, 1 << 30, 0};
    tr_prelu_s16_ref(&prp16, &per_col, pr16x, (const int8_t[]){3, 3}, pr16y);
    CHECK(memcmp(pr16y, (const int16_t[]){2000, -32768, -15, 32767}, sizeof pr16y) == 0, "int16 PRELU: %d %d %d %d", pr16y[0], pr16y[1], pr16y[2], pr16y[3]);
    /* SUB with ADD's parameters, the scalar subtracted: 10 - 5 = 5 ... -40 - 5 = -45 */
    tr_sub_s8_ref(&ap, &scalar, a22, &five, y);
    CHECK(memcmp(y, (const int8_t[]){5, 15, 25, -45}, 4) == 0, "SUB [2,2] - scalar: %d %d %d %d", y[0], y[1], y[2], y[3]);
    /* SUB int16, every scale 1: 15 bits of headroom, inputs to half scale (2^30, 0), the difference back by 2^-14
     * (2^30, -13); 30000 - -2768 saturates to 32767, -30000 - 5000 to -32768 */
    const int16_t sa[4] = {30000, -30000, 100, -7}, sb[4] = {-2768, 5000, 101, -7};
    const tr_add_params ap16 = {0, 0, 0, 15, 1 << 30, 0, 1 << 30, 0, 1 << 30, -13, INT16_MIN, INT16_MAX};
    const tr_broadcast same4 = {{1, 1, 1, 1, 1, 4}, {0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 1}};
    int16_t sy16[4];
    tr_sub_s16_ref(&ap16, &same4, sa, sb, sy16);
    CHECK(memcmp(sy16, (const int16_t[]){32767, -32768, -1, 0}, sizeof sy16) == 0, "SUB int16: %d %d %d %d", sy16[0], sy16[1], sy16[2], sy16[3]);
    /* the scalar first: [1] - [2,2] with MAXIMUM, the first input repeated */
    const tr_broadcast first = {{1, 1, 1, 1, 2, 2}, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 2, 1}};
    tr_maximum_s8_ref(&first, &five, a22, y);
    CHECK(memcmp(y, (const int8_t[]){10, 20, 30, 5}, 4) == 0, "MAXIMUM scalar with [2,2]");
    /* MAXIMUM / MINIMUM int16 of [2,3] and [3], raw values across the int16 range (no rescaling, as TFLite Micro) */
    const int16_t a23s[6] = {-32768, 300, 32767, -5, 301, -300}, b3s[3] = {-32767, 301, -299};
    int16_t y16[6];
    tr_maximum_s16_ref(&rows, a23s, b3s, y16);
    CHECK(memcmp(y16, (const int16_t[]){-32767, 301, 32767, -5, 301, -299}, sizeof y16) == 0, "MAXIMUM int16 [2,3] with [3]: %d %d %d %d %d %d",
          y16[0], y16[1], y16[2], y16[3], y16[4], y16[5]);
    tr_minimum_s16_ref(&rows, a23s, b3s, y16);
    CHECK(memcmp(y16, (const int16_t[]){-32768, 300, -299, -32767, 301, -300}, sizeof y16) == 0, "MINIMUM int16 [2,3] with [3]: %d %d %d %d %d %d",
          y16[0], y16[1], y16[2], y16[3], y16[4], y16[5]);
    /* 6-D, as TFLite Micro's MUL and ADD take: [2,1,1,1,1,2] x [3,1,1,1,1] -> [2,3,1,1,1,2], a[i0][i5] x b[i1], steps
     * worked out by tr_broadcast_shapes */
    tr_tensor t6a = {.type = TR_I8, .ndims = 6, .dims = {2, 1, 1, 1, 1, 2}, .elems = 4};
    tr_tensor t5b = {.type = TR_I8, .ndims = 5, .dims = {3, 1, 1, 1, 1}, .elems = 3};
    tr_tensor t6o = {.type = TR_I8, .ndims = 6, .dims = {2, 3, 1, 1, 1, 2}, .elems = 12};
    tr_broadcast six;
    const int six_ok = tr_broadcast_shapes(&t6a, &t5b, &t6o, &six);
    const int8_t a6[4] = {1, 2, 3, 4}, b5[3] = {1, 2, 3};
    int8_t y6[12];
    tr_mul_s8_ref(&unit, &six, a6, b5, y6);
    CHECK(six_ok == 0 && memcmp(y6, (const int8_t[]){1, 2, 2, 4, 3, 6, 3, 4, 6, 8, 9, 12}, 12) == 0, "MUL 6-D broadcast: %d %d %d %d %d %d", y6[0], y6[1],
          y6[2], y6[3], y6[6], y6[11]);
    t6o.dims[1] = 2; /* 3 does not broadcast to 2 */
    t6o.elems = 8;
    CHECK(tr_broadcast_shapes(&t6a, &t5b, &t6o, &six) == -1, "6-D shapes that do not broadcast");
}

/* int16x8 (16-bit activations, 8-bit weights, 64-bit bias), worked by hand and against independent formulations. */
static void test_int16(void)
{
    /* FULLY_CONNECTED: 3 * 1000 + 4 * -2000 + 10000 = 5000, x 0.5 (2^30, 0) = 2500 */
    int32_t m;
    int sh;
    tr_quantize_multiplier(0.5, &m, &sh);
    const tr_fc_params half = {0, 0, 0, m, sh, INT16_MIN, INT16_MAX, NULL, NULL};
    const int16_t fx[2] = {1000, -2000};
    const int8_t fw[2] = {3, 4};
    const int64_t fb = 10000;
    int16_t fy;
    tr_fully_connected_s16_ref(&half, 1, 2, fx, 1, fw, &fb, &fy);
    CHECK(fy == 2500, "int16 FULLY_CONNECTED: %d", fy);
    /* a 64-bit accumulator: bias -2^40 x 2^-25 = -32768 (an int32 sum would have wrapped to 0) */
    const int16_t zero2[2] = {0, 0};
    const int64_t big = -((int64_t)1 << 40);
    tr_quantize_multiplier(1.0 / (double)(1 << 25), &m, &sh);
    const tr_fc_params tiny = {0, 0, 0, m, sh, INT16_MIN, INT16_MAX, NULL, NULL};
    tr_fully_connected_s16_ref(&tiny, 1, 2, zero2, 1, fw, &big, &fy);
    CHECK(fy == -32768, "int16 FULLY_CONNECTED, 64-bit bias: %d", fy);
    /* the multiplier is rounded to Q15 first: 0.07 = 0.56 x 2^-3, 0.56 x 2^15 = 18350.08 -> 18350; 1000 x 18350 / 2^18
     * = 70.0004 -> 70 */
    tr_quantize_multiplier(0.07, &m, &sh);
    CHECK(tr_mul_by_quantized_multiplier_s64(1000, m, sh) == 70 && tr_mul_by_quantized_multiplier_s64(-1000, m, sh) == -70, "int64 requantisation");
    /* ties round half up, under either rounding rule: 3 x 2^-1 = 1.5 -> 2, -3 x 2^-1 = -1.5 -> -1 */
    CHECK(tr_mul_by_quantized_multiplier_s64(3, 1 << 30, 0) == 2 && tr_mul_by_quantized_multiplier_s64(-3, 1 << 30, 0) == -1, "int64 requantisation ties");

    /* ADD with 15 bits of headroom, every scale 1: inputs to half scale, the sum back by 2^-14: 1000 + -3000 */
    const tr_add_params ap = {0, 0, 0, 15, 1 << 30, 0, 1 << 30, 0, 1 << 30, -13, INT16_MIN, INT16_MAX};
    const tr_broadcast scalar = {{1, 1, 1, 1, 1, 2}, {0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0}};
    const int16_t aa[2] = {1000, 30000}, ab = -3000;
    int16_t ay[2];
    tr_add_s16_ref(&ap, &scalar, aa, &ab, ay);
    CHECK(ay[0] == -2000 && ay[1] == 27000, "int16 ADD: %d %d", ay[0], ay[1]);

    /* MUL int16: 300 x -200 = -60000, x 2^-4 (2^30, -3) = -3750; 30000 x 30000 x 2^-4 saturates */
    const tr_mul_params mp = {0, 0, 0, 1 << 30, -3, INT16_MIN, INT16_MAX};
    const int16_t ma[2] = {300, 30000}, mb[2] = {-200, 30000};
    int16_t my[2];
    const tr_broadcast pair = {{1, 1, 1, 1, 1, 2}, {0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 1}};
    tr_mul_s16_ref(&mp, &pair, ma, mb, my);
    CHECK(my[0] == -3750 && my[1] == 32767, "int16 MUL: %d %d", my[0], my[1]);

    /* RELU int16 at half the input scale: 1001 x 0.5 = 500.5 -> 501 (ties up in both rounding rules), negatives to 0;
     * RELU6 at one scale (6 = 24000): clamped */
    int16_t rx[3] = {-3001, 1001, 30001}, ry[3];
    tr_quantize_multiplier(0.5, &m, &sh);
    const tr_relu_params relu_half = {0, 0, m, sh, 0, INT16_MAX};
    tr_relu_s16_ref(&relu_half, 3, rx, ry);
    CHECK(ry[0] == 0 && ry[1] == 501 && ry[2] == 15001, "int16 RELU: %d %d %d", ry[0], ry[1], ry[2]);
    tr_quantize_multiplier(1.0, &m, &sh);
    const tr_relu_params relu6_one = {0, 0, m, sh, 0, 24000};
    tr_relu_s16_ref(&relu6_one, 3, rx, ry);
    CHECK(ry[0] == 0 && ry[1] == 1001 && ry[2] == 24000, "int16 RELU6: %d %d %d", ry[0], ry[1], ry[2]);

    /* LEAKY_RELU int16: identity 2 ((2^30, 2)), alpha 0.5 ((2^30, 0)): 20000 -> 40000 saturates, -30002 -> -15001, 5 -> 10 */
    const int16_t l16x[3] = {20000, -30002, 5};
    int16_t l16y[3];
    const tr_leaky_relu_params lp16 = {0, 0, 1 << 30, 2, 1 << 30, 0, 0};
    tr_leaky_relu_s16_ref(&lp16, 3, l16x, l16y);
    CHECK(l16y[0] == 32767 && l16y[1] == -15001 && l16y[2] == 10, "int16 LEAKY_RELU: %d %d %d", l16y[0], l16y[1], l16y[2]);
    /* PAD int16: one channel before, 0 there; PADV2 int16 with 12345 (both bytes differ, so a value written a byte at a
     * time shows): one row before, one channel after */
    const tr_pad_params pad16 = {{0, 0, 0, 1}, 0};
    const int16_t padx[2] = {-30000, 30000};
    int16_t pady[3];
    tr_pad_ref(&pad16, 2, (tr_shape4){1, 1, 1, 2}, padx, (tr_shape4){1, 1, 1, 3}, pady);
    CHECK(pady[0] == 0 && pady[1] == -30000 && pady[2] == 30000, "int16 PAD: %d %d %d", pady[0], pady[1], pady[2]);
    const tr_pad_params padv2_16 = {{0, 1, 0, 0}, 12345};
    int16_t padvy[6];
    tr_pad_ref(&padv2_16, 2, (tr_shape4){1, 1, 1, 2}, padx, (tr_shape4){1, 2, 1, 3}, padvy);
    CHECK(memcmp(padvy, (const int16_t[]){12345, 12345, 12345, -30000, 30000, 12345}, sizeof padvy) == 0, "int16 PADV2: %d %d %d %d %d %d", padvy[0],
          padvy[1], padvy[2], padvy[3], padvy[4], padvy[5]);
    /* CONCATENATION int16 of [2,1] and [2,2] on the last axis: the byte kernel given slices in bytes */
    const int16_t cc0[2] = {1000, -2000}, cc1[4] = {3000, 4000, -5000, 32767};
    const int8_t *cparts[2] = {(const int8_t *)cc0, (const int8_t *)cc1};
    const int32_t cbytes[2] = {2, 4};
    int16_t ccy[6];
    tr_concatenation_s8_ref(2, 2, cparts, cbytes, (int8_t *)ccy);
    CHECK(memcmp(ccy, (const int16_t[]){1000, 3000, 4000, -2000, -5000, 32767}, sizeof ccy) == 0, "int16 CONCATENATION");
    /* MEAN int16 over 1x2 at one scale: (2^30, 1) with 1/2 folded in is (2^30, 0), so the sum x 0.5 rounded once:
     * -3 -> -1.5 -> -1 (the int8 kernel's divide-after would give -2), 60003 -> 30001.5 -> 30002; over 1x3 the fold is
     * (floor(2^31 / 3), 0): 30001 -> 10000.33 -> 10000 */
    const tr_mean_params mean2 = {0, 0, 1 << 30, 0};
    const int16_t meanx[4] = {-1, 30001, -2, 30002};
    int16_t meany[2];
    tr_mean_hw_s16_ref(&mean2, (tr_shape4){1, 1, 2, 2}, meanx, meany);
    CHECK(meany[0] == -1 && meany[1] == 30002, "int16 MEAN: %d %d", meany[0], meany[1]);
    const tr_mean_params mean3 = {0, 0, 715827882, 0};
    const int16_t mean3x[3] = {10000, 10000, 10001};
    tr_mean_hw_s16_ref(&mean3, (tr_shape4){1, 1, 3, 1}, mean3x, meany);
    CHECK(meany[0] == 10000, "int16 MEAN over 3: %d", meany[0]);

    /* SOFTMAX int16 tables (TFLite's LUTPopulate formula in float): the end points by hand, exp(0) x 32768 saturating to
     * 32767, 1/(1+0) likewise, 1/(1+1) = 16384, 1/(1+0.5) x 32768 = 21845.3; exp(-10) x 32768 = 1.49 -> 1, less the
     * bias of its interpolated midpoint (round(-1 / 2) = -1) -> 2. Then the whole of both tables against the hash of
     * the host interpreter's (harness/interpreter/softmax_s16.ts, JavaScript's exp rounded to float) */
    tr_softmax_s16_build_tables();
    const int16_t *exp_lut = tr_softmax_s16_table(0), *rec_lut = tr_softmax_s16_table(1);
    CHECK(exp_lut[512] == 32767 && exp_lut[0] == 2 && rec_lut[0] == 32767 && rec_lut[512] == 16384 && rec_lut[256] == 21845,
          "int16 SOFTMAX tables: %d %d %d %d %d", exp_lut[512], exp_lut[0], rec_lut[0], rec_lut[512], rec_lut[256]);
    uint32_t lut_hash = 0;
    for (int t = 0; t < 2; ++t)
        for (int i = 0; i < 513; ++i) lut_hash = lut_hash * 31u + (uint16_t)tr_softmax_s16_table(t)[i];
    CHECK(lut_hash == 1012678125u, "int16 SOFTMAX tables differ from the host interpreter's: hash %u", (unsigned)lut_hash);
    /* SOFTMAX int16 at input scale 10/65535 (multiplier 1): two equal inputs share 1/2 (near 16384), a difference of
     * 65535 (exp(-10)) leaves the larger one near 32767 */
    tr_quantize_multiplier(1.0, &m, &sh);
    const tr_softmax_params sm16 = {m, sh, 0};
    const int16_t smx[4] = {1234, 1234, 32767, -32768};
    int16_t smy[4];
    tr_softmax_s16_ref(&sm16, 2, 2, smx, smy);
    CHECK(smy[0] == smy[1] && abs(smy[0] - 16384) <= 4 && smy[2] >= 32760 && smy[3] <= 3, "int16 SOFTMAX: %d %d %d %d", smy[0], smy[1],
          smy[2], smy[3]);

    /* LOGISTIC / TANH int16: the sigmoid table built from its formula against TFLite's published sigmoid_table_uint16:
     * entries 0, 4 and 8 (where plain rounding of sigmoid(i/24) gives one less), 128 and 255, and the hash of all 256
     * of TFLite's values (h = 31 h + v, mod 2^32) */
    tr_sigmoid_s16_build_table();
    const uint16_t *sig = tr_sigmoid_s16_table();
    CHECK(sig[0] == 32768 && sig[4] == 35493 && sig[8] == 38180 && sig[128] == 65221 && sig[255] == 65535, "sigmoid table: %u %u %u %u %u",
          sig[0], sig[4], sig[8], sig[128], sig[255]);
    uint32_t sig_hash = 0;
    for (int i = 0; i < 256; ++i) sig_hash = sig_hash * 31u + sig[i];
    CHECK(sig_hash == 1684986857u, "sigmoid table differs from TFLite's: hash %u", (unsigned)sig_hash);
    /* at input scale 2^-12 (TFLite's power-of-two case, multiplier 0): logistic(0) = 16384 (0.5), logistic(1) =
     * (47911 + 1) / 2 = 23956 (0.731059 x 32768 = 23955.3), logistic(-1) its mirror 32768 - 23956 = 8812 (0.268941 x 32768 = 8812.7);
     * tanh(0) = 0, tanh(x) = -tanh(-x) within one; beyond the table both saturate */
    const tr_sigmoid_params pot12 = {0, 0, 0, 0};
    const int16_t lx[5] = {0, 4096, -4096, 32767, -32768};
    int16_t ly[5], ty[5];
    tr_logistic_s16_ref(&pot12, 5, lx, ly);
    CHECK(ly[0] == 16384 && ly[1] == 23956 && ly[2] == 8812 && ly[3] >= 32750 && ly[4] <= 18, "int16 LOGISTIC: %d %d %d %d %d", ly[0], ly[1],
          ly[2], ly[3], ly[4]);
    tr_tanh_s16_ref(&pot12, 5, lx, ty);
    /* tanh(1) = 0.761594 x 32768 = 24956.1 */
    CHECK(ty[0] == 0 && abs(ty[1] - 24956) <= 1 && abs(ty[1] + ty[2]) <= 1 && ty[3] == 32767 && ty[4] <= -32767, "int16 TANH: %d %d %d %d %d",
          ty[0], ty[1], ty[2], ty[3], ty[4]);

    /* QUANTIZE float -> int16: -40.5 away from zero, saturation, NaN to the zero point */
    const float qx[3] = {-20.25f, 1e6f, NAN};
    int16_t qy[3];
    tr_quantize_f32_s16_ref(3, qx, 0.5f, 0, qy);
    CHECK(qy[0] == -41 && qy[1] == 32767 && qy[2] == 0, "QUANTIZE float -> int16: %d %d %d", qy[0], qy[1], qy[2]);
    /* requantise int16 -> int8 (1000 x 1/16 = 62.5 -> 63, + 3), int8 -> int16 (x 256), int16 -> int16 */
    const int16_t r16[2] = {1000, -32768};
    int8_t r8[2];
    tr_quantize_multiplier(1.0 / 16, &m, &sh);
    tr_requantize_ref(2, r16, 16, 0, m, sh, 3, r8, 8);
    CHECK(r8[0] == 66 && r8[1] == -128, "QUANTIZE int16 -> int8: %d %d", r8[0], r8[1]);
    const int8_t s8[2] = {-5, 127};
    int16_t s16[2];
    tr_quantize_multiplier(256, &m, &sh);
    tr_requantize_ref(2, s8, 8, -7, m, sh, 0, s16, 16);
    CHECK(s16[0] == 512 && s16[1] == 32767, "QUANTIZE int8 -> int16: %d %d", s16[0], s16[1]);
    tr_quantize_multiplier(0.5, &m, &sh);
    tr_requantize_ref(2, r16, 16, 0, m, sh, 0, s16, 16);
    CHECK(s16[0] == 500 && s16[1] == -16384, "QUANTIZE int16 -> int16: %d %d", s16[0], s16[1]);
    float dq[2];
    tr_dequantize_s16_f32_ref(2, r16, 0.25f, 0, dq);
    CHECK(dq[0] == 250.0f && dq[1] == -8192.0f, "DEQUANTIZE int16");

    /* pooling a 2x2 window: (1000 + 2001 - 3000 + 30001) / 4 = 7500.5 -> 7501 (half away from zero), max 30001 */
    const tr_pool_params pool = {2, 2, 2, 2, 0, 0, INT16_MIN, INT16_MAX};
    const int16_t px[4] = {1000, 2001, -3000, 30001};
    int16_t py;
    tr_avg_pool_s16_ref(&pool, (tr_shape4){1, 2, 2, 1}, px, (tr_shape4){1, 1, 1, 1}, &py);
    CHECK(py == 7501, "int16 AVERAGE_POOL_2D: %d", py);
    tr_max_pool_s16_ref(&pool, (tr_shape4){1, 2, 2, 1}, px, (tr_shape4){1, 1, 1, 1}, &py);
    CHECK(py == 30001, "int16 MAX_POOL_2D: %d", py);

    /* convolutions: FULLY_CONNECTED == 1x1 convolution, depthwise == convolution with the expanded filter, on random
     * int16 inputs near the extremes and per-channel scales */
    static int16_t x[2 * 8 * 8 * 6];
    static int8_t w[64 * 6 * 9], wc[64 * 6 * 9];
    static int16_t y0[2 * 8 * 8 * 64], y1[2 * 8 * 8 * 64];
    static int64_t bias[64];
    static int32_t mult[64], shift[64];
    int fc_same = 1, dw_same = 1;
    for (int t = 0; t < 200; ++t) {
        const int32_t batches = krand(1, 3), depth = krand(1, 6 * 9), outs = krand(1, 20);
        for (int32_t i = 0; i < batches * depth; ++i) x[i] = (int16_t)(t % 3 ? krand(INT16_MIN, INT16_MAX) : krand(-300, 300));
        for (int32_t i = 0; i < outs * depth; ++i) w[i] = (int8_t)krand(-128, 127);
        for (int32_t c = 0; c < outs; ++c) {
            bias[c] = (int64_t)krand(-(1 << 20), 1 << 20) * krand(1, 1 << 10);
            tr_quantize_multiplier((double)krand(1, 1000) / (double)krand(1000, 2000000), &mult[c], &sh);
            shift[c] = sh;
        }
        const tr_fc_params fp = {0, 0, 0, mult[0], shift[0], INT16_MIN, INT16_MAX, mult, shift};
        tr_fully_connected_s16_ref(&fp, batches, depth, x, outs, w, bias, y0);
        const tr_conv_params pc = {1, 1, 1, 1, 0, 0, 0, 0, INT16_MIN, INT16_MAX, 1};
        const tr_per_channel q = {mult, shift};
        tr_conv_s16_ref(&pc, &q, (tr_shape4){1, batches, 1, depth}, x, (tr_shape4){outs, 1, 1, depth}, w, bias, (tr_shape4){1, batches, 1, outs}, y1);
        fc_same &= memcmp(y0, y1, sizeof(int16_t) * (size_t)(batches * outs)) == 0;

        /* depthwise 3x3, SAME, stride 1..2, multiplier 1..2 over [1, 8, 8, ic] */
        const int32_t ic = krand(1, 6), dm = krand(1, 2), stride = krand(1, 2), oc = ic * dm;
        const tr_shape4 in = {1, 8, 8, ic}, fd = {1, 3, 3, oc}, od = {1, (8 + stride - 1) / stride, (8 + stride - 1) / stride, oc};
        for (int32_t i = 0; i < 8 * 8 * ic; ++i) x[i] = (int16_t)krand(INT16_MIN, INT16_MAX);
        for (int32_t i = 0; i < 9 * oc; ++i) w[i] = (int8_t)krand(-128, 127);
        const int32_t pad = ((od.h - 1) * stride + 3 - 8) / 2;
        tr_conv_params p = {stride, stride, 1, 1, pad > 0 ? pad : 0, pad > 0 ? pad : 0, 0, 0, INT16_MIN, INT16_MAX, dm};
        tr_depthwise_conv_s16_ref(&p, &q, in, x, fd, w, bias, od, y0);
        for (int32_t o = 0; o < oc; ++o)
            for (int32_t k = 0; k < 9; ++k)
                for (int32_t c = 0; c < ic; ++c) wc[(o * 9 + k) * ic + c] = c == o / dm ? w[k * oc + o] : 0;
        p.depth_multiplier = 1;
        tr_conv_s16_ref(&p, &q, in, x, (tr_shape4){oc, 3, 3, ic}, wc, bias, od, y1);
        dw_same &= memcmp(y0, y1, sizeof(int16_t) * (size_t)(od.h * od.w * oc)) == 0;
    }
    CHECK(fc_same, "int16 fully connected == 1x1 convolution");
    CHECK(dw_same, "int16 depthwise == convolution with the expanded filter");
}

int main(int argc, char **argv)
{
    test_protocol();
    test_protocol_additions();
    test_dbfile();
    test_kernels();
    test_kernel_equivalences();
    test_requant_fast();
    test_quantize();
    test_more_operators();
    test_broadcasting();
    test_int16();
    if (argc > 1) test_reader(argv[1]);
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
