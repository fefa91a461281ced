/* Native tests of the firmware's portable parts: the protocol fed byte by byte, the .tflite reader on good and
 * malformed files, the fixed-point arithmetic and kernels against worked values and float references. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dut.h"
#include "model.h"
#include "quant_math.h"
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
static void align(void) { ++aligned; }

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
    feed(&d, "infer 2 0%");
    CHECK(strcmp(pin_log, "101010101010") == 0, "phases: pre-processing (2 edges), window (2), post-processing (2): %s", pin_log);
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
    CHECK(tr_mul_by_quantized_multiplier(-150, m, s) == -11, "-150 * 0.07 rounds away from zero");
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
        for (int i = 0; i < depth; ++i) {
            const double want = exp((double)scale * x[i]) / sum, got = (y[i] + 128) / 256.0;
            CHECK(fabs(want - got) <= 1.0 / 256 + 1e-9, "softmax %d: %f vs %f", i, got, want);
        }
    }
    int8_t pooled;
    const int8_t pin4[4] = {-1, -2, -2, -1};
    tr_pool_params pp = {1, 1, 2, 2, 0, 0, -128, 127};
    tr_avg_pool_s8_ref(&pp, (tr_shape4){1, 2, 2, 1}, pin4, (tr_shape4){1, 1, 1, 1}, &pooled);
    CHECK(pooled == -2, "avg pool -1.5 -> -2: %d", pooled);
}

int main(int argc, char **argv)
{
    test_protocol();
    test_protocol_additions();
    test_kernels();
    if (argc > 1) test_reader(argv[1]);
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
