// `npm run bench -- gemm`: GFLOP/s of the core's GEMM in every flavour this engine accepts,
// next to a naive TypeScript triple loop measured in the same process.
import { detectFeatures, getCore, type Flavour } from '../src/node/index.js';
import { Random } from '../src/helpers/random.js';
import { type Bench, type Row, time } from './harness.js';

function naiveGemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[p * n + j]!;
      c[i * n + j] = sum;
    }
  }
}

export const gemmBench: Bench = {
  describe: 'SIMD GEMM of the wasm core (each flavour) against a naive TypeScript loop',
  async run({ args, log }) {
    const sizes = String(args.sizes ?? '128,256,512').split(',').map(Number);
    const flavours: Flavour[] = detectFeatures().relaxedSimd ? ['simd', 'relaxed'] : ['simd'];
    const random = new Random(1);
    const rows: Row[] = [];
    for (const size of sizes) {
      const [m, n, k] = [size, size, size];
      const flops = 2 * m * n * k;
      const a = random.floats(m * k);
      const b = random.floats(k * n);
      log(`gemm ${m}×${n}×${k}: naive loop…`);
      const c = new Float32Array(m * n);
      const naive = time(() => naiveGemm(a, b, c, m, n, k), { minRuns: 1, minSeconds: 0.5 });
      const naiveGflops = flops / naive.medianSeconds / 1e9;
      for (const flavour of flavours) {
        const core = await getCore(flavour);
        const [ab, bb, cb] = [core.f32From(a), core.f32From(b), core.allocF32(m * n)];
        const timing = time(() => core.gemmInto(ab, bb, cb, m, n, k), { minRuns: 5, minSeconds: 0.5 });
        core.free(ab, bb, cb);
        const gflops = flops / timing.medianSeconds / 1e9;
        rows.push({ shape: `${m}x${n}x${k}`, flavour, gflops, naiveGflops, speedupVsNaive: gflops / naiveGflops, runs: timing.runs });
      }
    }
    return rows;
  },
};
