// The cheap ops a conv's epilogue needs, on NHWC float32 tensors: bias and residual add, and both
// with a clamp (ReLU, Clip) in one pass.
// Memory-bound, so they take no schedule: one SIMD pass each, scalar tails. The runtime's other
// memory-bound ops (activations, pooling, ...) are in tensor.ts.

/** x[p][c] += bias[c] for `pixels` rows of c channels, in place. */
export function biasAdd(x: usize, bias: usize, pixels: i32, c: i32): void {
  const c4 = c & ~3;
  for (let p = 0; p < pixels; p++) {
    const row = x + (<usize>p * <usize>c << 2);
    let j = 0;
    for (; j < c4; j += 4) {
      const at = row + (<usize>j << 2);
      v128.store(at, f32x4.add(v128.load(at), v128.load(bias + (<usize>j << 2))));
    }
    for (; j < c; j++) {
      const at = row + (<usize>j << 2);
      store<f32>(at, load<f32>(at) + load<f32>(bias + (<usize>j << 2)));
    }
  }
}

/** out = a + b elementwise (out may alias a or b). */
export function addTensors(a: usize, b: usize, out: usize, length: i32): void {
  const n4 = length & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < length; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/**
 * row = clamp(row + bias (+ residual), lo, hi) for one row of `length` floats in one pass, where
 * a conv's epilogue took one pass each: the same sums in the same order, and the same min and max
 * (ReLU is lo 0, no activation -∞..∞, which pmax and pmin pass through untouched). residual may be 0.
 */
export function biasResidualClamp(row: usize, bias: usize, residual: usize, length: i32, lo: f32, hi: f32): void {
  const n4 = length & ~3;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let i = 0;
  if (residual) {
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const v = f32x4.add(f32x4.add(v128.load(row + o), v128.load(bias + o)), v128.load(residual + o));
      v128.store(row + o, f32x4.pmin(f32x4.pmax(v, vlo), vhi));
    }
  } else {
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(row + o, f32x4.pmin(f32x4.pmax(f32x4.add(v128.load(row + o), v128.load(bias + o)), vlo), vhi));
    }
  }
  for (; i < length; i++) {
    const o = <usize>i << 2;
    let v = load<f32>(row + o) + load<f32>(bias + o);
    if (residual) v += load<f32>(residual + o);
    store<f32>(row + o, min(max(v, lo), hi));
  }
}
