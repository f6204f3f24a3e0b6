// The co-design ceiling against brute force: every accelerator within a small budget, every
// mapping of every layer evaluated one by one.
import { afterAll, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { acceleratorOptimum, budgetError, CEILING_SHAPES, ceilingShapeOrder, CodesignProblem, codesignCeiling, codesignTarget, hardwareOf, hardwarePoint, networkFromLayers } from '../../src/codesign/index.js';
import { MappingModel } from '../../src/sim/mapping.js';
import { Simulator } from '../../src/sim/simulate.js';
import { gemmLayer } from '../../src/sim/types.js';
import { fewestCycles } from './brute-force.js';

const core = await getCore();
const sim = new Simulator(core);
afterAll(() => sim.free());

const network = networkFromLayers('tiny', [
  { layer: { name: 'body', ifmapHeight: 10, ifmapWidth: 10, filterHeight: 3, filterWidth: 3, channels: 16, numFilters: 24, strideHeight: 1, strideWidth: 1 }, count: 2 },
  { layer: gemmLayer('fc', 1, 40, 96) },
]);
const DEFAULT = { rows: 8, cols: 8, ifmapSramKiB: 8, filterSramKiB: 8, ofmapSramKiB: 4, dataflow: 'os' } as const;

/** Fewest cycles of the network on each accelerator within the budget, every mapping tried. */
function bruteForce(problem: CodesignProblem): Map<string, number> {
  const cycles = new Map<string, number>();
  for (let r = 0; r < 7; r++) for (let c = 0; c < 7; c++) for (let i = 0; i < 8; i++) for (let f = 0; f < 8; f++) for (let o = 0; o < 8; o++) for (let d = 0; d < 3; d++) {
    const hw = [r, c, i, f, o, d];
    if (budgetError(hardwareOf(hw), problem.target) === undefined) cycles.set(hw.join(','), fewestCycles(problem, hw));
  }
  return cycles;
}

it('equals brute force within a small budget: the best accelerator, the default one and every seventh one, at a tight and an unlimited DRAM interface', () => {
  for (const dramBytesPerCycle of [2, Number.POSITIVE_INFINITY]) {
    const problem = new CodesignProblem(new MappingModel(sim), network, codesignTarget({ maxPEs: 64, maxSramBytes: 20 * 1024, defaultHardware: DEFAULT, dramBytesPerCycle }));
    const expected = bruteForce(problem);
    const ceiling = codesignCeiling(problem);
    expect(ceiling.hardwarePoints).toBe(expected.size);
    expect(ceiling.best.evaluation.cycles).toBe(Math.min(...expected.values()));
    expect(ceiling.defaultOptimum.evaluation.cycles).toBe(expected.get(hardwarePoint(DEFAULT).join(',')));
    // The configurations it reports are valid and give the figures it claims.
    for (const found of [ceiling.best, ceiling.defaultOptimum]) expect(problem.evaluate(found.config).cycles).toBe(found.evaluation.cycles);
    // Each accelerator's own optimum, on accelerators with buffers to spare and none to spare.
    [...expected].filter((_, i) => i % 7 === 0).forEach(([key, cycles]) => expect(acceleratorOptimum(problem, key.split(',').map(Number)).evaluation.cycles).toBe(cycles));
    // The bound prunes: far fewer accelerators are evaluated exactly than exist.
    expect(ceiling.exactlyEvaluated).toBeLessThan(expected.size);
  }
});

it('orders the array shapes for slicing: every shape once, those with an accelerator within the budget first, the largest arrays first among them', () => {
  const problem = new CodesignProblem(new MappingModel(sim), network, codesignTarget({ maxPEs: 64, maxSramBytes: 20 * 1024, defaultHardware: DEFAULT }));
  const order = ceilingShapeOrder(problem);
  expect([...order].sort((a, b) => a - b)).toEqual(CEILING_SHAPES.map((_, i) => i));
  const pes = (index: number): number => { const h = hardwareOf(CEILING_SHAPES[index]!); return h.rows * h.cols; };
  // Within 64 PEs: the shapes of up to 64 PEs fit, the others have no accelerator within the budget.
  const fits = order.map((index) => pes(index) <= 64);
  expect(fits.indexOf(false)).toBe(fits.filter(Boolean).length);
  const fitting = order.slice(0, fits.filter(Boolean).length);
  expect(fitting.map(pes)).toEqual([...fitting.map(pes)].sort((a, b) => b - a));
  expect(pes(order[0]!)).toBe(64);
});
