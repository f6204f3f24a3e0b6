// The benchmark's synthetic graphs: RESPECT-style layered DAGs of N nodes at the default level
// count, the graphs a synthetic model spec without levels names (src/graph/model-spec.ts).
import { layeredDag, syntheticLevels, type Graph } from '../graph/index.js';

export function syntheticGraph(nodes: number, seed: number): Graph {
  return layeredDag({ nodes, levels: syntheticLevels(nodes), seed });
}
