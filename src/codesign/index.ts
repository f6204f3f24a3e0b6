// Hardware/software co-design on the systolic simulator: one entry point for every strategy.
import type { Core } from '../core/core.js';
import { type ArcoOptions, arcoSearch } from './arco.js';
import { geneticSearch, gridSearch, randomSearch, softwareOnly, type StrategyOptions } from './baselines.js';
import { exhaustiveSearch } from './ceiling.js';
import type { CodesignProblem } from './problem.js';
import { resumeByRepeating } from './resume.js';
import type { CodesignRun } from './run.js';

export const STRATEGIES = ['arco', 'ga', 'random', 'grid', 'autotvm', 'chameleon', 'arco-no-cs', 'exhaustive'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export async function runStrategy(strategy: Strategy, core: Core, problem: CodesignProblem, options: StrategyOptions, arco: Partial<ArcoOptions> = {}): Promise<CodesignRun> {
  switch (strategy) {
    case 'arco':
      return arcoSearch(core, problem, options, arco);
    case 'arco-no-cs':
      return arcoSearch(core, problem, options, { ...arco, confidenceSampling: false });
    case 'ga':
      return geneticSearch(problem, options);
    case 'random':
      return randomSearch(problem, options);
    case 'grid':
      return gridSearch(problem, resumeByRepeating(options));
    case 'autotvm':
    case 'chameleon':
      return softwareOnly(problem, strategy, core, resumeByRepeating(options));
    case 'exhaustive':
      return exhaustiveSearch(problem, resumeByRepeating(options));
    default:
      throw new RangeError(`unknown strategy '${String(strategy)}'; choose one of ${STRATEGIES.join(', ')}`);
  }
}

export { Arco, ARCO_DEFAULTS, type ArcoOptions, arcoSearch } from './arco.js';
export { GeneticJointTuner, geneticSearch, gridSearch, hardwareGrid, RandomJointTuner, randomSearch, softwareOnly, type StrategyOptions, tuneLayers } from './baselines.js';
export { JointMeasurer, type JointMeasureResult, jointPoint, JointSpace, type SimulatedLayer } from './joint-space.js';
export { type JointMeasurement, JointTuner, runJointTuner } from './joint-tuner.js';
export { resumeByRepeating, skipLogged } from './resume.js';
export { ENSEMBLE_DEFAULTS, GbtEnsemble, type EnsembleOptions } from './ensemble.js';
export { type Network, type NetworkLayer, networkFromLayers, networkOf, prunedNetwork } from './layers.js';
export * from './problem.js';
export { type CodesignRun, type HistoryEntry, repair, timeToReach, Tracker } from './run.js';
export { tradeoffOf, type TradeoffRun, tradeoffSpec } from './plot.js';
export { DEFAULT_MAPPING, LOOP_ORDERS, type Mapping, MappingModel, type MappingResult, type MappingTarget, SPLITS, tiledMapping } from '../sim/mapping.js';
export { DEFAULT_MAPPING_POINT, MappingMeasurer, MappingSpace, mappingOf, mappingPoint } from '../sim/mapping-space.js';
export { acceleratorOptimum, type Ceiling, CEILING_SHAPES, ceilingRun, ceilingShapeOrder, ceilingSlice, type CeilingSlice, codesignCeiling, exhaustiveSearch, mergeSlices, type SliceHooks } from './ceiling.js';
