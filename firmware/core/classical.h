/* A classical (non-TFLite) model compiled to C: what `MODEL` provides in a `MODEL_KIND=classical` build
 * (core/main_classical.c is its glue to the protocol). tinyrig generates such sources, e.g.
 * workloads/vibration/variants/forest.c from harness/classical/spectral-forest.ts. No allocation, no floats needed. */
#ifndef TR_CLASSICAL_H
#define TR_CLASSICAL_H
#include <stdint.h>

typedef struct {
    const char *name;     /* the model's format, e.g. "tinyrig-spectral-forest-1" */
    uint32_t input_bytes; /* int8 input window */
    uint32_t outputs;     /* class scores */
    uint32_t score_scale; /* a score s means s / score_scale */
    uint32_t table_bytes; /* bytes of the model's constant tables */
} tr_classical_info;

extern const tr_classical_info tr_classical;

/* One inference: class scores (raw output: each score as uint16 little-endian). */
void tr_classical_infer(const int8_t *input, uint16_t *scores);

#endif
