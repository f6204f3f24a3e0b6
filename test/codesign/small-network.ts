// The co-design tests' small network: a strided stem, a 3×3 body layer repeated twice, a 1×1 and a classifier.
import { networkFromLayers } from '../../src/codesign/index.js';
import { gemmLayer } from '../../src/sim/types.js';

const conv = (name: string, h: number, c: number, n: number, f: number, s: number) => ({
  layer: { name, ifmapHeight: h, ifmapWidth: h, filterHeight: f, filterWidth: f, channels: c, numFilters: n, strideHeight: s, strideWidth: s },
});

export const small = networkFromLayers('small', [
  conv('stem', 34, 3, 16, 3, 2),
  { ...conv('body', 18, 16, 32, 3, 1), count: 2 },
  conv('point', 16, 32, 64, 1, 1),
  { layer: gemmLayer('fc', 1, 100, 64) },
]);

/** Its reference accelerator: 16×16 PEs, 16 KiB per buffer, output stationary. */
export const SMALL_HW = { rows: 16, cols: 16, ifmapSramKiB: 16, filterSramKiB: 16, ofmapSramKiB: 16, dataflow: 'os' } as const;
