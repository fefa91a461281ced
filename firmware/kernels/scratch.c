#include "scratch.h"

int32_t tr_kernel_scratch[TR_SCRATCH_BYTES / 4] __attribute__((aligned(8)));
