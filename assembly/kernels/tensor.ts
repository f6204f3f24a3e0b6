// The runtime's memory-bound ops: elementwise maps with broadcasting, strided copies (transpose,
// slice, concat, split, pad), pooling, reductions, softmax and normalisations. Each is one pass
// over float32 data in wasm memory, SIMD where the innermost dimension is contiguous. Shapes
// arrive already collapsed by the TypeScript planner (src/run), so kernels see at most 4
// (elementwise) or 6 (copies) dimensions with element strides, 0 for a broadcast dimension.
//
// Op codes (U_*, B_*, R_*) come from the definition both sides share (scripts/gen-shared.js).
import {
  B_ADD, B_DIV, B_MAX, B_MUL, B_POW, B_PRELU, B_SUB, R_MAX, R_MEAN, U_ABS, U_CLIP, U_ERF, U_EXP, U_HARD_SIGMOID, U_HARD_SWISH,
  U_GELU, U_LEAKY_RELU, U_LOG, U_NEG, U_RECIPROCAL, U_RELU, U_SCALE_SHIFT, U_SIGMOID, U_SILU, U_SQRT, U_TANH,
} from '../generated/shared';

// ---- unary maps -------------------------------------------------------------------------------


// erf to about 1e-7 absolute: W. J. Cody's rational approximations, evaluated in f64.
function erf64(x: f64): f64 {
  const ax = Math.abs(x);
  let r: f64;
  if (ax < 0.5) {
    const z = x * x;
    const num = (((0.185777706184603153 * z + 3.16112374387056560) * z + 113.864154151050156) * z + 377.485237685302021) * z + 3209.37758913846947;
    const den = (((z + 23.6012909523441209) * z + 244.024637934444173) * z + 1282.61652607737228) * z + 2844.23683343917062;
    return x * num / den;
  }
  if (ax < 4.0) {
    const num = (((((((5.64188496988670089e-1 * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax + 298.635138197400131) * ax +
      881.952221241769090) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725);
    const den = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax +
      3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942;
    r = 1.0 - Math.exp(-ax * ax) * num / den;
  } else {
    const z = 1.0 / (ax * ax);
    const num = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z + 1.25781726111229246e-1) * z +
      1.60837851487422766e-2) * z + 6.58749161529837803e-4;
    const den = ((((z + 2.56852019228982242) * z + 1.87295284992346047) * z + 5.27905102951428412e-1) * z + 6.05183413124413191e-2) * z +
      2.33520497626869185e-3;
    r = 1.0 - Math.exp(-ax * ax) / ax * (0.564189583547756287 - z * num / den);
  }
  return x < 0 ? -r : r;
}

// @ts-ignore: decorator
@inline function unaryScalar(v: f32, kind: i32, a: f32, b: f32): f32 {
  switch (kind) {
    case U_RELU: return max(v, <f32>0);
    case U_CLIP: return min(max(v, a), b);
    case U_SIGMOID: return <f32>(1.0 / (1.0 + Math.exp(-<f64>v)));
    case U_HARD_SIGMOID: return min(max(a * v + b, <f32>0), <f32>1);
    case U_HARD_SWISH: return v * min(max(v / 6 + <f32>0.5, <f32>0), <f32>1);
    case U_ERF: return <f32>erf64(<f64>v);
    case U_SQRT: return Mathf.sqrt(v);
    case U_TANH: return <f32>Math.tanh(<f64>v);
    case U_EXP: return <f32>Math.exp(<f64>v);
    case U_NEG: return -v;
    case U_ABS: return Mathf.abs(v);
    case U_RECIPROCAL: return <f32>1 / v;
    case U_LEAKY_RELU: return v < 0 ? v * a : v;
    case U_LOG: return <f32>Math.log(<f64>v);
    case U_SCALE_SHIFT: return v * a + b;
    case U_SILU: return <f32>(<f64>v / (1.0 + Math.exp(-<f64>v)));
    case U_GELU: return <f32>(0.5 * <f64>v * (1.0 + erf64(<f64>v * Math.SQRT1_2)));
    default: return v;
  }
}

// e^x for four lanes, to about 2 ulp: x = n·ln2 + r with |r| ≤ ln2/2, e^r by Cephes' degree-6
// polynomial, 2^n built in the exponent bits. Inputs are clamped to the finite range of f32.
// Its constants are v128 constants: in mapLong's four copies V8 builds each once, where four
// splatting loads of a table (one per copy, all placed ahead of the arithmetic) spilled.
// @ts-ignore: decorator
@inline function expV(x: v128): v128 {
  const v = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.33654)), f32x4.splat(88.72283));
  // n = round(v·log2 e) by adding 1.5·2^23, which leaves n in the low mantissa bits of t (|n| ≤ 128).
  const t = f32x4.add(f32x4.mul(v, f32x4.splat(1.44269504088896341)), f32x4.splat(12582912));
  const n = f32x4.sub(t, f32x4.splat(12582912));
  let r = f32x4.sub(v, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2^n: n + 127 in the exponent field (n ≥ -126 after the clamp, so the scale stays normal);
  // t's bits are 0x4B400000 + n, and the shift drops the bits above n's.
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}

// erf for four lanes, to a few ulp: x clamped to [-4, 4] (erf is ±1 in f32 past it), then an
// odd rational function, x·P(x²)/Q(x²) of degrees 13 and 8 in x (a minimax fit, as Eigen's
// float erf uses).
// @ts-ignore: decorator
@inline function erfV(v: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(v, f32x4.splat(-4)), f32x4.splat(4));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.72614225801306e-10);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.77068142495902e-08));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-2.10102402082508e-06));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-5.69250639462346e-05));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-7.34990630326855e-04));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-2.95459980854025e-03));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-1.60960333262415e-02));
  let q = f32x4.splat(-1.45660718464996e-05);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-2.13374055278905e-04));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-1.68282697438203e-03));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-7.37332916720468e-03));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-1.42647390514189e-02));
  return f32x4.div(f32x4.mul(x, p), q);
}

// @ts-ignore: decorator
@inline function sigmoidV(v: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.neg(v))));
}

// The maps whose vector form is a long chain of dependent operations: on one vector at a time
// the core waited on each chain in turn, on four it overlaps them (SiLU, sigmoid and e^x 1.5×
// faster in rows of 96). `kind` is a constant at every call, so each inlined copy keeps one op.
// @ts-ignore: decorator
@inline function longV(v: v128, kind: i32): v128 {
  if (kind == U_SIGMOID) return sigmoidV(v);
  if (kind == U_SILU) return f32x4.mul(v, sigmoidV(v));
  if (kind == U_EXP) return expV(v);
  if (kind == U_ERF) return erfV(v);
  // U_GELU: x·Φ(x) = 0.5·x·(1 + erf(x/√2)), PyTorch's exact GELU.
  return f32x4.mul(f32x4.mul(f32x4.splat(0.5), v), f32x4.add(f32x4.splat(1), erfV(f32x4.mul(v, f32x4.splat(0.7071067811865476)))));
}

/** Maps the whole vectors of x (out may alias it) four at a time, then one; returns where they end. */
// @ts-ignore: decorator
@inline function mapLong(x: usize, out: usize, length: i32, kind: i32): i32 {
  let i = 0;
  for (; i + 16 <= length; i += 16) {
    const at = <usize>i << 2;
    const v0 = v128.load(x + at), v1 = v128.load(x + at, 16), v2 = v128.load(x + at, 32), v3 = v128.load(x + at, 48);
    v128.store(out + at, longV(v0, kind));
    v128.store(out + at, longV(v1, kind), 16);
    v128.store(out + at, longV(v2, kind), 32);
    v128.store(out + at, longV(v3, kind), 48);
  }
  for (; i + 4 <= length; i += 4) v128.store(out + (<usize>i << 2), longV(v128.load(x + (<usize>i << 2)), kind));
  return i;
}

/** out[i] = f(x[i]) for `length` floats (out may alias x); a and b are the op's parameters. */
export function unaryMap(x: usize, out: usize, length: i32, kind: i32, a: f32, b: f32): void {
  let i = 0;
  const n4 = length & ~3;
  // One loop per map, so the choice is made once per call, not once per vector.
  if (kind == U_RELU) {
    const zero = f32x4.splat(0);
    for (; i < n4; i += 4) v128.store(out + (<usize>i << 2), f32x4.pmax(v128.load(x + (<usize>i << 2)), zero));
  } else if (kind == U_CLIP) {
    const lo = f32x4.splat(a), hi = f32x4.splat(b);
    for (; i < n4; i += 4) v128.store(out + (<usize>i << 2), f32x4.pmin(f32x4.pmax(v128.load(x + (<usize>i << 2)), lo), hi));
  } else if (kind == U_SIGMOID) i = mapLong(x, out, length, U_SIGMOID);
  else if (kind == U_SILU) i = mapLong(x, out, length, U_SILU);
  else if (kind == U_EXP) i = mapLong(x, out, length, U_EXP);
  else if (kind == U_ERF) i = mapLong(x, out, length, U_ERF);
  else if (kind == U_GELU) i = mapLong(x, out, length, U_GELU);
  else if (kind == U_HARD_SIGMOID || kind == U_HARD_SWISH || kind == U_NEG || kind == U_SCALE_SHIFT || kind == U_SQRT) {
    const va = f32x4.splat(a), vb = f32x4.splat(b);
    const zero = f32x4.splat(0), one = f32x4.splat(1), six = f32x4.splat(6), half = f32x4.splat(0.5);
    for (; i < n4; i += 4) {
      const at = <usize>i << 2;
      const v = v128.load(x + at);
      let r: v128;
      if (kind == U_HARD_SIGMOID) r = f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(va, v), vb), zero), one);
      else if (kind == U_HARD_SWISH) r = f32x4.mul(v, f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.div(v, six), half), zero), one));
      else if (kind == U_NEG) r = f32x4.neg(v);
      else if (kind == U_SQRT) r = f32x4.sqrt(v);
      else r = f32x4.add(f32x4.mul(v, va), vb);
      v128.store(out + at, r);
    }
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, unaryScalar(load<f32>(x + at), kind, a, b));
  }
}

// ---- binary maps with broadcasting ---------------------------------------------------------------


// @ts-ignore: decorator
@inline function binaryScalar(x: f32, y: f32, kind: i32): f32 {
  switch (kind) {
    case B_ADD: return x + y;
    case B_SUB: return x - y;
    case B_MUL: return x * y;
    case B_DIV: return x / y;
    case B_MAX: return max(x, y);
    case B_PRELU: return x < 0 ? x * y : x;
    default: return min(x, y);
  }
}

// @ts-ignore: decorator
@inline function binaryVector(x: v128, y: v128, kind: i32): v128 {
  switch (kind) {
    case B_ADD: return f32x4.add(x, y);
    case B_SUB: return f32x4.sub(x, y);
    case B_MUL: return f32x4.mul(x, y);
    case B_DIV: return f32x4.div(x, y);
    case B_MAX: return f32x4.max(x, y);
    // x where x ≥ 0 (or NaN), else x·slope, as the scalar form.
    case B_PRELU: return v128.bitselect(f32x4.mul(x, y), x, f32x4.lt(x, f32x4.splat(0)));
    default: return f32x4.min(x, y);
  }
}

/**
 * out[i0][i1][i2][i3] = a[i·sa] ∘ b[i·sb] over a contiguous output of d0×d1×d2×d3, where sa and sb
 * are element strides per dimension (0 broadcasts). The innermost loop runs 4 lanes at a time
 * when both operands are contiguous or constant along it.
 */
export function binaryMap(a: usize, b: usize, out: usize, kind: i32,
  d0: i32, d1: i32, d2: i32, d3: i32,
  sa0: i32, sa1: i32, sa2: i32, sa3: i32,
  sb0: i32, sb1: i32, sb2: i32, sb3: i32): void {
  if (kind != B_POW) return binaryRows(a, b, out, kind, 0, d0 * d1 * d2, d1, d2, d3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3);
  // Pow takes f64's Math.pow, whose scratch global no helper thread may touch: here alone, a float at a time.
  let o = out;
  for (let i0 = 0; i0 < d0; i0++) for (let i1 = 0; i1 < d1; i1++) for (let i2 = 0; i2 < d2; i2++) for (let i3 = 0; i3 < d3; i3++) {
    const x = load<f32>(a + (<usize>(i0 * sa0 + i1 * sa1 + i2 * sa2 + i3 * sa3) << 2));
    const y = load<f32>(b + (<usize>(i0 * sb0 + i1 * sb1 + i2 * sb2 + i3 * sb3) << 2));
    store<f32>(o, y == 2 ? x * x : <f32>Math.pow(<f64>x, <f64>y));
    o += 4;
  }
}

/**
 * Part `part` of `parts` of binaryMap (any kind but pow), whose arguments are 16 i32 at `args`
 * (a, b, out, kind, then the dims and each operand's strides); parts take rows of the outer three dims.
 */
export function binaryRun(args: usize, part: i32, parts: i32): void {
  const d0 = load<i32>(args, 16), d1 = load<i32>(args, 20), d2 = load<i32>(args, 24);
  const rows = d0 * d1 * d2;
  binaryRows(<usize>load<u32>(args), <usize>load<u32>(args, 4), <usize>load<u32>(args, 8), load<i32>(args, 12),
    <i32>(<i64>rows * part / parts), <i32>(<i64>rows * (part + 1) / parts), d1, d2, load<i32>(args, 28),
    load<i32>(args, 32), load<i32>(args, 36), load<i32>(args, 40), load<i32>(args, 44),
    load<i32>(args, 48), load<i32>(args, 52), load<i32>(args, 56), load<i32>(args, 60));
}

// binaryMap over rows r0 … r1 − 1 of d0·d1·d2, each a run of d3 outputs.
// @ts-ignore: decorator
@inline function binaryRows(a: usize, b: usize, out: usize, kind: i32, r0: i32, r1: i32, d1: i32, d2: i32, d3: i32,
  sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32): void {
  const vector = (sa3 == 1 || sa3 == 0) && (sb3 == 1 || sb3 == 0);
  const d34 = vector ? d3 & ~3 : 0;
  for (let r = r0; r < r1; r++) {
    const i2 = r % d2, i01 = r / d2, i1 = i01 % d1, i0 = i01 / d1;
    const pa = a + (<usize>(i0 * sa0 + i1 * sa1 + i2 * sa2) << 2);
    const pb = b + (<usize>(i0 * sb0 + i1 * sb1 + i2 * sb2) << 2);
    const o = out + (<usize>r * <usize>d3 << 2);
    let i3 = 0;
    if (vector) {
      const ca = sa3 == 0 ? v128.load32_splat(pa) : f32x4.splat(0);
      const cb = sb3 == 0 ? v128.load32_splat(pb) : f32x4.splat(0);
      for (; i3 < d34; i3 += 4) {
        const x = sa3 == 0 ? ca : v128.load(pa + (<usize>i3 << 2));
        const y = sb3 == 0 ? cb : v128.load(pb + (<usize>i3 << 2));
        v128.store(o + (<usize>i3 << 2), binaryVector(x, y, kind));
      }
    }
    for (; i3 < d3; i3++) {
      const x = load<f32>(pa + (<usize>(i3 * sa3) << 2));
      const y = load<f32>(pb + (<usize>(i3 * sb3) << 2));
      store<f32>(o + (<usize>i3 << 2), binaryScalar(x, y, kind));
    }
  }
}

// ---- strided copies ------------------------------------------------------------------------------

/**
 * dst[Σ i·dd] = src[Σ i·ds] over a 6-D index space (dims in `dims`, element strides of source
 * and destination in `srcStrides`, `dstStrides`: three i32 arrays of 6 in wasm memory).
 * Transpose, slice, concat (each input into its window), split and pad are this one loop.
 */
export function stridedCopy(src: usize, dst: usize, dims: usize, srcStrides: usize, dstStrides: usize): void {
  const n0 = load<i32>(dims), n1 = load<i32>(dims, 4), n2 = load<i32>(dims, 8), n3 = load<i32>(dims, 12), n4 = load<i32>(dims, 16), n5 = load<i32>(dims, 20);
  const s0 = load<i32>(srcStrides), s1 = load<i32>(srcStrides, 4), s2 = load<i32>(srcStrides, 8), s3 = load<i32>(srcStrides, 12), s4 = load<i32>(srcStrides, 16), s5 = load<i32>(srcStrides, 20);
  const t0 = load<i32>(dstStrides), t1 = load<i32>(dstStrides, 4), t2 = load<i32>(dstStrides, 8), t3 = load<i32>(dstStrides, 12), t4 = load<i32>(dstStrides, 16), t5 = load<i32>(dstStrides, 20);
  const contiguous = s5 == 1 && t5 == 1;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++) {
        for (let i3 = 0; i3 < n3; i3++) {
          for (let i4 = 0; i4 < n4; i4++) {
            const ps = src + (<usize>(i0 * s0 + i1 * s1 + i2 * s2 + i3 * s3 + i4 * s4) << 2);
            const pd = dst + (<usize>(i0 * t0 + i1 * t1 + i2 * t2 + i3 * t3 + i4 * t4) << 2);
            if (contiguous) {
              memory.copy(pd, ps, <usize>n5 << 2);
            } else {
              for (let i5 = 0; i5 < n5; i5++) store<f32>(pd + (<usize>(i5 * t5) << 2), load<f32>(ps + (<usize>(i5 * s5) << 2)));
            }
          }
        }
      }
    }
  }
}

/**
 * A channel shuffle of two groups (ShuffleNet's), per pixel: dst[2j] = a[j] and dst[2j + 1] = b[j]
 * for j < k, over `pixels` pixels whose rows start aStride, bStride and dstStride floats apart.
 * stridedCopy would move one float per call here; this moves four pairs per two shuffles.
 */
export function interleavePairs(a: usize, b: usize, dst: usize, pixels: i32, k: i32, aStride: i32, bStride: i32, dstStride: i32): void {
  const k4 = k & ~3;
  for (let p = 0; p < pixels; p++) {
    const pa = a + (<usize>(p * aStride) << 2), pb = b + (<usize>(p * bStride) << 2), pd = dst + (<usize>(p * dstStride) << 2);
    let j = 0;
    for (; j < k4; j += 4) {
      const va = v128.load(pa + (<usize>j << 2)), vb = v128.load(pb + (<usize>j << 2));
      v128.store(pd + (<usize>j << 3), v128.shuffle<f32>(va, vb, 0, 4, 1, 5));
      v128.store(pd + (<usize>j << 3), v128.shuffle<f32>(va, vb, 2, 6, 3, 7), 16);
    }
    for (; j < k; j++) {
      store<f32>(pd + (<usize>j << 3), load<f32>(pa + (<usize>j << 2)));
      store<f32>(pd + (<usize>j << 3), load<f32>(pb + (<usize>j << 2)), 4);
    }
  }
}

/** dst[i] = value for `length` floats. */
export function fillF32(dst: usize, length: i32, value: f32): void {
  const v = f32x4.splat(value);
  const n4 = length & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(dst + (<usize>i << 2), v);
  for (; i < length; i++) store<f32>(dst + (<usize>i << 2), value);
}

/**
 * Zeroes the subnormal floats of `length` at x in place. Packed weights pass through here: a
 * subnormal operand sends every multiply it meets down the CPU's slow path (a depthwise layer
 * on subnormal data ran 80× slower), and wasm cannot set flush-to-zero. The values lost are
 * below 1.2e-38.
 */
export function flushSubnormals(x: usize, length: i32): void {
  const smallest = f32x4.splat(1.17549435e-38); // the least normal float
  const n4 = length & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const at = x + (<usize>i << 2);
    const v = v128.load(at);
    v128.store(at, v128.and(v, f32x4.ge(f32x4.abs(v), smallest)));
  }
  for (; i < length; i++) {
    const at = x + (<usize>i << 2);
    if (Mathf.abs(load<f32>(at)) < 1.17549435e-38) store<f32>(at, 0);
  }
}

// ---- pooling ---------------------------------------------------------------------------------------

/**
 * Part `part` of `parts` of max (kind 0) or average (kind 1) pooling over NHWC, as ONNX and
 * PyTorch define it, ceil_mode included (the planner gives ho, wo); parts take output rows. The
 * arguments are 20 i32 at `args`: inp, out, n, h, w, c, ho, wo, kh, kw, sh, sw, padTop, padLeft,
 * padBottom, padRight, dh, dw, kind, countPad. Average divides by the taps inside the input, or
 * with `countPad` by the window clipped to the padded input (h + padBottom, w + padRight), as
 * count_include_pad does. Dilation applies to max pooling. A window with no tap inside the input writes 0.
 */
export function poolRun(args: usize, part: i32, parts: i32): void {
  const inp = <usize>load<u32>(args), out = <usize>load<u32>(args, 4);
  const h = load<i32>(args, 12), w = load<i32>(args, 16), c = load<i32>(args, 20);
  const ho = load<i32>(args, 24), wo = load<i32>(args, 28), kh = load<i32>(args, 32), kw = load<i32>(args, 36);
  const sh = load<i32>(args, 40), sw = load<i32>(args, 44), padTop = load<i32>(args, 48), padLeft = load<i32>(args, 52);
  const padBottom = load<i32>(args, 56), padRight = load<i32>(args, 60), dh = load<i32>(args, 64), dw = load<i32>(args, 68);
  const kind = load<i32>(args, 72), countPad = load<i32>(args, 76);
  const rows = load<i32>(args, 8) * ho;
  const c4 = c & ~3;
  const rowLo = <i32>(<i64>rows * part / parts), rowHi = <i32>(<i64>rows * (part + 1) / parts);
  for (let row = rowLo; row < rowHi; row++) {
    const b = row / ho, oh = row - b * ho;
    const hs = oh * sh - padTop;
    // The taps of this row inside the input, found once: r0 ≤ r < r1 (dilation dh).
    const r0 = hs >= 0 ? 0 : (-hs + dh - 1) / dh;
    const r1 = min(kh, (h - hs + dh - 1) / dh);
    for (let ow = 0; ow < wo; ow++) {
      const ws = ow * sw - padLeft;
      const s0 = ws >= 0 ? 0 : (-ws + dw - 1) / dw;
      const s1 = min(kw, (w - ws + dw - 1) / dw);
      const o = out + (<usize>(((b * ho + oh) * wo + ow) * c) << 2);
      // A window with no tap inside the input (only possible with pads as large as the kernel) writes 0.
      if (r0 >= r1 || s0 >= s1) {
        memory.fill(o, 0, <usize>c << 2);
        continue;
      }
      let scale: f32 = 1;
      if (kind != 0) {
        const he = min(hs + kh, h + padBottom), we = min(ws + kw, w + padRight);
        const count = countPad != 0
          ? (he - hs) * (we - ws)
          : (min(he, h) - max(hs, 0)) * (min(we, w) - max(ws, 0));
        scale = count > 0 ? <f32>1 / <f32>count : 0;
      }
      const base = inp + (<usize>((b * h + hs) * w + ws) * <usize>c << 2);
      const rowStep = <usize>(dh * w * c) << 2;
      const colStep = <usize>(dw * c) << 2;
      // Tap by tap over the whole channel row (long SIMD runs, the output row staying in
      // cache): the first tap is copied, the others folded in, in the window's row-major order.
      let first = true;
      for (let r = r0; r < r1; r++) {
        let p = base + <usize>r * rowStep + <usize>s0 * colStep;
        for (let s = s0; s < s1; s++, p += colStep) {
          if (first) {
            memory.copy(o, p, <usize>c << 2);
            first = false;
          } else if (kind == 0) {
            poolFold(o, p, c, true);
          } else {
            poolFold(o, p, c, false);
          }
        }
      }
      if (kind != 0) {
        const vscale = f32x4.splat(scale);
        let j = 0;
        for (; j < c4; j += 4) v128.store(o + (<usize>j << 2), f32x4.mul(v128.load(o + (<usize>j << 2)), vscale));
        for (; j < c; j++) store<f32>(o + (<usize>j << 2), load<f32>(o + (<usize>j << 2)) * scale);
      }
    }
  }
}

// o[j] = max(o[j], p[j]) (or o[j] + p[j]) over a row of c floats.
// @ts-ignore: decorator
@inline function poolFold(o: usize, p: usize, c: i32, isMax: bool): void {
  const c16 = c & ~15, c4 = c & ~3;
  let j = 0;
  for (; j < c16; j += 16) {
    const at = <usize>j << 2;
    const x0 = v128.load(o + at), x1 = v128.load(o + at, 16), x2 = v128.load(o + at, 32), x3 = v128.load(o + at, 48);
    const y0 = v128.load(p + at), y1 = v128.load(p + at, 16), y2 = v128.load(p + at, 32), y3 = v128.load(p + at, 48);
    v128.store(o + at, isMax ? f32x4.max(x0, y0) : f32x4.add(x0, y0));
    v128.store(o + at, isMax ? f32x4.max(x1, y1) : f32x4.add(x1, y1), 16);
    v128.store(o + at, isMax ? f32x4.max(x2, y2) : f32x4.add(x2, y2), 32);
    v128.store(o + at, isMax ? f32x4.max(x3, y3) : f32x4.add(x3, y3), 48);
  }
  for (; j < c4; j += 4) {
    const at = <usize>j << 2;
    v128.store(o + at, isMax ? f32x4.max(v128.load(o + at), v128.load(p + at)) : f32x4.add(v128.load(o + at), v128.load(p + at)));
  }
  for (; j < c; j++) {
    const at = <usize>j << 2;
    store<f32>(o + at, isMax ? max(load<f32>(o + at), load<f32>(p + at)) : load<f32>(o + at) + load<f32>(p + at));
  }
}

// ---- reductions, softmax, normalisation ------------------------------------------------------------


// Channels-last reductions (global pooling over NHWC): rows of `inner` floats added in f32 into
// the output, which stays in cache while the input streams once (a walk down each column of four
// channels took EfficientNet-B0's pools 0.53 ms, this 0.33); each output adds its rows in order,
// as that walk did, so the same bits.
// @ts-ignore: decorator
@inline function sumRows(x: usize, out: usize, outer: i32, n: i32, inner: i32, kind: i32): void {
  const scale: f32 = kind == R_MEAN ? <f32>1 / <f32>n : 1;
  const inner4 = inner & ~3;
  for (let o = 0; o < outer; o++) {
    const base = x + (<usize>o * <usize>n * <usize>inner << 2);
    const dst = out + (<usize>o * <usize>inner << 2);
    memory.fill(dst, 0, <usize>inner << 2);
    for (let r = 0; r < n; r++) {
      const row = base + (<usize>r * <usize>inner << 2);
      let i = 0;
      for (; i < inner4; i += 4) v128.store(dst + (<usize>i << 2), f32x4.add(v128.load(dst + (<usize>i << 2)), v128.load(row + (<usize>i << 2))));
      for (; i < inner; i++) store<f32>(dst + (<usize>i << 2), load<f32>(dst + (<usize>i << 2)) + load<f32>(row + (<usize>i << 2)));
    }
    let i = 0;
    for (; i < inner4; i += 4) v128.store(dst + (<usize>i << 2), f32x4.mul(v128.load(dst + (<usize>i << 2)), f32x4.splat(scale)));
    for (; i < inner; i++) store<f32>(dst + (<usize>i << 2), load<f32>(dst + (<usize>i << 2)) * scale);
  }
}

/**
 * out[o][i] = reduce over r of x[o][r][i] for an [outer][n][inner] view (mean, sum or max).
 * Channels-last sums take sumRows; the others accumulate in f64 per output, so long reductions
 * stay exact to float precision.
 */
export function reduceMiddle(x: usize, out: usize, outer: i32, n: i32, inner: i32, kind: i32): void {
  if (inner >= 4 && kind != R_MAX) return sumRows(x, out, outer, n, inner, kind);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = x + (<usize>(o * n * inner + i) << 2);
      let acc: f64 = kind == R_MAX ? -Infinity : 0;
      for (let r = 0; r < n; r++) {
        const v = <f64>load<f32>(base + (<usize>(r * inner) << 2));
        acc = kind == R_MAX ? max(acc, v) : acc + v;
      }
      if (kind == R_MEAN) acc /= <f64>n;
      store<f32>(out + (<usize>(o * inner + i) << 2), <f32>acc);
    }
  }
}

/** Softmax (log = 0) or log-softmax (log = 1) along the middle axis of an [outer][n][inner] view. */
export function softmaxMiddle(x: usize, out: usize, outer: i32, n: i32, inner: i32, log: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = <usize>(o * n * inner + i);
      let m: f32 = -Infinity;
      for (let r = 0; r < n; r++) m = max(m, load<f32>(x + (base + <usize>(r * inner) << 2)));
      let sum: f64 = 0;
      for (let r = 0; r < n; r++) sum += Math.exp(<f64>(load<f32>(x + (base + <usize>(r * inner) << 2)) - m));
      const logSum = Math.log(sum);
      for (let r = 0; r < n; r++) {
        const at = base + <usize>(r * inner) << 2;
        const z = <f64>(load<f32>(x + at) - m);
        store<f32>(out + at, <f32>(log != 0 ? z - logSum : Math.exp(z) / sum));
      }
    }
  }
}

/**
 * out[o][c][i] = clamp(x[o][c][i]·scale[c] + shift[c], lo, hi) over an [outer][c][inner] view:
 * inference BatchNormalization after folding its statistics (shift may be 0 for a plain scale),
 * with a ReLU or Clip after it as the clamp (lo −∞ and hi +∞ for none; the same pseudo-min and
 * -max as those maps). Channels last (inner 1), x's pixels may lie xStride ≥ c floats apart: a
 * channel prefix of a wider tensor (DenseNet's features so far).
 */
export function channelAffine(x: usize, scale: usize, shift: usize, out: usize, outer: i32, c: i32, inner: i32, xStride: i32, lo: f32, hi: f32): void {
  affineRows(x, scale, shift, out, 0, outer, c, inner, xStride, lo, hi);
}

/**
 * Part `part` of `parts` of channelAffine, whose arguments are 10 words at `args` (x, scale,
 * shift, out, outer, c, inner, xStride as i32, then lo and hi as f32); parts take rows of `outer`.
 */
export function affineRun(args: usize, part: i32, parts: i32): void {
  const outer = load<i32>(args, 16);
  affineRows(<usize>load<u32>(args), <usize>load<u32>(args, 4), <usize>load<u32>(args, 8), <usize>load<u32>(args, 12),
    <i32>(<i64>outer * part / parts), <i32>(<i64>outer * (part + 1) / parts),
    load<i32>(args, 20), load<i32>(args, 24), load<i32>(args, 28), load<f32>(args, 32), load<f32>(args, 36));
}

// channelAffine over rows o0 … o1 − 1 of outer.
// @ts-ignore: decorator
@inline function affineRows(x: usize, scale: usize, shift: usize, out: usize, o0: i32, o1: i32, c: i32, inner: i32, xStride: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  if (inner == 1) {
    // Channels last: each pixel's row of c channels against the scale and shift vectors.
    const c4 = c & ~3;
    for (let o = o0; o < o1; o++) {
      const row = <usize>(o * c) << 2, from = x + (<usize>o * <usize>xStride << 2);
      let ch = 0;
      for (; ch < c4; ch += 4) {
        const at = <usize>ch << 2;
        const y = f32x4.add(f32x4.mul(v128.load(from + at), v128.load(scale + at)), v128.load(shift + at));
        v128.store(out + row + at, f32x4.pmin(f32x4.pmax(y, vlo), vhi));
      }
      for (; ch < c; ch++) {
        const at = <usize>ch << 2;
        store<f32>(out + row + at, min(max(load<f32>(from + at) * load<f32>(scale + at) + load<f32>(shift + at), lo), hi));
      }
    }
    return;
  }
  const inner4 = inner & ~3;
  for (let o = o0; o < o1; o++) {
    for (let ch = 0; ch < c; ch++) {
      const s = load<f32>(scale + (<usize>ch << 2)), t = load<f32>(shift + (<usize>ch << 2));
      const vs = f32x4.splat(s), vt = f32x4.splat(t);
      const row = <usize>((o * c + ch) * inner) << 2;
      let i = 0;
      for (; i < inner4; i += 4) {
        const y = f32x4.add(f32x4.mul(v128.load(x + row + (<usize>i << 2)), vs), vt);
        v128.store(out + row + (<usize>i << 2), f32x4.pmin(f32x4.pmax(y, vlo), vhi));
      }
      for (; i < inner; i++) store<f32>(out + row + (<usize>i << 2), min(max(load<f32>(x + row + (<usize>i << 2)) * s + t, lo), hi));
    }
  }
}

// The upper two floats of v as f64x2.
// @ts-ignore: decorator
@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1));
}

// The sum of the four f64 lanes of a and b.
// @ts-ignore: decorator
@inline function laneSum(a: v128, b: v128): f64 {
  const s = f64x2.add(a, b);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/**
 * LayerNormalization over the last axis of `rows` rows of n floats: (x − mean) / sqrt(var + eps)
 * · scale + bias (bias 0 for none), statistics in f64. Four floats at a time as two f64x2 halves
 * (the scalar loop's add chains made ConvNeXt's 96-channel rows 3 ns a float); each output is
 * the scalar formula's, rounded the same way.
 */
export function layerNorm(x: usize, scale: usize, bias: usize, out: usize, rows: i32, n: i32, eps: f32): void {
  const n4 = n & ~3;
  for (let r = 0; r < rows; r++) {
    const p = x + (<usize>(r * n) << 2), q = out + (<usize>(r * n) << 2);
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    let i = 0;
    for (; i < n4; i += 4) {
      const v = v128.load(p + (<usize>i << 2));
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, promoteHigh(v));
    }
    let sum = laneSum(lo, hi);
    for (; i < n; i++) sum += <f64>load<f32>(p + (<usize>i << 2));
    const mean = sum / <f64>n;
    const vmean = f64x2.splat(mean);
    lo = f64x2.splat(0); hi = f64x2.splat(0);
    for (i = 0; i < n4; i += 4) {
      const v = v128.load(p + (<usize>i << 2));
      const dl = f64x2.sub(f64x2.promote_low_f32x4(v), vmean), dh = f64x2.sub(promoteHigh(v), vmean);
      lo = f64x2.add(lo, f64x2.mul(dl, dl));
      hi = f64x2.add(hi, f64x2.mul(dh, dh));
    }
    let sq = laneSum(lo, hi);
    for (; i < n; i++) {
      const d = <f64>load<f32>(p + (<usize>i << 2)) - mean;
      sq += d * d;
    }
    const inv = 1.0 / Math.sqrt(sq / <f64>n + <f64>eps);
    const vinv = f64x2.splat(inv);
    for (i = 0; i < n4; i += 4) {
      const at = <usize>i << 2;
      const v = v128.load(p + at);
      const yl = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), vmean), vinv));
      const yh = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.sub(promoteHigh(v), vmean), vinv));
      const y = f32x4.mul(f32x4.shuffle(yl, yh, 0, 1, 4, 5), v128.load(scale + at));
      // Without a bias, + 0 as the scalar form adds it (a −0 becomes +0).
      v128.store(q + at, f32x4.add(y, bias != 0 ? v128.load(bias + at) : f32x4.splat(0)));
    }
    for (; i < n; i++) {
      const at = <usize>i << 2;
      const y = <f32>((<f64>load<f32>(p + at) - mean) * inv);
      store<f32>(q + at, y * load<f32>(scale + at) + (bias != 0 ? load<f32>(bias + at) : 0));
    }
  }
}

// @ts-ignore: decorator
@inline function lrnScalar(row: usize, dst: usize, ch: i32, c: i32, lo: i32, hi: i32, k: f32, beta: f32, bias: f32): void {
  let sum: f32 = 0;
  for (let j = max(0, ch - lo); j <= min(c - 1, ch + hi); j++) {
    const v = load<f32>(row + (<usize>j << 2));
    sum += v * v;
  }
  const base = bias + k * sum;
  const t = Mathf.sqrt(base);
  const denominator = beta == 0.75 ? t * Mathf.sqrt(t) : Mathf.pow(base, beta);
  store<f32>(dst + (<usize>ch << 2), load<f32>(row + (<usize>ch << 2)) / denominator);
}

/**
 * LRN across the c channels of each of `pixels` channels-last pixels: x / (bias + k · Σ x²)^beta,
 * k = alpha / size, the sum over the channels ch − ⌊(size − 1) / 2⌋ … ch + ⌈(size − 1) / 2⌉ that
 * exist. With beta 0.75 (AlexNet's and GoogLeNet's) the power is two square roots, and channels
 * whose window lies inside run four at a time; any other beta takes a pow a channel.
 */
export function lrnChannels(x: usize, out: usize, pixels: i32, c: i32, size: i32, alpha: f32, beta: f32, bias: f32): void {
  const lo = (size - 1) >> 1, hi = size - 1 - lo;
  const k = alpha / <f32>size;
  // Four channels from ch (≥ lo) while ch + 3 + hi < c: their windows lie inside.
  const vectorEnd = beta == 0.75 ? c - hi - 3 : 0;
  const vk = f32x4.splat(k), vbias = f32x4.splat(bias);
  for (let p = 0; p < pixels; p++) {
    const row = x + (<usize>p * <usize>c << 2), dst = out + (<usize>p * <usize>c << 2);
    let ch = 0;
    for (; ch < min(lo, c); ch++) lrnScalar(row, dst, ch, c, lo, hi, k, beta, bias);
    for (; ch < vectorEnd; ch += 4) {
      let sum = f32x4.splat(0);
      for (let j = 0; j < size; j++) {
        const v = v128.load(row + (<usize>(ch - lo + j) << 2));
        sum = f32x4.add(sum, f32x4.mul(v, v));
      }
      const t = f32x4.sqrt(f32x4.add(vbias, f32x4.mul(vk, sum)));
      v128.store(dst + (<usize>ch << 2), f32x4.div(v128.load(row + (<usize>ch << 2)), f32x4.mul(t, f32x4.sqrt(t))));
    }
    for (; ch < c; ch++) lrnScalar(row, dst, ch, c, lo, hi, k, beta, bias);
  }
}

/**
 * InstanceNormalization over channels-last images: for each of n images and each of its c
 * channels, (x − mean) / sqrt(var + eps) · scale[ch] + bias[ch], the statistics over the image's
 * `pixels` in f64 (each output rounded as layerNorm's). `stats` is scratch for 2c f64: the
 * channels' means, then their inverse deviations. The sums take four channels at a time.
 */
export function instanceNormChannelsLast(x: usize, scale: usize, bias: usize, out: usize, stats: usize, n: i32, pixels: i32, c: i32, eps: f32): void {
  const c4 = c & ~3;
  const mean = stats, inv = stats + (<usize>c << 3);
  for (let img = 0; img < n; img++) {
    const base = x + (<usize>img * <usize>pixels * <usize>c << 2), dst = out + (<usize>img * <usize>pixels * <usize>c << 2);
    memory.fill(stats, 0, <usize>c << 4);
    for (let p = 0; p < pixels; p++) {
      const row = base + (<usize>p * <usize>c << 2);
      let ch = 0;
      for (; ch < c4; ch += 4) {
        const v = v128.load(row + (<usize>ch << 2)), m = mean + (<usize>ch << 3);
        v128.store(m, f64x2.add(v128.load(m), f64x2.promote_low_f32x4(v)));
        v128.store(m, f64x2.add(v128.load(m, 16), promoteHigh(v)), 16);
      }
      for (; ch < c; ch++) store<f64>(mean + (<usize>ch << 3), load<f64>(mean + (<usize>ch << 3)) + <f64>load<f32>(row + (<usize>ch << 2)));
    }
    for (let ch = 0; ch < c; ch++) store<f64>(mean + (<usize>ch << 3), load<f64>(mean + (<usize>ch << 3)) / <f64>pixels);
    for (let p = 0; p < pixels; p++) {
      const row = base + (<usize>p * <usize>c << 2);
      for (let ch = 0; ch < c; ch++) {
        const d = <f64>load<f32>(row + (<usize>ch << 2)) - load<f64>(mean + (<usize>ch << 3));
        store<f64>(inv + (<usize>ch << 3), load<f64>(inv + (<usize>ch << 3)) + d * d);
      }
    }
    for (let ch = 0; ch < c; ch++) store<f64>(inv + (<usize>ch << 3), 1.0 / Math.sqrt(load<f64>(inv + (<usize>ch << 3)) / <f64>pixels + <f64>eps));
    for (let p = 0; p < pixels; p++) {
      const at = <usize>p * <usize>c << 2;
      for (let ch = 0; ch < c; ch++) {
        const k = <usize>ch << 2, s = <usize>ch << 3;
        const y = <f32>((<f64>load<f32>(base + at + k) - load<f64>(mean + s)) * load<f64>(inv + s));
        store<f32>(dst + at + k, y * load<f32>(scale + k) + load<f32>(bias + k));
      }
    }
  }
}

// ---- gathers and selects ---------------------------------------------------------------------------

/**
 * dst[o][j][i] = src[o][idx[j]][i] over an [outer][dim][inner] source and an [outer][count][inner]
 * destination; a negative index writes `fill` instead. The index table holds whole numbers as f32
 * (exact below 2^24), planned once per session: Gather, Resize's nearest taps along one axis, and
 * Pad's edge, reflect and crop along one axis are all this loop.
 */
export function gatherRows(src: usize, dst: usize, idx: usize, outer: i32, dim: i32, count: i32, inner: i32, fill: f32): void {
  const rowBytes = <usize>inner << 2;
  let d = dst;
  for (let o = 0; o < outer; o++) {
    const base = src + <usize>o * <usize>dim * rowBytes;
    for (let j = 0; j < count; j++) {
      const k = <i32>load<f32>(idx + (<usize>j << 2));
      if (k < 0) {
        fillF32(d, inner, fill);
      } else if (inner == 1) {
        store<f32>(d, load<f32>(base + (<usize>k << 2)));
      } else {
        memory.copy(d, base + <usize>k * rowBytes, rowBytes);
      }
      d += rowBytes;
    }
  }
}

/**
 * out[i] = cond[i·sc] != 0 ? a[i·sa] : b[i·sb] over a contiguous 4-D output (Where). `args` holds
 * 16 i32 in wasm memory: the dims, then element strides of cond, a and b per dim (0 broadcasts).
 */
export function selectMap(cond: usize, a: usize, b: usize, out: usize, args: usize): void {
  const d0 = load<i32>(args), d1 = load<i32>(args, 4), d2 = load<i32>(args, 8), d3 = load<i32>(args, 12);
  const c0 = load<i32>(args, 16), c1 = load<i32>(args, 20), c2 = load<i32>(args, 24), c3 = load<i32>(args, 28);
  const a0 = load<i32>(args, 32), a1 = load<i32>(args, 36), a2 = load<i32>(args, 40), a3 = load<i32>(args, 44);
  const b0 = load<i32>(args, 48), b1 = load<i32>(args, 52), b2 = load<i32>(args, 56), b3 = load<i32>(args, 60);
  let o = out;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const pc = cond + (<usize>(i0 * c0 + i1 * c1 + i2 * c2) << 2);
        const pa = a + (<usize>(i0 * a0 + i1 * a1 + i2 * a2) << 2);
        const pb = b + (<usize>(i0 * b0 + i1 * b1 + i2 * b2) << 2);
        for (let i3 = 0; i3 < d3; i3++) {
          const take = load<f32>(pc + (<usize>(i3 * c3) << 2)) != 0;
          store<f32>(o, take ? load<f32>(pa + (<usize>(i3 * a3) << 2)) : load<f32>(pb + (<usize>(i3 * b3) << 2)));
          o += 4;
        }
      }
    }
  }
}
