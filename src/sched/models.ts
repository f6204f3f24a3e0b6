// Model specs the schedulers accept by name: `synthetic:N[:seed]` (RESPECT-style layered
// DAG of N nodes), `dnnlike:B[:seed]` (Conv/Relu/Add/Concat network of B blocks). Resolving a
// spec is `builtinModel` / `loadModel`; this module keeps the help text and the benchmark's
// synthetic graphs.
import { layeredDag, syntheticLevels, type Graph } from '../graph/index.js';

export const MODEL_HELP = 'synthetic:N[:seed] (layered DAG of N nodes) or dnnlike:B[:seed] (B conv blocks)';

export function syntheticGraph(nodes: number, seed: number): Graph {
  return layeredDag({ nodes, levels: syntheticLevels(nodes), seed });
}
