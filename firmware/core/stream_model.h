/* The model on every hop of a stream (MODEL_KIND=stream): the last 30 feature frames in, the output vector out, either
 * incrementally (one new row per time-domain layer, with each layer's last k input rows kept) or as the full model on
 * the 30-frame window. The two are bit-exact where every time-domain convolution is VALID, stride 1, no dilation
 * (checked at prepare). Host reference: harness/streaming/model.ts. */
#ifndef TR_STREAM_MODEL_H
#define TR_STREAM_MODEL_H
#include <stdint.h>
#include "model.h"

#define TR_STREAM_MAX_LAYERS 16
#define TR_STREAM_STATE_BYTES 16384
#define TR_STREAM_MAX_FRAMES 64
#define TR_STREAM_MAX_FEATURES 64
#define TR_STREAM_MAX_OUTPUTS 4

typedef struct {
    int16_t op;
    int16_t rows, in_c, out_c;
    int8_t *history; /* rows x in_c, oldest first */
    int8_t *out;     /* out_c */
} tr_stream_layer;

typedef struct {
    const tr_model *model;
    uint8_t *arena;
    int32_t frames, features;
    tr_stream_layer layers[TR_STREAM_MAX_LAYERS];
    int n_layers, first_tail;
    int8_t window[TR_STREAM_MAX_FRAMES * TR_STREAM_MAX_FEATURES]; /* the full model's input, oldest frame first */
    int8_t tail_a[256], tail_b[256];
    int8_t output[TR_STREAM_MAX_OUTPUTS];
    int32_t output_bytes;
    const char *error;
} tr_stream_model;

/* Checks the model can stream (returns 0) or says why not in s->error. */
int tr_stream_model_prepare(tr_stream_model *s, const tr_model *model, uint8_t *arena);
/* Every frame of the window set to `frame`, and every layer's rows to what 30 such frames give. */
void tr_stream_model_reset(tr_stream_model *s, const int8_t *frame);
/* Appends a frame; the output vector is in s->output afterwards. full: the whole model on the window. */
void tr_stream_model_push(tr_stream_model *s, const int8_t *frame, int full);

#endif
