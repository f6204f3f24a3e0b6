// tanh in f32 by a rational approximation, four lanes at a time: the scheduler policy's
// hidden layers (src/sched/policy.ts) score every candidate stage of every node, and the
// libm-style Math.tanh took more time there than the dense layers. The approximation is
// Eigen's `generic_fast_tanh_float` (a [13/6] minimax rational on [−7.905, 7.905], where tanh
// rounds to ±1 in f32 beyond); its error is a few f32 ulps (test/sched/nn.test.ts checks it
// against Math.tanh).

@inline const CLAMP: f32 = 7.90531110763549805;

/** y = tanh(x) elementwise, approximately (|error| < 1e-6; y may alias x). */
export function nnFastTanhForward(x: usize, y: usize, len: i32): void {
  const hi = f32x4.splat(CLAMP);
  const lo = f32x4.splat(-CLAMP);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, tanh4(f32x4.max(lo, f32x4.min(hi, v128.load(x + off)))));
  }
  for (; i < len; i++) {
    const off = <usize>i << 2;
    const v = f32x4.splat(load<f32>(x + off));
    store<f32>(y + off, f32x4.extract_lane(tanh4(f32x4.max(lo, f32x4.min(hi, v))), 0));
  }
}

@inline function tanh4(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(x2, f32x4.splat(-2.76076847742355e-16)), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(5.12229709037114e-8));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(1.48572235717979e-5));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(6.37261928875436e-4));
  p = f32x4.add(f32x4.mul(x2, p), f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(x, p);
  let q = f32x4.add(f32x4.mul(x2, f32x4.splat(1.19825839466702e-6)), f32x4.splat(1.18534705686654e-4));
  q = f32x4.add(f32x4.mul(x2, q), f32x4.splat(2.26843463243900e-3));
  q = f32x4.add(f32x4.mul(x2, q), f32x4.splat(4.89352518554385e-3));
  return f32x4.div(p, q);
}
