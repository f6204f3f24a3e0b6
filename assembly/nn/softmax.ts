// Softmax heads for policies over a variable set of allowed actions (masking by
// construction): grouped softmax, weighted cross-entropy / REINFORCE gradient, and a dense
// masked softmax. The dense layers and Adam live in mlp.ts. Plain references for tests are
// in test/sched/learned.test.ts.

@inline function f32At(base: usize, i: i32): f32 { return load<f32>(base + (<usize>i << 2)); }
@inline function setF32(base: usize, i: i32, v: f32): void { store<f32>(base + (<usize>i << 2), v); }

/**
 * Softmax within each group of a flat logit vector: group g is [start[g], start[g+1]).
 * Masking by construction: only the allowed actions are listed in a group.
 */
export function nnGroupSoftmax(logits: usize, probs: usize, groupStart: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) {
    const a = load<i32>(groupStart + (<usize>g << 2));
    const e = load<i32>(groupStart + (<usize>(g + 1) << 2));
    let hi: f32 = -Infinity;
    for (let i = a; i < e; i++) hi = max(hi, f32At(logits, i));
    let sum: f64 = 0;
    for (let i = a; i < e; i++) { const p = Math.exp(<f64>(f32At(logits, i) - hi)); setF32(probs, i, <f32>p); sum += p; }
    for (let i = a; i < e; i++) setF32(probs, i, <f32>(<f64>f32At(probs, i) / sum));
  }
}

/**
 * Weighted cross-entropy of group softmaxes: loss = Σ_g weight[g] · −log p[start[g] + target[g]],
 * and dlogits = weight[g] · (p − onehot(target)). With weight = advantage this is the
 * REINFORCE gradient of −A·log π(a). Returns the loss.
 */
export function nnGroupXentBackward(probs: usize, target: usize, weight: usize, dlogits: usize, groupStart: usize, groups: i32): f64 {
  let loss: f64 = 0;
  for (let g = 0; g < groups; g++) {
    const a = load<i32>(groupStart + (<usize>g << 2));
    const e = load<i32>(groupStart + (<usize>(g + 1) << 2));
    const t = a + load<i32>(target + (<usize>g << 2));
    const wg = f32At(weight, g);
    for (let i = a; i < e; i++) setF32(dlogits, i, wg * (f32At(probs, i) - (i == t ? <f32>1 : <f32>0)));
    loss -= <f64>wg * Math.log(max(<f64>f32At(probs, t), 1e-30));
  }
  return loss;
}

/** Row softmax of logits[rows×cols] with mask u8[rows×cols] (0 = forbidden → probability 0). */
export function nnMaskedSoftmax(logits: usize, mask: usize, probs: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let hi: f32 = -Infinity;
    for (let c = 0; c < cols; c++) if (load<u8>(mask + <usize>(base + c)) != 0) hi = max(hi, f32At(logits, base + c));
    let sum: f64 = 0;
    for (let c = 0; c < cols; c++) {
      const p = load<u8>(mask + <usize>(base + c)) != 0 ? Math.exp(<f64>(f32At(logits, base + c) - hi)) : 0.0;
      setF32(probs, base + c, <f32>p);
      sum += p;
    }
    if (sum > 0) for (let c = 0; c < cols; c++) setF32(probs, base + c, <f32>(<f64>f32At(probs, base + c) / sum));
  }
}
