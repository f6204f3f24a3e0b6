// A network as the systolic simulator sees it: its Conv, Gemm and MatMul nodes as SCALE-Sim
// layers (no padding, no batch, no groups), identical shapes merged with a multiplicity.
//   * padding: the input is taken as (out − 1)·stride + dilated kernel, the size SCALE-Sim's
//     output rule maps to the node's real output size (padded zeros are moved like data);
//   * groups: a grouped conv is `groups` convs of C/g channels and OC/g filters (SCALE-Sim's
//     depthwise path does the same), and batch N runs the layer N times;
//   * Gemm/MatMul: M = the output's leading dims, N = its last dim, K = MACs / (M·N).
import type { Graph, GraphNode } from '../graph/types.js';
import { gemmLayer, type ConvLayer } from '../sim/types.js';

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

const ints = (v: unknown): number[] | undefined => (Array.isArray(v) ? (v as number[]) : undefined);

function convLayers(node: GraphNode): { layer: ConvLayer; count: number } | undefined {
  const x = node.inputs[0];
  const w = node.inputs[1];
  const y = node.outputs[0];
  if (!x || !w || !y || x.shape.length !== 4 || w.shape.length !== 4 || y.shape.length !== 4) return undefined;
  const group = typeof node.attributes.group === 'number' ? node.attributes.group : 1;
  const strides = ints(node.attributes.strides) ?? [1, 1];
  const dilations = ints(node.attributes.dilations) ?? [1, 1];
  const [batch, oc, oh, ow] = y.shape as [number, number, number, number];
  const [, cPerGroup, kh, kw] = w.shape as [number, number, number, number];
  const fh = (kh - 1) * dilations[0]! + 1;
  const fw = (kw - 1) * dilations[1]! + 1;
  const layer: ConvLayer = {
    name: node.name,
    ifmapHeight: (oh - 1) * strides[0]! + fh,
    ifmapWidth: (ow - 1) * strides[1]! + fw,
    filterHeight: fh,
    filterWidth: fw,
    channels: cPerGroup,
    numFilters: oc / group,
    strideHeight: strides[0]!,
    strideWidth: strides[1]!,
  };
  return { layer, count: batch * group };
}

function gemmLayers(node: GraphNode): { layer: ConvLayer; count: number } | undefined {
  const y = node.outputs[0];
  if (!y || y.shape.length < 1 || node.macs <= 0) return undefined;
  const n = y.shape[y.shape.length - 1]!;
  const m = y.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const k = Math.round(node.macs / (m * n));
  if (k < 1) return undefined;
  return { layer: gemmLayer(node.name, m, n, k), count: 1 };
}

const shapeKey = (l: ConvLayer): string =>
  [l.ifmapHeight, l.ifmapWidth, l.filterHeight, l.filterWidth, l.channels, l.numFilters, l.strideHeight, l.strideWidth].join(',');

/** The simulator's layers of a graph; throws when it has no Conv, Gemm or MatMul. */
export function networkOf(graph: Graph): Network {
  const merged = new Map<string, { layer: ConvLayer; count: number; nodes: string[] }>();
  for (const node of graph.nodes) {
    const found = node.op === 'Conv' ? convLayers(node) : node.op === 'Gemm' || node.op === 'MatMul' ? gemmLayers(node) : undefined;
    if (!found) continue;
    const key = shapeKey(found.layer);
    const entry = merged.get(key);
    if (entry) {
      entry.count += found.count;
      entry.nodes.push(node.name);
    } else {
      merged.set(key, { layer: found.layer, count: found.count, nodes: [node.name] });
    }
  }
  if (merged.size === 0) throw new RangeError(`model '${graph.name}' has no Conv, Gemm or MatMul layer to map`);
  return networkFromLayers(graph.name, [...merged.values()]);
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
