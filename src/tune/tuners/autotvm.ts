// The AutoTVM-style baseline: gradient-boosted trees on config features, parallel simulated
// annealing over the model for each batch, the last 5% of a batch random.
//
// One deliberate difference from AutoTVM: its annealing chains persist between rounds; ours
// restart from the best measured points plus random ones, so that the tuner's state is a
// function of its measurements and replaying a log reproduces it exactly.
import type { Core } from '../../core/core.js';
import type { Random } from '../../helpers/random.js';
import { ANNEALING_DEFAULTS, type AnnealingOptions, anneal } from '../search/annealing.js';
import type { Point, SearchSpace } from '../../base/search-space.js';
import { type ModelBasedOptions, ModelBasedTuner } from './model-based.js';

export interface AutoTvmOptions extends ModelBasedOptions {
  annealing: AnnealingOptions;
}

export class AutoTvmTuner extends ModelBasedTuner {
  readonly name = 'autotvm';
  private readonly annealing: AnnealingOptions;

  constructor(core: Core, space: SearchSpace, seed: number, options: Partial<AutoTvmOptions> = {}) {
    super(core, space, seed, options);
    this.annealing = options.annealing ?? ANNEALING_DEFAULTS;
  }

  protected propose(n: number, random: Random): Point[] {
    const starts = this.startPoints(this.annealing.chains, random);
    return anneal(this.space, this.predictScores, starts, n, this.visited, random, this.annealing).map((entry) => entry.point);
  }
}
