/* Kernel benchmark: layers shaped like the reference models' (wake-word DS-CNN, person-detection MobileNet,
 * anomaly-detection autoencoder), then every compute layer of the four reference models (model_layers.h, named
 * <model>/<operator index>), each run with the reference kernel and with this build's set (the runtime's
 * names), with a store to tr_bench_marker just before and just after each call. tinyrig's QEMU plugin logs the
 * guest instruction count at each of those stores; the host turns the pairs into instructions per MAC. The first
 * pair brackets nothing: the host subtracts it (the marker calls themselves). */
#include <string.h>
#include "kb.h"
#include "tr_kernels.h"

enum { CONV, DEPTHWISE, FC, QUANTIZE };

typedef struct {
    const char *name;
    int op;
    tr_shape4 in, flt, out;
    int32_t stride_h, stride_w, pad_h, pad_w, dm;
} layer;

/* Padding as TFLite's SAME computes it for these shapes. */
static const layer layers[] = {
    {"conv-1x1-64x64-25x5", CONV, {1, 25, 5, 64}, {64, 1, 1, 64}, {1, 25, 5, 64}, 1, 1, 0, 0, 1},
    {"conv-10x4-1x64-49x10-s2", CONV, {1, 49, 10, 1}, {64, 10, 4, 1}, {1, 25, 5, 64}, 2, 2, 4, 1, 1},
    {"conv-3x3-32x32-12x12", CONV, {1, 12, 12, 32}, {32, 3, 3, 32}, {1, 12, 12, 32}, 1, 1, 1, 1, 1},
    {"conv-3x3-3x8-96x96-s2", CONV, {1, 96, 96, 3}, {8, 3, 3, 3}, {1, 48, 48, 8}, 2, 2, 0, 0, 1},
    {"conv-1x1-8x16-48x48", CONV, {1, 48, 48, 8}, {16, 1, 1, 8}, {1, 48, 48, 16}, 1, 1, 0, 0, 1},
    {"depthwise-3x3-64-25x5", DEPTHWISE, {1, 25, 5, 64}, {1, 3, 3, 64}, {1, 25, 5, 64}, 1, 1, 1, 1, 1},
    {"depthwise-3x3-32-24x24-s2", DEPTHWISE, {1, 24, 24, 32}, {1, 3, 3, 32}, {1, 12, 12, 32}, 2, 2, 0, 0, 1},
    {"fc-640x128", FC, {1, 1, 1, 640}, {128, 1, 1, 640}, {1, 1, 1, 128}, 1, 1, 0, 0, 1},
    {"fc-128x128", FC, {1, 1, 1, 128}, {128, 1, 1, 128}, {1, 1, 1, 128}, 1, 1, 0, 0, 1},
    /* QUANTIZE float32 -> int8 of anomaly detection's 640 input features ("MACs" = elements) */
    {"quantize-f32-640", QUANTIZE, {1, 1, 1, 640}, {1, 1, 1, 1}, {1, 1, 1, 640}, 1, 1, 0, 0, 1},
#include "model_layers.h"
};

#define IN_MAX (48 * 48 * 16) /* vww/3 */
#define W_MAX (128 * 640)
#define OUT_MAX (48 * 48 * 16)
#define CH_MAX 640
static int8_t in_buf[IN_MAX], w_buf[W_MAX], out_ref[OUT_MAX], out_opt[OUT_MAX];
static int32_t bias_buf[CH_MAX], mult_buf[CH_MAX], shift_buf[CH_MAX];
static float f32_buf[640];
static kb_line line;

static int64_t elems(tr_shape4 s) { return (int64_t)s.n * s.h * s.w * s.c; }

static int64_t macs_of(const layer *l)
{
    if (l->op == FC) return (int64_t)l->flt.n * l->flt.c;
    if (l->op == QUANTIZE) return elems(l->out);
    if (l->op == DEPTHWISE) return elems(l->out) * l->flt.h * l->flt.w;
    return elems(l->out) * l->flt.h * l->flt.w * l->flt.c;
}

static void announce(int32_t index, const layer *l, const char *kernels)
{
    kb_s(&line, "kbench ");
    kb_i(&line, index);
    kb_s(&line, " ");
    kb_s(&line, l ? l->name : "empty");
    kb_s(&line, " kernels=");
    kb_s(&line, kernels);
    kb_s(&line, " macs=");
    kb_i(&line, l ? macs_of(l) : 0);
    kb_line_end(&line);
}

static void run(const layer *l, int optimised, int8_t *out)
{
    tr_conv_params p = {l->stride_w, l->stride_h, 1, 1, l->pad_w, l->pad_h, 128, -128, -128, 127, l->dm};
    const tr_per_channel q = {mult_buf, shift_buf};
    tr_fc_params f = {128, 0, -128, mult_buf[0], shift_buf[0], -128, 127, NULL, NULL};
    kb_marker(1);
    if (l->op == CONV) {
        if (optimised) tr_conv_s8(&p, &q, l->in, in_buf, l->flt, w_buf, bias_buf, l->out, out);
        else tr_conv_s8_ref(&p, &q, l->in, in_buf, l->flt, w_buf, bias_buf, l->out, out);
    } else if (l->op == DEPTHWISE) {
        if (optimised) tr_depthwise_conv_s8(&p, &q, l->in, in_buf, l->flt, w_buf, bias_buf, l->out, out);
        else tr_depthwise_conv_s8_ref(&p, &q, l->in, in_buf, l->flt, w_buf, bias_buf, l->out, out);
    } else if (l->op == QUANTIZE) {
        if (optimised) tr_quantize_f32_s8((int32_t)elems(l->in), f32_buf, 0.0390625f * 1.013f, -3, out);
        else tr_quantize_f32_s8_ref((int32_t)elems(l->in), f32_buf, 0.0390625f * 1.013f, -3, out);
    } else {
        if (optimised) tr_fully_connected_s8(&f, 1, l->flt.c, in_buf, l->flt.n, w_buf, bias_buf, out);
        else tr_fully_connected_s8_ref(&f, 1, l->flt.c, in_buf, l->flt.n, w_buf, bias_buf, out);
    }
    kb_marker(0);
}

int main(void)
{
    kb_init();
    kb_rng r = {0x9e3779b9u};
    int32_t index = 0, different = 0;
    announce(index++, NULL, "none");
    kb_marker(1);
    kb_marker(0);
    for (size_t k = 0; k < sizeof layers / sizeof layers[0]; ++k) {
        const layer *l = &layers[k];
#ifdef KB_LAYER /* one layer only, for profiling: make ... EXTRA_CFLAGS=-DKB_LAYER=<index> */
        if (k != KB_LAYER) continue;
#endif
        const int32_t depth = l->op == DEPTHWISE ? 1 : l->flt.h * l->flt.w * l->flt.c; /* MACs per output */
        for (int64_t i = 0; i < elems(l->in); ++i) in_buf[i] = (int8_t)kb_next(&r);
        /* features spread over the int8 range of the scale above, a few beyond it */
        for (int i = 0; i < 640; ++i) f32_buf[i] = (float)kb_range(&r, -6000, 6000) * 0.001f;
        for (int64_t i = 0; i < elems(l->flt); ++i) w_buf[i] = (int8_t)kb_next(&r);
        /* scales that keep most outputs inside int8, as a trained layer's do */
        int32_t shift = -7;
        for (int32_t d = depth; d > 1; d >>= 2) --shift;
        for (int32_t c = 0; c < CH_MAX; ++c) {
            bias_buf[c] = kb_range(&r, -2000, 2000);
            mult_buf[c] = (int32_t)(0x40000000u | (kb_next(&r) & 0x3FFFFFFFu));
            shift_buf[c] = shift;
        }
        const int64_t n = elems(l->out);
        announce(index++, l, "ref");
        run(l, 0, out_ref);
        announce(index++, l, TR_KERNELS_NAME);
        run(l, 1, out_opt);
        const int same = memcmp(out_ref, out_opt, (size_t)n) == 0;
        different += !same;
        kb_s(&line, "kbench-same ");
        kb_s(&line, l->name);
        kb_s(&line, same ? " yes" : " NO");
        kb_line_end(&line);
    }
    kb_s(&line, "kbench done measurements=");
    kb_i(&line, index);
    kb_s(&line, " different=");
    kb_i(&line, different);
    kb_line_end(&line);
    kb_exit(0);
    return 0;
}
