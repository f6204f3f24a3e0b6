// Maximum DRAM bandwidth demand (LayerResult.maxDramBandwidth): the wasm core, which never builds
// a trace, against the peak of the DRAM traces the TypeScript reference materialises, on random
// seeded layers in CALC and USER mode for the three dataflows; plus hand-computed cases and
// SCALE-Sim's own averages on the golden set.
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import { Simulator } from '../../src/sim/simulate.js';
import type { ConvLayer, Dataflow, SystolicConfig } from '../../src/sim/types.js';
import { loadGolden } from './golden.js';
import { referenceRun } from './reference.js';

const sim = new Simulator(await getCore());
afterAll(() => sim.free());

const conv = (h: number, f: number, s: number, ch: number, n: number): ConvLayer =>
  ({ name: 'c', ifmapHeight: h, ifmapWidth: h, filterHeight: f, filterWidth: f, channels: ch, numFilters: n, strideHeight: s, strideWidth: s });

/** Small buffers (many flushes and drains) and small arrays (many folds): layers the reference walks quickly. */
function randomCase(rng: Random, mode: 'CALC' | 'USER', dataflow: Dataflow): { config: SystolicConfig; layer: ConvLayer } {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const h = 4 + rng.int(12);
  const f = 1 + rng.int(Math.min(h, 4));
  const layer = conv(h, f, 1 + rng.int(2), 1 + rng.int(10), 4 + rng.int(40));
  const config: SystolicConfig = {
    ...SYSTOLIC_PRESETS.scale, dataflow, rows: pick([2, 3, 4, 8, 16]), cols: pick([1, 2, 4, 7, 16]),
    ifmapSramKiB: pick([1, 2]), filterSramKiB: pick([1, 2]), ofmapSramKiB: pick([1, 2, 8]),
    interfaceBandwidth: mode, bandwidthWordsPerCycle: 1 + rng.int(24),
  };
  return { config, layer };
}

describe('maximum DRAM bandwidth demand', () => {
  const rng = new Random(4242);
  const cases: [string, SystolicConfig, ConvLayer][] = [];
  for (const mode of ['CALC', 'USER'] as const) {
    for (const dataflow of ['os', 'ws', 'is'] as const) {
      for (let i = 0; i < (mode === 'CALC' ? 16 : 8); i++) {
        const { config, layer } = randomCase(rng, mode, dataflow);
        cases.push([`${mode} ${dataflow} #${i}`, config, layer]);
      }
    }
  }
  it.each(cases)('%s: the core = the peak of the reference\'s DRAM traces', (_name, config, layer) => {
    const { result, dramTraces } = referenceRun(config, layer);
    expect(sim.layer(config, layer).maxDramBandwidth).toEqual(result.maxDramBandwidth);
    // The words of the trace rows are the DRAM counts, so the peak is at least their mean over the trace's cycles.
    const sum = (rows: { words: number }[]): number => rows.reduce((a, r) => a + r.words, 0);
    expect([sum(dramTraces.ifmap), sum(dramTraces.filter), sum(dramTraces.ofmap)]).toEqual([result.dramReads.ifmap, result.dramReads.filter, result.dramWrites.ofmap]);
    for (const op of ['ifmap', 'filter', 'ofmap'] as const) {
      const rows = dramTraces[op];
      expect(result.maxDramBandwidth[op] * new Set(rows.map((r) => r.cycle)).size).toBeGreaterThanOrEqual(sum(rows));
    }
  });

  it('hand-computed: operands that fit are prefetched at 10 words per cycle; the ofmap drains ArrayWidth words per cycle', () => {
    // A 3×3 input, one 2×2 filter, 4 outputs on an 8×8 array: 9 ifmap words and 4 filter words fit
    // any window (one prefetch of rows of 10: 9 and 4 words); the 4 outputs leave in one drain
    // line at the end, 4 words of 8.
    const config: SystolicConfig = { ...SYSTOLIC_PRESETS.scale, rows: 8, cols: 8, dataflow: 'os', ifmapSramKiB: 1, filterSramKiB: 1, ofmapSramKiB: 1 };
    expect(sim.layer(config, conv(3, 2, 1, 1, 1)).maxDramBandwidth).toEqual({ ifmap: 9, filter: 4, ofmap: 4 });
    // 100 ifmap words: rows of 10
    expect(sim.layer(config, conv(10, 1, 1, 1, 1)).maxDramBandwidth.ifmap).toBe(10);
  });

  it('hand-computed: USER mode moves Bandwidth words in every prefetch cycle', () => {
    const config: SystolicConfig = { ...SYSTOLIC_PRESETS.scale, rows: 4, cols: 4, dataflow: 'ws', ifmapSramKiB: 1, filterSramKiB: 1, ofmapSramKiB: 1, interfaceBandwidth: 'USER', bandwidthWordsPerCycle: 7 };
    const layer = conv(12, 3, 1, 8, 40);
    const peak = sim.layer(config, layer).maxDramBandwidth;
    expect([peak.ifmap, peak.filter]).toEqual([7, 7]);
    // Here the drain that starts when the compute ends meets one still running: 7 + 7 words.
    expect(peak.ofmap).toBe(14);
    expect(referenceRun(config, layer).result.maxDramBandwidth.ofmap).toBe(14);
  });

  // Reads only: SCALE-Sim's ofmap average divides by the span to the end of the last drain, which
  // can end before an earlier drain it overlaps (as in the USER case above).
  it('for reads, is at least SCALE-Sim\'s own average on every golden run', () => {
    for (const golden of loadGolden()) {
      const results = sim.network(golden.config, golden.layers);
      results.forEach((r, i) => {
        const avg = golden.bandwidth[i]!.slice(3).map(Number);
        expect(r.maxDramBandwidth.ifmap >= avg[0]! * (1 - 1e-12) && r.maxDramBandwidth.filter >= avg[1]! * (1 - 1e-12), `${golden.name} layer ${i}`).toBe(true);
      });
    }
  });
});
