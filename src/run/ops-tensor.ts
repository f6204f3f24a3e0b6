// Handlers of the memory-bound ops: elementwise maps with broadcasting, views, and the ops that
// move data (transpose, concat, split, slice, pad) or reduce it. Each works in the layout its
// input has where the op allows, mapping logical axes to physical ones.
import type { UnaryKind, BinaryKind, ReduceKind } from '../core/tensor-ops.js';
import type { GraphNode } from '../graph/types.js';
import { broadcastStrides, collapseDims, contiguousStrides, elementCount, logicalStrides, physicalOrder, physicalShape, type Layout } from './layout.js';
import { attr, attrList, attrString, normaliseAxis, type Handler, type Lowering, type Val } from './lower.js';

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
  const map = unaryMapOf(lw, node);
  if (!map) return lw.fail(node, 'bounds computed at run time are not supported');
  const x = lw.need(node, 0, 'X');
  const y = lw.define(node.outputs[0]!.name, x.shape, x.layout);
  const xAt = lw.address(x);
  const length = elementCount(x.shape);
  lw.step(node, [x], [y], (ptr) => {
    const from = xAt(ptr), to = ptr(y.buf!);
    return () => lw.ops.unary(from, to, length, map.kind, map.a, map.b);
  });
};

const BINARY: Readonly<Record<string, BinaryKind>> = { Add: 'add', Sub: 'sub', Mul: 'mul', Div: 'div', Pow: 'pow', Max: 'max', Min: 'min' };

/** Strides of `v` read at each physical dim of an output of logical rank `rank` in `layout`. */
function operandStrides(v: Val, rank: number, layout: Layout): number[] {
  const logical = broadcastStrides(v.shape, logicalStrides(v.shape, v.layout), rank);
  return physicalOrder(layout, rank).map((d) => logical[d]!);
}

const binary: Handler = (lw, node) => {
  const kind = BINARY[node.op]!;
  if (node.inputs.length !== 2) lw.fail(node, `takes exactly 2 inputs here, got ${node.inputs.length}`);
  const a = lw.need(node, 0, 'A');
  const b = lw.need(node, 1, 'B');
  const out = node.outputs[0]!;
  const rank = out.shape.length;
  const layout: Layout = rank === 4 && [a, b].some((v) => v.buf && v.layout === 'nhwc') ? 'nhwc' : 'rm';
  const y = lw.define(out.name, out.shape, layout);
  const { dims, strides } = collapseDims(physicalShape(out.shape, layout), [operandStrides(a, rank, layout), operandStrides(b, rank, layout)]);
  // The kernel takes 4 dims; leading ones beyond that loop here.
  while (dims.length < 4) {
    dims.unshift(1);
    strides.forEach((s) => s.unshift(0));
  }
  const lead = dims.slice(0, dims.length - 4);
  const inner = dims.slice(-4);
  const [sa, sb] = strides as [number[], number[]];
  const aAt = lw.address(a), bAt = lw.address(b);
  const innerCount = elementCount(inner);
  lw.step(node, [a, b], [y], (ptr) => {
    const pa = aAt(ptr), pb = bAt(ptr), py = ptr(y.buf!);
    const ia = sa.slice(-4), ib = sb.slice(-4);
    if (lead.length === 0) return () => lw.ops.binary(pa, pb, py, kind, inner, ia, ib);
    const count = elementCount(lead);
    return () => {
      for (let i = 0; i < count; i++) {
        let rest = i, oa = 0, ob = 0;
        for (let d = lead.length - 1; d >= 0; d--) {
          const k = rest % lead[d]!;
          rest = Math.floor(rest / lead[d]!);
          oa += k * sa[d]!;
          ob += k * sb[d]!;
        }
        lw.ops.binary(pa + oa * 4, pb + ob * 4, py + i * innerCount * 4, kind, inner, ia, ib);
      }
    };
  });
};

/** A view: same data, new shape, row-major (the input is converted first when its layout differs). */
const reshape: Handler = (lw, node) => {
  const x = lw.need(node, 0, 'data');
  const out = node.outputs[0]!;
  lw.alias(out.name, lw.as(x, 'rm'), out.shape, 'rm');
};

const identity: Handler = (lw, node) => {
  const x = lw.need(node, 0, 'input');
  lw.alias(node.outputs[0]!.name, x, x.shape, x.layout);
};

const transpose: Handler = (lw, node) => {
  const x = lw.need(node, 0, 'data');
  const rank = x.shape.length;
  const perm = attrList(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const out = node.outputs[0]!;
  const inverse = new Array<number>(rank);
  perm.forEach((p, j) => {
    inverse[p] = j;
  });
  // Left in place, the data's physical dim i would hold output dim inverse[order[i]].
  const kept = physicalOrder(x.layout, rank).map((d) => inverse[d]!);
  const same = (order: readonly number[]): boolean => kept.every((d, i) => d === order[i]);
  if (same(physicalOrder('rm', rank))) return void lw.alias(out.name, x, out.shape, 'rm');
  if (rank === 4 && same(physicalOrder('nhwc', 4))) return void lw.alias(out.name, x, out.shape, 'nhwc');
  const y = lw.define(out.name, out.shape, 'rm');
  const from = logicalStrides(x.shape, x.layout);
  const src = perm.map((p) => from[p]!);
  const xAt = lw.address(x);
  lw.step(node, [x], [y], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!);
    return () => lw.ops.copy(px, py, out.shape, src, contiguousStrides(out.shape));
  });
};

/** Where logical axis `axis` sits among the physical dims of `layout`. */
function physicalAxis(layout: Layout, rank: number, axis: number): number {
  return physicalOrder(layout, rank).indexOf(axis);
}

const concat: Handler = (lw, node) => {
  const out = node.outputs[0]!;
  const rank = out.shape.length;
  const axis = normaliseAxis(attr(node, 'axis', 0), rank);
  const inputs = node.inputs.map((_, slot) => lw.need(node, slot, `input ${slot}`));
  const layout: Layout = rank === 4 && inputs.some((v) => v.buf && v.layout === 'nhwc') ? 'nhwc' : 'rm';
  const y = lw.define(out.name, out.shape, layout);
  const yStrides = logicalStrides(out.shape, layout);
  const order = physicalOrder(layout, rank);
  let offset = 0;
  const parts = inputs.map((v) => {
    const from = logicalStrides(v.shape, v.layout);
    const part = { at: lw.address(v), dims: order.map((d) => v.shape[d]!), src: order.map((d) => from[d]!), dstOffset: offset * yStrides[axis]! };
    offset += v.shape[axis]!;
    return part;
  });
  const dst = order.map((d) => yStrides[d]!);
  lw.step(node, inputs, [y], (ptr) => {
    const py = ptr(y.buf!);
    const bound = parts.map((p) => ({ ...p, from: p.at(ptr) }));
    return () => {
      for (const p of bound) lw.ops.copy(p.from, py + p.dstOffset * 4, p.dims, p.src, dst);
    };
  });
};

const split: Handler = (lw, node) => {
  const x = lw.need(node, 0, 'input');
  const rank = x.shape.length;
  const axis = normaliseAxis(attr(node, 'axis', 0), rank);
  const from = logicalStrides(x.shape, x.layout);
  const order = physicalOrder(x.layout, rank);
  const xAt = lw.address(x);
  let start = 0;
  for (const o of node.outputs) {
    const y = lw.define(o.name, o.shape, x.layout);
    const dims = order.map((d) => o.shape[d]!);
    const src = order.map((d) => from[d]!);
    const srcOffset = start * from[axis]!;
    start += o.shape[axis]!;
    lw.step(node, [x], [y], (ptr) => {
      const px = xAt(ptr) + srcOffset * 4, py = ptr(y.buf!);
      return () => lw.ops.copy(px, py, dims, src, contiguousStrides(dims));
    });
  }
};

/** Integer values of an optional constant input, or of an attribute in older opsets. */
function ints(lw: Lowering, node: GraphNode, slot: number, key: string, what: string): number[] | undefined {
  if (node.inputs[slot]) return Array.from(lw.constant(node, slot, what));
  return attrList(node, key);
}

const slice: Handler = (lw, node) => {
  const x = lw.need(node, 0, 'data');
  const rank = x.shape.length;
  const starts = ints(lw, node, 1, 'starts', 'starts') ?? [];
  const ends = ints(lw, node, 2, 'ends', 'ends') ?? [];
  const axes = (ints(lw, node, 3, 'axes', 'axes') ?? starts.map((_, i) => i)).map((a) => normaliseAxis(a, rank));
  const steps = ints(lw, node, 4, 'steps', 'steps') ?? starts.map(() => 1);
  const out = node.outputs[0]!;
  const from = logicalStrides(x.shape, x.layout);
  const src = [...from];
  let offset = 0;
  axes.forEach((axis, i) => {
    const dim = x.shape[axis]!;
    const step = steps[i]!;
    let s = starts[i]!;
    if (s < 0) s += dim;
    s = step > 0 ? Math.min(Math.max(s, 0), dim) : Math.min(Math.max(s, 0), dim - 1);
    offset += s * from[axis]!;
    src[axis] = from[axis]! * step;
  });
  const y = lw.define(out.name, out.shape, x.layout);
  const order = physicalOrder(x.layout, rank);
  const dims = order.map((d) => out.shape[d]!);
  const srcPhysical = order.map((d) => src[d]!);
  const xAt = lw.address(x);
  lw.step(node, [x], [y], (ptr) => {
    const px = xAt(ptr) + offset * 4, py = ptr(y.buf!);
    return () => lw.ops.copy(px, py, dims, srcPhysical, contiguousStrides(dims));
  });
};

const pad: Handler = (lw, node) => {
  const mode = attrString(node, 'mode', 'constant');
  if (mode !== 'constant') lw.fail(node, `mode '${mode}' is not supported (constant only)`);
  const x = lw.need(node, 0, 'data');
  const rank = x.shape.length;
  const pads = ints(lw, node, 1, 'pads', 'pads');
  if (!pads || pads.length !== 2 * rank) return lw.fail(node, `pads must list ${2 * rank} values`);
  if (pads.some((p) => p < 0)) lw.fail(node, 'negative pads (cropping) are not supported');
  if (node.inputs[3]) lw.fail(node, 'the axes input is not supported');
  const value = node.inputs[2] ? lw.constant(node, 2, 'constant_value')[0] ?? 0 : attr(node, 'value', 0);
  const out = node.outputs[0]!;
  const y = lw.define(out.name, out.shape, x.layout);
  const yStrides = logicalStrides(out.shape, x.layout);
  const from = logicalStrides(x.shape, x.layout);
  const order = physicalOrder(x.layout, rank);
  const dims = order.map((d) => x.shape[d]!);
  const src = order.map((d) => from[d]!);
  const dst = order.map((d) => yStrides[d]!);
  const offset = pads.slice(0, rank).reduce((s, p, d) => s + p * yStrides[d]!, 0);
  const length = elementCount(out.shape);
  const xAt = lw.address(x);
  lw.step(node, [x], [y], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!);
    return () => {
      lw.ops.fill(py, length, value);
      lw.ops.copy(px, py + offset * 4, dims, src, dst);
    };
  });
};

const REDUCE: Readonly<Record<string, ReduceKind>> = { ReduceMean: 'mean', ReduceSum: 'sum', ReduceMax: 'max' };

const reduce: Handler = (lw, node) => {
  const x0 = lw.need(node, 0, 'data');
  const rank = x0.shape.length;
  const listed = ints(lw, node, 1, 'axes', 'axes') ?? [];
  if (listed.length === 0 && attr(node, 'noop_with_empty_axes', 0) === 1) return identity(lw, node);
  const axes = (listed.length > 0 ? listed : Array.from({ length: rank }, (_, i) => i)).map((a) => normaliseAxis(a, rank));
  const keep = attr(node, 'keepdims', 1) === 1;
  // The reduced axes must be adjacent in memory, and without keepdims the kept ones in order.
  const fits = (layout: Layout): boolean => {
    const order = physicalOrder(layout, rank);
    const positions = axes.map((a) => order.indexOf(a)).sort((p, q) => p - q);
    const adjacent = positions.every((p, i) => p === positions[0]! + i);
    const keptInOrder = order.filter((d) => !axes.includes(d)).every((d, i, all) => i === 0 || all[i - 1]! < d);
    return adjacent && (keep || keptInOrder);
  };
  const x = fits(x0.layout) ? x0 : lw.as(x0, 'rm');
  if (!fits(x.layout)) lw.fail(node, `axes [${axes.join(', ')}] are not adjacent; not supported`);
  const order = physicalOrder(x.layout, rank);
  const phys = physicalShape(x.shape, x.layout);
  const positions = axes.map((a) => order.indexOf(a)).sort((p, q) => p - q);
  const outer = elementCount(phys.slice(0, positions[0]!));
  const n = elementCount(positions.map((p) => phys[p]!));
  const inner = elementCount(phys.slice(positions.at(-1)! + 1));
  const out = node.outputs[0]!;
  const y = lw.define(out.name, out.shape, keep && rank === 4 ? x.layout : 'rm');
  const kind = REDUCE[node.op]!;
  const xAt = lw.address(x);
  lw.step(node, [x], [y], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!);
    return () => lw.ops.reduce(px, py, outer, n, inner, kind);
  });
};

export const TENSOR_HANDLERS: Readonly<Record<string, Handler>> = {
  ...Object.fromEntries(['Relu', 'Sigmoid', 'HardSwish', 'HardSigmoid', 'Erf', 'Sqrt', 'Tanh', 'Exp', 'Neg', 'Abs', 'Reciprocal', 'Log', 'LeakyRelu', 'Clip'].map((op) => [op, unary])),
  ...Object.fromEntries(Object.keys(BINARY).map((op) => [op, binary])),
  Reshape: reshape, Flatten: reshape, Squeeze: reshape, Unsqueeze: reshape,
  Identity: identity, Dropout: identity,
  Transpose: transpose, Concat: concat, Split: split, Slice: slice, Pad: pad,
  ReduceMean: reduce, ReduceSum: reduce, ReduceMax: reduce,
};
