// Questions schedulers and simulators ask of a graph. Every function reads a built graph (whose
// node order is topological) and allocates its answer fresh.
import type { Graph, GraphNode } from './types.js';

/** predecessors(g)[v]: ids of the nodes whose outputs v reads, ascending. */
export function predecessors(graph: Graph): number[][] {
  const preds: number[][] = graph.nodes.map(() => []);
  for (const e of graph.edges) preds[e.to]!.push(e.from);
  return preds.map((p) => [...new Set(p)].sort((a, b) => a - b));
}

/** successors(g)[u]: ids of the nodes that read u's outputs, ascending. */
export function successors(graph: Graph): number[][] {
  const succs: number[][] = graph.nodes.map(() => []);
  for (const e of graph.edges) succs[e.from]!.push(e.to);
  return succs.map((s) => [...new Set(s)].sort((a, b) => a - b));
}

/** The node ids in topological order (the graph's own order). */
export function topologicalOrder(graph: Graph): number[] {
  return graph.nodes.map((n) => n.id);
}

/** levels(g)[v]: 0 for a node with no predecessor, else 1 + the largest level among its predecessors. */
export function levels(graph: Graph): number[] {
  const level = new Array<number>(graph.nodes.length).fill(0);
  const preds = predecessors(graph);
  for (const n of graph.nodes) for (const p of preds[n.id]!) level[n.id] = Math.max(level[n.id]!, level[p]! + 1);
  return level;
}

export interface CriticalPath {
  /** Sum of node weights along the heaviest source-to-sink path. */
  readonly length: number;
  /** The node ids on that path, source first. */
  readonly nodes: readonly number[];
}

/** The heaviest path through the graph, weighting each node by `weight` (MACs by default). */
export function criticalPath(graph: Graph, weight: (node: GraphNode) => number = (n) => n.macs): CriticalPath {
  const n = graph.nodes.length;
  if (n === 0) return { length: 0, nodes: [] };
  const preds = predecessors(graph);
  const best = new Array<number>(n).fill(0);
  const via = new Array<number>(n).fill(-1);
  for (const node of graph.nodes) {
    let from = -1;
    let base = 0;
    for (const p of preds[node.id]!) {
      if (from < 0 || best[p]! > base) {
        base = best[p]!;
        from = p;
      }
    }
    best[node.id] = base + weight(node);
    via[node.id] = from;
  }
  let end = 0;
  for (let v = 1; v < n; v++) if (best[v]! > best[end]!) end = v;
  const path: number[] = [];
  for (let v = end; v >= 0; v = via[v]!) path.push(v);
  return { length: best[end]!, nodes: path.reverse() };
}

/** paramBytesPerNode(g)[v]: parameter bytes first read by node v. */
export function paramBytesPerNode(graph: Graph): number[] {
  return graph.nodes.map((n) => n.paramBytes);
}

/**
 * The largest sum of live activation bytes while running the nodes in graph order: a tensor is
 * live from its producer (or the start, for graph inputs) until its last reader, and graph
 * outputs stay live to the end.
 */
export function peakActivationBytes(graph: Graph): number {
  const lastUse = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i?.kind === 'activation') lastUse.set(i.name, n.id);
  const end = graph.nodes.length;
  for (const o of graph.outputs) lastUse.set(o, end);
  const freeAt: number[] = new Array<number>(end + 1).fill(0);
  let live = 0;
  for (const t of graph.inputs) {
    live += t.bytes;
    freeAt[lastUse.get(t.name) ?? 0]! += t.bytes;
  }
  let peak = live;
  for (const n of graph.nodes) {
    live += n.outputBytes;
    peak = Math.max(peak, live);
    for (const o of n.outputs) freeAt[lastUse.get(o.name) ?? n.id]! += o.bytes;
    live -= freeAt[n.id]!;
  }
  return peak;
}

export interface GraphTotals {
  readonly nodes: number;
  readonly edges: number;
  readonly opCounts: Readonly<Record<string, number>>;
  readonly params: number;
  readonly paramBytes: number;
  readonly macs: number;
  readonly peakActivationBytes: number;
}

export function totals(graph: Graph): GraphTotals {
  const opCounts: Record<string, number> = {};
  let params = 0;
  let paramBytes = 0;
  let macs = 0;
  for (const n of graph.nodes) {
    opCounts[n.op] = (opCounts[n.op] ?? 0) + 1;
    params += n.params;
    paramBytes += n.paramBytes;
    macs += n.macs;
  }
  return { nodes: graph.nodes.length, edges: graph.edges.length, opCounts, params, paramBytes, macs, peakActivationBytes: peakActivationBytes(graph) };
}

/** A convolution or pooling window with every default and auto_pad resolved. */
export interface WindowGeometry {
  readonly batch: number;
  readonly inChannels: number;
  /** Output channels (= input channels for pooling). */
  readonly outChannels: number;
  readonly group: number;
  /** Spatial sizes, outermost first. */
  readonly inputSize: readonly number[];
  readonly outputSize: readonly number[];
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** Padding before and after each spatial dim, as the op applies it (auto_pad resolved). */
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
}

/**
 * The window of a Conv, MaxPool or AveragePool node, so simulators and tuners read one
 * resolved description instead of re-deriving ONNX defaults. For SAME auto-padding the total
 * is what the output size requires; SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the start.
 */
export function windowGeometry(node: GraphNode): WindowGeometry {
  if (node.op !== 'Conv' && node.op !== 'MaxPool' && node.op !== 'AveragePool') {
    throw new RangeError(`node '${node.name}': ${node.op} has no convolution window`);
  }
  const x = node.inputs[0]!.shape;
  const y = node.outputs[0]!.shape;
  const spatial = x.length - 2;
  const list = (key: string, fill: number, length = spatial): number[] => {
    const v = node.attributes[key];
    return Array.isArray(v) ? [...(v as number[])] : new Array<number>(length).fill(fill);
  };
  const isConv = node.op === 'Conv';
  const kernel = isConv ? node.inputs[1]!.shape.slice(2) : list('kernel_shape', 1);
  const strides = list('strides', 1);
  const dilations = list('dilations', 1);
  const inputSize = x.slice(2);
  const outputSize = y.slice(2);
  const autoPad = node.attributes['auto_pad'];
  let padsBegin: number[];
  let padsEnd: number[];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = inputSize.map((size, i) => Math.max(0, (outputSize[i]! - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - size));
    padsBegin = total.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2)));
    padsEnd = total.map((t, i) => t - padsBegin[i]!);
  } else if (autoPad === 'VALID') {
    padsBegin = new Array<number>(spatial).fill(0);
    padsEnd = new Array<number>(spatial).fill(0);
  } else {
    const pads = list('pads', 0, 2 * spatial);
    padsBegin = pads.slice(0, spatial);
    padsEnd = pads.slice(spatial);
  }
  return {
    batch: x[0]!,
    inChannels: x[1]!,
    outChannels: y[1]!,
    group: isConv && typeof node.attributes['group'] === 'number' ? node.attributes['group'] : 1,
    inputSize, outputSize, kernel, strides, dilations, padsBegin, padsEnd,
  };
}

/** Who reads each activation of a graph: every reader, and the node that alone reads it once (none for a graph output). */
export interface TensorReaders {
  readersOf(tensor: string): readonly GraphNode[];
  soleReader(tensor: string): GraphNode | undefined;
}

export function tensorReaders(graph: Graph): TensorReaders {
  const readers = new Map<string, GraphNode[]>();
  for (const node of graph.nodes) for (const i of node.inputs) if (i?.kind === 'activation') readers.set(i.name, [...(readers.get(i.name) ?? []), node]);
  const readersOf = (tensor: string): readonly GraphNode[] => readers.get(tensor) ?? [];
  return {
    readersOf,
    soleReader(tensor) {
      const list = readersOf(tensor);
      if (list.length !== 1 || graph.outputs.includes(tensor)) return undefined;
      return list[0]!.inputs.filter((i) => i?.name === tensor).length === 1 ? list[0] : undefined;
    },
  };
}

/**
 * The AveragePool that may run before `conv` rather than after it, as the runtime runs it (both
 * maps are linear and each window's weights sum to one, so only rounding changes, and the conv
 * then runs on the pooled pixels: DenseNet's transitions): a 1×1, stride-1, unpadded conv whose
 * output, or that of a BatchNormalization with constant statistics folded into it, only the pool
 * reads, where the pool's mean counts no padding.
 */
export function averagePoolFirst(conv: GraphNode, soleReader: (tensor: string) => GraphNode | undefined): GraphNode | undefined {
  if (conv.op !== 'Conv' || conv.inputs[0]?.shape.length !== 4) return undefined;
  const g = windowGeometry(conv);
  if ([...g.kernel, ...g.strides].some((v) => v !== 1) || [...g.padsBegin, ...g.padsEnd].some((p) => p !== 0)) return undefined;
  let next = soleReader(conv.outputs[0]!.name);
  if (next?.op === 'BatchNormalization' && next.outputs.length === 1 && next.inputs.slice(1).every((i) => i && i.kind !== 'activation')) next = soleReader(next.outputs[0]!.name);
  if (next?.op !== 'AveragePool' || next.outputs.length !== 1) return undefined;
  const pool = windowGeometry(next);
  const windowsPastInput = [...pool.padsBegin, ...pool.padsEnd].some((p) => p !== 0) || next.attributes['ceil_mode'] === 1;
  return next.attributes['count_include_pad'] === 1 && windowsPastInput ? undefined : next;
}
