// The graphs of the model specs that need no file: zoo models and the seeded generators.
import type { ModelSpec } from './model-spec.js';
import { dnnLikeGraph, layeredDag } from './synthetic.js';
import type { Graph } from './types.js';
import { zooModel } from './zoo/index.js';

/** The graph of a spec that needs no file (zoo, synthetic, dnnlike); undefined for scalesim and file specs. */
export function builtinGraph(spec: ModelSpec): Graph | undefined {
  switch (spec.kind) {
    case 'zoo':
      return zooModel(spec.name, spec.size);
    case 'synthetic':
      return layeredDag({ nodes: spec.nodes, levels: spec.levels, seed: spec.seed });
    case 'dnnlike':
      return dnnLikeGraph({ blocks: spec.blocks, seed: spec.seed });
    default:
      return undefined;
  }
}
