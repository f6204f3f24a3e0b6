// Vector helpers shared by every kernel. `madd` is the one place where the two release
// flavours differ: relaxed SIMD fuses the multiply-add, SIMD128 issues two instructions.
// The condition is a compile-time constant, so the untaken branch is never compiled.

// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
