// Handlers of the elementwise ops: unary maps (fused x·sigmoid(x) and GELU among them), binary and
// variadic maps with numpy broadcasting, Where and Expand. Every operand is read through strides in
// its own layout, so a channels-last tensor meets a row-major constant without a conversion.
import { MAX_COPY_RANK, type UnaryKind, type BinaryKind } from '../core/tensor-ops.js';
import type { GraphNode } from '../graph/types.js';
import { broadcastStrides, collapseDims, contiguousStrides, elementCount, logicalStrides, physicalOrder, physicalShape, type Layout } from './layout.js';
import { attr, type Handler, type Lowering, type Val } from './lower.js';

export interface UnaryMap {
  readonly kind: UnaryKind;
  readonly a: number;
  readonly b: number;
}

const SIMPLE_UNARY: Readonly<Record<string, UnaryKind>> = {
  Relu: 'relu', Sigmoid: 'sigmoid', HardSwish: 'hardSwish', Erf: 'erf', Sqrt: 'sqrt', Tanh: 'tanh', Exp: 'exp',
  Neg: 'neg', Abs: 'abs', Reciprocal: 'reciprocal', Log: 'log',
};

/** The unary map a node computes, or undefined when it is not one (or has run-time bounds). */
export function unaryMapOf(lw: Lowering, node: GraphNode): UnaryMap | undefined {
  const simple = SIMPLE_UNARY[node.op];
  if (simple) return { kind: simple, a: 0, b: 0 };
  if (node.op === 'LeakyRelu') return { kind: 'leakyRelu', a: attr(node, 'alpha', 0.01), b: 0 };
  if (node.op === 'HardSigmoid') return { kind: 'hardSigmoid', a: attr(node, 'alpha', 0.2), b: attr(node, 'beta', 0.5) };
  if (node.op === 'Clip') {
    // Opset ≥ 11 gives the bounds as inputs, earlier opsets as attributes.
    const bound = (slot: number, key: string, fallback: number): number | undefined => {
      const v = lw.input(node, slot);
      if (v) return v.data ? v.data[0]! : undefined;
      return attr(node, key, fallback);
    };
    const lo = bound(1, 'min', -Infinity);
    const hi = bound(2, 'max', Infinity);
    if (lo === undefined || hi === undefined) return undefined;
    return { kind: 'clip', a: lo, b: hi };
  }
  return undefined;
}

const unary: Handler = (lw, node) => {
  let map = unaryMapOf(lw, node);
  if (!map) return lw.fail(node, 'bounds computed at run time are not supported');
  const x = lw.need(node, 0, 'X');
  let output = node.outputs[0]!.name;
  // x·sigmoid(x) in one pass.
  const silu = node.op === 'Sigmoid' ? lw.siluNodes(node.inputs[0]!.name)?.mul : undefined;
  if (silu) {
    map = { kind: 'silu', a: 0, b: 0 };
    lw.fused.add(silu.id);
    output = silu.outputs[0]!.name;
  }
  mapStep(lw, node, x, output, map);
};

/** One step of `node` writing map(x) into a new tensor `output` of x's shape and layout. */
function mapStep(lw: Lowering, node: GraphNode, x: Val, output: string, { kind, a, b }: UnaryMap): void {
  const y = lw.define(output, x.shape, x.layout);
  const xAt = lw.address(x);
  const length = elementCount(x.shape);
  lw.step(node, [x], [y], (ptr) => {
    const from = xAt(ptr), to = ptr(y.buf!);
    return () => lw.ops.unary(from, to, length, kind, a, b);
  });
}

const BINARY: Readonly<Record<string, BinaryKind>> = { Add: 'add', Sub: 'sub', Mul: 'mul', Div: 'div', Pow: 'pow', Max: 'max', Min: 'min', Sum: 'add', Mean: 'add', PRelu: 'prelu' };
const VARIADIC = new Set(['Max', 'Min', 'Sum', 'Mean']);

/** Strides of `v` read at each physical dim of an output of logical rank `rank` in `layout`. */
function operandStrides(v: Val, rank: number, layout: Layout): number[] {
  const logical = broadcastStrides(v.shape, logicalStrides(v.shape, v.layout), rank);
  return physicalOrder(layout, rank).map((d) => logical[d]!);
}

/**
 * An elementwise map over the output (shape `shape`, in `layout`) of operands read with
 * broadcasting: the kernels take 4 dims, so leading ones beyond that loop here over offsets
 * planned once (element offsets per operand for each block of `innerCount` outputs).
 */
interface BroadcastPlan {
  readonly inner: number[];
  readonly strides: number[][];
  readonly offsets: number[][];
  readonly innerCount: number;
}

function broadcastPlan(shape: readonly number[], layout: Layout, operands: readonly Val[]): BroadcastPlan {
  const rank = shape.length;
  const { dims, strides } = collapseDims(physicalShape(shape, layout), operands.map((v) => operandStrides(v, rank, layout)));
  while (dims.length < 4) {
    dims.unshift(1);
    strides.forEach((s) => s.unshift(0));
  }
  const lead = dims.slice(0, dims.length - 4);
  const offsets: number[][] = [];
  for (let i = 0; i < elementCount(lead); i++) {
    let rest = i;
    const at = operands.map(() => 0);
    for (let d = lead.length - 1; d >= 0; d--) {
      const k = rest % lead[d]!;
      rest = Math.floor(rest / lead[d]!);
      strides.forEach((s, o) => {
        at[o]! += k * s[d]!;
      });
    }
    offsets.push(at);
  }
  const inner = dims.slice(-4);
  return { inner, strides: strides.map((s) => s.slice(-4)), offsets, innerCount: elementCount(inner) };
}

/** Layout of an elementwise output: channels-last when a rank-4 run-time operand is. */
function elementwiseLayout(rank: number, operands: readonly Val[]): Layout {
  return rank === 4 && operands.some((v) => v.buf && v.layout === 'nhwc') ? 'nhwc' : 'rm';
}

/** y = a ∘ b with broadcasting, as one step (y may be a, read in place). */
function binaryStep(lw: Lowering, node: GraphNode, kind: BinaryKind, a: Val, b: Val, y: Val): void {
  const plan = broadcastPlan(y.shape, y.layout, [a, b]);
  const [sa, sb] = plan.strides as [number[], number[]];
  const aAt = lw.address(a), bAt = lw.address(b);
  lw.step(node, [a, b], [y], (ptr) => {
    const pa = aAt(ptr), pb = bAt(ptr), py = ptr(y.buf!);
    const blocks = plan.offsets.map(([oa, ob], i) => [pa + oa! * 4, pb + ob! * 4, py + i * plan.innerCount * 4] as const);
    if (blocks.length === 1) return () => lw.ops.binary(pa, pb, py, kind, plan.inner, sa, sb, lw.options.pool);
    return () => {
      for (const [xa, xb, xy] of blocks) lw.ops.binary(xa, xb, xy, kind, plan.inner, sa, sb, lw.options.pool);
    };
  });
}

/** Add … Min take 2 inputs; Max, Min, Sum and Mean any number, folded left into the output. */
const binary: Handler = (lw, node) => {
  // GELU's five nodes as one map, where no producer's epilogue took them.
  const gelu = node.op === 'Div' && node.inputs[0] ? lw.geluNodes(node.inputs[0].name) : undefined;
  if (gelu?.[0] === node) {
    for (const fused of gelu.slice(1)) lw.fused.add(fused.id);
    return mapStep(lw, node, lw.need(node, 0, 'X'), gelu.at(-1)!.outputs[0]!.name, { kind: 'gelu', a: 0, b: 0 });
  }
  const kind = BINARY[node.op]!;
  const variadic = VARIADIC.has(node.op);
  if (!variadic && node.inputs.length !== 2) lw.fail(node, `takes exactly 2 inputs, got ${node.inputs.length}`);
  const inputs = node.inputs.map((_, slot) => lw.need(node, slot, `input ${slot}`));
  const out = node.outputs[0]!;
  if (inputs.length === 1) return void lw.alias(out.name, inputs[0]!, inputs[0]!.shape, inputs[0]!.layout);
  const y = lw.define(out.name, out.shape, elementwiseLayout(out.shape.length, inputs));
  binaryStep(lw, node, kind, inputs[0]!, inputs[1]!, y);
  for (const v of inputs.slice(2)) binaryStep(lw, node, kind, y, v, y);
  if (node.op === 'Mean') {
    const length = elementCount(out.shape);
    const scale = 1 / inputs.length;
    lw.step(node, [y], [y], (ptr) => {
      const py = ptr(y.buf!);
      return () => lw.ops.unary(py, py, length, 'scaleShift', scale, 0);
    });
  }
};

/** Where: out = cond ? X : Y with broadcasting (bool data arrives as 0/1 floats). */
const where: Handler = (lw, node) => {
  const c = lw.need(node, 0, 'condition');
  const a = lw.need(node, 1, 'X');
  const b = lw.need(node, 2, 'Y');
  const out = node.outputs[0]!;
  const y = lw.define(out.name, out.shape, elementwiseLayout(out.shape.length, [c, a, b]));
  const plan = broadcastPlan(y.shape, y.layout, [c, a, b]);
  const [sc, sa, sb] = plan.strides as [number[], number[], number[]];
  const cAt = lw.address(c), aAt = lw.address(a), bAt = lw.address(b);
  lw.step(node, [c, a, b], [y], (ptr) => {
    const pc = cAt(ptr), pa = aAt(ptr), pb = bAt(ptr), py = ptr(y.buf!);
    const blocks = plan.offsets.map(([oc, oa, ob], i) => [pc + oc! * 4, pa + oa! * 4, pb + ob! * 4, py + i * plan.innerCount * 4] as const);
    return () => {
      for (const [xc, xa, xb, xy] of blocks) lw.ops.select(xc, xa, xb, xy, plan.inner, sc, sa, sb);
    };
  });
};

/** Expand: one strided copy that reads broadcast dims with stride 0. */
const expand: Handler = (lw, node) => {
  const x = lw.need(node, 0, 'input');
  const out = node.outputs[0]!;
  const rank = out.shape.length;
  const layout = elementwiseLayout(rank, [x]);
  const { dims, strides } = collapseDims(physicalShape(out.shape, layout), [operandStrides(x, rank, layout)]);
  if (dims.length > MAX_COPY_RANK) lw.fail(node, `broadcasts over ${dims.length} separate dims; at most ${MAX_COPY_RANK} are supported`);
  const y = lw.define(out.name, out.shape, layout);
  const xAt = lw.address(x);
  const src = strides[0]!;
  lw.step(node, [x], [y], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!);
    return () => lw.ops.copy(px, py, dims, src, contiguousStrides(dims));
  });
};

export const ELEMENTWISE_HANDLERS: Readonly<Record<string, Handler>> = {
  ...Object.fromEntries(['Relu', 'Sigmoid', 'HardSwish', 'HardSigmoid', 'Erf', 'Sqrt', 'Tanh', 'Exp', 'Neg', 'Abs', 'Reciprocal', 'Log', 'LeakyRelu', 'Clip'].map((op) => [op, unary])),
  ...Object.fromEntries(Object.keys(BINARY).map((op) => [op, binary])),
  Where: where, Expand: expand,
};
