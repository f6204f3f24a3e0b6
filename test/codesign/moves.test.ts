// Hardware moves: always within the budget, and able to trade where the budget is exhausted.
import { afterAll, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { areaBudgetTarget, CodesignProblem, codesignTarget, DEFAULT_HARDWARE, hardwareOf, hardwarePoint, networkFromLayers } from '../../src/codesign/index.js';
import { hardwareNeighbour } from '../../src/codesign/moves.js';
import { Random } from '../../src/helpers/random.js';
import { MappingModel } from '../../src/sim/mapping.js';
import { Simulator } from '../../src/sim/simulate.js';
import { gemmLayer } from '../../src/sim/types.js';

const core = await getCore();
const sim = new Simulator(core);
afterAll(() => sim.free());
const network = networkFromLayers('one', [{ layer: gemmLayer('fc', 1, 64, 64) }]);

/** Distinct neighbours of the default accelerator over many draws (fixed seed). */
function neighbours(problem: CodesignProblem): ReturnType<typeof hardwareOf>[] {
  const random = new Random(3);
  const seen = new Map<string, ReturnType<typeof hardwareOf>>();
  const from = hardwarePoint(DEFAULT_HARDWARE);
  for (let i = 0; i < 2000; i++) {
    const next = hardwareNeighbour(problem, from, random);
    expect(next).toBeDefined();
    expect(problem.hardwareError(next!)).toBeUndefined();
    expect(next).not.toEqual(from);
    seen.set(next!.join(','), hardwareOf(next!));
  }
  return [...seen.values()];
}

it('at the default PE and SRAM caps (all spent), trades array sides and buffers within them', () => {
  const found = neighbours(new CodesignProblem(new MappingModel(sim), network, codesignTarget()));
  // 32×32 → 16×64 or 64×16: one side doubled, the other halved
  expect(found.some((h) => h.rows === 64 && h.cols === 16)).toBe(true);
  expect(found.some((h) => h.rows === 16 && h.cols === 64)).toBe(true);
  // 64/64/64 KiB → one buffer doubled to 128 KiB, paid for by halving both others
  expect(found.some((h) => h.filterSramKiB === 128 && h.ifmapSramKiB === 32 && h.ofmapSramKiB === 32)).toBe(true);
  expect(found.every((h) => h.rows * h.cols <= 1024 && h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB <= 192)).toBe(true);
});

it('under an area budget, trades SRAM for PEs', () => {
  const found = neighbours(new CodesignProblem(new MappingModel(sim), network, areaBudgetTarget()));
  expect(found.some((h) => h.rows * h.cols === 2048 && h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB < 192)).toBe(true);
});
