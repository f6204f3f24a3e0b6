import { type Point, pointAt, spaceSize } from '../../base/search-space.js';
import { TunerBase } from '../tuner.js';

/** Every point in flat-index order, skipping those already measured. */
export class GridTuner extends TunerBase {
  readonly name = 'grid';
  private cursor = 0;

  nextBatch(n: number): Point[] {
    const size = spaceSize(this.space);
    const batch: Point[] = [];
    for (; this.cursor < size && batch.length < n; this.cursor++) {
      const point = pointAt(this.space, this.cursor);
      if (!this.isVisited(point)) batch.push(point);
    }
    return batch;
  }
}
