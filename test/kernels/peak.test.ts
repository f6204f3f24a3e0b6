// The benchmarks' multiply-add peak loop computes what it says (so its timing is of real work):
// in the SIMD128 flavour, 12 accumulators each add w_k · 0.5 once per round, w_k = (k + 1)·1e-9,
// and the result is lanes 0 + 3 of their sum, all in float32.
import { expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';

const f = Math.fround;

function reference(iters: number): number {
  const a = Array.from({ length: 12 }, (_, k) => f((k + 1) / 10));
  const products = a.map((_, k) => f(f(f(k + 1) * f(1e-9)) * 0.5));
  for (let i = 0; i < iters; i++) for (let k = 0; k < 12; k++) a[k] = f(a[k]! + products[k]!);
  const pair = (x: number, y: number): number => f(x + y);
  const s = pair(pair(pair(a[0]!, a[1]!), pair(a[2]!, a[3]!)), pair(pair(a[4]!, a[5]!), pair(a[6]!, a[7]!)));
  const t = pair(s, pair(pair(a[8]!, a[9]!), pair(a[10]!, a[11]!)));
  return f(t + t);
}

it('peakMadd (SIMD128) adds every product in every round', async () => {
  const core = await getCore('simd');
  for (const iters of [0, 1, 7, 1000]) expect(core.exports.peakMadd(iters), `${iters} rounds`).toBe(reference(iters));
});
