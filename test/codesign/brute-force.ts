// The co-design tests' brute force: a network's fewest cycles on one accelerator, every mapping of
// every layer evaluated one by one.
import type { CodesignProblem } from '../../src/codesign/index.js';
import { MAPPING_CARDINALITIES, mappingOf } from '../../src/sim/mapping-space.js';
import { type Point, pointAt } from '../../src/base/search-space.js';

const MAPPINGS: readonly Point[] = Array.from({ length: MAPPING_CARDINALITIES.reduce((a, b) => a * b, 1) }, (_, i) => pointAt({ cardinalities: MAPPING_CARDINALITIES }, i));

export function fewestCycles(problem: CodesignProblem, hardware: Point): number {
  const target = problem.mappingTarget(hardware);
  let total = 0;
  problem.network.layers.forEach(({ layer, count }, l) => {
    let best = Number.POSITIVE_INFINITY;
    for (const m of MAPPINGS) if (problem.fits(hardware, l, m)) best = Math.min(best, problem.model.evaluate(target, layer, mappingOf(m)).totalCycles);
    total += count * best;
  });
  return total;
}
