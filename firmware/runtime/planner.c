/* The arena plan (docs/architecture.md, identical in the host interpreter): activations but the model input (kept in
 * a buffer of its own, so that no inference overwrites it) live from the operator that produces them to the last
 * operator that reads them (model outputs: the last operator); largest first (ties: lower index), each at the lowest 16-byte-aligned offset overlapping no placed
 * tensor whose lifetime intersects its own. */
#include "planner.h"

static uint32_t align16(uint32_t v) { return (v + 15u) & ~15u; }

uint32_t tr_plan_arena(tr_tensor *tensors, uint16_t n, int outside)
{
    static uint16_t order[TR_MAX_TENSORS];
    uint16_t count = 0;
    for (uint16_t i = 0; i < n; ++i)
        if (!tensors[i].data && tensors[i].first_op >= 0 && i != outside) order[count++] = i;
    /* insertion sort: size descending, index ascending (stable on index) */
    for (uint16_t i = 1; i < count; ++i) {
        const uint16_t v = order[i];
        int j = i - 1;
        while (j >= 0 && tensors[order[j]].bytes < tensors[v].bytes) {
            order[j + 1] = order[j];
            --j;
        }
        order[j + 1] = v;
    }
    uint32_t total = 0;
    for (uint16_t k = 0; k < count; ++k) {
        tr_tensor *t = &tensors[order[k]];
        uint32_t offset = 0;
        for (;;) { /* move past every conflicting placed tensor until none overlaps */
            int moved = 0;
            for (uint16_t j = 0; j < k; ++j) {
                const tr_tensor *o = &tensors[order[j]];
                const int lifetimes_meet = !(o->last_op < t->first_op || t->last_op < o->first_op);
                const uint32_t o_start = (uint32_t)o->arena_offset, o_end = o_start + o->bytes;
                if (lifetimes_meet && offset < o_end && o_start < offset + t->bytes) {
                    offset = align16(o_end);
                    moved = 1;
                }
            }
            if (!moved) break;
        }
        t->arena_offset = (int32_t)offset;
        if (offset + t->bytes > total) total = offset + t->bytes;
    }
    return align16(total);
}
