// A small builder for writing architectures as code: each method adds one ONNX-style node and
// returns its output tensor's name. Shapes are tracked with the op table as the network grows, so
// an architecture reads like its paper's table; `build()` hands the nodes to buildGraph, which
// checks everything again.
import { buildGraph, type NodeInputSpec, type NodeSpec } from '../build.js';
import { OPS } from '../ops.js';
import type { Attributes, Graph, NodeInput } from '../types.js';

export interface ConvOptions {
  stride?: number;
  /** [top, left, bottom, right] or one number for all sides; default keeps the size at stride 1 ((k-1)/2). */
  pad?: number | readonly [number, number, number, number];
  /** TensorFlow's "same" padding (auto_pad SAME_UPPER), as Keras models use. */
  same?: boolean;
  group?: number;
  bias?: boolean;
}

export class NetBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly shapes = new Map<string, number[]>();
  private readonly counts = new Map<string, number>();

  constructor(readonly name: string, inputShape: readonly number[]) {
    this.shapes.set('input', [...inputShape]);
  }

  shape(x: string): number[] {
    const s = this.shapes.get(x);
    if (!s) throw new Error(`no tensor '${x}'`);
    return s;
  }

  channels(x: string): number {
    return this.shape(x)[1]!;
  }

  private fresh(prefix: string): string {
    const n = (this.counts.get(prefix) ?? 0) + 1;
    this.counts.set(prefix, n);
    return `${prefix}${n}`;
  }

  /** Adds a node; its output tensor takes the node's name. */
  node(op: string, inputs: readonly NodeInputSpec[], attributes: Attributes = {}, prefix = op.toLowerCase()): string {
    const name = this.fresh(prefix);
    const resolved: (NodeInput | null)[] = inputs.map((i) => {
      if (i === null) return null;
      if (typeof i === 'string') return { name: i, shape: this.shape(i), dtype: 'float32', kind: 'activation' };
      return { ...i, dtype: i.dtype ?? 'float32' };
    });
    const out = OPS[op]!.infer!(resolved, attributes, 1)[0]!;
    this.shapes.set(name, out.shape);
    this.nodes.push({ name, op, inputs: [...inputs], outputs: [name], attributes });
    return name;
  }

  conv(x: string, outChannels: number, kernel: number | readonly [number, number], options: ConvOptions = {}): string {
    const [kh, kw] = typeof kernel === 'number' ? [kernel, kernel] : kernel;
    const stride = options.stride ?? 1;
    const group = options.group ?? 1;
    const pad = options.pad ?? [(kh - 1) >> 1, (kw - 1) >> 1, (kh - 1) >> 1, (kw - 1) >> 1];
    const pads = typeof pad === 'number' ? [pad, pad, pad, pad] : [pad[0], pad[1], pad[2], pad[3]];
    const name = `conv${(this.counts.get('conv') ?? 0) + 1}`;
    const inputs: NodeInputSpec[] = [x, { name: `${name}.weight`, shape: [outChannels, this.channels(x) / group, kh, kw], kind: 'weight' }];
    if (options.bias) inputs.push({ name: `${name}.bias`, shape: [outChannels], kind: 'weight' });
    const attrs: Record<string, number | string | number[]> = { kernel_shape: [kh, kw], strides: [stride, stride], group };
    if (options.same) attrs['auto_pad'] = 'SAME_UPPER';
    else attrs['pads'] = pads;
    return this.node('Conv', inputs, attrs, 'conv');
  }

  /**
   * Batch normalization as torch counts it: scale and bias are parameters, running statistics are
   * not. `scale: false` is Keras' and TF-slim's `scale=False`: no learned scale (a constant 1).
   */
  bn(x: string, options: { scale?: boolean } = {}): string {
    const c = this.channels(x);
    const name = `bn${(this.counts.get('bn') ?? 0) + 1}`;
    const vec = (what: string, kind: 'weight' | 'constant') => ({ name: `${name}.${what}`, shape: [c], kind });
    const scale = options.scale === false ? { ...vec('weight', 'constant'), value: new Array<number>(c).fill(1) } : vec('weight', 'weight');
    return this.node('BatchNormalization', [x, scale, vec('bias', 'weight'), vec('running_mean', 'constant'), vec('running_var', 'constant')], {}, 'bn');
  }

  relu(x: string): string {
    return this.node('Relu', [x]);
  }

  /** ReLU6 as exporters write it: Clip with constant bounds. */
  relu6(x: string): string {
    const bound = (v: number, what: string) => ({ name: `relu6.${what}`, shape: [], kind: 'constant' as const, value: [v] });
    return this.node('Clip', [x, bound(0, 'min'), bound(6, 'max')], {}, 'clip');
  }

  /** SiLU (swish) as exporters write it: x * sigmoid(x). */
  silu(x: string): string {
    return this.mul(x, this.node('Sigmoid', [x]));
  }

  sigmoid(x: string): string {
    return this.node('Sigmoid', [x]);
  }

  add(a: string, b: string): string {
    return this.node('Add', [a, b]);
  }

  mul(a: string, b: string): string {
    return this.node('Mul', [a, b]);
  }

  /** Multiplies by a constant scalar (Inception-ResNet's residual scaling). */
  scale(x: string, factor: number): string {
    return this.node('Mul', [x, { name: `scale.${factor}`, shape: [], kind: 'constant', value: [factor] }]);
  }

  concat(xs: readonly string[]): string {
    return this.node('Concat', xs, { axis: 1 });
  }

  maxPool(x: string, kernel: number, stride: number, pad = 0, options: { ceil?: boolean; same?: boolean } = {}): string {
    const attrs: Record<string, number | string | number[]> = { kernel_shape: [kernel, kernel], strides: [stride, stride] };
    if (options.same) attrs['auto_pad'] = 'SAME_UPPER';
    else attrs['pads'] = [pad, pad, pad, pad];
    if (options.ceil) attrs['ceil_mode'] = 1;
    return this.node('MaxPool', [x], attrs);
  }

  avgPool(x: string, kernel: number, stride: number, pad = 0): string {
    return this.node('AveragePool', [x], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad] });
  }

  globalAvgPool(x: string): string {
    return this.node('GlobalAveragePool', [x]);
  }

  flatten(x: string): string {
    return this.node('Flatten', [x], { axis: 1 });
  }

  /** A fully connected layer (torch Linear): Gemm with transB = 1 and a bias. */
  linear(x: string, out: number): string {
    const name = `fc${(this.counts.get('fc') ?? 0) + 1}`;
    const k = this.shape(x)[1]!;
    return this.node('Gemm', [x, { name: `${name}.weight`, shape: [out, k], kind: 'weight' }, { name: `${name}.bias`, shape: [out], kind: 'weight' }], { transB: 1 }, 'fc');
  }

  build(): Graph {
    return buildGraph({ name: this.name, inputs: [{ name: 'input', shape: this.shape('input') }], nodes: this.nodes });
  }
}
