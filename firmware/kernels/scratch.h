/* One scratch buffer the optimised kernels share (kernels never run concurrently): im2col columns, inputs widened to
 * 16 bits, per-channel sums. Static, so no allocation; unreferenced (reference builds) it is dropped at link time. */
#ifndef TR_SCRATCH_H
#define TR_SCRATCH_H
#include <stdint.h>

#define TR_SCRATCH_BYTES 12288
extern int32_t tr_kernel_scratch[TR_SCRATCH_BYTES / 4];

#endif
