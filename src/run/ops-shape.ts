// Handlers of the ops that reshape, move or reduce data: views (reshape, identity, a transpose
// the input already stores), transpose, concat, split, slice, pad, gather, nearest resize and
// reductions. Each works in the layout its input has where the op allows, mapping logical axes to
// physical ones.
import { MAX_COPY_RANK, type ReduceKind } from '../core/tensor-ops.js';
import type { GraphNode } from '../graph/types.js';
import { collapseDims, contiguousStrides, elementCount, logicalStrides, physicalOrder, physicalShape, type Layout } from './layout.js';
import { attr, attrList, attrString, normaliseAxis, type Handler, type Lowering, type Val } from './lower.js';
import { type ConcatChain, concatChain } from './concat-chain.js';

/** A view: same data, new shape, row-major (the input is converted first when its layout differs). */
const reshape: Handler = (lw, node) => {
  const x = lw.need(node, 0, 'data');
  const out = node.outputs[0]!;
  const shuffle = x.layout === 'nhwc' && x.buf ? findChannelShuffle(lw, node) : undefined;
  if (shuffle) return void shuffleStep(lw, node, [x], shuffle);
  lw.alias(out.name, lw.as(x, 'rm'), out.shape, 'rm');
};

/** A channel shuffle found in the graph: `groups` groups of `perGroup` channels, interleaved. */
interface ChannelShuffle {
  readonly groups: number;
  readonly perGroup: number;
  /** The tensor the shuffle writes, [N, C, H, W] as its input. */
  readonly output: string;
  /** The Transpose and the second Reshape, which the shuffle's step runs. */
  readonly rest: readonly GraphNode[];
}

/**
 * ShuffleNet's channel shuffle as exporters write it, starting at `reshape`: Reshape [N, C, H, W]
 * to [N, g, C/g, H, W], Transpose perm [0, 2, 1, 3, 4], Reshape back to [N, C, H, W], each the sole
 * reader of the one before. On channels-last data it only reorders each pixel's channels, so it
 * runs as one strided copy that stays channels-last instead of two layout conversions and a
 * transpose.
 */
function findChannelShuffle(lw: Lowering, reshape: GraphNode): ChannelShuffle | undefined {
  const input = reshape.inputs[0];
  const split = reshape.outputs[0]!.shape;
  if (reshape.op !== 'Reshape' || input?.kind !== 'activation' || input.shape.length !== 4 || split.length !== 5) return undefined;
  const [n, c, h, w] = input.shape as [number, number, number, number];
  if (split[0] !== n || split[3] !== h || split[4] !== w || split[1]! * split[2]! !== c) return undefined;
  const transpose = lw.soleReader(reshape.outputs[0]!.name);
  if (transpose?.op !== 'Transpose' || attrList(transpose, 'perm')?.join() !== '0,2,1,3,4') return undefined;
  const back = lw.soleReader(transpose.outputs[0]!.name);
  const merged = back?.outputs[0]!.shape;
  if (back?.op !== 'Reshape' || !merged || merged.join() !== input.shape.join()) return undefined;
  return { groups: split[1]!, perGroup: split[2]!, output: back.outputs[0]!.name, rest: [transpose, back] };
}

/**
 * The shuffle's one step: group i's channel j goes to output channel j·groups + i, per pixel.
 * `parts` are channels-last values in concat order (one for a plain shuffle), each covering
 * whole groups.
 */
function shuffleStep(lw: Lowering, node: GraphNode, parts: readonly Val[], shuffle: ChannelShuffle): void {
  const [n, , h, w] = parts[0]!.shape as [number, number, number, number];
  const { groups, perGroup } = shuffle;
  const total = groups * perGroup;
  const pixels = n * h * w;
  for (const fused of shuffle.rest) lw.fused.add(fused.id);
  const y = lw.define(shuffle.output, [n, total, h, w], 'nhwc');
  // Each group's source: its value, its first channel there, and that value's channels per pixel.
  const sources = parts.flatMap((v) => Array.from({ length: v.shape[1]! / perGroup }, (_, i) => ({ at: lw.address(v), first: i * perGroup, stride: v.shape[1]! })));
  lw.step(node, parts, [y], (ptr) => {
    const py = ptr(y.buf!);
    const from = sources.map((g) => ({ ptr: g.at(ptr) + 4 * g.first, stride: g.stride }));
    if (groups === 2) {
      const [a, b] = from as [(typeof from)[0], (typeof from)[0]];
      return () => lw.ops.interleavePairs(a.ptr, b.ptr, py, pixels, perGroup, a.stride, b.stride, total);
    }
    return () => from.forEach((g, i) => lw.ops.copy(g.ptr, py + 4 * i, [pixels, perGroup], [g.stride, 1], [total, groups]));
  });
}

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

/** Where a producer writes its channels-last output in place: a channel slice of a Concat's output. */
export interface ConcatSlice {
  /** The Concat's output, defined by the first of its inputs written in place. */
  readonly value: Val;
  /** The slice's first channel, and the Concat's channels (floats per pixel). */
  readonly channel: number;
  readonly stride: number;
  readonly floats: number;
}

/**
 * The slice of its Concat's output that `tensor` ([N, C, H, W], channels-last) can be written to
 * in place: when its only reader is a Concat of rank-4 tensors along channels that is no channel
 * shuffle's input (which writes its parts elsewhere). The Concat's step then copies only its
 * other inputs; `tensor`'s value shares the Concat's buffer, which only the Concat reads.
 */
export function concatSlice(lw: Lowering, tensor: string, shape: readonly number[]): ConcatSlice | undefined {
  const reader = lw.soleReader(tensor) ?? chainHome(lw, tensor);
  const out = reader?.outputs[0];
  if (reader?.op !== 'Concat' || !out || out.shape.length !== 4 || normaliseAxis(attr(reader, 'axis', 0), 4) !== 1) return undefined;
  const next = lw.soleReader(out.name);
  if (next?.op === 'Reshape' && findChannelShuffle(lw, next)) return undefined;
  const slot = reader.inputs.findIndex((i) => i?.name === tensor);
  const channel = reader.inputs.slice(0, slot).reduce((sum, i) => sum + i!.shape[1]!, 0);
  const value = lw.values.get(out.name) ?? lw.define(out.name, out.shape, 'nhwc');
  lw.inPlace.add(tensor);
  lw.values.set(tensor, { name: tensor, shape: [...shape], layout: 'nhwc', buf: value.buf! });
  return { value, channel, stride: out.shape[1]!, floats: elementCount(out.shape) };
}

/** The home of the concat chain that all of `tensor`'s readers belong to (each reading it once), if any. */
function chainHome(lw: Lowering, tensor: string): GraphNode | undefined {
  const readers = lw.readersOf(tensor);
  if (readers.length === 0 || lw.graph.outputs.includes(tensor)) return undefined;
  const chain = concatChain(lw, readers[0]!);
  const once = readers.every((r) => concatChain(lw, r) === chain && r.inputs.filter((i) => i?.name === tensor).length === 1);
  return chain && once ? chain.home : undefined;
}

/**
 * A member of a concat chain: the home's output, or a view of its channel prefix; the step
 * copies in the pieces no producer wrote in place and no earlier member copied.
 */
function chainStep(lw: Lowering, node: GraphNode, inputs: readonly Val[], chain: ConcatChain): void {
  const home = chain.home.outputs[0]!;
  const y = lw.values.get(home.name) ?? lw.define(home.name, home.shape, 'nhwc');
  const out = node.outputs[0]!;
  if (node !== chain.home) lw.values.set(out.name, { name: out.name, shape: [...out.shape], layout: 'nhwc', buf: y.buf!, pixelStride: home.shape[1]! });
  const copies = inputs.filter((v) => !lw.inPlace.has(v.name) && !chain.copied.has(v.name));
  for (const v of copies) chain.copied.add(v.name);
  copyStep(lw, node, y, copies.map((v) => [v, chain.offsets.get(v.name)!]), 1);
}

/** One step copying each value into `y` from its offset along `axis` on (none when there are none). */
function copyStep(lw: Lowering, node: GraphNode, y: Val, pieces: readonly (readonly [Val, number])[], axis: number): void {
  if (pieces.length === 0) return;
  const rank = y.shape.length;
  const yStrides = logicalStrides(y.shape, y.layout);
  const order = physicalOrder(y.layout, rank);
  const parts = pieces.map(([v, offset]) => {
    const from = logicalStrides(v.shape, v.layout);
    return { at: lw.address(v), dims: order.map((d) => v.shape[d]!), src: order.map((d) => from[d]!), dstOffset: offset * yStrides[axis]! };
  });
  const dst = order.map((d) => yStrides[d]!);
  lw.step(node, pieces.map(([v]) => v), [y], (ptr) => {
    const py = ptr(y.buf!);
    const bound = parts.map((p) => ({ ...p, from: p.at(ptr) }));
    return () => {
      for (const p of bound) lw.ops.copy(p.from, py + p.dstOffset * 4, p.dims, p.src, dst);
    };
  });
}

const concat: Handler = (lw, node) => {
  const out = node.outputs[0]!;
  const rank = out.shape.length;
  const axis = normaliseAxis(attr(node, 'axis', 0), rank);
  const inputs = node.inputs.map((_, slot) => lw.need(node, slot, `input ${slot}`));
  if (rank === 4 && axis === 1 && inputs.every((v) => v.buf && v.layout === 'nhwc')) {
    // A concat that feeds a channel shuffle writes each part straight to its shuffled channels.
    const next = lw.soleReader(out.name);
    const shuffle = next?.op === 'Reshape' ? findChannelShuffle(lw, next) : undefined;
    if (shuffle && inputs.every((v) => v.shape[1]! % shuffle.perGroup === 0)) return void shuffleStep(lw, node, inputs, { ...shuffle, rest: [next!, ...shuffle.rest] });
    const chain = concatChain(lw, node);
    if (chain) return chainStep(lw, node, inputs, chain);
  }
  // Inputs already written in place (concatSlice) defined the output, channels-last.
  const placed = lw.values.get(out.name);
  const layout: Layout = placed?.layout ?? (rank === 4 && inputs.some((v) => v.buf && v.layout === 'nhwc') ? 'nhwc' : 'rm');
  const y = placed ?? lw.define(out.name, out.shape, layout);
  let offset = 0;
  const pieces = inputs.map((v) => {
    const piece = [v, offset] as const;
    offset += v.shape[axis]!;
    return piece;
  });
  copyStep(lw, node, y, pieces.filter(([v]) => !lw.inPlace.has(v.name)), axis);
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
  // The ends are already in the output shape the importer inferred.
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

/**
 * Gathers along logical `axis` of x by a table of source indices (negative: `fill`), in x's
 * layout: output dim `axis` holds table.length entries. The table lives in wasm memory.
 */
function gatherAxis(lw: Lowering, node: GraphNode, x: Val, axis: number, table: readonly number[], name: string, fill = 0, shape?: readonly number[]): Val {
  const rank = x.shape.length;
  const p = physicalOrder(x.layout, rank).indexOf(axis);
  const phys = physicalShape(x.shape, x.layout);
  const outer = elementCount(phys.slice(0, p));
  const inner = elementCount(phys.slice(p + 1));
  const dim = phys[p]!;
  const count = table.length;
  const y = lw.define(name, shape ?? x.shape.map((d, i) => (i === axis ? count : d)), x.layout);
  const xAt = lw.address(x);
  const tableAt = lw.wasmConstant(Float32Array.from(table));
  lw.step(node, [x], [y], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!);
    return () => lw.ops.gather(px, py, tableAt, outer, dim, count, inner, fill);
  });
  return y;
}

/** Gathers along each listed axis in turn (tables by logical axis); the last writes `name`. */
function gatherAxes(lw: Lowering, node: GraphNode, x: Val, tables: ReadonlyMap<number, readonly number[]>, name: string, fill = 0): void {
  if (tables.size === 0) return void lw.alias(name, x, x.shape, x.layout);
  let v = x;
  let left = tables.size;
  for (const [axis, table] of tables) v = gatherAxis(lw, node, v, axis, table, --left === 0 ? name : `${name}#${axis}`, fill);
}

/** Source index of output position o along an axis of n padded by `begin` in front; -1 is the fill value. */
function padSource(mode: string, o: number, begin: number, n: number): number {
  const p = o - begin;
  if (p >= 0 && p < n) return p;
  if (mode === 'edge') return Math.min(Math.max(p, 0), n - 1);
  if (mode === 'wrap') return ((p % n) + n) % n;
  if (mode === 'reflect') {
    if (n === 1) return 0;
    const period = 2 * (n - 1);
    const q = ((p % period) + period) % period;
    return q >= n ? period - q : q;
  }
  return -1;
}

const PAD_MODES = new Set(['constant', 'edge', 'reflect', 'wrap']);

const pad: Handler = (lw, node) => {
  const mode = attrString(node, 'mode', 'constant');
  if (!PAD_MODES.has(mode)) lw.fail(node, `mode '${mode}' is not supported (constant, edge, reflect, wrap are)`);
  const x = lw.need(node, 0, 'data');
  const rank = x.shape.length;
  const listed = ints(lw, node, 1, 'pads', 'pads');
  const axes = (node.inputs[3] ? Array.from(lw.constant(node, 3, 'axes')) : Array.from({ length: rank }, (_, i) => i)).map((a) => normaliseAxis(a, rank));
  if (!listed || listed.length !== 2 * axes.length) return lw.fail(node, `pads must list ${2 * axes.length} values`);
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  axes.forEach((a, i) => {
    begin[a] = listed[i]!;
    end[a] = listed[i + axes.length]!;
  });
  const value = node.inputs[2] ? lw.constant(node, 2, 'constant_value')[0] ?? 0 : attr(node, 'value', 0);
  const out = node.outputs[0]!;
  if (mode !== 'constant' || [...begin, ...end].some((p) => p < 0)) {
    // Edge, reflect, wrap and crops: one gather per padded axis, by a table of source positions.
    if (mode !== 'constant' && x.shape.some((n, a) => n === 0 && begin[a]! + end[a]! > 0)) lw.fail(node, `mode '${mode}' cannot pad an empty axis`);
    const tables = new Map<number, number[]>();
    for (let a = 0; a < rank; a++) {
      if (begin[a] === 0 && end[a] === 0) continue;
      tables.set(a, Array.from({ length: x.shape[a]! + begin[a]! + end[a]! }, (_, o) => padSource(mode, o, begin[a]!, x.shape[a]!)));
    }
    return gatherAxes(lw, node, x, tables, out.name, value);
  }
  const y = lw.define(out.name, out.shape, x.layout);
  const yStrides = logicalStrides(out.shape, x.layout);
  const from = logicalStrides(x.shape, x.layout);
  const order = physicalOrder(x.layout, rank);
  const dims = order.map((d) => x.shape[d]!);
  const src = order.map((d) => from[d]!);
  const dst = order.map((d) => yStrides[d]!);
  const offset = begin.reduce((s, p, d) => s + p * yStrides[d]!, 0);
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

/** Gather with constant indices: rows of the input along `axis`, any index shape. */
const gather: Handler = (lw, node) => {
  const x0 = lw.need(node, 0, 'data');
  const rank = x0.shape.length;
  const axis = normaliseAxis(attr(node, 'axis', 0), rank);
  const dim = x0.shape[axis]!;
  const indices = Array.from(lw.constant(node, 1, 'indices'), (i) => {
    if (i < -dim || i >= dim) lw.fail(node, `index ${i} is out of range for dimension ${dim}`);
    return i < 0 ? i + dim : i;
  });
  const out = node.outputs[0]!;
  // A 1-D index list keeps the rank (and so the layout); other index shapes change it: row-major.
  if (node.inputs[1]!.shape.length === 1) return void gatherAxis(lw, node, x0, axis, indices, out.name);
  const x = lw.as(x0, 'rm');
  const flat = gatherAxis(lw, node, x, axis, indices, `${out.name}#flat`);
  lw.alias(out.name, flat, out.shape, 'rm');
};

/** Source index along one axis for nearest Resize, as ONNX defines it (coordinate transform, then rounding, then clamping). */
function nearestSource(o: number, inn: number, out: number, scale: number, transform: string, rounding: string): number {
  let c: number;
  switch (transform) {
    case 'asymmetric': c = o / scale; break;
    case 'half_pixel': c = (o + 0.5) / scale - 0.5; break;
    case 'pytorch_half_pixel': c = out > 1 ? (o + 0.5) / scale - 0.5 : 0; break;
    case 'align_corners': c = out === 1 ? 0 : (o * (inn - 1)) / (out - 1); break;
    case 'tf_half_pixel_for_nn': c = (o + 0.5) / scale; break;
    default: throw new RangeError(transform);
  }
  let i: number;
  switch (rounding) {
    case 'floor': i = Math.floor(c); break;
    case 'ceil': i = Math.ceil(c); break;
    case 'round_prefer_ceil': i = Math.floor(c + 0.5); break;
    case 'round_prefer_floor': i = c === Math.floor(c) + 0.5 ? Math.floor(c) : Math.round(c); break;
    default: throw new RangeError(rounding);
  }
  return Math.min(Math.max(i, 0), inn - 1);
}

const NEAREST_TRANSFORMS = new Set(['asymmetric', 'half_pixel', 'pytorch_half_pixel', 'align_corners', 'tf_half_pixel_for_nn']);
const NEAREST_ROUNDINGS = new Set(['floor', 'ceil', 'round_prefer_ceil', 'round_prefer_floor']);

/**
 * Resize (opset 10+) and Upsample, nearest mode: one gather per resized axis by a table of
 * source positions planned here. Before opset 11 (and for Upsample) coordinates are asymmetric
 * and rounded down.
 */
const resize: Handler = (lw, node) => {
  const x = lw.need(node, 0, 'X');
  const rank = x.shape.length;
  const mode = attrString(node, 'mode', 'nearest');
  if (mode !== 'nearest') lw.fail(node, `mode '${mode}' is not supported (nearest only)`);
  if (node.attributes['axes'] !== undefined) lw.fail(node, 'the axes attribute is not supported');
  const modern = node.op === 'Resize' && lw.options.opset >= 11;
  const transform = modern ? attrString(node, 'coordinate_transformation_mode', 'half_pixel') : 'asymmetric';
  const rounding = modern ? attrString(node, 'nearest_mode', 'round_prefer_floor') : 'floor';
  if (!NEAREST_TRANSFORMS.has(transform)) lw.fail(node, `coordinate_transformation_mode '${transform}' is not supported`);
  if (!NEAREST_ROUNDINGS.has(rounding)) lw.fail(node, `nearest_mode '${rounding}' is not supported`);
  const optional = (slot: number, what: string): number[] | undefined => {
    if (!node.inputs[slot]) return undefined;
    const v = Array.from(lw.constant(node, slot, what));
    return v.length > 0 ? v : undefined;
  };
  const scalesSlot = modern ? 2 : 1;
  const scales = node.op === 'Upsample' && lw.options.opset < 9 ? attrList(node, 'scales') : optional(scalesSlot, 'scales');
  const sizes = modern ? optional(3, 'sizes') : undefined;
  if (!scales && !sizes) return lw.fail(node, 'needs scales or sizes');
  const list = sizes ?? scales!;
  if (list.length !== rank) lw.fail(node, `${sizes ? 'sizes' : 'scales'} must list ${rank} values`);
  const outShape = sizes ?? x.shape.map((d, i) => Math.floor(d * scales![i]!));
  const out = node.outputs[0]!;
  if (outShape.some((d, i) => d !== out.shape[i])) lw.fail(node, `output [${outShape.join(', ')}] differs from the model's [${out.shape.join(', ')}]`);
  const tables = new Map<number, number[]>();
  for (let a = 0; a < rank; a++) {
    const inn = x.shape[a]!, n = outShape[a]!;
    const scale = scales ? scales[a]! : n / inn;
    const table = Array.from({ length: n }, (_, o) => nearestSource(o, inn, n, scale, transform, rounding));
    if (n !== inn || table.some((t, o) => t !== o)) tables.set(a, table);
  }
  gatherAxes(lw, node, x, tables, out.name);
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
  const out = node.outputs[0]!;
  const kind = REDUCE[node.op]!;
  if (!fits(x0.layout) && !fits('rm')) {
    // Axes apart in memory: one strided copy puts the kept axes first (in order) and the reduced
    // ones last, then one reduction over the trailing block.
    const kept = Array.from({ length: rank }, (_, i) => i).filter((d) => !axes.includes(d));
    const perm = [...kept, ...[...axes].sort((p, q) => p - q)];
    const from = logicalStrides(x0.shape, x0.layout);
    const shape = perm.map((d) => x0.shape[d]!);
    const { dims, strides } = collapseDims(shape, [perm.map((d) => from[d]!), contiguousStrides(shape)]);
    if (dims.length > MAX_COPY_RANK) lw.fail(node, `axes [${axes.join(', ')}] split the input into more than ${MAX_COPY_RANK} blocks`);
    const t = lw.define(`${out.name}#grouped`, shape, 'rm');
    const y = lw.define(out.name, out.shape, 'rm');
    const outer = elementCount(kept.map((d) => x0.shape[d]!));
    const n = elementCount(shape) / outer;
    const xAt = lw.address(x0);
    const [src, dst] = strides as [number[], number[]];
    lw.step(node, [x0], [t], (ptr) => {
      const px = xAt(ptr), pt = ptr(t.buf!);
      return () => lw.ops.copy(px, pt, dims, src, dst);
    });
    lw.step(node, [t], [y], (ptr) => {
      const pt = ptr(t.buf!), py = ptr(y.buf!);
      return () => lw.ops.reduce(pt, py, outer, n, 1, kind);
    });
    return;
  }
  const x = fits(x0.layout) ? x0 : lw.as(x0, 'rm');
  const order = physicalOrder(x.layout, rank);
  const phys = physicalShape(x.shape, x.layout);
  const positions = axes.map((a) => order.indexOf(a)).sort((p, q) => p - q);
  const outer = elementCount(phys.slice(0, positions[0]!));
  const n = elementCount(positions.map((p) => phys[p]!));
  const inner = elementCount(phys.slice(positions.at(-1)! + 1));
  const y = lw.define(out.name, out.shape, keep && rank === 4 ? x.layout : 'rm');
  const xAt = lw.address(x);
  lw.step(node, [x], [y], (ptr) => {
    const px = xAt(ptr), py = ptr(y.buf!);
    return () => lw.ops.reduce(px, py, outer, n, inner, kind);
  });
};

export const SHAPE_HANDLERS: Readonly<Record<string, Handler>> = {
  Reshape: reshape, Flatten: reshape, Squeeze: reshape, Unsqueeze: reshape,
  Identity: identity, Dropout: identity,
  Transpose: transpose, Concat: concat, Split: split, Slice: slice, Pad: pad,
  ReduceMean: reduce, ReduceSum: reduce, ReduceMax: reduce,
  Gather: gather, Resize: resize, Upsample: resize,
};
