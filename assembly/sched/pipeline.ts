// Pipeline stage costs and the exact contiguous-segment DP. The cost model and its units
// (seconds, bytes) are described in src/sched/problem.ts; src/sched/reference.ts is the
// plain TypeScript judge of `pipelineSimulate`.
//
// A problem lives in wasm memory as flat arrays over n nodes in topological order:
//   comp  f64[n]    compute seconds        params f64[n]  parameter bytes
//   bytes f64[n]    output tensor bytes
//   predStart i32[n+1], preds i32[m]: CSR predecessor lists
// `assign` is i32[n] (stage per node); `out` receives STAGE_FIELDS f64 per stage:
//   [computeSeconds, streamSeconds, transferInSeconds, transferOutSeconds, paramBytes, totalSeconds]
// `scratch` is i32[n] the caller owns.

export const STAGE_FIELDS: i32 = 6;

@inline function f64At(base: usize, i: i32): f64 { return load<f64>(base + (<usize>i << 3)); }
@inline function i32At(base: usize, i: i32): i32 { return load<i32>(base + (<usize>i << 2)); }

/**
 * Simulates one assignment. Returns -1 when valid; the index e into `preds` of the first
 * edge preds[e] → v whose stages are out of order; or -2 - v when node v's stage is
 * outside 0..k-1.
 */
export function pipelineSimulate(
  n: i32, comp: usize, params: usize, bytes: usize, predStart: usize, preds: usize,
  assign: usize, k: i32, onChipBytes: f64, linkBytesPerSecond: f64, scratch: usize, out: usize,
): i32 {
  memory.fill(out, 0, <usize>(k * STAGE_FIELDS) << 3);
  // scratch[u] = last stage that consumes u's output, or -1 for a graph output.
  for (let v = 0; v < n; v++) {
    const s = i32At(assign, v);
    if (s < 0 || s >= k) return -2 - v;
    store<i32>(scratch + (<usize>v << 2), -1);
  }
  for (let v = 0; v < n; v++) {
    const s = i32At(assign, v);
    const e1 = i32At(predStart, v + 1);
    for (let e = i32At(predStart, v); e < e1; e++) {
      const u = i32At(preds, e);
      if (i32At(assign, u) > s) return e;
      const p = scratch + (<usize>u << 2);
      if (load<i32>(p) < s) store<i32>(p, s);
    }
  }
  for (let v = 0; v < n; v++) {
    const s = i32At(assign, v);
    const row = out + (<usize>(s * STAGE_FIELDS) << 3);
    store<f64>(row, load<f64>(row) + f64At(comp, v));
    store<f64>(row, load<f64>(row, 32) + f64At(params, v), 32);
    const b = f64At(bytes, v);
    const last = i32At(scratch, v);
    if (last < 0) {
      store<f64>(row, load<f64>(row, 24) + b, 24); // graph output → host
    } else {
      for (let t = s; t < last; t++) {
        const from = out + (<usize>(t * STAGE_FIELDS) << 3);
        store<f64>(from, load<f64>(from, 24) + b, 24);
        store<f64>(from, load<f64>(from, 48 + 16) + b, 48 + 16); // next stage's input slot
      }
    }
  }
  for (let s = 0; s < k; s++) {
    const row = out + (<usize>(s * STAGE_FIELDS) << 3);
    const over = load<f64>(row, 32) - onChipBytes;
    const stream = over > 0 ? over / linkBytesPerSecond : 0.0;
    const tin = load<f64>(row, 16) / linkBytesPerSecond;
    const tout = load<f64>(row, 24) / linkBytesPerSecond;
    store<f64>(row, stream, 8);
    store<f64>(row, tin, 16);
    store<f64>(row, tout, 24);
    store<f64>(row, load<f64>(row) + stream + tin + tout, 40);
  }
  return -1;
}

/**
 * Minimum bottleneck over contiguous segments of the index order, one segment per stage
 * (empty segments allowed): O(k·n²) DP over prefix sums. Writes the k+1 cut positions
 * (0 = cuts[0] ≤ … ≤ cuts[k] = n) to `cuts` (i32[k+1]) and returns the bottleneck in seconds.
 * `upper` (seconds, or Infinity) is the bottleneck of a known schedule: partial schedules
 * worse than it are pruned, which shortens the scans to segments no longer than it allows.
 * When no schedule reaches `upper` (within 1e-9 relative) the result is Infinity and the
 * cuts are meaningless.
 */
export function pipelineContiguousDp(
  n: i32, comp: usize, params: usize, bytes: usize, predStart: usize, preds: usize,
  k: i32, onChipBytes: f64, linkBytesPerSecond: f64, upper: f64, cuts: usize,
): f64 {
  const m = n + 1;
  const cap = upper * (1 + 1e-9);
  // Prefix sums of compute, parameters and graph-output bytes; cross[j] = bytes of tensors
  // produced before position j and consumed at or after it.
  const pc = heap.alloc(<usize>m << 3);
  const pp = heap.alloc(<usize>m << 3);
  const ps = heap.alloc(<usize>m << 3);
  const cross = heap.alloc(<usize>(m + 1) << 3);
  const last = heap.alloc(<usize>n << 2);
  memory.fill(cross, 0, <usize>(m + 1) << 3);
  for (let v = 0; v < n; v++) store<i32>(last + (<usize>v << 2), -1);
  for (let v = 0; v < n; v++) {
    const e1 = i32At(predStart, v + 1);
    for (let e = i32At(predStart, v); e < e1; e++) {
      const u = i32At(preds, e);
      if (i32At(last, u) < v) store<i32>(last + (<usize>u << 2), v);
    }
  }
  store<f64>(pc, 0); store<f64>(pp, 0); store<f64>(ps, 0);
  for (let v = 0; v < n; v++) {
    const lv = i32At(last, v);
    const b = f64At(bytes, v);
    store<f64>(pc + (<usize>(v + 1) << 3), f64At(pc, v) + f64At(comp, v));
    store<f64>(pp + (<usize>(v + 1) << 3), f64At(pp, v) + f64At(params, v));
    store<f64>(ps + (<usize>(v + 1) << 3), f64At(ps, v) + (lv < 0 ? b : 0.0));
    if (lv > v) {
      // Live across cut positions v+1 … lv (difference array).
      store<f64>(cross + (<usize>(v + 1) << 3), f64At(cross, v + 1) + b);
      store<f64>(cross + (<usize>(lv + 1) << 3), f64At(cross, lv + 1) - b);
    }
  }
  let run = 0.0;
  for (let j = 0; j <= n; j++) {
    run += f64At(cross, j);
    store<f64>(cross + (<usize>j << 3), run);
  }
  // f[s][j]: best bottleneck of the first j nodes on s stages; arg[s][j]: where stage s-1 starts.
  const f = heap.alloc(<usize>((k + 1) * m) << 3);
  const arg = heap.alloc(<usize>((k + 1) * m) << 2);
  for (let j = 0; j <= n; j++) store<f64>(f + (<usize>j << 3), j == 0 ? 0.0 : Infinity);
  for (let s = 1; s <= k; s++) {
    const prev = f + (<usize>((s - 1) * m) << 3);
    const cur = f + (<usize>(s * m) << 3);
    const curArg = arg + (<usize>(s * m) << 2);
    // The last stage need only end at n; the first can only start at 0.
    for (let j = s == k ? n : 0; j <= n; j++) {
      let best = cap;
      let bestI = j;
      const cj = f64At(cross, j);
      for (let i = s == 1 ? 0 : j; i >= 0; i--) {
        // Compute, streaming and the outgoing transfers of segment [i, j) only grow as it
        // extends to the left; once they alone reach `best`, no smaller i can do better.
        const over = f64At(pp, j) - f64At(pp, i) - onChipBytes;
        const grows = f64At(pc, j) - f64At(pc, i)
          + (over > 0 ? over / linkBytesPerSecond : 0.0)
          + (cj + f64At(ps, j) - f64At(ps, i)) / linkBytesPerSecond;
        if (grows >= best) break;
        const before = f64At(prev, i);
        if (before >= best) continue;
        const cost = grows + f64At(cross, i) / linkBytesPerSecond;
        const worst = cost > before ? cost : before;
        if (worst < best) { best = worst; bestI = i; }
      }
      store<f64>(cur + (<usize>j << 3), best);
      store<i32>(curArg + (<usize>j << 2), bestI);
    }
  }
  let j = n;
  store<i32>(cuts + (<usize>k << 2), n);
  for (let s = k; s >= 1; s--) {
    const i = i32At(arg + (<usize>(s * m) << 2), j);
    store<i32>(cuts + (<usize>(s - 1) << 2), i);
    j = i;
  }
  let result = f64At(f + (<usize>(k * m) << 3), n);
  if (result >= cap) result = Infinity;
  heap.free(pc); heap.free(pp); heap.free(ps); heap.free(cross); heap.free(last); heap.free(f); heap.free(arg);
  return result;
}
