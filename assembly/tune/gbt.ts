// Gradient-boosted regression trees (the AutoTVM-style cost model): squared loss, exact greedy
// splits found level by level with one pass per feature over samples presorted by that feature,
// instance weights scaling gradient and hessian. The TypeScript driver is src/core/gbt.ts; the
// plain reference it must equal, split for split and bit for bit, is src/tune/cost-model/gbt-reference.ts,
// so every sum below runs in the reference's order (f64 throughout).
//
// Inputs: columns f64[d×n] (feature f of sample i at f·n + i), targets f64[n], weights f64[n].
// A forest is `rounds` trees of `cap` = 2^(maxDepth+1) − 1 nodes each, node j of tree t at
// t·cap + j, in four arrays:
//   feature i32 (−1: leaf)   threshold f64   left i32 (right child = left + 1)   value f64 (leaf weight)
// Node j splits on row[feature] < threshold → left, else left + 1.

@inline function f64At(base: usize, i: i32): f64 { return load<f64>(base + (<usize>i << 3)); }
@inline function setF64(base: usize, i: i32, v: f64): void { store<f64>(base + (<usize>i << 3), v); }
@inline function i32At(base: usize, i: i32): i32 { return load<i32>(base + (<usize>i << 2)); }
@inline function setI32(base: usize, i: i32, v: i32): void { store<i32>(base + (<usize>i << 2), v); }

/** Nodes per tree of depth `maxDepth`. */
export function gbtNodesPerTree(maxDepth: i32): i32 {
  return (1 << (maxDepth + 1)) - 1;
}

/**
 * Fits `rounds` trees into the forest arrays (each rounds × gbtNodesPerTree(maxDepth) long) and
 * returns the base prediction (the weighted mean target). The caller checks the inputs: n ≥ 1
 * and a positive total weight.
 */
export function gbtFit(
  n: i32, d: i32, columns: usize, targets: usize, weights: usize,
  rounds: i32, maxDepth: i32, learningRate: f64, minSplitGain: f64, l2: f64, minChildSamples: f64,
  feature: usize, threshold: usize, left: usize, value: usize,
): f64 {
  const fit = new Fit(n, d, columns, weights, maxDepth, learningRate, minSplitGain, l2, minChildSamples);
  let totalWeight = 0.0;
  for (let i = 0; i < n; i++) totalWeight += f64At(weights, i);
  let weighted = 0.0;
  for (let i = 0; i < n; i++) weighted += f64At(weights, i) * f64At(targets, i);
  const base = weighted / totalWeight;
  const prediction = heap.alloc(<usize>n << 3);
  for (let i = 0; i < n; i++) setF64(prediction, i, base);
  const cap = fit.cap;
  for (let round = 0; round < rounds; round++) {
    const gradient = fit.gradient;
    for (let i = 0; i < n; i++) setF64(gradient, i, f64At(weights, i) * (f64At(prediction, i) - f64At(targets, i))); // squared loss; hessian = weight
    const offset = round * cap;
    const tf = feature + (<usize>offset << 2);
    const tt = threshold + (<usize>offset << 3);
    const tl = left + (<usize>offset << 2);
    const tv = value + (<usize>offset << 3);
    fit.growTree(tf, tt, tl, tv);
    for (let i = 0; i < n; i++) setF64(prediction, i, f64At(prediction, i) + evaluateColumns(tf, tt, tl, tv, columns, n, i));
  }
  heap.free(prediction);
  fit.free();
  return base;
}

/**
 * out[r] = base + Σ_t tree_t(row r) for `count` rows of `d` features (row-major), over the
 * first `trees` trees of a forest of `cap` nodes per tree.
 */
export function gbtPredict(
  rows: usize, count: i32, d: i32, trees: i32, cap: i32, base: f64,
  feature: usize, threshold: usize, left: usize, value: usize, out: usize,
): void {
  for (let r = 0; r < count; r++) setF64(out, r, base);
  // Tree by tree over all rows: the rows' walks are independent, so they overlap, and each
  // row still adds its trees in order (the reference's sum).
  for (let t = 0; t < trees; t++) {
    const offset = t * cap;
    const tf = feature + (<usize>offset << 2);
    const tt = threshold + (<usize>offset << 3);
    const tl = left + (<usize>offset << 2);
    const tv = value + (<usize>offset << 3);
    const rootFeature = i32At(tf, 0);
    for (let r = 0; r < count; r++) {
      const row = rows + (<usize>(r * d) << 3);
      let node = 0;
      let f = rootFeature;
      while (f >= 0) {
        const l = i32At(tl, node);
        node = f64At(row, f) < f64At(tt, node) ? l : l + 1;
        f = i32At(tf, node);
      }
      setF64(out, r, f64At(out, r) + f64At(tv, node));
    }
  }
}

/** One tree's output for sample i, reading its features from the columns. */
@inline function evaluateColumns(feature: usize, threshold: usize, left: usize, value: usize, columns: usize, n: i32, i: i32): f64 {
  let node = 0;
  let f = i32At(feature, 0);
  while (f >= 0) {
    const l = i32At(left, node);
    node = f64At(columns, f * n + i) < f64At(threshold, node) ? l : l + 1;
    f = i32At(feature, node);
  }
  return f64At(value, node);
}

/**
 * The working state of one fit. `order` holds, per feature, the sample indices sorted by that
 * feature (ties by index, as the reference's stable sort). Each tree starts from a copy of it
 * in `part`, which every split partitions stably, so that a node's samples lie contiguous
 * (part[f·n + start[node] … end[node]]) and still in sorted order: the best-split scan of a node
 * then visits exactly the samples, in the order, that the reference's scan visits for it.
 */
class Fit {
  readonly cap: i32;
  /** The widest frontier, 2^maxDepth nodes. */
  readonly width: i32;
  readonly gradient: usize;
  private readonly order: usize;
  private readonly part: usize;
  private readonly scratch: usize;
  private readonly nodeOf: usize;
  private readonly start: usize;
  private readonly end: usize;
  private readonly slotOfNode: usize;
  private readonly frontier: usize;
  private readonly next: usize;
  private readonly slots: usize; // SLOT_FIELDS f64 per frontier slot
  private readonly leafSums: usize; // sum, hessian sum, count per node

  constructor(
    readonly n: i32, readonly d: i32, readonly columns: usize, readonly hessian: usize,
    readonly maxDepth: i32, readonly learningRate: f64, readonly minSplitGain: f64, readonly l2: f64, readonly minChildSamples: f64,
  ) {
    this.cap = gbtNodesPerTree(maxDepth);
    this.width = 1 << maxDepth;
    const cells = <usize>d * <usize>n;
    this.gradient = heap.alloc(<usize>n << 3);
    this.order = heap.alloc(cells << 2);
    this.part = heap.alloc(cells << 2);
    this.scratch = heap.alloc(<usize>n << 2);
    this.nodeOf = heap.alloc(<usize>n << 2);
    this.start = heap.alloc(<usize>this.cap << 2);
    this.end = heap.alloc(<usize>this.cap << 2);
    this.slotOfNode = heap.alloc(<usize>this.cap << 2);
    this.frontier = heap.alloc(<usize>this.width << 2);
    this.next = heap.alloc(<usize>this.width << 2);
    this.slots = heap.alloc(<usize>(SLOT_FIELDS * this.width) << 3);
    this.leafSums = heap.alloc(<usize>(3 * this.cap) << 3);
    for (let f = 0; f < d; f++) sortByColumn(n, columns + (<usize>(f * n) << 3), this.order + (<usize>(f * n) << 2), this.scratch);
  }

  free(): void {
    heap.free(this.gradient); heap.free(this.order); heap.free(this.part); heap.free(this.scratch); heap.free(this.nodeOf);
    heap.free(this.start); heap.free(this.end); heap.free(this.slotOfNode); heap.free(this.frontier); heap.free(this.next);
    heap.free(this.slots); heap.free(this.leafSums);
  }

  /** Grows one tree on the current gradient into the given node arrays (cap entries each). */
  growTree(feature: usize, threshold: usize, left: usize, value: usize): void {
    const n = this.n, cap = this.cap;
    for (let j = 0; j < cap; j++) {
      setI32(feature, j, -1);
      setF64(threshold, j, 0);
      setI32(left, j, 0);
      setF64(value, j, 0);
    }
    memory.copy(this.part, this.order, (<usize>this.d * <usize>n) << 2);
    memory.fill(this.nodeOf, 0, <usize>n << 2); // every sample starts at the root
    setI32(this.start, 0, 0);
    setI32(this.end, 0, n);
    setI32(this.frontier, 0, 0);
    let frontierSize = 1;
    let nodes = 1;
    for (let depth = 0; depth < this.maxDepth && frontierSize > 0; depth++) {
      this.bestSplits(frontierSize);
      let nextSize = 0;
      for (let k = 0; k < frontierSize; k++) {
        const f = <i32>slotField(this.slots, BEST_FEATURE, k);
        if (f < 0) continue;
        const node = i32At(this.frontier, k);
        setI32(feature, node, f);
        setF64(threshold, node, slotField(this.slots, BEST_THRESHOLD, k));
        setI32(left, node, nodes);
        setI32(this.next, nextSize++, nodes);
        setI32(this.next, nextSize++, nodes + 1);
        nodes += 2;
      }
      for (let i = 0; i < n; i++) {
        const node = i32At(this.nodeOf, i);
        const f = i32At(feature, node);
        if (f >= 0) setI32(this.nodeOf, i, f64At(this.columns, f * n + i) < f64At(threshold, node) ? i32At(left, node) : i32At(left, node) + 1);
      }
      if (depth + 1 < this.maxDepth) {
        for (let k = 0; k < frontierSize; k++) {
          const node = i32At(this.frontier, k);
          if (i32At(feature, node) >= 0) this.partition(node, i32At(left, node));
        }
      }
      memory.copy(this.frontier, this.next, <usize>nextSize << 2);
      frontierSize = nextSize;
    }
    // Leaf weights: −G / (H + λ) · η over the samples that reach each leaf, summed in index order.
    const sum = this.leafSums;
    const hessianSum = sum + (<usize>cap << 3);
    const count = sum + (<usize>(2 * cap) << 3);
    memory.fill(sum, 0, <usize>(3 * cap) << 3);
    for (let i = 0; i < n; i++) {
      const node = i32At(this.nodeOf, i);
      setF64(sum, node, f64At(sum, node) + f64At(this.gradient, i));
      setF64(hessianSum, node, f64At(hessianSum, node) + f64At(this.hessian, i));
      setF64(count, node, f64At(count, node) + 1);
    }
    for (let node = 0; node < nodes; node++) {
      if (i32At(feature, node) < 0 && f64At(count, node) > 0) setF64(value, node, (-f64At(sum, node) / (f64At(hessianSum, node) + this.l2)) * this.learningRate);
    }
  }

  /** Splits a node's run in every feature's `part` stably: samples now at `child` first, then those at child + 1. */
  private partition(node: i32, child: i32): void {
    const s = i32At(this.start, node), e = i32At(this.end, node);
    const n = this.n;
    let mid = s;
    for (let f = 0; f < this.d; f++) {
      const run = this.part + (<usize>(f * n) << 2);
      let w = s;
      let t = 0;
      for (let r = s; r < e; r++) {
        const i = i32At(run, r);
        if (i32At(this.nodeOf, i) == child) setI32(run, w++, i);
        else setI32(this.scratch, t++, i);
      }
      memory.copy(run + (<usize>w << 2), this.scratch, <usize>t << 2);
      mid = w;
    }
    setI32(this.start, child, s);
    setI32(this.end, child, mid);
    setI32(this.start, child + 1, mid);
    setI32(this.end, child + 1, e);
  }

  /** The best split of each frontier node into the BEST_* fields of its slot (feature −1: none). */
  private bestSplits(frontierSize: i32): void {
    const n = this.n, slots = this.slots;
    const l2 = this.l2, minSplitGain = this.minSplitGain, minChildSamples = this.minChildSamples;
    // Node totals, summed in index order as the reference does.
    for (let j = 0; j < this.cap; j++) setI32(this.slotOfNode, j, -1);
    for (let k = 0; k < frontierSize; k++) {
      setI32(this.slotOfNode, i32At(this.frontier, k), k);
      for (let field = 0; field < SLOT_FIELDS; field++) setSlotField(slots, field, k, 0);
      setSlotField(slots, BEST_FEATURE, k, -1);
    }
    for (let i = 0; i < n; i++) {
      const k = i32At(this.slotOfNode, i32At(this.nodeOf, i));
      if (k < 0) continue;
      setSlotField(slots, TOTAL, k, slotField(slots, TOTAL, k) + f64At(this.gradient, i));
      setSlotField(slots, TOTAL_HESSIAN, k, slotField(slots, TOTAL_HESSIAN, k) + f64At(this.hessian, i));
      setSlotField(slots, TOTAL_COUNT, k, slotField(slots, TOTAL_COUNT, k) + 1);
    }
    for (let f = 0; f < this.d; f++) {
      const column = this.columns + (<usize>(f * n) << 3);
      const run = this.part + (<usize>(f * n) << 2);
      for (let k = 0; k < frontierSize; k++) {
        const node = i32At(this.frontier, k);
        const total = slotField(slots, TOTAL, k), totalHessian = slotField(slots, TOTAL_HESSIAN, k), totalCount = slotField(slots, TOTAL_COUNT, k);
        const parentScore = (total * total) / (totalHessian + l2);
        let bestGain = slotField(slots, BEST_GAIN, k);
        let bestFeature = slotField(slots, BEST_FEATURE, k);
        let bestThreshold = slotField(slots, BEST_THRESHOLD, k);
        let leftSum = 0.0, leftHessian = 0.0, leftCount = 0.0, last = NaN;
        const e = i32At(this.end, node);
        for (let r = i32At(this.start, node); r < e; r++) {
          const i = i32At(run, r);
          const v = f64At(column, i);
          if (leftCount >= minChildSamples && v != last && totalCount - leftCount >= minChildSamples) {
            const gr = total - leftSum;
            const hr = totalHessian - leftHessian;
            const gain = 0.5 * ((leftSum * leftSum) / (leftHessian + l2) + (gr * gr) / (hr + l2) - parentScore) - minSplitGain;
            if (gain > 0 && gain > bestGain) {
              bestGain = gain;
              bestFeature = <f64>f;
              bestThreshold = (last + v) / 2;
            }
          }
          leftSum += f64At(this.gradient, i);
          leftHessian += f64At(this.hessian, i);
          leftCount += 1;
          last = v;
        }
        setSlotField(slots, BEST_GAIN, k, bestGain);
        setSlotField(slots, BEST_FEATURE, k, bestFeature);
        setSlotField(slots, BEST_THRESHOLD, k, bestThreshold);
      }
    }
  }
}

// Per frontier slot: the node's totals and its best split so far.
const TOTAL = 0, TOTAL_HESSIAN = 1, TOTAL_COUNT = 2, BEST_GAIN = 3, BEST_FEATURE = 4, BEST_THRESHOLD = 5, SLOT_FIELDS = 6;

@inline function slotField(slots: usize, field: i32, k: i32): f64 { return f64At(slots, k * SLOT_FIELDS + field); }
@inline function setSlotField(slots: usize, field: i32, k: i32, v: f64): void { setF64(slots, k * SLOT_FIELDS + field, v); }

/** order = 0 … n−1 sorted by column value, ties by index (a stable bottom-up merge sort; scratch holds n i32). */
function sortByColumn(n: i32, column: usize, order: usize, scratch: usize): void {
  let a = order;
  let b = scratch;
  for (let i = 0; i < n; i++) setI32(a, i, i);
  for (let run = 1; run < n; run <<= 1) {
    for (let lo = 0; lo < n; lo += run << 1) {
      const mid = min(lo + run, n);
      const hi = min(lo + (run << 1), n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const x = i32At(a, i);
        const y = i32At(a, j);
        if (f64At(column, y) < f64At(column, x)) { setI32(b, k++, y); j++; } else { setI32(b, k++, x); i++; }
      }
      while (i < mid) setI32(b, k++, i32At(a, i++));
      while (j < hi) setI32(b, k++, i32At(a, j++));
    }
    const t = a; a = b; b = t;
  }
  if (a != order) memory.copy(order, a, <usize>n << 2);
}
