// Runs under Deno (`npm run test:deno`): loads the built library through its browser/Deno
// entry point, which fetches the wasm from a file: URL, and checks GEMM against the reference.
import { detectFeatures, gemmSelfCheck, getCore, runtimeName } from '../../dist/src/index.js';

Deno.test('the wasm core loads in Deno and its GEMM matches the reference', async () => {
  if (runtimeName() !== 'deno') throw new Error(`expected the deno runtime, got ${runtimeName()}`);
  const core = await getCore();
  const expected = detectFeatures().relaxedSimd ? 'relaxed' : 'simd';
  if (core.flavour !== expected) throw new Error(`loaded ${core.flavour}, expected ${expected}`);
  for (const flavour of ['simd', 'relaxed']) {
    const check = gemmSelfCheck(await getCore(flavour), { seed: 3, shapes: 25 });
    if (!check.passed) throw new Error(`${flavour}: max relative error ${check.maxRelativeError}`);
  }
  const c = core.gemm([1, 2, 3, 4], [5, 6, 7, 8], 2, 2, 2);
  if (Array.from(c).join() !== '19,22,43,50') throw new Error(`2×2 product was ${Array.from(c)}`);
});
