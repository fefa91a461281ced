// The arena plan, identical to firmware/runtime/planner.c (docs/architecture.md "Arena planning"). The caller leaves
// the model input out: it lives in a buffer of its own.

export interface PlannedTensor {
  index: number;
  bytes: number;
  firstOp: number;
  lastOp: number;
}

const align16 = (v: number) => (v + 15) & ~15;

/** Returns each tensor's offset (by tensor index) and the arena size. */
export function planArena(tensors: PlannedTensor[]): { offsets: Map<number, number>; size: number } {
  const order = [...tensors].sort((a, b) => b.bytes - a.bytes || a.index - b.index);
  const offsets = new Map<number, number>();
  const placed: PlannedTensor[] = [];
  let total = 0;
  for (const t of order) {
    let offset = 0;
    for (let moved = true; moved; ) {
      moved = false;
      for (const o of placed) {
        const meet = !(o.lastOp < t.firstOp || t.lastOp < o.firstOp);
        const start = offsets.get(o.index)!;
        if (meet && offset < start + o.bytes && start < offset + t.bytes) {
          offset = align16(start + o.bytes);
          moved = true;
        }
      }
    }
    offsets.set(t.index, offset);
    placed.push(t);
    total = Math.max(total, offset + t.bytes);
  }
  return { offsets, size: align16(total) };
}
