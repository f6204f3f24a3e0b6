// The view of a knob space that tuners work in: every configuration is a point, one index per
// knob into that knob's list of legal values. Concrete spaces (kernel schedules, systolic
// mappings, hardware) describe their knobs and may add richer cost-model features.
import type { Random } from '../helpers/random.js';

export type Point = readonly number[];

export interface SearchSpace {
  readonly knobNames: readonly string[];
  /** Number of legal values of each knob. */
  readonly cardinalities: readonly number[];
  /** Feature vector for cost models; the default is the normalised knob indices. */
  features?(point: Point): number[];
  /** The knob values of a point, by name, for records and reports. */
  describe?(point: Point): Record<string, number | string>;
}

export function spaceSize(space: SearchSpace): number {
  return space.cardinalities.reduce((product, n) => product * n, 1);
}

/** Mixed-radix flat index of a point (the first knob varies slowest). */
export function pointIndex(space: SearchSpace, point: Point): number {
  let index = 0;
  space.cardinalities.forEach((n, i) => {
    index = index * n + point[i]!;
  });
  return index;
}

export function pointAt(space: Pick<SearchSpace, 'cardinalities'>, index: number): number[] {
  const point = new Array<number>(space.cardinalities.length);
  for (let i = space.cardinalities.length - 1; i >= 0; i--) {
    const n = space.cardinalities[i]!;
    point[i] = index % n;
    index = Math.floor(index / n);
  }
  return point;
}

export function randomPoint(space: SearchSpace, random: Random): number[] {
  return space.cardinalities.map((n) => random.int(n));
}

/** Knob indices scaled to [0, 1] by their cardinalities (Chameleon's state). */
export function normalisedPoint(space: SearchSpace, point: Point): number[] {
  return point.map((index, i) => {
    const n = space.cardinalities[i]!;
    return n > 1 ? index / (n - 1) : 0;
  });
}

export function pointFeatures(space: SearchSpace, point: Point): number[] {
  return space.features ? space.features(point) : normalisedPoint(space, point);
}

/** Length of the space's cost-model feature vectors. */
export function featureCount(space: SearchSpace): number {
  return pointFeatures(space, space.cardinalities.map(() => 0)).length;
}

export function pointKey(point: Point): string {
  return point.join(',');
}

export function checkPoint(space: SearchSpace, point: Point): void {
  if (point.length !== space.cardinalities.length) throw new RangeError(`point has ${point.length} knobs, the space has ${space.cardinalities.length}`);
  point.forEach((index, i) => {
    if (!Number.isInteger(index) || index < 0 || index >= space.cardinalities[i]!) {
      throw new RangeError(`knob '${space.knobNames[i]}' index ${index} is outside 0…${space.cardinalities[i]! - 1}`);
    }
  });
}
