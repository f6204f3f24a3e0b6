// Transfer between workloads: the measurements of the layers tuned so far, kept so that the
// next layer's cost model can start from them (see `transfer` in tuners/model-based.ts).
// Samples are grouped by feature count, so conv and depthwise layers never mix.
import { featureCount, type SearchSpace } from '../base/search-space.js';
import type { Tuner } from './tuner.js';
import { ModelBasedTuner, type TransferSamples } from './tuners/model-based.js';

export class TransferPool {
  private readonly byFeatureCount = new Map<number, { features: (readonly number[])[]; targets: number[] }>();

  /** The samples a tuner on `space` can start from, or undefined when there are none yet. */
  samplesFor(space: SearchSpace): TransferSamples | undefined {
    const group = this.byFeatureCount.get(featureCount(space));
    return group && group.features.length > 0 ? { features: [...group.features], targets: [...group.targets] } : undefined;
  }

  /** Adds a finished tuner's measurements (a tuner without a cost model adds none). */
  add(tuner: Tuner): void {
    if (!(tuner instanceof ModelBasedTuner)) return;
    const own = tuner.measuredSamples();
    if (own.features.length === 0) return;
    const count = own.features[0]!.length;
    const group = this.byFeatureCount.get(count) ?? { features: [], targets: [] };
    group.features.push(...own.features);
    group.targets.push(...own.targets);
    this.byFeatureCount.set(count, group);
  }
}
