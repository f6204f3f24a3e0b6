// The cheap ops a CNN needs between convolutions, on NHWC float32 tensors. Memory-bound, so
// they take no schedule: one SIMD pass each, scalar tails.

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

/** x = min(max(x, 0), cap) in place; cap ≤ 0 means no upper bound (ReLU), 6 gives ReLU6. */
export function relu(x: usize, length: i32, cap: f32): void {
  const lo = f32x4.splat(0);
  const bounded = cap > 0;
  const hi = f32x4.splat(cap);
  const n4 = length & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const at = x + (<usize>i << 2);
    let v = f32x4.pmax(v128.load(at), lo);
    if (bounded) v = f32x4.pmin(v, hi);
    v128.store(at, v);
  }
  for (; i < length; i++) {
    const at = x + (<usize>i << 2);
    let v = max(load<f32>(at), <f32>0);
    if (bounded) v = min(v, cap);
    store<f32>(at, v);
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
 * 2-D pooling over NHWC: kind 0 is max, kind 1 average over the taps inside the input
 * (padding excluded from the count, as ONNX AveragePool's default). Windows with no valid tap
 * write 0.
 */
export function pool2d(inp: usize, out: usize, n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, kind: i32): void {
  const c4 = c & ~3;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      const ih0 = max(0, oh * sh - padTop), ih1 = min(h, oh * sh - padTop + kh);
      for (let ow = 0; ow < wo; ow++) {
        const iw0 = max(0, ow * sw - padLeft), iw1 = min(w, ow * sw - padLeft + kw);
        const count = max(0, ih1 - ih0) * max(0, iw1 - iw0);
        const o = out + (<usize>(((b * ho + oh) * wo + ow) * c) << 2);
        const scale = f32x4.splat(count > 0 ? <f32>1 / <f32>count : 0);
        let j = 0;
        for (; j < c4; j += 4) {
          let acc = kind == 0 ? f32x4.splat(-Infinity) : f32x4.splat(0);
          for (let ih = ih0; ih < ih1; ih++) {
            for (let iw = iw0; iw < iw1; iw++) {
              const v = v128.load(inp + (<usize>(((b * h + ih) * w + iw) * c + j) << 2));
              acc = kind == 0 ? f32x4.max(acc, v) : f32x4.add(acc, v);
            }
          }
          if (count == 0) acc = f32x4.splat(0);
          else if (kind != 0) acc = f32x4.mul(acc, scale);
          v128.store(o + (<usize>j << 2), acc);
        }
        for (; j < c; j++) {
          let acc: f32 = kind == 0 ? -Infinity : 0;
          for (let ih = ih0; ih < ih1; ih++) {
            for (let iw = iw0; iw < iw1; iw++) {
              const v = load<f32>(inp + (<usize>(((b * h + ih) * w + iw) * c + j) << 2));
              acc = kind == 0 ? max(acc, v) : acc + v;
            }
          }
          if (count == 0) acc = 0;
          else if (kind != 0) acc /= <f32>count;
          store<f32>(o + (<usize>j << 2), acc);
        }
      }
    }
  }
}
