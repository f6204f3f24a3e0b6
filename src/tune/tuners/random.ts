import type { Point } from '../../base/search-space.js';
import { TunerBase } from '../tuner.js';
import { randomUnvisited } from './unvisited.js';

/** Uniform random sampling without repeats: the floor every other tuner must beat. */
export class RandomTuner extends TunerBase {
  readonly name = 'random';

  nextBatch(n: number): Point[] {
    return randomUnvisited(this.space, this.batchRandom(), n, this.visited);
  }
}
