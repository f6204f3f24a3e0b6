// Every tuner by name, for the CLI and the benchmarks.
import type { Core } from '../../core/core.js';
import type { SearchSpace } from '../search-space.js';
import type { Tuner } from '../tuner.js';
import { AutoTvmTuner } from './autotvm.js';
import { ChameleonTuner } from './chameleon.js';
import { GeneticTuner } from './ga.js';
import { GridTuner } from './grid.js';
import { RandomTuner } from './random.js';

export const TUNER_NAMES = ['random', 'grid', 'ga', 'autotvm', 'chameleon'] as const;
export type TunerName = (typeof TUNER_NAMES)[number];

export function createTuner(name: TunerName, space: SearchSpace, seed: number, core: Core): Tuner {
  switch (name) {
    case 'random':
      return new RandomTuner(space, seed);
    case 'grid':
      return new GridTuner(space, seed);
    case 'ga':
      return new GeneticTuner(space, seed);
    case 'autotvm':
      return new AutoTvmTuner(space, seed);
    case 'chameleon':
      return new ChameleonTuner(core, space, seed);
  }
}
