// DenseNet's concat chains. In a dense block every layer concatenates the block's input with the
// features of every layer before it, so each Concat's inputs are a prefix of the next one's;
// copied Concat by Concat, a block copies its early features again for every layer (5.7 % of
// DenseNet-121's time on one thread). Instead the chain's longest Concat (its home) holds every
// piece: convolutions write their features straight into their channel slice, the other pieces
// are copied in once, and each shorter Concat is a view of the home's channel prefix, read by the
// BatchNormalization after it with the home's pixel stride.
import type { GraphNode } from '../graph/types.js';
import { attr, normaliseAxis, type Lowering } from './lower.js';

export interface ConcatChain {
  /** The chain's longest Concat, whose output holds every piece. */
  readonly home: GraphNode;
  /** Each piece's first channel in the home's output, by tensor name. */
  readonly offsets: ReadonlyMap<string, number>;
  /** Pieces an earlier Concat of the chain copied into the home's output. */
  readonly copied: Set<string>;
}

const found = new WeakMap<Lowering, Map<GraphNode, ConcatChain | undefined>>();

const channelConcat = (node: GraphNode): boolean =>
  node.op === 'Concat' && node.outputs[0]!.shape.length === 4 && normaliseAxis(attr(node, 'axis', 0), 4) === 1 && node.inputs.every((i) => i?.kind === 'activation');

/** The chain `concat` belongs to, or undefined when it is in none that qualifies. */
export function concatChain(lw: Lowering, concat: GraphNode): ConcatChain | undefined {
  let known = found.get(lw);
  if (!known) found.set(lw, (known = new Map()));
  if (!known.has(concat)) {
    const chain = channelConcat(concat) ? chainFrom(lw, concat.inputs[0]!.name) : undefined;
    for (const node of chain ? [...chain.members] : [concat]) known.set(node, chain?.chain);
  }
  return known.get(concat);
}

/** The Concats whose first input is `first`, when they form a chain whose shorter members only BatchNormalization reads. */
function chainFrom(lw: Lowering, first: string): { members: GraphNode[]; chain: ConcatChain } | undefined {
  const members = lw.readersOf(first).filter((n) => channelConcat(n) && n.inputs[0]!.name === first);
  if (members.length < 2) return undefined;
  const home = members.reduce((longest, n) => (n.inputs.length > longest.inputs.length ? n : longest));
  const names = home.inputs.map((i) => i!.name);
  if (new Set(names).size !== names.length) return undefined;
  const prefixes = members.every((n) => n.inputs.every((i, k) => i!.name === names[k]));
  const viewsRead = members.every((n) => {
    const view = n.outputs[0]!.name;
    return n === home || (!lw.graph.outputs.includes(view) && lw.readersOf(view).every((r) => r.op === 'BatchNormalization' && r.inputs.findIndex((i) => i?.name === view) === 0));
  });
  if (!prefixes || !viewsRead) return undefined;
  const offsets = new Map<string, number>();
  let channel = 0;
  for (const i of home.inputs) {
    offsets.set(i!.name, channel);
    channel += i!.shape[1]!;
  }
  return { members, chain: { home, offsets, copied: new Set() } };
}
