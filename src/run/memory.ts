// Memory planning: every activation buffer gets an offset in one arena, buffers whose lifetimes
// do not overlap share bytes. Greedy by size (largest first, each at the lowest offset that is
// free for its whole lifetime), as TensorFlow Lite's arena planner does: close to the peak of
// live bytes on CNNs, and simple to check.

export interface Lifetime {
  /** Floats the buffer holds. */
  readonly floats: number;
  /** First step that writes it (-1: written before the first step, a graph input). */
  readonly first: number;
  /** Last step that reads it (the step count for graph outputs, read after the last step). */
  readonly last: number;
}

/** Floats are placed on 4-float (16-byte) boundaries so v128 loads stay aligned. */
const ALIGN_FLOATS = 4;

export interface ArenaPlan {
  /** Offset in floats of each buffer, in the order given. */
  readonly offsets: number[];
  /** Arena size in floats. */
  readonly floats: number;
}

export function planArena(buffers: readonly Lifetime[]): ArenaPlan {
  const offsets = new Array<number>(buffers.length).fill(0);
  const placed: number[] = [];
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[b]!.floats - buffers[a]!.floats || a - b);
  let total = 0;
  for (const i of order) {
    const b = buffers[i]!;
    const size = Math.ceil(b.floats / ALIGN_FLOATS) * ALIGN_FLOATS;
    // Buffers alive at the same time as b, by address.
    const conflicts = placed
      .filter((j) => buffers[j]!.first <= b.last && b.first <= buffers[j]!.last)
      .map((j) => ({ start: offsets[j]!, end: offsets[j]! + Math.ceil(buffers[j]!.floats / ALIGN_FLOATS) * ALIGN_FLOATS }))
      .sort((x, y) => x.start - y.start);
    let offset = 0;
    for (const c of conflicts) {
      if (offset + size <= c.start) break;
      offset = Math.max(offset, c.end);
    }
    offsets[i] = offset;
    placed.push(i);
    total = Math.max(total, offset + size);
  }
  return { offsets, floats: total };
}
