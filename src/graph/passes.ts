// Graph-to-graph rewrites. Each pass takes a built graph and returns a new one built (and so
// checked) from scratch.
import { buildGraph, specOf, type NodeInputSpec, type NodeSpec } from './build.js';
import type { Graph } from './types.js';

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
