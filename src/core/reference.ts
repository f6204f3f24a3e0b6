// Plain TypeScript references for the core's kernels: the judges in tests and self-checks,
// deliberately the obvious loops.

/** C[m×n] = A[m×k] · B[k×n], row-major, accumulated in double precision. */
export function referenceGemm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[p * n + j]!;
      c[i * n + j] = sum;
    }
  }
  return c;
}

/** Largest |x−y| / max(1, |y|) over two arrays of the same length. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new RangeError(`length ${actual.length} vs ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(err <= worst)) worst = err; // NaN propagates as the worst
  }
  return worst;
}
