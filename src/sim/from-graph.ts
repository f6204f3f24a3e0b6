// A graph of the front-end (zoo or ONNX) → the conv and GEMM rows SCALE-Sim simulates, so any model
// can run on the systolic simulator. SCALE-Sim has no padding, dilation, groups or batch, so:
//  * padding: the ifmap is the padded input region the convolution actually reads,
//    (out − 1)·stride + kernel per spatial dim, which makes SCALE-Sim's ceil output rule give
//    the true output size;
//  * dilation: the kernel becomes its dilated extent (k − 1)·d + 1 (MACs then count the holes);
//  * groups: one layer per group, each with C/G channels and M/G filters (depthwise: C layers of
//    one channel and one filter, as SCALE-Sim's own 'DP' rows expand);
//  * batch: one copy of each layer per image;
//  * Gemm: one GEMM row (M, N, K); MatMul: batch dims fold into M when the right operand is a
//    plain matrix, else one GEMM per batch element.
// Other ops with MACs (ConvTranspose) are listed as skipped rather than guessed.
// This is the one conversion: `graphRows` gives each node's layer once with the number of copies
// (what co-design's `networkOf` merges by shape); `graphTopology` spells the copies out as named
// rows (what `mapwise simulate` runs and reports).
import { UserError } from '../base/errors.js';
import type { Graph, GraphNode } from '../graph/types.js';
import { type ConvLayer, gemmLayer } from './types.js';

export interface GraphTopology {
  layers: ConvLayer[];
  /** Nodes with MACs that have no SCALE-Sim equivalent, by name and op. */
  skipped: { name: string; op: string; macs: number }[];
}

const ints = (node: GraphNode, key: string): number[] | undefined => {
  const v = node.attributes[key];
  return Array.isArray(v) ? (v as number[]) : undefined;
};

function convRow(node: GraphNode): GraphRow {
  const x = node.inputs[0]!;
  const w = node.inputs[1]!;
  const y = node.outputs[0]!;
  const spatial = x.shape.length - 2;
  if (spatial !== 1 && spatial !== 2) throw new UserError(`node '${node.name}': only 1-D and 2-D convolutions map to SCALE-Sim rows, got ${spatial}-D`, { field: 'model' });
  const [n, c] = x.shape as [number, number];
  const m = w.shape[0]!;
  const group = typeof node.attributes.group === 'number' ? node.attributes.group : 1;
  const kernel = w.shape.slice(2);
  const strides = ints(node, 'strides') ?? kernel.map(() => 1);
  const dilations = ints(node, 'dilations') ?? kernel.map(() => 1);
  const outSize = y.shape.slice(2);
  const dims = kernel.map((k, i) => {
    const extent = (k - 1) * dilations[i]! + 1;
    return { filter: extent, stride: strides[i]!, ifmap: (outSize[i]! - 1) * strides[i]! + extent };
  });
  const [hDim, wDim] = spatial === 2 ? [dims[0]!, dims[1]!] : [{ filter: 1, stride: 1, ifmap: 1 }, dims[0]!];
  const layer: ConvLayer = {
    name: node.name,
    ifmapHeight: hDim.ifmap, ifmapWidth: wDim.ifmap, filterHeight: hDim.filter, filterWidth: wDim.filter,
    channels: c / group, numFilters: m / group, strideHeight: hDim.stride, strideWidth: wDim.stride,
  };
  const copyNames: string[] = [];
  for (let b = 0; b < n; b++) for (let g = 0; g < group; g++) copyNames.push(`${node.name}${n > 1 ? `/n${b}` : ''}${group > 1 ? `/g${g}` : ''}`);
  return { node: node.name, layer, copyNames };
}

function gemmRow(node: GraphNode): GraphRow {
  const a = node.inputs[0]!;
  const b = node.inputs[1]!;
  if (node.op === 'Gemm') {
    const transA = node.attributes.transA === 1;
    const transB = node.attributes.transB === 1;
    const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const nOut = transB ? b.shape[0]! : b.shape[1]!;
    return { node: node.name, layer: gemmLayer(node.name, m, nOut, k), copyNames: [node.name] };
  }
  const k = a.shape[a.shape.length - 1]!;
  const m = a.shape.length > 1 ? a.shape[a.shape.length - 2]! : 1;
  const nOut = b.shape.length > 1 ? b.shape[b.shape.length - 1]! : 1;
  const out = node.outputs[0]!.shape;
  const batch = out.slice(0, Math.max(0, out.length - (a.shape.length > 1 ? 1 : 0) - (b.shape.length > 1 ? 1 : 0))).reduce((p, d) => p * d, 1);
  if (b.shape.length <= 2) return { node: node.name, layer: gemmLayer(node.name, m * batch, nOut, k), copyNames: [node.name] };
  return { node: node.name, layer: gemmLayer(node.name, m, nOut, k), copyNames: Array.from({ length: batch }, (_, i) => `${node.name}/b${i}`) };
}

/** One node's layer and the names of its copies (one per image and group, or per batched MatMul element). */
export interface GraphRow {
  readonly node: string;
  readonly layer: ConvLayer;
  readonly copyNames: readonly string[];
}

/** Every Conv, Gemm and MatMul node as one row with its copies; nodes with MACs that have no row are skipped. */
export function graphRows(graph: Graph): { rows: GraphRow[]; skipped: GraphTopology['skipped'] } {
  const rows: GraphRow[] = [];
  const skipped: GraphTopology['skipped'] = [];
  for (const node of graph.nodes) {
    if (node.op === 'Conv') rows.push(convRow(node));
    else if (node.op === 'Gemm' || node.op === 'MatMul') rows.push(gemmRow(node));
    else if (node.macs > 0) skipped.push({ name: node.name, op: node.op, macs: node.macs });
  }
  if (rows.length === 0) throw new UserError(`model '${graph.name}' has no Conv, Gemm or MatMul node to simulate`, { field: 'model' });
  return { rows, skipped };
}

/** The rows SCALE-Sim runs, every copy spelled out under its own name. */
export function graphTopology(graph: Graph): GraphTopology {
  const { rows, skipped } = graphRows(graph);
  const layers = rows.flatMap(({ layer, copyNames }) => copyNames.map((name) => ({ ...layer, name })));
  return { layers, skipped };
}
