// Every tuner by name, for the CLI and the benchmarks.
import { OptionsError } from '../../base/options.js';
import type { Core } from '../../core/core.js';
import type { SearchSpace } from '../../base/search-space.js';
import type { Tuner } from '../tuner.js';
import { AutoTvmTuner } from './autotvm.js';
import { ChameleonTuner } from './chameleon.js';
import { GeneticTuner } from './ga.js';
import { GridTuner } from './grid.js';
import type { TransferSamples } from './model-based.js';
import { RandomTuner } from './random.js';

export const TUNER_NAMES = ['random', 'grid', 'ga', 'autotvm', 'chameleon'] as const;
export type TunerName = (typeof TUNER_NAMES)[number];

export interface CreateTunerOptions {
  /** Warm start of the model-based tuners (autotvm, chameleon) from other workloads' samples. */
  transfer?: TransferSamples;
}

export function createTuner(name: TunerName, space: SearchSpace, seed: number, core: Core, options: CreateTunerOptions = {}): Tuner {
  if (options.transfer && name !== 'autotvm' && name !== 'chameleon') throw new OptionsError(`tuner '${name}' has no cost model to transfer samples into`, { field: 'transfer' });
  switch (name) {
    case 'random':
      return new RandomTuner(space, seed);
    case 'grid':
      return new GridTuner(space, seed);
    case 'ga':
      return new GeneticTuner(space, seed);
    case 'autotvm':
      return new AutoTvmTuner(core, space, seed, { transfer: options.transfer });
    case 'chameleon':
      return new ChameleonTuner(core, space, seed, { transfer: options.transfer });
  }
}
