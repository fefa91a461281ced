/* Log-mel filterbank energies (LFBE) as MLPerf Tiny's sww01 computes them, in fixed point: one 40-band int8 frame per
 * hop of 512 samples on a 1024-sample window. Bit-exact with harness/streaming/lfbe.ts, which documents the
 * arithmetic and writes the tables (lfbe_tables.h). No allocation: the state lives in the caller's tr_lfbe. */
#ifndef TR_LFBE_H
#define TR_LFBE_H
#include <stdint.h>

#define TR_LFBE_HOP 512
#define TR_LFBE_WINDOW 1024
#define TR_LFBE_BANDS 40

typedef struct {
    int32_t emph[TR_LFBE_WINDOW]; /* pre-emphasised samples, Q5 */
    int32_t prev;                 /* the last sample of the previous hop */
    int32_t re[TR_LFBE_WINDOW / 2], im[TR_LFBE_WINDOW / 2];
    uint64_t thresholds[255];     /* mel energies at which the int8 feature steps (UINT64_MAX: never) */
} tr_lfbe;

/* The thresholds of a model input's quantisation (scale, zero point), and a window of zeros. */
void tr_lfbe_init(tr_lfbe *s, float scale, int32_t zero_point);
/* Back to a window of zeros and no previous sample (what `start` does). */
void tr_lfbe_reset(tr_lfbe *s);
/* One hop of 512 samples in, one frame of 40 int8 features out. */
void tr_lfbe_push(tr_lfbe *s, const int16_t *hop, int8_t *frame);
/* The feature of a mel energy (the frame of digital silence is every band at tr_lfbe_quantize(s, 0)). */
int8_t tr_lfbe_quantize(const tr_lfbe *s, uint64_t mel);

#endif
