// A network pruned N:M gives co-design a seventh hardware knob: a dense array, or one with SCALE-Sim
// v3's sparsity support storing filters as CSR, CSC or blocked ELLPACK. Checked against the
// simulator run with v3's sparsity, metadata counted by hand, the step-by-step tiled reference
// and, for the exact search, brute force over the whole space.
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import {
  Arco, budgetError, CodesignProblem, codesignCeiling, codesignTarget, GeneticJointTuner, hardwareOf, hardwarePoint, JointSpace, networkFromLayers, prunedNetwork, RandomJointTuner, runJointTuner,
} from '../../src/codesign/index.js';
import { codesign } from '../../src/api/codesign.js';
import { DEFAULT_MAPPING, LayerShape, type MappingTarget, MappingModel, tiledMapping } from '../../src/sim/mapping.js';
import { MAPPING_CARDINALITIES, mappingOf } from '../../src/sim/mapping-space.js';
import { Simulator } from '../../src/sim/simulate.js';
import { type ConvLayer, gemmLayer, type SystolicConfig } from '../../src/sim/types.js';
import { pointAt } from '../../src/base/search-space.js';
import { parseCodesignSlice } from '../../src/node/dist/codesign.js';
import type { TuningRecord } from '../../src/tune/records.js';
import { referenceTiled } from '../sim/mapping-reference.js';
import { fewestCycles } from './brute-force.js';

const core = await getCore();
const sim = new Simulator(core);
afterAll(() => sim.free());

// 3×3 over 8 channels, 16 filters: K = 72, of which 2:4 keeps 36; 576 non-zeros.
const body: ConvLayer = { name: 'body', ifmapHeight: 12, ifmapWidth: 12, filterHeight: 3, filterWidth: 3, channels: 8, numFilters: 16, strideHeight: 1, strideWidth: 1, sparsity: { n: 2, m: 4 } };
const METADATA = { csr: 576 + 72 + 1, csc: 576 + 16 + 1, ellpack_block: (576 * 2) / 32 } as const; // compression.py's storages

function config(dataflow: SystolicConfig['dataflow'], kib = 64): SystolicConfig {
  return {
    runName: 't', rows: 8, cols: 8, ifmapSramKiB: kib, filterSramKiB: kib, ofmapSramKiB: kib, ifmapOffset: 0, filterOffset: 10000000, ofmapOffset: 20000000,
    dataflow, interfaceBandwidth: 'CALC', bandwidthWordsPerCycle: 10,
  };
}

describe('the mapping model on a sparse array', () => {
  const model = new MappingModel(sim);

  it('runs SCALE-Sim\'s own mapping as v3 simulates the pruned layer, and charges the metadata with every filter word', () => {
    for (const dataflow of ['os', 'ws', 'is'] as const) {
      for (const rep of ['csr', 'csc', 'ellpack_block'] as const) {
        const target: MappingTarget = { config: config(dataflow), dramBytesPerCycle: Number.POSITIVE_INFINITY, sparseRep: rep };
        const v3 = sim.layer(config(dataflow), body, { sparsity: { support: true, representation: rep, optimizedMapping: false, randomSeed: 0 } });
        const r = model.evaluate(target, body, DEFAULT_MAPPING);
        expect(v3.sparse!.metadataStorage).toBe(METADATA[rep]);
        expect(r.totalCycles).toBe(v3.totalCycles);
        expect(r.macs).toBe(72 * 16 * 100); // v3 keeps the dense MACs
        expect(r.dramReads.filter).toBe(Math.ceil(v3.dramReads.filter * (1 + METADATA[rep] / 576)));
        expect(r.sramReads.filter).toBe(v3.sramReads.filter + METADATA[rep]);
        // Fewer cycles than the same layer on a dense array.
        expect(r.totalCycles).toBeLessThan(model.evaluate({ ...target, sparseRep: undefined }, body, DEFAULT_MAPPING).totalCycles);
      }
    }
  });

  it('tiles the kept window elements, as the step-by-step reference does, with the metadata in every filter tile', () => {
    const shape = new LayerShape(body, 'csr');
    expect(shape.gemm.k).toBe(36);
    expect(shape.metadataPerWord).toBeCloseTo(649 / 576, 12);
    let checked = 0;
    for (const dataflow of ['os', 'ws', 'is'] as const) {
      for (let i = 0; i < MAPPING_CARDINALITIES.reduce((a, b) => a * b, 1); i += 37) {
        const m = mappingOf(pointAt({ cardinalities: MAPPING_CARDINALITIES }, i));
        if (m.splitM === 1 && m.splitN === 1 && m.splitK === 1) continue;
        const target: MappingTarget = { config: config(dataflow), dramBytesPerCycle: 4, sparseRep: 'csr' };
        const fast = tiledMapping(shape, target, m);
        if (!fast.valid) continue;
        const ref = referenceTiled(shape, target, m);
        expect(fast.totalCycles).toBe(ref.totalCycles);
        expect([fast.dramReads.ifmap, fast.dramReads.filter, fast.dramReads.ofmap, fast.dramWrites.ofmap]).toEqual([ref.dram.ifmap, ref.dram.filter, ref.dram.ofmapReads, ref.dram.ofmapWrites]);
        expect(fast.sramReads.filter).toBeCloseTo(ref.sram.filter, 6);
        expect(fast.tiles.k * (fast.tiles.countK - 1)).toBeLessThan(36);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('refuses a filter tile whose metadata overflows the buffer that holds it dense', () => {
    // The whole filter, 36 × 16 kept words, fits 1 KiB (1024 words) alone; CSR's 649 words of metadata do not.
    const target: MappingTarget = { config: config('os', 1), dramBytesPerCycle: 4, sparseRep: 'csr' };
    const whole = { splitM: 2, splitN: 1, splitK: 1, order: 'nmk', doubleBuffer: false } as const;
    expect(tiledMapping(new LayerShape(body, 'ellpack_block'), { ...target, sparseRep: 'ellpack_block' }, whole).valid).toBe(true);
    const r = tiledMapping(new LayerShape(body, 'csr'), target, whole);
    expect(r.valid).toBe(false);
    expect(r.reason).toContain('filter tile of 1225 words');
  });

  it('runs a dense layer on a sparse array as on a dense one', () => {
    const dense = { ...body, sparsity: undefined };
    for (const mapping of [DEFAULT_MAPPING, { splitM: 2, splitN: 2, splitK: 2, order: 'kmn', doubleBuffer: true } as const]) {
      const onDense = model.evaluate({ config: config('ws'), dramBytesPerCycle: 4 }, dense, mapping);
      expect(model.evaluate({ config: config('ws'), dramBytesPerCycle: 4, sparseRep: 'csc' }, dense, mapping)).toEqual(onDense);
    }
  });
});

const tiny = networkFromLayers('tiny', [{ layer: { ...body, sparsity: undefined }, count: 2 }, { layer: gemmLayer('fc', 1, 24, 64) }]);
const DEFAULT_HW = { rows: 4, cols: 4, ifmapSramKiB: 4, filterSramKiB: 4, ofmapSramKiB: 4, dataflow: 'os' } as const;

describe('co-design of a pruned network', () => {
  const pruned = prunedNetwork(tiny, { n: 2, m: 4 });
  const target = codesignTarget({ maxPEs: 16, maxSramBytes: 16 * 1024, defaultHardware: DEFAULT_HW, dramBytesPerCycle: 4 });

  it('adds the sparsity knob only when a layer is pruned', () => {
    const dense = new CodesignProblem(new MappingModel(sim), tiny, target);
    const sparse = new CodesignProblem(new MappingModel(sim), pruned, target);
    expect(pruned.name).toBe('tiny-2of4');
    expect(dense.hardwareCardinalities).toHaveLength(6);
    expect(sparse.hardwareCardinalities).toEqual([...dense.hardwareCardinalities, 4]);
    expect(new JointSpace(sparse).knobNames.slice(0, 7)).toEqual(['rows', 'cols', 'ifmapSramKiB', 'filterSramKiB', 'ofmapSramKiB', 'dataflow', 'sparseRep']);
    expect(hardwareOf(sparse.hardwarePoint({ ...DEFAULT_HW, sparseRep: 'csc' }))).toEqual({ ...DEFAULT_HW, sparseRep: 'csc' });
    expect(hardwareOf(sparse.hardwarePoint(DEFAULT_HW))).toEqual(DEFAULT_HW);
    expect(() => dense.hardwarePoint({ ...DEFAULT_HW, sparseRep: 'csr' })).toThrow(/sparsity knob/);
  });

  it('finds the exact optimum over dense and sparse arrays, as brute force does, and it is a sparse one', () => {
    const problem = new CodesignProblem(new MappingModel(sim), pruned, target);
    const best = new Map<string, number>();
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let i = 0; i < 8; i++) for (let f = 0; f < 8; f++) for (let o = 0; o < 8; o++) for (let d = 0; d < 3; d++) for (let s = 0; s < 4; s++) {
      const hw = [r, c, i, f, o, d, s];
      if (budgetError(hardwareOf(hw), target) === undefined) best.set(hw.join(','), fewestCycles(problem, hw));
    }
    const ceiling = codesignCeiling(problem);
    expect(ceiling.hardwarePoints).toBe(best.size);
    expect(ceiling.best.evaluation.cycles).toBe(Math.min(...best.values()));
    expect(ceiling.defaultOptimum.evaluation.cycles).toBe(best.get(hardwarePoint(DEFAULT_HW, true).join(',')));
    expect(problem.evaluate(ceiling.best.config).cycles).toBe(ceiling.best.evaluation.cycles);
    expect(hardwareOf(ceiling.best.config.hardware).sparseRep).toBeDefined();
    const denseBest = Math.min(...[...best].filter(([key]) => key.endsWith(',0')).map(([, cycles]) => cycles));
    expect(ceiling.best.evaluation.cycles).toBeLessThan(denseBest);
  });

  it('searches it with ARCO, the GA and random search, which resume from a cut log', async () => {
    const makers = [(p: CodesignProblem) => new Arco(core, p, 5, 400, { episodes: 12 }), (p: CodesignProblem) => new GeneticJointTuner(p, 5, 400), (p: CodesignProblem) => new RandomJointTuner(p, 5, 400)];
    for (const make of makers) {
      const go = async (previous?: TuningRecord[]) => {
        const problem = new CodesignProblem(new MappingModel(sim), pruned, target);
        const records: TuningRecord[] = [];
        const tuner = make(problem);
        try {
          const run = await runJointTuner(tuner, { seed: 5, budget: 400, onRecords: (r) => records.push(...r), ...(previous ? { previous } : {}) });
          return { run, records, problem };
        } finally {
          if (tuner instanceof Arco) tuner.dispose();
        }
      };
      const whole = await go();
      expect(whole.run.simulatorCalls).toBeLessThanOrEqual(400);
      expect(whole.records.every((r) => r.config.point.length === 7 + 2 * 5)).toBe(true);
      expect(whole.records.some((r) => typeof r.config.knobs.sparseRep === 'string')).toBe(true);
      const batches = [...new Set(whole.records.map((r) => r.batch))];
      expect(batches.length).toBeGreaterThanOrEqual(2);
      const cut = whole.records.filter((r) => r.batch < batches[Math.floor(batches.length / 2)]!); // a crash leaves whole batches
      const resumed = await go(cut);
      expect([...cut, ...resumed.records].map((r) => r.config.point.join(','))).toEqual(whole.records.map((r) => r.config.point.join(',')));
      expect(resumed.run.best?.evaluation.cycles).toBe(whole.run.best?.evaluation.cycles);
    }
  });
});

describe('the sparsity option', () => {
  it('prunes a model for codesign() and refuses a ratio that is not N:M', async () => {
    const report = await codesign('scalesim:alexnet', { sparsity: '2:4', strategy: 'random', budget: 60, seed: 3 });
    expect(report.model).toBe('scalesim:alexnet-2of4');
    for (const bad of ['4:2', '2/4', '0:4']) {
      await expect(codesign('scalesim:alexnet', { sparsity: bad, budget: 10 })).rejects.toThrow(/sparsity must be N:M with 1 ≤ N ≤ M/);
    }
  });

  it('travels in a distributed job\'s layers, checked', () => {
    const job = (layer: Record<string, unknown>) => ({
      kind: 'codesign-slice', workload: 'w', network: { name: 'n', layers: [{ layer, count: 1 }] }, shapes: [0],
      target: {
        maxPEs: 16, maxSramBytes: 'infinite', maxAreaMm2: 'infinite', dramBytesPerCycle: 4, freqMHz: 1000, defaultHardware: DEFAULT_HW,
        energy: { source: 's', macPJ: 1, sramReadPJPerWord: 1, sramWritePJPerWord: 1, dramPJPerWord: 1, macAreaUm2: 1, sramAreaUm2PerKiB: 1 },
      },
    });
    expect(parseCodesignSlice(job({ ...body })).network.layers[0]!.layer.sparsity).toEqual({ n: 2, m: 4 });
    expect(() => parseCodesignSlice(job({ ...body, sparsity: { n: 5, m: 4 } }))).toThrow(/sparsity\.n' must be a positive integer up to 4/);
  });
});
