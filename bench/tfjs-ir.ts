// Builds a tfjs model from our graph IR, so tfjs-backend-wasm runs the same network with the same
// weights as the other runtimes. Activations live in NHWC (tfjs's layout); conv weights are turned
// from OIHW into HWIO (or HWC·multiplier for depthwise) once. A BatchNormalization that is the only
// reader of a conv's output is folded into the conv, and a following Relu or Clip(0, 6) becomes the
// fused conv's activation, which is what tfjs's own graph converter does. Ops outside the zoo's CNN
// set throw `TfjsUnsupported` naming the node.
import type { Graph, GraphNode, NodeInput } from '../src/graph/types.js';

type Tf = typeof import('@tensorflow/tfjs-core');
type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;
type Tensor2D = import('@tensorflow/tfjs-core').Tensor2D;
type Step = (values: Map<string, Tensor>) => void;

export class TfjsUnsupported extends Error {}

export interface TfjsModel {
  /** Runs the network on an NHWC input made by `input`; the result is the first output, row-major in its ONNX (NCHW) shape. */
  run(input: Tensor): Float32Array;
  /** The graph input as a tfjs tensor (NCHW data transposed to NHWC once). */
  input(nchw: Float32Array): Tensor;
  dispose(): void;
}

const ints = (v: unknown, fallback: number[]): number[] => (Array.isArray(v) ? (v as number[]) : fallback);

export function buildTfjsModel(tf: Tf, graph: Graph, weights: Readonly<Record<string, Float32Array>>): TfjsModel {
  if (graph.inputs.length !== 1 || graph.inputs[0]!.shape.length !== 4) throw new TfjsUnsupported('one 4-D input only');
  const readers = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i?.kind === 'activation') readers.set(i.name, [...(readers.get(i.name) ?? []), n]);
  const soleReader = (tensor: string): GraphNode | undefined => {
    const r = readers.get(tensor) ?? [];
    return r.length === 1 && !graph.outputs.includes(tensor) ? r[0] : undefined;
  };
  const owned: Tensor[] = [];
  const keep = <T extends Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const data = (i: NodeInput | null | undefined, n: GraphNode): Float32Array => {
    const w = i && weights[i.name];
    if (!w) throw new TfjsUnsupported(`node '${n.name}' (${n.op}): no weight data for input '${i?.name}'`);
    return w;
  };
  const scalar = (i: NodeInput | null | undefined, fallback: number): number => (i?.value !== undefined ? i.value[0]! : i ? weights[i.name]?.[0] ?? fallback : fallback);
  const absorbed = new Set<GraphNode>();
  const steps: Step[] = [];

  const conv = (n: GraphNode): void => {
    const [oc, cg, kh, kw] = n.inputs[1]!.shape as [number, number, number, number];
    const c = n.inputs[0]!.shape[1]!;
    const group = Number(n.attributes.group ?? 1);
    const depthwise = group === c && cg === 1 && group > 1;
    if (group !== 1 && !depthwise) throw new TfjsUnsupported(`node '${n.name}': grouped conv (group ${group}) has no tfjs op`);
    const w = data(n.inputs[1], n);
    const bias = n.inputs[2] ? Float32Array.from(data(n.inputs[2], n)) : new Float32Array(oc);
    const scale = new Float32Array(oc).fill(1);
    let out = n.outputs[0]!.name;
    // Fold a BatchNormalization that only this conv feeds.
    const bn = soleReader(out);
    if (bn?.op === 'BatchNormalization') {
      const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) => data(bn.inputs[k], bn));
      const eps = Number(bn.attributes.epsilon ?? 1e-5);
      for (let o = 0; o < oc; o++) {
        scale[o] = gamma![o]! / Math.sqrt(variance![o]! + eps);
        bias[o] = (bias[o]! - mean![o]!) * scale[o]! + beta![o]!;
      }
      absorbed.add(bn);
      out = bn.outputs[0]!.name;
    }
    let activation: 'linear' | 'relu' | 'relu6' = 'linear';
    const act = soleReader(out);
    if (act?.op === 'Relu') activation = 'relu';
    if (act?.op === 'Clip' && scalar(act.inputs[1], Number(act.attributes.min ?? -Infinity)) === 0 && scalar(act.inputs[2], Number(act.attributes.max ?? Infinity)) === 6) activation = 'relu6';
    if (activation !== 'linear') {
      absorbed.add(act!);
      out = act!.outputs[0]!.name;
    }
    // OIHW → HWIO (depthwise: HW·C·multiplier, where output channel o = c·multiplier + j).
    const m = depthwise ? oc / c : oc;
    const cin = depthwise ? c : cg;
    const filter = new Float32Array(w.length);
    for (let o = 0; o < oc; o++) {
      const ci0 = depthwise ? Math.floor(o / m) : 0;
      const j = depthwise ? o % m : o;
      for (let ci = 0; ci < cg; ci++) {
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) filter[((y * kw + x) * cin + ci0 + ci) * m + j] = w[((o * cg + ci) * kh + y) * kw + x]! * scale[o]!;
        }
      }
    }
    const f = keep(tf.tensor4d(filter, [kh, kw, cin, m]));
    const b = keep(tf.tensor1d(bias));
    const [pt, pl, pb, pr] = ints(n.attributes.pads, [0, 0, 0, 0]);
    // Fused convs take one symmetric pad; other padding is an explicit pad op before them.
    const symmetric = pt === pb && pl === pr && pt === pl;
    const pad: number | 'valid' = symmetric ? pt! : 'valid';
    const strides = ints(n.attributes.strides, [1, 1]) as [number, number];
    const dilations = ints(n.attributes.dilations, [1, 1]) as [number, number];
    const src = n.inputs[0]!.name;
    steps.push((values) => {
      let x = values.get(src) as Tensor4D;
      if (!symmetric) x = tf.pad(x, [[0, 0], [pt!, pb!], [pl!, pr!], [0, 0]]);
      const args = { x, filter: f as Tensor4D, strides, pad, dataFormat: 'NHWC' as const, dilations, bias: b, activation };
      values.set(out, depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args));
    });
  };

  const pool = (n: GraphNode, max: boolean): void => {
    const [kh, kw] = ints(n.attributes.kernel_shape, []) as [number, number];
    const strides = ints(n.attributes.strides, [1, 1]) as [number, number];
    const [pt, pl, pb, pr] = ints(n.attributes.pads, [0, 0, 0, 0]) as [number, number, number, number];
    const [, , h, w] = n.inputs[0]!.shape as [number, number, number, number];
    const [, , oh, ow] = n.outputs[0]!.shape as [number, number, number, number];
    // Pad bottom/right further where ceil_mode needs it (only max pooling may see the padding).
    const extraH = Math.max(0, (oh - 1) * strides[0] + kh - (h + pt + pb));
    const extraW = Math.max(0, (ow - 1) * strides[1] + kw - (w + pl + pr));
    const symmetric = pt === pb && pl === pr && pt === pl && extraH === 0 && extraW === 0;
    if (!max && (!symmetric || (Number(n.attributes.count_include_pad ?? 0) === 1 && pt > 0))) {
      throw new TfjsUnsupported(`node '${n.name}': average pooling with asymmetric or counted padding`);
    }
    const src = n.inputs[0]!.name;
    const out = n.outputs[0]!.name;
    steps.push((values) => {
      let x = values.get(src) as Tensor4D;
      let pad: number | 'valid' = symmetric ? pt : 'valid';
      if (!symmetric) {
        x = tf.pad(x, [[0, 0], [pt, pb + extraH], [pl, pr + extraW], [0, 0]], -Infinity);
        pad = 'valid';
      }
      values.set(out, max ? tf.maxPool(x, [kh, kw], strides, pad) : tf.avgPool(x, [kh, kw], strides, pad));
    });
  };

  /** A 4-D NHWC activation back in NCHW element order, flattened from `axis` on. */
  const toNchwMatrix = (x: Tensor, shape: readonly number[]): Tensor => {
    if (x.rank !== 4) return tf.reshape(x, [shape[0]!, -1]);
    const [, hh, ww] = x.shape;
    return tf.reshape(hh === 1 && ww === 1 ? x : tf.transpose(x, [0, 3, 1, 2]), [x.shape[0], -1]);
  };

  for (const n of graph.nodes) {
    if (absorbed.has(n)) continue;
    const src = n.inputs[0]?.name ?? '';
    const out = n.outputs[0]!.name;
    const unary = (f: (x: Tensor) => Tensor): void => void steps.push((v) => v.set(out, f(v.get(src)!)));
    const binary = (f: (a: Tensor, b: Tensor) => Tensor): void => {
      const [a, b] = n.inputs;
      if (a?.kind !== 'activation' || b?.kind !== 'activation') throw new TfjsUnsupported(`node '${n.name}': ${n.op} with a constant operand`);
      if (a.shape.length !== b.shape.length) throw new TfjsUnsupported(`node '${n.name}': ${n.op} of ranks ${a.shape.length} and ${b.shape.length}`);
      steps.push((v) => v.set(out, f(v.get(a.name)!, v.get(b.name)!)));
    };
    switch (n.op) {
      case 'Conv':
        conv(n);
        break;
      case 'BatchNormalization': {
        const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) => keep(tf.tensor1d(data(n.inputs[k], n))));
        const eps = Number(n.attributes.epsilon ?? 1e-5);
        unary((x) => tf.batchNorm(x as Tensor4D, mean!, variance!, beta!, gamma!, eps));
        break;
      }
      case 'Relu':
        unary((x) => tf.relu(x));
        break;
      case 'Clip': {
        const lo = scalar(n.inputs[1], Number(n.attributes.min ?? -3.4e38));
        const hi = scalar(n.inputs[2], Number(n.attributes.max ?? 3.4e38));
        unary((x) => (lo === 0 && hi === 6 ? tf.relu6(x) : tf.clipByValue(x, lo, hi)));
        break;
      }
      case 'Sigmoid':
        unary((x) => tf.sigmoid(x));
        break;
      case 'Add':
        binary((a, b) => tf.add(a, b));
        break;
      case 'Mul':
        binary((a, b) => tf.mul(a, b));
        break;
      case 'MaxPool':
        pool(n, true);
        break;
      case 'AveragePool':
        pool(n, false);
        break;
      case 'GlobalAveragePool':
        unary((x) => tf.mean(x, [1, 2], true));
        break;
      case 'Concat': {
        const axis = Number(n.attributes.axis);
        const rank = n.outputs[0]!.shape.length;
        const tfAxis = rank === 4 ? [0, 3, 1, 2][(axis + 4) % 4]! : axis;
        const names = n.inputs.map((i) => i!.name);
        steps.push((v) => v.set(out, tf.concat(names.map((name) => v.get(name)!), tfAxis)));
        break;
      }
      case 'Flatten':
      case 'Reshape': {
        const shape = n.outputs[0]!.shape;
        if (shape.length !== 2 || (n.op === 'Flatten' && Number(n.attributes.axis ?? 1) !== 1)) throw new TfjsUnsupported(`node '${n.name}': ${n.op} to rank ${shape.length}`);
        unary((x) => tf.reshape(toNchwMatrix(x, shape), [...shape]));
        break;
      }
      case 'Gemm':
      case 'MatMul': {
        const b = n.inputs[1]!;
        if (b.kind === 'activation' || Number(n.attributes.transA ?? 0) || Number(n.attributes.alpha ?? 1) !== 1 || Number(n.attributes.beta ?? 1) !== 1 || b.shape.length !== 2) {
          throw new TfjsUnsupported(`node '${n.name}': ${n.op} other than x·W + b`);
        }
        const weight = keep(tf.tensor2d(data(b, n), [b.shape[0]!, b.shape[1]!]));
        const bias = n.inputs[2] ? keep(tf.tensor(data(n.inputs[2], n), [...n.inputs[2].shape])) : undefined;
        const transposeB = Number(n.attributes.transB ?? 0) === 1;
        // Not tf.fused.matMul: with a bias, tfjs-backend-wasm 4.22's gave wrong sums here (ResNet-18's fc).
        unary((x) => (bias ? tf.add(tf.matMul(x as Tensor2D, weight, false, transposeB), bias) : tf.matMul(x as Tensor2D, weight, false, transposeB)));
        break;
      }
      default:
        throw new TfjsUnsupported(`node '${n.name}': op ${n.op} is not translated to tfjs`);
    }
  }
  const inputName = graph.inputs[0]!.name;
  const [, c, h, w] = graph.inputs[0]!.shape as [number, number, number, number];
  const outputName = graph.outputs[0]!;
  return {
    input: (nchw) => tf.tidy(() => tf.transpose(tf.tensor4d(nchw, [1, c, h, w]), [0, 2, 3, 1])),
    run(input) {
      const y = tf.tidy(() => {
        const values = new Map<string, Tensor>([[inputName, input]]);
        for (const step of steps) step(values);
        const out = values.get(outputName)!;
        return out.rank === 4 ? tf.transpose(out, [0, 3, 1, 2]) : out;
      });
      const result = y.dataSync() as Float32Array;
      y.dispose();
      return result;
    },
    dispose: () => tf.dispose(owned),
  };
}
