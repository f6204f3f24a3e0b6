// Gradient-boosted regression trees (the AutoTVM-style cost model): squared loss, exact greedy
// splits found level by level with one pass per feature over samples presorted by that feature,
// instance weights scaling gradient and hessian. The TypeScript driver is src/core/gbt.ts; the
// plain reference it must equal, split for split and bit for bit, is test/tune/gbt-reference.ts,
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
  const cap = gbtNodesPerTree(maxDepth);
  const width = 1 << maxDepth; // the widest next frontier: 2^maxDepth nodes
  const order = heap.alloc(<usize>d * <usize>n << 2);
  const prediction = heap.alloc(<usize>n << 3);
  const gradient = heap.alloc(<usize>n << 3);
  const nodeOf = heap.alloc(<usize>n << 2);
  const slot = heap.alloc(<usize>n << 2);
  const leafSums = heap.alloc(<usize>(3 * cap) << 3);
  const split = heap.alloc(<usize>(SPLIT_ROWS * width) << 3);
  const slotOfNode = heap.alloc(<usize>cap << 2);
  const frontier = heap.alloc(<usize>width << 2);
  const next = heap.alloc(<usize>width << 2);

  presort(n, d, columns, order, slot); // `slot` serves as the sort's scratch until the first tree

  let totalWeight = 0.0;
  for (let i = 0; i < n; i++) totalWeight += f64At(weights, i);
  let weighted = 0.0;
  for (let i = 0; i < n; i++) weighted += f64At(weights, i) * f64At(targets, i);
  const base = weighted / totalWeight;
  for (let i = 0; i < n; i++) setF64(prediction, i, base);

  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < n; i++) setF64(gradient, i, f64At(weights, i) * (f64At(prediction, i) - f64At(targets, i))); // squared loss; hessian = weight
    const offset = round * cap;
    const tf = feature + (<usize>offset << 2);
    const tt = threshold + (<usize>offset << 3);
    const tl = left + (<usize>offset << 2);
    const tv = value + (<usize>offset << 3);
    for (let j = 0; j < cap; j++) {
      setI32(tf, j, -1);
      setF64(tt, j, 0);
      setI32(tl, j, 0);
      setF64(tv, j, 0);
    }
    growTree(n, d, columns, order, gradient, weights, maxDepth, learningRate, minSplitGain, l2, minChildSamples,
      tf, tt, tl, tv, nodeOf, slot, leafSums, split, slotOfNode, frontier, next, width);
    for (let i = 0; i < n; i++) setF64(prediction, i, f64At(prediction, i) + evaluateColumns(tf, tt, tl, tv, columns, n, i));
  }

  heap.free(order); heap.free(prediction); heap.free(gradient); heap.free(nodeOf); heap.free(slot);
  heap.free(leafSums); heap.free(split); heap.free(slotOfNode); heap.free(frontier); heap.free(next);
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
  for (let r = 0; r < count; r++) {
    const row = rows + (<usize>(r * d) << 3);
    let sum = base;
    for (let t = 0; t < trees; t++) {
      const offset = t * cap;
      let node = 0;
      let f = i32At(feature, offset);
      while (f >= 0) {
        const l = i32At(left, offset + node);
        node = f64At(row, f) < f64At(threshold, offset + node) ? l : l + 1;
        f = i32At(feature, offset + node);
      }
      sum += f64At(value, offset + node);
    }
    setF64(out, r, sum);
  }
}

/** order[f·n …] = sample indices sorted by column f, ties by index (a stable sort, as the reference's). */
function presort(n: i32, d: i32, columns: usize, order: usize, scratch: usize): void {
  for (let f = 0; f < d; f++) {
    const column = columns + (<usize>(f * n) << 3);
    let a = order + (<usize>(f * n) << 2);
    let b = scratch;
    for (let i = 0; i < n; i++) setI32(a, i, i);
    // Bottom-up merge sort, runs of `run` from a into b, then swap.
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
    if (a != order + (<usize>(f * n) << 2)) memory.copy(order + (<usize>(f * n) << 2), a, <usize>n << 2);
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

// Per-slot split statistics: SPLIT_ROWS f64 arrays of `width` entries inside one block.
const TOTAL = 0, TOTAL_HESSIAN = 1, TOTAL_COUNT = 2, PARENT_SCORE = 3, BEST_GAIN = 4, BEST_FEATURE = 5,
  BEST_THRESHOLD = 6, LEFT_SUM = 7, LEFT_HESSIAN = 8, LEFT_COUNT = 9, LAST_VALUE = 10, SPLIT_ROWS = 11;

@inline function splitRow(split: usize, r: i32, width: i32): usize { return split + (<usize>(r * width) << 3); }

function growTree(
  n: i32, d: i32, columns: usize, order: usize, gradient: usize, hessian: usize,
  maxDepth: i32, learningRate: f64, minSplitGain: f64, l2: f64, minChildSamples: f64,
  feature: usize, threshold: usize, left: usize, value: usize,
  nodeOf: usize, slot: usize, leafSums: usize, split: usize, slotOfNode: usize, frontier: usize, next: usize, width: i32,
): void {
  const cap = gbtNodesPerTree(maxDepth);
  memory.fill(nodeOf, 0, <usize>n << 2); // every sample starts at the root
  setI32(frontier, 0, 0);
  let frontierSize = 1;
  let nodes = 1;
  for (let depth = 0; depth < maxDepth && frontierSize > 0; depth++) {
    bestSplits(n, d, columns, order, gradient, hessian, l2, minSplitGain, minChildSamples, nodeOf, slot, split, slotOfNode, frontier, frontierSize, width, cap);
    let nextSize = 0;
    const bestFeature = splitRow(split, BEST_FEATURE, width);
    const bestThreshold = splitRow(split, BEST_THRESHOLD, width);
    for (let k = 0; k < frontierSize; k++) {
      const f = <i32>f64At(bestFeature, k);
      if (f < 0) continue;
      const node = i32At(frontier, k);
      setI32(feature, node, f);
      setF64(threshold, node, f64At(bestThreshold, k));
      setI32(left, node, nodes);
      setI32(next, nextSize++, nodes);
      setI32(next, nextSize++, nodes + 1);
      nodes += 2;
    }
    for (let i = 0; i < n; i++) {
      const node = i32At(nodeOf, i);
      const f = i32At(feature, node);
      if (f >= 0) setI32(nodeOf, i, f64At(columns, f * n + i) < f64At(threshold, node) ? i32At(left, node) : i32At(left, node) + 1);
    }
    memory.copy(frontier, next, <usize>nextSize << 2);
    frontierSize = nextSize;
  }
  // Leaf weights: −G / (H + λ) · η over the samples that reach each leaf.
  const sum = leafSums;
  const hessianSum = leafSums + (<usize>cap << 3);
  const count = leafSums + (<usize>(2 * cap) << 3);
  memory.fill(leafSums, 0, <usize>(3 * cap) << 3);
  for (let i = 0; i < n; i++) {
    const node = i32At(nodeOf, i);
    setF64(sum, node, f64At(sum, node) + f64At(gradient, i));
    setF64(hessianSum, node, f64At(hessianSum, node) + f64At(hessian, i));
    setF64(count, node, f64At(count, node) + 1);
  }
  for (let node = 0; node < nodes; node++) {
    if (i32At(feature, node) < 0 && f64At(count, node) > 0) setF64(value, node, (-f64At(sum, node) / (f64At(hessianSum, node) + l2)) * learningRate);
  }
}

/** The best split of each frontier node (in `split`'s BEST_* rows; feature −1: none), one presorted pass per feature. */
function bestSplits(
  n: i32, d: i32, columns: usize, order: usize, gradient: usize, hessian: usize,
  l2: f64, minSplitGain: f64, minChildSamples: f64,
  nodeOf: usize, slot: usize, split: usize, slotOfNode: usize, frontier: usize, frontierSize: i32, width: i32, cap: i32,
): void {
  const total = splitRow(split, TOTAL, width), totalHessian = splitRow(split, TOTAL_HESSIAN, width);
  const totalCount = splitRow(split, TOTAL_COUNT, width), parentScore = splitRow(split, PARENT_SCORE, width);
  const bestGain = splitRow(split, BEST_GAIN, width), bestFeature = splitRow(split, BEST_FEATURE, width);
  const bestThreshold = splitRow(split, BEST_THRESHOLD, width), leftSum = splitRow(split, LEFT_SUM, width);
  const leftHessian = splitRow(split, LEFT_HESSIAN, width), leftCount = splitRow(split, LEFT_COUNT, width);
  const lastValue = splitRow(split, LAST_VALUE, width);
  // Frontier slot of every tree node (−1: not on the frontier).
  for (let j = 0; j < cap; j++) setI32(slotOfNode, j, -1);
  for (let k = 0; k < frontierSize; k++) setI32(slotOfNode, i32At(frontier, k), k);
  for (let i = 0; i < n; i++) setI32(slot, i, i32At(slotOfNode, i32At(nodeOf, i)));
  for (let k = 0; k < frontierSize; k++) {
    setF64(total, k, 0); setF64(totalHessian, k, 0); setF64(totalCount, k, 0);
    setF64(bestGain, k, 0); setF64(bestFeature, k, -1); setF64(bestThreshold, k, 0);
  }
  for (let i = 0; i < n; i++) {
    const k = i32At(slot, i);
    if (k < 0) continue;
    setF64(total, k, f64At(total, k) + f64At(gradient, i));
    setF64(totalHessian, k, f64At(totalHessian, k) + f64At(hessian, i));
    setF64(totalCount, k, f64At(totalCount, k) + 1);
  }
  for (let k = 0; k < frontierSize; k++) {
    const g = f64At(total, k);
    setF64(parentScore, k, (g * g) / (f64At(totalHessian, k) + l2));
  }
  for (let f = 0; f < d; f++) {
    const column = columns + (<usize>(f * n) << 3);
    const sorted = order + (<usize>(f * n) << 2);
    for (let k = 0; k < frontierSize; k++) {
      setF64(leftSum, k, 0); setF64(leftHessian, k, 0); setF64(leftCount, k, 0); setF64(lastValue, k, NaN);
    }
    for (let r = 0; r < n; r++) {
      const i = i32At(sorted, r);
      const k = i32At(slot, i);
      if (k < 0) continue;
      const v = f64At(column, i);
      const last = f64At(lastValue, k);
      const leftN = f64At(leftCount, k);
      if (leftN >= minChildSamples && v != last && f64At(totalCount, k) - leftN >= minChildSamples) {
        const gl = f64At(leftSum, k);
        const hl = f64At(leftHessian, k);
        const gr = f64At(total, k) - gl;
        const hr = f64At(totalHessian, k) - hl;
        const gain = 0.5 * ((gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - f64At(parentScore, k)) - minSplitGain;
        if (gain > 0 && gain > f64At(bestGain, k)) {
          setF64(bestGain, k, gain);
          setF64(bestFeature, k, <f64>f);
          setF64(bestThreshold, k, (last + v) / 2);
        }
      }
      setF64(leftSum, k, f64At(leftSum, k) + f64At(gradient, i));
      setF64(leftHessian, k, f64At(leftHessian, k) + f64At(hessian, i));
      setF64(leftCount, k, leftN + 1);
      setF64(lastValue, k, v);
    }
  }
}
