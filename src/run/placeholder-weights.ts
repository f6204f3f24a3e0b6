// Seeded weights of sensible scale for a graph that has none (a zoo model, a weight-stripped
// file): what timing runs need, as latency does not depend on the values (compile's end-to-end
// time, infer on a zoo model, the benchmarks).
import type { Graph } from '../graph/types.js';
import { Random } from '../helpers/random.js';

/** Seeded weights for every weight and data-less constant the graph reads. */
export function placeholderWeights(graph: Graph, seed = 1): Record<string, Float32Array> {
  const random = new Random(seed);
  const weights: Record<string, Float32Array> = {};
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (!i || i.kind === 'activation' || i.value || weights[i.name]) continue;
      const count = i.shape.reduce((a, d) => a * d, 1);
      // Kernels as He-scaled noise; vectors (biases, BatchNorm statistics) positive, near 1.
      const fanIn = i.shape.length >= 2 ? count / i.shape[0]! : 0;
      weights[i.name] = fanIn > 0 ? random.floats(count, -Math.sqrt(3 / fanIn), Math.sqrt(3 / fanIn)) : random.floats(count, 0.5, 1.5);
    }
  }
  return weights;
}

