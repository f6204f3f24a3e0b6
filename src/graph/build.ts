// Building and verifying graphs. `buildGraph` is the only constructor of a Graph: it orders the
// nodes topologically, infers output shapes with the op table, and rejects cycles, dangling
// inputs, duplicate names, unknown ops and shape mismatches with an error naming the node.
// `verify` re-derives a built graph from scratch and checks that every stored fact still holds;
// tests run it after every pass.
import { OPS, isKnownOp, type OutType } from './ops.js';
import {
  GraphError, checkShape, elementCount, tensorBytes,
  type Attributes, type DType, type GraphEdge, type Graph, type GraphNode, type NodeInput, type OutputInfo, type Shape,
} from './types.js';

export interface TensorSpec {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype?: DType;
}

/** A weight (counted as parameters) or a constant (known small values, not counted) read by a node. */
export interface ConstantInputSpec extends TensorSpec {
  readonly kind: 'weight' | 'constant';
  readonly value?: readonly number[];
}

/** A node input: an activation tensor's name, a weight or constant, or null for an absent optional input. */
export type NodeInputSpec = string | ConstantInputSpec | null;

export interface NodeSpec {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly NodeInputSpec[];
  /** Output names; give shapes where the op cannot infer them (opaque and Synthetic nodes). */
  readonly outputs: readonly (string | TensorSpec)[];
  readonly attributes?: Attributes;
  /** Keep an op mapwise does not know; every output shape must then be given. */
  readonly opaque?: boolean;
  /** MACs of an opaque or Synthetic node; other ops compute their own. */
  readonly macs?: number;
}

export interface GraphSpec {
  readonly name: string;
  readonly inputs: readonly TensorSpec[];
  /** Nodes in any order. */
  readonly nodes: readonly NodeSpec[];
  /** Graph outputs; by default every produced tensor that no node reads. */
  readonly outputs?: readonly string[];
}

const shapeText = (s: Shape): string => `[${s.join(', ')}]`;
const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** A binary min-heap of node indices, so the topological order keeps the spec's order where it can. */
class IndexHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const h = this.items;
    h.push(v);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= v) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = v;
  }
  pop(): number {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const c = l + 1 < h.length && h[l + 1]! < h[l]! ? l + 1 : l;
        if (h[c]! >= last) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function topologicalOrder(spec: GraphSpec, producer: ReadonlyMap<string, number>): number[] {
  const n = spec.nodes.length;
  const consumers: number[][] = Array.from({ length: n }, () => []);
  const indegree = new Array<number>(n).fill(0);
  spec.nodes.forEach((node, v) => {
    const seen = new Set<number>();
    for (const input of node.inputs) {
      if (typeof input !== 'string') continue;
      const u = producer.get(input);
      if (u === undefined || seen.has(u)) continue;
      seen.add(u);
      consumers[u]!.push(v);
      indegree[v]!++;
    }
  });
  const ready = new IndexHeap();
  indegree.forEach((d, v) => d === 0 && ready.push(v));
  const order: number[] = [];
  while (ready.size > 0) {
    const u = ready.pop();
    order.push(u);
    for (const v of consumers[u]!) if (--indegree[v]! === 0) ready.push(v);
  }
  if (order.length < n) {
    const stuck = indegree.findIndex((d) => d > 0);
    throw new GraphError('is part of a cycle', spec.nodes[stuck]!.name);
  }
  return order;
}

function outputNameOf(o: string | TensorSpec): string {
  return typeof o === 'string' ? o : o.name;
}

export function buildGraph(spec: GraphSpec): Graph {
  if (typeof spec.name !== 'string') throw new GraphError('graph name must be a string');
  const graphInputs = new Map<string, OutputInfo>();
  for (const t of spec.inputs) {
    if (graphInputs.has(t.name)) throw new GraphError(`graph input '${t.name}' is declared twice`);
    try {
      checkShape(t.shape, `graph input '${t.name}'`);
    } catch (e) {
      throw new GraphError((e as Error).message);
    }
    const dtype = t.dtype ?? 'float32';
    graphInputs.set(t.name, { name: t.name, shape: [...t.shape], dtype, bytes: tensorBytes(t.shape, dtype) });
  }

  const names = new Set<string>();
  const producer = new Map<string, number>();
  spec.nodes.forEach((node, i) => {
    if (typeof node.name !== 'string' || node.name === '') throw new GraphError(`node #${i} (${node.op}) has no name`);
    if (names.has(node.name)) throw new GraphError('duplicate node name', node.name);
    names.add(node.name);
    if (!isKnownOp(node.op) && !node.opaque) throw new GraphError(`unknown op '${node.op}'`, node.name);
    if (node.outputs.length === 0) throw new GraphError('has no outputs', node.name);
    for (const o of node.outputs) {
      const name = outputNameOf(o);
      if (name === '') throw new GraphError('has an unnamed output', node.name);
      if (producer.has(name) || graphInputs.has(name)) throw new GraphError(`tensor '${name}' is produced twice`, node.name);
      producer.set(name, i);
    }
  });
  spec.nodes.forEach((node) => {
    for (const input of node.inputs) {
      if (typeof input === 'string' && !producer.has(input) && !graphInputs.has(input)) {
        throw new GraphError(`input '${input}' is neither a graph input nor produced by any node`, node.name);
      }
    }
  });

  const order = topologicalOrder(spec, producer);
  const tensors = new Map<string, OutputInfo & { producer: number }>();
  for (const t of graphInputs.values()) tensors.set(t.name, { ...t, producer: -1 });
  const seenWeights = new Set<string>();
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const consumed = new Set<string>();

  for (const index of order) {
    const s = spec.nodes[index]!;
    const id = nodes.length;
    try {
      const inputs: (NodeInput | null)[] = s.inputs.map((input) => {
        if (input === null) return null;
        if (typeof input === 'string') {
          const t = tensors.get(input)!;
          consumed.add(input);
          return { name: t.name, shape: t.shape, dtype: t.dtype, kind: 'activation' };
        }
        checkShape(input.shape, `${input.kind} '${input.name}'`, input.kind === 'constant');
        if (input.value && input.value.length !== elementCount(input.shape)) {
          throw new Error(`constant '${input.name}' has ${input.value.length} values for shape ${shapeText(input.shape)}`);
        }
        return {
          name: input.name, shape: [...input.shape], dtype: input.dtype ?? 'float32', kind: input.kind,
          ...(input.value ? { value: [...input.value] } : {}),
        };
      });
      const rule = OPS[s.op];
      let inferred: OutType[] | null = null;
      if (rule?.infer && !s.opaque) {
        inferred = rule.infer(inputs, s.attributes ?? {}, s.outputs.length);
        if (inferred.length < s.outputs.length) throw new Error(`${s.op} gives ${inferred.length} outputs, ${s.outputs.length} declared`);
      }
      const outputs: OutputInfo[] = s.outputs.map((o, i) => {
        const declared = typeof o === 'string' ? undefined : o;
        const got = inferred?.[i];
        if (got && declared && (!sameShape(got.shape, declared.shape) || (declared.dtype && declared.dtype !== got.dtype))) {
          throw new Error(`output '${declared.name}' is declared ${shapeText(declared.shape)} but the inputs give ${shapeText(got.shape)}`);
        }
        const shape = got?.shape ?? declared?.shape;
        const dtype = got?.dtype ?? declared?.dtype ?? 'float32';
        if (!shape) throw new Error(`output '${outputNameOf(o)}' needs a declared shape`);
        checkShape(shape, `output '${outputNameOf(o)}'`);
        return { name: outputNameOf(o), shape: [...shape], dtype, bytes: tensorBytes(shape, dtype) };
      });
      let macs = 0;
      if (rule?.macs && !s.opaque) {
        if (s.macs !== undefined) throw new Error(`${s.op} computes its own MACs`);
        macs = rule.macs(inputs, outputs, s.attributes ?? {});
      } else if (s.macs !== undefined) {
        if (!Number.isInteger(s.macs) || s.macs < 0) throw new Error('MACs must be a non-negative integer');
        macs = s.macs;
      }
      let params = 0;
      let paramBytes = 0;
      for (const input of inputs) {
        if (input?.kind !== 'weight' || seenWeights.has(input.name)) continue;
        seenWeights.add(input.name);
        params += elementCount(input.shape);
        paramBytes += tensorBytes(input.shape, input.dtype);
      }
      const linked = new Set<number>();
      for (const input of inputs) {
        if (input?.kind !== 'activation') continue;
        const from = tensors.get(input.name)!.producer;
        if (from < 0 || linked.has(from)) continue;
        linked.add(from);
        edges.push({ from, to: id, tensor: input.name, bytes: tensorBytes(input.shape, input.dtype) });
      }
      for (const o of outputs) tensors.set(o.name, { ...o, producer: id });
      nodes.push({
        id, name: s.name, op: s.op, attributes: { ...(s.attributes ?? {}) }, inputs, outputs,
        params, paramBytes, macs, outputBytes: outputs.reduce((sum, o) => sum + o.bytes, 0), opaque: s.opaque === true,
      });
    } catch (e) {
      if (e instanceof GraphError) throw e;
      throw new GraphError(`${s.op}: ${(e as Error).message}`, s.name);
    }
  }

  const outputs = spec.outputs ? [...spec.outputs] : nodes.flatMap((n) => n.outputs.map((o) => o.name)).filter((t) => !consumed.has(t));
  for (const o of outputs) {
    if (!tensors.has(o)) throw new GraphError(`graph output '${o}' is not produced`);
  }
  return { name: spec.name, inputs: [...graphInputs.values()], outputs, nodes, edges };
}

/** The spec a graph was built from (up to node order), so a graph can be rebuilt or edited. */
export function specOf(graph: Graph): GraphSpec {
  return {
    name: graph.name,
    inputs: graph.inputs.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype })),
    outputs: graph.outputs,
    nodes: graph.nodes.map((n) => ({
      name: n.name,
      op: n.op,
      attributes: n.attributes,
      inputs: n.inputs.map((i) =>
        i === null ? null : i.kind === 'activation' ? i.name : { name: i.name, shape: i.shape, dtype: i.dtype, kind: i.kind, ...(i.value ? { value: i.value } : {}) },
      ),
      outputs: n.outputs.map((o) => ({ name: o.name, shape: o.shape, dtype: o.dtype })),
      ...(n.opaque ? { opaque: true } : {}),
      ...(n.opaque || !OPS[n.op]?.macs ? { macs: n.macs } : {}),
    })),
  };
}

/**
 * Checks every invariant of a graph: ids are positions, the order is topological, each input is
 * what its producer makes, output shapes, MACs and parameters are what the op table says, and
 * the edges are exactly the data dependencies. Throws a GraphError naming the node at fault.
 */
export function verify(graph: Graph): void {
  const position = new Map<string, number>();
  graph.nodes.forEach((n, i) => {
    if (n.id !== i) throw new GraphError(`has id ${n.id} at position ${i}`, n.name);
    for (const o of n.outputs) position.set(o.name, i);
  });
  graph.nodes.forEach((n, i) => {
    for (const input of n.inputs) {
      if (input?.kind !== 'activation') continue;
      const p = position.get(input.name);
      if (p !== undefined && p >= i) throw new GraphError(`reads '${input.name}' before it is produced`, n.name);
    }
  });
  const rebuilt = buildGraph(specOf(graph));
  rebuilt.nodes.forEach((r, i) => {
    const n = graph.nodes[i]!;
    if (r.name !== n.name) throw new GraphError('is out of order', n.name);
    n.inputs.forEach((input, k) => {
      const want = r.inputs[k];
      if (input && want && (!sameShape(input.shape, want.shape) || input.dtype !== want.dtype)) {
        throw new GraphError(`input '${input.name}' is recorded as ${shapeText(input.shape)} but its producer gives ${shapeText(want.shape)}`, n.name);
      }
    });
    for (const key of ['params', 'paramBytes', 'macs', 'outputBytes'] as const) {
      if (r[key] !== n[key]) throw new GraphError(`records ${key} ${n[key]} but ${r[key]} is right`, n.name);
    }
  });
  const edgeKey = (e: GraphEdge): string => `${e.from}>${e.to}:${e.tensor}:${e.bytes}`;
  const want = new Set(rebuilt.edges.map(edgeKey));
  const have = new Set(graph.edges.map(edgeKey));
  if (want.size !== have.size || [...want].some((k) => !have.has(k))) throw new GraphError('the edge list does not match the data dependencies');
}
