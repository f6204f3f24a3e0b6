// Graph-to-graph rewrites. Each pass takes a built graph and returns a new one built (and so
// checked) from scratch.
import { buildGraph, specOf, type NodeInputSpec, type NodeSpec } from './build.js';
import { elementCount, type Graph, type GraphNode } from './types.js';

/**
 * Folds every BatchNormalization that directly follows a Conv read by nothing else into that
 * Conv, giving the Conv a bias if it had none — what the PyTorch ONNX exporter does in eval mode.
 * Parameters drop by one channel vector per folded BN (scale and bias become the conv's bias).
 */
export function foldBatchNorm(graph: Graph): Graph {
  const spec = specOf(graph);
  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i?.kind === 'activation') readers.set(i.name, (readers.get(i.name) ?? 0) + 1);
  const producer = new Map<string, NodeSpec>();
  for (const n of spec.nodes) for (const o of n.outputs) producer.set(typeof o === 'string' ? o : o.name, n);
  const replaced = new Map<string, NodeSpec>();
  const dropped = new Set<string>();
  for (const bn of spec.nodes) {
    if (bn.op !== 'BatchNormalization' || bn.outputs.length !== 1) continue;
    const x = bn.inputs[0];
    if (typeof x !== 'string' || readers.get(x) !== 1 || graph.outputs.includes(x)) continue;
    const conv = producer.get(x);
    if (!conv || conv.op !== 'Conv' || replaced.has(conv.name)) continue;
    const weight = conv.inputs[1];
    if (!weight || typeof weight === 'string') continue;
    const inputs: NodeInputSpec[] = [conv.inputs[0]!, weight, conv.inputs[2] ?? { name: `${conv.name}.bias`, shape: [weight.shape[0]!], kind: 'weight' }];
    replaced.set(conv.name, { ...conv, inputs, outputs: bn.outputs });
    dropped.add(bn.name);
  }
  return buildGraph({
    ...spec,
    nodes: spec.nodes.filter((n) => !dropped.has(n.name)).map((n) => replaced.get(n.name) ?? n),
  });
}

/** Ops whose TFLite counterparts carry a fused activation (`fused_activation_function`). */
const FUSES_ACTIVATION = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'AveragePool', 'MaxPool', 'Concat']);
/** ReLU and ReLU6 (ONNX Clip), the activations TFLite fuses. */
const FUSIBLE_ACTIVATIONS = new Set(['Relu', 'Clip']);
/** Ops the TFLite converter removes at inference. */
const PASS_THROUGH = new Set(['Identity', 'Dropout']);

/**
 * The graph an int8 Edge TPU runs, whatever form it came in: BatchNorm folded into the Conv
 * before it, a Mul by a constant folded into the Conv before it (see foldConstantScales), ReLU/ReLU6 fused into the op that produces its input (when nothing else reads that
 * tensor), and Identity/Dropout of activations removed — what the TFLite converter does — with the
 * nodes in a canonical order (see canonicalOrder), so two listings of one network give one graph.
 * Bytes per weight are the target's business (`paramBytesPerWeight`), not the graph's.
 */
export function deploymentGraph(graph: Graph): Graph {
  const rewrites = graph.nodes.some((n) => n.op === 'BatchNormalization' || n.op === 'Mul' || FUSIBLE_ACTIVATIONS.has(n.op) || PASS_THROUGH.has(n.op));
  const rewritten = rewrites ? fuseForDevice(graph) : graph;
  const order = canonicalOrder(rewritten);
  if (order.every((v, i) => v === i)) return rewritten;
  const spec = specOf(rewritten);
  return buildGraph({ ...spec, nodes: order.map((v) => spec.nodes[v]!) });
}

/** BatchNorm and constant scales folded, ReLU/ReLU6 fused, Identity and Dropout removed (see deploymentGraph). */
function fuseForDevice(graph: Graph): Graph {
  const spec = specOf(foldBatchNorm(graph));
  const rename = new Map<string, string>();
  const source = (name: string): string => rename.get(name) ?? name;
  let kept: NodeSpec[] = [];
  for (const n of spec.nodes) {
    const x = n.inputs[0];
    if (PASS_THROUGH.has(n.op) && typeof x === 'string' && n.outputs.length >= 1 && !graph.outputs.includes(nameOf(n.outputs[0]!))) {
      rename.set(nameOf(n.outputs[0]!), source(x));
      continue;
    }
    kept.push({ ...n, inputs: n.inputs.map((i) => (typeof i === 'string' ? source(i) : i)) });
  }
  kept = foldConstantScales(kept, spec.outputs ?? []);
  const readers = new Map<string, number>();
  for (const n of kept) for (const i of n.inputs) if (typeof i === 'string') readers.set(i, (readers.get(i) ?? 0) + 1);
  const producer = new Map<string, number>();
  kept.forEach((n, k) => n.outputs.forEach((o) => producer.set(nameOf(o), k)));
  const fused = new Set<number>();
  for (let k = 0; k < kept.length; k++) {
    const act = kept[k]!;
    const x = act.inputs[0];
    if (!FUSIBLE_ACTIVATIONS.has(act.op) || typeof x !== 'string' || readers.get(x) !== 1 || spec.outputs?.includes(x)) continue;
    const p = producer.get(x);
    const host = p === undefined ? undefined : kept[p]!;
    if (!host || !FUSES_ACTIVATION.has(host.op) || host.outputs.length !== 1 || fused.has(p!)) continue;
    kept[p!] = { ...host, outputs: act.outputs };
    fused.add(k);
  }
  return buildGraph({ ...spec, nodes: kept.filter((_, k) => !fused.has(k)) });
}

/**
 * Every Mul of a Conv's output (read by nothing else) by a constant (or weight) scalar or per-channel vector,
 * folded into that Conv: the TFLite converter scales the weights and bias instead
 * (FuseMulOrDivWithConv2dOrDepthwiseConv2d), as in Inception-ResNet's residual scaling. The Conv
 * keeps its parameter count; the Mul's pass over the tensor disappears.
 */
function foldConstantScales(nodes: readonly NodeSpec[], outputs: readonly string[]): NodeSpec[] {
  const readers = new Map<string, number>();
  for (const n of nodes) for (const i of n.inputs) if (typeof i === 'string') readers.set(i, (readers.get(i) ?? 0) + 1);
  const producer = new Map<string, number>();
  nodes.forEach((n, k) => n.outputs.forEach((o) => producer.set(nameOf(o), k)));
  const result = [...nodes];
  const dropped = new Set<number>();
  nodes.forEach((mul, k) => {
    if (mul.op !== 'Mul' || mul.inputs.length !== 2) return;
    const x = mul.inputs.find((i) => typeof i === 'string');
    const factor = mul.inputs.find((i) => i !== null && typeof i === 'object');
    if (typeof x !== 'string' || !factor || typeof factor !== 'object' || readers.get(x) !== 1 || outputs.includes(x)) return;
    const p = producer.get(x);
    const conv = p === undefined ? undefined : result[p]!;
    const weight = conv?.inputs[1];
    if (!conv || conv.op !== 'Conv' || conv.outputs.length !== 1 || !weight || typeof weight !== 'object') return;
    if (!scalesChannels(factor.shape, weight.shape[0]!)) return;
    result[p!] = { ...conv, outputs: mul.outputs };
    dropped.add(k);
  });
  return result.filter((_, k) => !dropped.has(k));
}

/** A constant of `shape` multiplies an NCHW tensor of `channels` channels per channel or as a whole: a scalar, or [..., C, 1, 1] with leading ones. */
function scalesChannels(shape: readonly number[], channels: number): boolean {
  if (shape.every((d) => d === 1)) return true;
  const c = shape.length - 3;
  return c >= 0 && shape[c] === channels && shape.every((d, i) => i === c || d === 1);
}

/**
 * A topological order that depends on the graph's structure, not on how its file listed the
 * nodes: depth first, following the node just placed into whichever of its successors became
 * ready, the biggest first (MACs, then parameters, then output size, then op name; the listing
 * breaks only ties between nodes alike in all of these). A residual block comes out as its main
 * path, then its shortcut, then the sum, however the exporter listed them.
 */
export function canonicalOrder(graph: Graph): number[] {
  const n = graph.nodes.length;
  const succs: number[][] = graph.nodes.map(() => []);
  const waiting = new Int32Array(n);
  const seen = new Set<string>();
  for (const e of graph.edges) {
    const key = `${e.from}>${e.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    succs[e.from]!.push(e.to);
    waiting[e.to]!++;
  }
  const size = (v: GraphNode): number => v.outputs.reduce((sum, o) => sum + elementCount(o.shape), 0);
  // Sorted so that the node to place first ends last (the top of the stack).
  const push = (stack: number[], ready: number[]): void => {
    ready.sort((a, b) => {
      const [x, y] = [graph.nodes[a]!, graph.nodes[b]!];
      return x.macs - y.macs || x.params - y.params || size(x) - size(y) || (x.op < y.op ? 1 : x.op > y.op ? -1 : 0) || b - a;
    });
    stack.push(...ready);
  };
  const stack: number[] = [];
  const sources: number[] = [];
  for (let v = 0; v < n; v++) if (waiting[v] === 0) sources.push(v);
  push(stack, sources);
  const order: number[] = [];
  while (stack.length > 0) {
    const v = stack.pop()!;
    order.push(v);
    push(stack, succs[v]!.filter((w) => --waiting[w]! === 0));
  }
  return order;
}

const nameOf = (o: string | { name: string }): string => (typeof o === 'string' ? o : o.name);
