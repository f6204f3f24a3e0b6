// Building blocks of small neural networks (the agents' policies and critics), as flat
// functions over f32 buffers in row-major order. Forward passes write fresh outputs;
// backward passes ADD into parameter gradients (so a batch can be split across calls) and
// overwrite input gradients. The TypeScript driver is src/core/nn.ts (class Mlp); tests check
// it against a double-precision reference and finite differences (test/sched/nn.test.ts).
import { gemm } from '../kernels/gemm';

@inline function f32At(base: usize, i: i32): f32 { return load<f32>(base + (<usize>i << 2)); }
@inline function setF32(base: usize, i: i32, v: f32): void { store<f32>(base + (<usize>i << 2), v); }

/** y[B×O] = x[B×I] · W[I×O] + b[O]. */
export function nnDenseForward(x: usize, w: usize, b: usize, y: usize, batch: i32, inDim: i32, outDim: i32): void {
  if (batch <= SMALL_BATCH) {
    // A policy scoring a handful of candidates: packing W for the GEMM would cost more than
    // the product, so accumulate rows of W directly (vectorised over outputs).
    for (let r = 0; r < batch; r++) {
      const row = y + (<usize>(r * outDim) << 2);
      memory.copy(row, b, <usize>outDim << 2);
      const xr = x + (<usize>(r * inDim) << 2);
      for (let i = 0; i < inDim; i++) {
        const xi = f32At(xr, i);
        if (xi == 0) continue;
        const s = f32x4.splat(xi);
        const wRow = w + (<usize>(i * outDim) << 2);
        let o = 0;
        for (; o + 4 <= outDim; o += 4) {
          const p = row + (<usize>o << 2);
          v128.store(p, f32x4.add(v128.load(p), f32x4.mul(s, v128.load(wRow + (<usize>o << 2)))));
        }
        for (; o < outDim; o++) setF32(row, o, f32At(row, o) + xi * f32At(wRow, o));
      }
    }
    return;
  }
  gemm(x, w, y, batch, outDim, inDim);
  for (let r = 0; r < batch; r++) {
    const row = y + (<usize>(r * outDim) << 2);
    for (let o = 0; o < outDim; o++) setF32(row, o, f32At(row, o) + f32At(b, o));
  }
}

const SMALL_BATCH = 16;

/** Given dy[B×O]: dW[I×O] += xᵀ·dy, db[O] += Σ_rows dy, and (when dx ≠ 0) dx[B×I] = dy·Wᵀ. */
export function nnDenseBackward(x: usize, w: usize, dy: usize, dw: usize, db: usize, dx: usize, batch: i32, inDim: i32, outDim: i32): void {
  for (let r = 0; r < batch; r++) {
    const xr = x + (<usize>(r * inDim) << 2);
    const dyr = dy + (<usize>(r * outDim) << 2);
    for (let o = 0; o < outDim; o++) setF32(db, o, f32At(db, o) + f32At(dyr, o));
    for (let i = 0; i < inDim; i++) {
      const xi = f32At(xr, i);
      if (xi == 0) continue;
      const dwRow = dw + (<usize>(i * outDim) << 2);
      const s = f32x4.splat(xi);
      let o = 0;
      for (; o + 4 <= outDim; o += 4) {
        const p = dwRow + (<usize>o << 2);
        v128.store(p, f32x4.add(v128.load(p), f32x4.mul(s, v128.load(dyr + (<usize>o << 2)))));
      }
      for (; o < outDim; o++) setF32(dwRow, o, f32At(dwRow, o) + xi * f32At(dyr, o));
    }
    if (dx != 0) {
      const dxr = dx + (<usize>(r * inDim) << 2);
      for (let i = 0; i < inDim; i++) {
        const wRow = w + (<usize>(i * outDim) << 2);
        let acc = f32x4.splat(0);
        let o = 0;
        for (; o + 4 <= outDim; o += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(wRow + (<usize>o << 2)), v128.load(dyr + (<usize>o << 2))));
        let sum: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
        for (; o < outDim; o++) sum += f32At(wRow, o) * f32At(dyr, o);
        setF32(dxr, i, sum);
      }
    }
  }
}

/** y = max(x, 0) elementwise (y may alias x). */
export function nnReluForward(x: usize, y: usize, len: i32): void {
  for (let i = 0; i < len; i++) { const v = f32At(x, i); setF32(y, i, v > 0 ? v : 0); }
}

/** dx = dy where y > 0, else 0 (y is the forward output; dx may alias dy). */
export function nnReluBackward(y: usize, dy: usize, dx: usize, len: i32): void {
  for (let i = 0; i < len; i++) setF32(dx, i, f32At(y, i) > 0 ? f32At(dy, i) : 0);
}

/** y = tanh(x) elementwise (y may alias x). */
export function nnTanhForward(x: usize, y: usize, len: i32): void {
  for (let i = 0; i < len; i++) setF32(y, i, <f32>Math.tanh(<f64>f32At(x, i)));
}

/** dx = dy · (1 − y²) (y is the forward output; dx may alias dy). */
export function nnTanhBackward(y: usize, dy: usize, dx: usize, len: i32): void {
  for (let i = 0; i < len; i++) { const v = f32At(y, i); setF32(dx, i, f32At(dy, i) * (1 - v * v)); }
}

/** Σ x² over a buffer, in f64 (for gradient-norm clipping). */
export function nnSumSquares(x: usize, len: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < len; i++) { const v = <f64>f32At(x, i); s += v * v; }
  return s;
}

/** x *= s. */
export function nnScale(x: usize, len: i32, s: f32): void {
  for (let i = 0; i < len; i++) setF32(x, i, f32At(x, i) * s);
}

/** One Adam step (Kingma & Ba) with bias correction; `step` is 1 for the first update. */
export function nnAdamStep(params: usize, grads: usize, m: usize, v: usize, len: i32, lr: f64, beta1: f64, beta2: f64, eps: f64, step: i32): void {
  const c1 = 1 - Math.pow(beta1, <f64>step);
  const c2 = 1 - Math.pow(beta2, <f64>step);
  for (let i = 0; i < len; i++) {
    const g = <f64>f32At(grads, i);
    const mi = beta1 * <f64>f32At(m, i) + (1 - beta1) * g;
    const vi = beta2 * <f64>f32At(v, i) + (1 - beta2) * g * g;
    setF32(m, i, <f32>mi);
    setF32(v, i, <f32>vi);
    setF32(params, i, <f32>(<f64>f32At(params, i) - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps)));
  }
}
