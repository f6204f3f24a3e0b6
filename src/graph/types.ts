// The graph IR's data types. Imports nothing but the shared error base.
//
// A graph is a list of nodes in topological order (`nodes[i].id === i`). Each node reads its
// inputs in the op's positional order: an input is an activation (an edge from another node or a
// graph input), a weight (a parameter tensor, counted once per name in the whole graph), or a
// constant (a small folded value such as a Reshape target shape; neither an edge nor a parameter).
// Graphs are immutable once built; `buildGraph` and `verify` in build.ts are the only ways in.
import { UserError } from '../base/errors.js';

export type DType =
  | 'float32' | 'float16' | 'bfloat16' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string' | 'complex64' | 'complex128';

/** Bytes per element; strings count as pointers (8 bytes), which only matters for odd graphs. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8,
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8,
  bool: 1, string: 8, complex64: 8, complex128: 16,
};

export type Shape = readonly number[];

/**
 * The largest tensor mapwise accepts: 2^33 elements (32 GiB of float32). Anything bigger is
 * a corrupt or hostile file, and rejecting it early keeps MAC counts exact in f64.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 33;

export interface TensorInfo {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
}

export type InputKind = 'activation' | 'weight' | 'constant';

export interface NodeInput extends TensorInfo {
  readonly kind: InputKind;
  /** Known values of a constant input (shape vectors, axes, scales); never set for weights. */
  readonly value?: readonly number[];
}

export type AttributeValue = number | string | readonly number[] | readonly string[];
export type Attributes = Readonly<Record<string, AttributeValue>>;

export interface OutputInfo extends TensorInfo {
  readonly bytes: number;
}

export interface GraphNode {
  /** Position in `graph.nodes`, which is a topological order. */
  readonly id: number;
  readonly name: string;
  readonly op: string;
  readonly attributes: Attributes;
  /** Inputs in the op's positional order; `null` is an absent optional input. */
  readonly inputs: readonly (NodeInput | null)[];
  readonly outputs: readonly OutputInfo[];
  /** Parameter elements first read by this node (a weight shared by several nodes counts at its first reader). */
  readonly params: number;
  readonly paramBytes: number;
  /** Multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul; 0 for every other op. */
  readonly macs: number;
  /** Sum of the node's output tensor bytes. */
  readonly outputBytes: number;
  /** True for an op mapwise does not know: its shapes came from the file and it costs 0 MACs. */
  readonly opaque: boolean;
}

/** A data dependency: `tensor` produced by node `from` is read by node `to`. */
export interface GraphEdge {
  readonly from: number;
  readonly to: number;
  readonly tensor: string;
  readonly bytes: number;
}

export interface Graph {
  readonly name: string;
  /** Activation inputs of the whole graph (weights are node inputs of kind 'weight'). */
  readonly inputs: readonly OutputInfo[];
  readonly outputs: readonly string[];
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/**
 * A graph that cannot be built or read. `node` names the node at fault where there is one and
 * `source` the file; the message reads "source: node 'name': detail".
 */
export class GraphError extends UserError {
  readonly node: string | undefined;
  readonly source: string | undefined;
  readonly detail: string;
  constructor(detail: string, node?: string, source?: string) {
    super(`${source === undefined ? '' : `${source}: `}${node === undefined ? '' : `node '${node}': `}${detail}`, source === undefined ? {} : { file: source });
    this.name = 'GraphError';
    this.node = node;
    this.source = source;
    this.detail = detail;
  }
}

export function elementCount(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensorBytes(shape: Shape, dtype: DType): number {
  return elementCount(shape) * DTYPE_BYTES[dtype];
}

/**
 * Throws unless every dim is a positive integer and the element count is within
 * MAX_TENSOR_ELEMENTS. Small constants (an empty Resize roi) may have zero dims when allowed.
 */
export function checkShape(shape: Shape, what: string, allowZero = false): void {
  if (!Array.isArray(shape)) throw new Error(`${what}: shape is not a list`);
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || (allowZero ? d < 0 : d <= 0)) {
      throw new Error(`${what}: dimension ${String(d)} in [${shape.join(', ')}] is not a positive integer`);
    }
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) {
      throw new Error(`${what}: shape [${shape.join(', ')}] claims more than ${MAX_TENSOR_ELEMENTS} elements`);
    }
  }
}
