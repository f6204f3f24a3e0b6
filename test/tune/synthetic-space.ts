// A knob space with a known optimum for tuner tests: a separable bowl plus an interaction
// term, minimum cost 1 at `TARGET`, and a corner of invalid configurations.
import { ErrorCode, type Measurer, type MeasureResult } from '../../src/base/result.js';
import { Random } from '../../src/helpers/random.js';
import { normalisedPoint, type Point, randomPoint, type SearchSpace } from '../../src/base/search-space.js';
import type { TransferSamples } from '../../src/tune/tuners/model-based.js';

export const TARGET = [7, 2, 4, 1, 3];

export function bowlSpace(cardinalities = [10, 8, 6, 5, 4]): SearchSpace {
  return { knobNames: cardinalities.map((_, i) => `k${i}`), cardinalities };
}

export function bowlCost(point: Point): number {
  const d = point.map((p, i) => p - TARGET[i]!);
  return 1 + d.reduce((s, x, i) => s + (i + 1) * x * x, 0) + 0.5 * Math.abs(d[0]! * d[1]!);
}

export function isInvalid(point: Point): boolean {
  return point[0] === 0 && point[1] === 0 && point[2] === 0;
}

export class BowlMeasurer implements Measurer {
  calls = 0;
  measuredKeys: string[] = [];

  async measure(points: readonly Point[]): Promise<MeasureResult[]> {
    this.calls++;
    return points.map((point) => {
      this.measuredKeys.push(point.join(','));
      if (isInvalid(point)) return { costs: [], errorCode: ErrorCode.invalidConfig, errorText: 'corner', timestamp: 0 };
      return { costs: [bowlCost(point)], errorCode: ErrorCode.none, timestamp: 0 };
    });
  }
}

/** Samples of the bowl at random points, as another workload's measurements would be given. */
export function transferFromBowl(space: SearchSpace, count: number, seed: number): TransferSamples {
  const random = new Random(seed);
  const points = Array.from({ length: count }, () => randomPoint(space, random));
  return { features: points.map((p) => normalisedPoint(space, p)), targets: points.map((p) => (isInvalid(p) ? 0 : 1 / bowlCost(p))) };
}
