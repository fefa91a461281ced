#ifndef TR_PLANNER_H
#define TR_PLANNER_H
#include "model.h"
/* Assigns arena offsets to the activation tensors but `outside` (the model input, which lives in a buffer of its
 * own); returns the arena size the plan needs. */
uint32_t tr_plan_arena(tr_tensor *tensors, uint16_t n, int outside);
#endif
