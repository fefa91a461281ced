/* The stream engine (stream.h). One hop: read 512 samples (semihosting, untimed: the DMA's work on a real board), then,
 * timed from an aligned timer: features, the model, the detection test; then the hop's log record (untimed). */
#include "stream.h"
#include <string.h>
#include "dut.h"
#include "lfbe.h"
#include "semihost.h"
#include "stream_model.h"
#include "text.h"
#include "tr_config.h"

#ifndef TR_STREAM_DETECT_CLASS
#define TR_STREAM_DETECT_CLASS 0
#endif
#ifndef TR_STREAM_DETECT_ABOVE
#define TR_STREAM_DETECT_ABOVE 115 /* MLPerf's reference firmware: output[0] > 115 */
#endif
#ifndef TR_STREAM_DETECT_MIN_HOPS
#define TR_STREAM_DETECT_MIN_HOPS 1 /* MLPerf's reference firmware: every hop above the threshold is a detection */
#endif
#define MAX_DETECTIONS 10000u      /* what MLPerf's interface board stores */
#define LOG_RECORD 48u
#define LOG_BATCH 32u

static tr_dut *dut;
static tr_lfbe lfbe;
static tr_stream_model engine;
static int8_t silence[TR_LFBE_BANDS];

static struct {
    int started, full;
    uint32_t next_hop;
    int32_t log, wav;
    char wav_path[256];
    uint32_t wav_channels, wav_hops;
    uint32_t logged;
    uint8_t log_buf[LOG_RECORD * LOG_BATCH];
} st = {.log = -1, .wav = -1};

static uint32_t detections[MAX_DETECTIONS];
static uint32_t n_detections, dropped;
static uint64_t total_ticks, min_ticks, max_ticks;
static uint32_t timed_hops;
static uint32_t above_run; /* consecutive hops above the threshold, up to this one */
static int16_t raw[TR_LFBE_HOP * 2];
static int16_t mono[TR_LFBE_HOP];

static void say(const char *s)
{
    dut->write(s);
    dut->write("\r\n");
}

static void say_error(const char *what)
{
    char buf[160];
    tr_put_str(tr_put_str(tr_put_str(buf, buf + sizeof buf, "e-["), buf + sizeof buf, what), buf + sizeof buf, "]");
    say(buf);
}

static void flush_log(void)
{
    if (st.log >= 0 && st.logged) (void)tr_sh_write(st.log, st.log_buf, st.logged * LOG_RECORD);
    st.logged = 0;
}

static void close_files(void)
{
    flush_log();
    if (st.log >= 0) tr_sh_close(st.log);
    if (st.wav >= 0) tr_sh_close(st.wav);
    st.log = st.wav = -1;
    st.wav_path[0] = 0;
}

static void cmd_start(int argc, char **argv)
{
    int full = 0;
    int a = 1;
    if (argc > a && (strcmp(argv[a], "full") == 0 || strcmp(argv[a], "incremental") == 0)) full = strcmp(argv[a++], "full") == 0;
    close_files();
    if (argc > a) {
        st.log = tr_sh_open(argv[a], TR_SH_MODE_WB);
        if (st.log < 0) {
            say_error("start: cannot open the log file on the host (is QEMU's semihosting on?)");
            return;
        }
    }
    tr_lfbe_reset(&lfbe);
    tr_stream_model_reset(&engine, silence);
    above_run = 0;
    st.started = 1;
    st.full = full;
    st.next_hop = 0;
    say(full ? "m-stream-[mode=full,hop=512,frames=30]" : "m-stream-[mode=incremental,hop=512,frames=30]");
}

/* Opens and checks the WAV: the canonical 44-byte header, 16-bit PCM, 16 kHz, mono or stereo (the left channel is used). */
static const char *open_wav(const char *path)
{
    if (st.wav >= 0 && strcmp(path, st.wav_path) == 0) return NULL;
    if (st.wav >= 0) tr_sh_close(st.wav);
    st.wav = tr_sh_open(path, TR_SH_MODE_RB);
    if (st.wav < 0) return "play: cannot open the WAV on the host";
    uint8_t h[44];
    if (tr_sh_read(st.wav, h, sizeof h) != sizeof h) return "play: WAV shorter than its 44-byte header";
    const uint32_t channels = (uint32_t)(h[22] | h[23] << 8), rate = (uint32_t)(h[24] | h[25] << 8 | h[26] << 16 | (uint32_t)h[27] << 24);
    if (memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVEfmt ", 8) || memcmp(h + 36, "data", 4)) return "play: not a canonical WAV (RIFF, WAVEfmt , data at byte 36)";
    if (h[20] != 1 || h[21] != 0 || h[34] != 16 || h[35] != 0) return "play: not 16-bit PCM";
    if (rate != 16000u) return "play: not 16 kHz";
    if (channels != 1u && channels != 2u) return "play: not mono or stereo";
    const int32_t len = tr_sh_flen(st.wav);
    if (len < 44) return "play: cannot read the WAV's length";
    st.wav_channels = channels;
    st.wav_hops = (uint32_t)(len - 44) / (TR_LFBE_HOP * 2u * channels);
    strncpy(st.wav_path, path, sizeof st.wav_path - 1);
    st.wav_path[sizeof st.wav_path - 1] = 0;
    return NULL;
}

static void hop(uint32_t index)
{
    int8_t frame[TR_LFBE_BANDS];
    dut->timer_align(); /* each hop's timer interrupts fall at the same points: its time repeats exactly */
    const uint64_t t0 = dut->timer_ticks();
    tr_lfbe_push(&lfbe, mono, frame);
    tr_stream_model_push(&engine, frame, st.full);
    /* a detection on every hop that ends a run of at least TR_STREAM_DETECT_MIN_HOPS hops above the threshold */
    above_run = engine.output[TR_STREAM_DETECT_CLASS] > TR_STREAM_DETECT_ABOVE ? above_run + 1u : 0u;
    if (above_run >= TR_STREAM_DETECT_MIN_HOPS) {
        if (n_detections < MAX_DETECTIONS) detections[n_detections++] = index;
        else dropped++;
    }
    const uint64_t ticks = dut->timer_ticks() - t0;
    total_ticks += ticks;
    if (!timed_hops || ticks < min_ticks) min_ticks = ticks;
    if (ticks > max_ticks) max_ticks = ticks;
    timed_hops++;
    if (st.log >= 0) {
        uint8_t *r = st.log_buf + st.logged * LOG_RECORD;
        memcpy(r, frame, TR_LFBE_BANDS);
        memset(r + 40, 0, 4);
        memcpy(r + 40, engine.output, (size_t)engine.output_bytes);
        for (int i = 0; i < 4; ++i) r[44 + i] = (uint8_t)(ticks >> (8 * i)); /* a hop never takes 2^32 ticks */
        if (++st.logged == LOG_BATCH) flush_log();
    }
}

static void cmd_play(int argc, char **argv)
{
    if (!st.started) { say_error("play before start"); return; }
    const long first = argc == 4 ? tr_parse_uint(argv[2]) : -1, count = argc == 4 ? tr_parse_uint(argv[3]) : -1;
    if (first < 0 || count <= 0) { say_error("play needs WAV FIRST COUNT"); return; }
    if ((uint32_t)first != st.next_hop) { say_error("play must continue at the next hop (start again to rewind)"); return; }
    const char *err = open_wav(argv[1]);
    if (err) { say_error(err); return; }
    if (tr_sh_seek(st.wav, 44u + (uint32_t)first * TR_LFBE_HOP * 2u * st.wav_channels) != 0) { say_error("play: seek failed"); return; }
    uint32_t done = 0;
    const uint32_t bytes = TR_LFBE_HOP * 2u * st.wav_channels;
    while (done < (uint32_t)count && st.next_hop < st.wav_hops) {
        if (tr_sh_read(st.wav, raw, bytes) != bytes) { say_error("play: short read"); return; }
        for (uint32_t i = 0; i < TR_LFBE_HOP; ++i) mono[i] = raw[i * st.wav_channels];
        hop(st.next_hop++);
        ++done;
    }
    char buf[96], *const end = buf + sizeof buf;
    char *pos = tr_put_u64(tr_put_str(buf, end, "m-play-[hops="), end, done);
    pos = tr_put_u64(tr_put_str(pos, end, ",next="), end, st.next_hop);
    tr_put_str(tr_put_str(pos, end, st.next_hop >= st.wav_hops ? ",end=1" : ",end=0"), end, "]");
    say(buf);
}

static void cmd_print_detections(void)
{
    char buf[200], *const end = buf + sizeof buf;
    char *pos = tr_put_u64(tr_put_str(buf, end, "m-detections-[count="), end, n_detections);
    tr_put_str(tr_put_u64(tr_put_str(pos, end, ",dropped="), end, dropped), end, "]");
    say(buf);
    for (uint32_t i = 0; i < n_detections; i += 16) {
        pos = tr_put_str(buf, end, "m-det-[");
        for (uint32_t j = i; j < n_detections && j < i + 16; ++j) pos = tr_put_u64(tr_put_str(pos, end, j == i ? "" : ","), end, detections[j]);
        tr_put_str(pos, end, "]");
        say(buf);
    }
}

static void cmd_print_dutycycle(void)
{
    char buf[200], *const end = buf + sizeof buf;
    char *pos = tr_put_u64(tr_put_str(buf, end, "m-dutycycle-[hops="), end, timed_hops);
    pos = tr_put_u64(tr_put_str(pos, end, ",ticks-per-us="), end, dut->ticks_per_us);
    pos = tr_put_u64(tr_put_str(pos, end, ",total="), end, total_ticks);
    pos = tr_put_u64(tr_put_str(pos, end, ",min="), end, min_ticks);
    tr_put_str(tr_put_u64(tr_put_str(pos, end, ",max="), end, max_ticks), end, "]");
    say(buf);
}

static int stream_command(int argc, char **argv)
{
    if (engine.error) {
        if (strcmp(argv[0], "start") && strcmp(argv[0], "play")) return 0;
        say_error(engine.error);
        return 1;
    }
    if (strcmp(argv[0], "start") == 0) cmd_start(argc, argv);
    else if (strcmp(argv[0], "play") == 0) cmd_play(argc, argv);
    else if (strcmp(argv[0], "stop") == 0) {
        close_files();
        st.started = 0;
        say("m-stream-stopped");
    } else if (strcmp(argv[0], "record_detections") == 0) {
        n_detections = dropped = timed_hops = 0;
        total_ticks = min_ticks = max_ticks = 0;
        say("m-recording-detections");
    } else if (strcmp(argv[0], "print_detections") == 0) cmd_print_detections();
    else if (strcmp(argv[0], "print_dutycycle") == 0) cmd_print_dutycycle();
    else return 0;
    return 1;
}

void tr_stream_attach(tr_dut *d, const tr_model *model, uint8_t *arena)
{
    dut = d;
    d->extra_command = stream_command;
    if (tr_stream_model_prepare(&engine, model, arena) != 0) return;
    if (engine.features != TR_LFBE_BANDS) {
        engine.error = "stream model features differ from the 40 log-mel bands";
        return;
    }
    const tr_tensor *in = &model->tensors[model->input];
    tr_lfbe_init(&lfbe, in->scale, in->zero_point);
    const int8_t q = tr_lfbe_quantize(&lfbe, 0);
    memset(silence, q, sizeof silence);
}
