// Chameleon's environment: the state is the vector of knob indices normalised by their
// cardinalities; an action moves every knob by −1, 0 or +1 at once (clamped to its range);
// the reward is the cost model's predicted quality of the new point.
import type { Point, SearchSpace } from '../base/search-space.js';
import { normalisedPoint } from '../base/search-space.js';

/** Action j of a knob moves it by j − 1. */
export const MOVES_PER_KNOB = 3;

export function applyMoves(space: SearchSpace, point: Point, moves: readonly number[]): number[] {
  return point.map((index, k) => Math.min(space.cardinalities[k]! - 1, Math.max(0, index + moves[k]! - 1)));
}

export function walkState(space: SearchSpace, point: Point): number[] {
  return normalisedPoint(space, point);
}
