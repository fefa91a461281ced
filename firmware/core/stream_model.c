/* The stream model engine (stream_model.h): the prepared .tflite's own operators and kernels, called on one row at a
 * time. Layer state lives in a static pool sized at build time; nothing is allocated. */
#include "stream_model.h"
#include <string.h>

static int8_t state_pool[TR_STREAM_STATE_BYTES] __attribute__((aligned(4)));

static tr_shape4 shape_of(const tr_tensor *t)
{
    tr_shape4 s = {1, 1, 1, 1};
    int32_t *d[4] = {&s.n, &s.h, &s.w, &s.c};
    for (int i = 0; i < t->ndims; ++i) *d[4 - t->ndims + i] = t->dims[i];
    return s;
}

static const void *tensor_data(const tr_model *m, int idx) { return idx >= 0 ? m->tensors[idx].data : NULL; }

int tr_stream_model_prepare(tr_stream_model *s, const tr_model *m, uint8_t *arena)
{
    memset(s, 0, sizeof *s);
    s->model = m;
    s->arena = arena;
    const tr_tensor *in = &m->tensors[m->input];
    const tr_shape4 is = shape_of(in);
    if (in->type != TR_I8 || is.n != 1 || is.w != 1) return s->error = "stream model input must be int8 [1, frames, 1, features]", -1;
    if (is.h > TR_STREAM_MAX_FRAMES || is.c > TR_STREAM_MAX_FEATURES) return s->error = "stream model window larger than the engine's", -1;
    s->frames = is.h;
    s->features = is.c;
    int32_t rows = is.h;
    uint32_t used = 0;
    int i = 0;
    for (; i < m->n_ops; ++i) {
        const tr_op *op = &m->ops[i];
        if (op->opcode != TR_OP_CONV_2D && op->opcode != TR_OP_DEPTHWISE_CONV_2D) break;
        const tr_shape4 xs = shape_of(&m->tensors[op->inputs[0]]), fs = shape_of(&m->tensors[op->inputs[1]]),
                        ys = shape_of(&m->tensors[op->output]);
        const tr_conv_params *p = &op->u.conv.p;
        if (p->stride_h != 1 || p->dilation_h != 1 || p->pad_h != 0 || xs.w != 1 || ys.w != 1 || fs.w != 1 || ys.h != xs.h - fs.h + 1)
            return s->error = "a time-domain convolution is not VALID, stride 1, undilated, width 1", -1;
        if (s->n_layers == TR_STREAM_MAX_LAYERS) return s->error = "more streaming layers than TR_STREAM_MAX_LAYERS", -1;
        tr_stream_layer *l = &s->layers[s->n_layers++];
        l->op = (int16_t)i;
        l->rows = (int16_t)fs.h;
        l->in_c = (int16_t)xs.c;
        l->out_c = (int16_t)ys.c;
        const uint32_t need = (uint32_t)(fs.h * xs.c + ys.c + 3) & ~3u;
        if (used + need > sizeof state_pool) return s->error = "layer rows exceed TR_STREAM_STATE_BYTES", -1;
        l->history = state_pool + used;
        l->out = state_pool + used + fs.h * xs.c;
        used += need;
        rows = ys.h;
    }
    if (rows != 1) return s->error = "the model never collapses time to one row", -1;
    s->first_tail = i;
    for (; i < m->n_ops; ++i) {
        const tr_op *op = &m->ops[i];
        if (op->opcode != TR_OP_RESHAPE && op->opcode != TR_OP_FULLY_CONNECTED && op->opcode != TR_OP_SOFTMAX)
            return s->error = "only RESHAPE, FULLY_CONNECTED, SOFTMAX may follow the time axis", -1;
        if (m->tensors[op->output].elems > (int32_t)sizeof s->tail_a) return s->error = "tail tensor too large", -1;
    }
    s->output_bytes = m->tensors[m->output].bytes;
    if (s->output_bytes > TR_STREAM_MAX_OUTPUTS) return s->error = "more than TR_STREAM_MAX_OUTPUTS output bytes", -1;
    return 0;
}

/* One new row through every time-domain layer, then the tail. */
static void push_incremental(tr_stream_model *s, const int8_t *frame)
{
    const tr_model *m = s->model;
    const int8_t *row = frame;
    for (int k = 0; k < s->n_layers; ++k) {
        tr_stream_layer *l = &s->layers[k];
        const tr_op *op = &m->ops[l->op];
        memmove(l->history, l->history + l->in_c, (size_t)(l->rows - 1) * (size_t)l->in_c);
        memcpy(l->history + (l->rows - 1) * l->in_c, row, (size_t)l->in_c);
        const tr_shape4 xs = {1, l->rows, 1, l->in_c}, ys = {1, 1, 1, l->out_c};
        const tr_shape4 fs = shape_of(&m->tensors[op->inputs[1]]);
        const int8_t *w = tensor_data(m, op->inputs[1]);
        const int32_t *bias = op->n_inputs > 2 ? tensor_data(m, op->inputs[2]) : NULL;
        if (op->opcode == TR_OP_CONV_2D) tr_conv_s8(&op->u.conv.p, &op->u.conv.q, xs, l->history, fs, w, bias, ys, l->out);
        else tr_depthwise_conv_s8(&op->u.conv.p, &op->u.conv.q, xs, l->history, fs, w, bias, ys, l->out);
        row = l->out;
    }
    const int8_t *x = row;
    int8_t *y = s->tail_a;
    for (int i = s->first_tail; i < m->n_ops; ++i) {
        const tr_op *op = &m->ops[i];
        const tr_tensor *out = &m->tensors[op->output];
        const int32_t n_in = m->tensors[op->inputs[0]].elems;
        if (op->opcode == TR_OP_RESHAPE) {
            memcpy(y, x, (size_t)out->elems);
        } else if (op->opcode == TR_OP_FULLY_CONNECTED) {
            const tr_tensor *wt = &m->tensors[op->inputs[1]];
            tr_fully_connected_s8(&op->u.fc, n_in / wt->dims[1], wt->dims[1], x, wt->dims[0], tensor_data(m, op->inputs[1]),
                                  op->n_inputs > 2 ? tensor_data(m, op->inputs[2]) : NULL, y);
        } else {
            tr_softmax_s8(&op->u.softmax, 1, n_in, x, y);
        }
        x = y;
        y = y == s->tail_a ? s->tail_b : s->tail_a;
    }
    memcpy(s->output, x, (size_t)s->output_bytes);
}

void tr_stream_model_reset(tr_stream_model *s, const int8_t *frame)
{
    for (int32_t f = 0; f < s->frames; ++f) memcpy(s->window + f * s->features, frame, (size_t)s->features);
    /* a window's worth of rows: every layer's kept rows are then what the full model computes on that window */
    for (int32_t f = 0; f < s->frames; ++f) push_incremental(s, frame);
}

void tr_stream_model_push(tr_stream_model *s, const int8_t *frame, int full)
{
    const size_t bytes = (size_t)(s->frames * s->features);
    memmove(s->window, s->window + s->features, bytes - (size_t)s->features);
    memcpy(s->window + bytes - (size_t)s->features, frame, (size_t)s->features);
    if (full) {
        memcpy(tr_tensor_ptr(s->model, s->model->input, s->arena), s->window, bytes);
        tr_model_invoke(s->model, s->arena);
        memcpy(s->output, tr_tensor_ptr(s->model, s->model->output, s->arena), (size_t)s->output_bytes);
        return;
    }
    push_incremental(s, frame);
}
