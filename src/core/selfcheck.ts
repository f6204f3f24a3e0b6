// A quick proof that the loaded core computes correctly on this engine: random GEMM shapes
// (including ones that are not multiples of the register block) against the reference.
import { Random } from '../helpers/random.js';
import type { Core } from './core.js';
import { maxRelativeError, referenceGemm } from './reference.js';

export interface GemmCheck {
  shapes: number;
  maxRelativeError: number;
  passed: boolean;
}

export const GEMM_TOLERANCE = 1e-4;

export function gemmSelfCheck(core: Core, options: { seed?: number; shapes?: number; maxDim?: number } = {}): GemmCheck {
  const random = new Random(options.seed ?? 1);
  const shapes = options.shapes ?? 20;
  const maxDim = options.maxDim ?? 70;
  let worst = 0;
  for (let s = 0; s < shapes; s++) {
    const m = random.intBetween(1, maxDim);
    const n = random.intBetween(1, maxDim);
    const k = random.intBetween(1, maxDim * 4);
    const a = random.floats(m * k);
    const b = random.floats(k * n);
    worst = Math.max(worst, maxRelativeError(core.gemm(a, b, m, n, k), referenceGemm(a, b, m, n, k)));
  }
  return { shapes, maxRelativeError: worst, passed: worst <= GEMM_TOLERANCE };
}
