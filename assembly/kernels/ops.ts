// The cheap ops a conv's epilogue needs, on NHWC float32 tensors: bias and residual add.
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
