// A network as the systolic simulator sees it: the rows of src/sim/from-graph.ts (its modelling of
// padding, dilation, groups, batch and GEMMs), identical shapes merged with a multiplicity.
import type { Graph } from '../graph/types.js';
import { graphRows } from '../sim/from-graph.js';
import type { ConvLayer, NmSparsity } from '../sim/types.js';

export interface NetworkLayer {
  readonly layer: ConvLayer;
  /** How many times the network runs this shape per inference. */
  readonly count: number;
  /** Graph nodes that have this shape. */
  readonly nodes: readonly string[];
}

export interface Network {
  readonly name: string;
  readonly layers: readonly NetworkLayer[];
  /** MACs of one inference, SCALE-Sim's count (ceil rule) over every layer. */
  readonly macs: number;
}

const shapeKey = (l: ConvLayer): string =>
  [l.ifmapHeight, l.ifmapWidth, l.filterHeight, l.filterWidth, l.channels, l.numFilters, l.strideHeight, l.strideWidth].join(',');

/** The simulator's layers of a graph; throws when it has no Conv, Gemm or MatMul. */
export function networkOf(graph: Graph): Network {
  const merged = new Map<string, { layer: ConvLayer; count: number; nodes: string[] }>();
  for (const { node, layer, copyNames } of graphRows(graph).rows) {
    const key = shapeKey(layer);
    const entry = merged.get(key);
    if (entry) {
      entry.count += copyNames.length;
      entry.nodes.push(node);
    } else {
      merged.set(key, { layer, count: copyNames.length, nodes: [node] });
    }
  }
  return networkFromLayers(graph.name, [...merged.values()]);
}

/**
 * The network with every layer's weights pruned N:M, as SCALE-Sim v3's layer-wise sparsity prunes
 * them (window element k kept iff k mod M < N); its name says the ratio, so its records are its own.
 */
export function prunedNetwork(network: Network, ratio: NmSparsity): Network {
  if (!(Number.isInteger(ratio.n) && Number.isInteger(ratio.m) && ratio.n >= 1 && ratio.n <= ratio.m)) throw new RangeError(`N:M sparsity needs integers 1 ≤ N ≤ M, got ${ratio.n}:${ratio.m}`);
  const sparsity = Object.freeze({ n: ratio.n, m: ratio.m });
  return { ...network, name: `${network.name}-${ratio.n}of${ratio.m}`, layers: network.layers.map((l) => ({ ...l, layer: { ...l.layer, sparsity } })) };
}

/** A network from layers given directly (SCALE-Sim topologies, tests). */
export function networkFromLayers(name: string, layers: readonly { layer: ConvLayer; count?: number; nodes?: readonly string[] }[]): Network {
  const list = layers.map((l) => ({ layer: l.layer, count: l.count ?? 1, nodes: l.nodes ?? [l.layer.name] }));
  const macs = list.reduce((sum, l) => {
    const oh = Math.ceil((l.layer.ifmapHeight - l.layer.filterHeight + l.layer.strideHeight) / l.layer.strideHeight);
    const ow = Math.ceil((l.layer.ifmapWidth - l.layer.filterWidth + l.layer.strideWidth) / l.layer.strideWidth);
    return sum + l.count * oh * ow * l.layer.numFilters * l.layer.filterHeight * l.layer.filterWidth * l.layer.channels;
  }, 0);
  return { name, layers: list, macs };
}
