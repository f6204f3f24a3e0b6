import { describe, expect, it } from 'vitest';
import { GraphError, totals, verify, type Graph } from '../../src/graph/index.js';
import { importOnnx } from '../../src/graph/onnx.js';
import { readModel } from '../helpers/fixtures.js';
import { model, node, tensor, valueInfo } from './onnx-builder.js';

const read = readModel;

const convGemmMacs = (g: Graph): number => g.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm').reduce((s, n) => s + n.macs, 0);
const shapeOf = (g: Graph, tensorName: string): readonly number[] | undefined =>
  g.nodes.flatMap((n) => n.outputs).find((o) => o.name === tensorName)?.shape;

describe('ONNX import of real exports (figures from test/fixtures/models/README.md)', () => {
  it.each([
    ['squeezenet1_1.onnx', 1_235_496, 349_151_936, { Conv: 26, Gemm: undefined }],
    ['mobilenet_v2.onnx', 3_487_816, 300_774_272, { Conv: 52, Gemm: 1 }],
    ['resnet18_noweights.onnx', 11_684_712, 1_814_073_344, { Conv: 20, Gemm: 1 }],
  ])('%s: %i parameters and %i Conv+Gemm MACs', (file, params, macs, ops) => {
    const g = importOnnx(read(file), { source: file });
    verify(g);
    const t = totals(g);
    expect(t.params).toBe(params);
    expect(t.paramBytes).toBe(params * 4);
    expect(convGemmMacs(g)).toBe(macs);
    expect(t.opCounts['Conv']).toBe(ops.Conv);
    expect(t.opCounts['Gemm']).toBe(ops.Gemm);
    // Identity aliases of weights and Constant nodes are folded away, not graph nodes.
    expect(t.opCounts['Identity']).toBeUndefined();
    expect(t.opCounts['Constant']).toBeUndefined();
    expect(g.inputs.map((i) => i.name)).toEqual(['input']);
    expect(g.outputs).toEqual(['output']);
    expect(g.nodes.at(-1)!.outputs[0]!.shape).toEqual([1, 1000]);
  });

  it('imports MobileNetV2 well under a second', () => {
    const bytes = read('mobilenet_v2.onnx');
    const start = performance.now();
    importOnnx(bytes);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('ONNX import of hand-written files', () => {
  const x = (dims: number[]) => valueInfo('x', dims);

  it('folds a Shape/Gather/Unsqueeze/Concat chain into a Reshape target', () => {
    const bytes = model({
      inputs: [x([2, 8, 4, 4])],
      outputs: [valueInfo('y', [2, 10])],
      initializers: [tensor('W', [128, 10]), tensor('idx', [], 'int64', [0])],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'idx'], ['n'], { axis: 0 }),
        node('Unsqueeze', ['n', 'axes'], ['n1']),
        node('Constant', [], ['axes'], { value: { tensor: tensor('', [1], 'int64', [0]) } }),
        node('Constant', [], ['minus1'], { value: { tensor: tensor('', [1], 'int64', [-1]) } }),
        node('Concat', ['n1', 'minus1'], ['target'], { axis: 0 }),
        node('Reshape', ['x', 'target'], ['flat'], {}, 'flatten'),
        node('MatMul', ['flat', 'W'], ['y'], {}, 'fc'),
      ],
    });
    const g = importOnnx(bytes);
    verify(g);
    expect(g.nodes.map((n) => [n.name, n.op, n.outputs[0]!.shape])).toEqual([
      ['flatten', 'Reshape', [2, 128]],
      ['fc', 'MatMul', [2, 10]],
    ]);
    // The int64 index initializer is a constant there, not a parameter.
    expect(totals(g)).toMatchObject({ params: 1280, macs: 2 * 128 * 10 });
  });

  it('infers the shapes of the listed ops (hand-computed)', () => {
    const f = (v: number[]) => tensor('', [v.length], 'int64', v);
    const bytes = model({
      inputs: [x([1, 3, 16, 16])],
      outputs: [valueInfo('soft', [1, 18, 18]), valueInfo('mm', [1, 4, 8, 5]), valueInfo('flat', [1, 2])],
      initializers: [
        tensor('Wt', [3, 6, 4, 4]), tensor('scales', [4], 'float32', [1, 1, 0.5, 0.5]), tensor('split', [2], 'int64', [2, 4]),
        tensor('gamma', [16]), tensor('beta', [16]), tensor('W2', [16, 5]),
      ],
      nodes: [
        node('ConvTranspose', ['x', 'Wt'], ['up'], { strides: [2, 2], pads: [1, 1, 1, 1] }, 'deconv'),
        node('Resize', ['up', '', 'scales'], ['down'], { mode: 'nearest' }, 'resize'),
        node('Split', ['down', 'split'], ['a', 'b'], { axis: 1 }, 'split'),
        node('Constant', [], ['starts'], { value: { tensor: f([0]) } }),
        node('Constant', [], ['ends'], { value: { tensor: f([8]) } }),
        node('Constant', [], ['axes'], { value: { tensor: f([2]) } }),
        node('Slice', ['b', 'starts', 'ends', 'axes'], ['bs'], {}, 'slice'),
        node('Constant', [], ['pads'], { value: { tensor: f([0, 0, 1, 1, 0, 0, 1, 1]) } }),
        node('Pad', ['a', 'pads'], ['ap'], {}, 'pad'),
        node('Transpose', ['ap'], ['at'], { perm: [0, 2, 3, 1] }, 'transpose'),
        node('ReduceMean', ['at'], ['rm'], { axes: [3], keepdims: 0 }, 'mean'),
        node('Softmax', ['rm'], ['soft'], { axis: -1 }, 'softmax'),
        node('HardSwish', ['bs'], ['h1'], {}, 'hswish'),
        node('Erf', ['h1'], ['h2'], {}, 'erf'),
        node('HardSigmoid', ['h2'], ['h3'], {}, 'hsig'),
        node('LayerNormalization', ['h3', 'gamma', 'beta'], ['ln'], { axis: -1 }, 'layernorm'),
        node('MatMul', ['ln', 'W2'], ['mm'], {}, 'matmul'),
        node('AveragePool', ['a'], ['ap2'], { kernel_shape: [2, 2], strides: [2, 2] }, 'avgpool'),
        node('GlobalAveragePool', ['ap2'], ['gap'], {}, 'gap'),
        node('Flatten', ['gap'], ['flat'], { axis: 1 }, 'flatten'),
      ],
    });
    const g = importOnnx(bytes);
    verify(g);
    // ConvTranspose: 2*(16-1) + 4 - 1 - 1 = 32
    expect(shapeOf(g, 'up')).toEqual([1, 6, 32, 32]);
    expect(shapeOf(g, 'down')).toEqual([1, 6, 16, 16]);
    expect(shapeOf(g, 'a')).toEqual([1, 2, 16, 16]);
    expect(shapeOf(g, 'b')).toEqual([1, 4, 16, 16]);
    expect(shapeOf(g, 'bs')).toEqual([1, 4, 8, 16]);
    expect(shapeOf(g, 'ap')).toEqual([1, 2, 18, 18]);
    expect(shapeOf(g, 'at')).toEqual([1, 18, 18, 2]);
    expect(shapeOf(g, 'soft')).toEqual([1, 18, 18]);
    expect(shapeOf(g, 'mm')).toEqual([1, 4, 8, 5]);
    expect(shapeOf(g, 'ap2')).toEqual([1, 2, 8, 8]);
    expect(shapeOf(g, 'flat')).toEqual([1, 2]);
    const byName = Object.fromEntries(g.nodes.map((n) => [n.name, n]));
    // every input pixel (3*16*16) scatters into 6*4*4 outputs
    expect(byName['deconv']!.macs).toBe(768 * 96);
    expect(byName['matmul']!.macs).toBe(32 * 16 * 5);
    // scales and split sizes are constants there; weights: Wt 288, gamma+beta 32, W2 80
    expect(totals(g).params).toBe(288 + 32 + 80);
  });

  it('reads the attribute forms of older opsets and Gemm transA', () => {
    const bytes = model({
      inputs: [x([1, 6, 4, 4])],
      outputs: [valueInfo('g', [7, 5])],
      initializers: [tensor('A', [3, 7]), tensor('B', [3, 5])],
      nodes: [
        node('Split', ['x'], ['s1', 's2'], { axis: 1, split: [2, 4] }, 'split'),
        node('Squeeze', ['gp'], ['sq'], { axes: [2, 3] }, 'squeeze'),
        node('GlobalMaxPool', ['s2'], ['gp'], {}, 'gmp'),
        node('Unsqueeze', ['sq'], ['us'], { axes: [0] }, 'unsqueeze'),
        node('Pad', ['s1'], ['p'], { pads: [0, 0, 2, 0, 0, 0, 0, 1] }, 'pad'),
        node('Slice', ['p'], ['sl'], { starts: [1], ends: [-1], axes: [2] }, 'slice'),
        node('Upsample', ['sl', 'scales'], ['up'], {}, 'upsample'),
        node('Constant', [], ['scales'], { value: { tensor: tensor('', [4], 'float32', [1, 1, 2, 3]) } }),
        node('Gemm', ['A', 'B'], ['g'], { transA: 1 }, 'gemm'),
      ],
    });
    const g = importOnnx(bytes);
    verify(g);
    expect(shapeOf(g, 's2')).toEqual([1, 4, 4, 4]);
    expect(shapeOf(g, 'sq')).toEqual([1, 4]);
    expect(shapeOf(g, 'us')).toEqual([1, 1, 4]);
    expect(shapeOf(g, 'p')).toEqual([1, 2, 6, 5]);
    expect(shapeOf(g, 'sl')).toEqual([1, 2, 4, 5]);
    expect(shapeOf(g, 'up')).toEqual([1, 2, 8, 15]);
    // A^T (7x3) times B (3x5): 7*5 outputs of 3 MACs each
    expect(shapeOf(g, 'g')).toEqual([7, 5]);
    expect(g.nodes.find((n) => n.name === 'gemm')!.macs).toBe(105);
  });

  it('takes a symbolic (named) dimension such as the batch as 1', () => {
    const g = importOnnx(model({ inputs: [valueInfo('x', ['N', 3, 4, 4])], outputs: [valueInfo('y', ['N', 3, 4, 4])], nodes: [node('Relu', ['x'], ['y'], {}, 'relu')] }));
    expect(g.inputs[0]!.shape).toEqual([1, 3, 4, 4]);
  });

  it('treats ops of other domains as unknown ops', () => {
    const n = node('Relu', ['x'], ['y'], {}, 'custom');
    n.domain = 'com.example';
    const parts = { inputs: [x([2, 2])], outputs: [valueInfo('y', [2, 2])], nodes: [n] };
    const g = importOnnx(model(parts));
    expect(g.nodes[0]).toMatchObject({ op: 'Relu', opaque: true });
    expect(() => importOnnx(model({ ...parts, outputs: [] }), { source: 'c.onnx' })).toThrow(/c\.onnx: node 'custom': unknown op 'Relu' \(domain com\.example\)/);
  });

  it('counts Identity aliases of a weight once per alias, a directly shared weight once', () => {
    const bytes = model({
      inputs: [x([1, 3, 8, 8])],
      outputs: [valueInfo('c3', [1, 4, 8, 8])],
      initializers: [tensor('W1', [4, 3, 1, 1]), tensor('W2', [4, 4, 1, 1]), tensor('b', [4])],
      nodes: [
        node('Identity', ['b'], ['b_copy']),
        node('Conv', ['x', 'W1', 'b'], ['c1'], {}, 'conv1'),
        node('Conv', ['c1', 'W2', 'b_copy'], ['c2'], {}, 'conv2'),
        node('Conv', ['c2', 'W2', 'b'], ['c3'], {}, 'conv3'),
      ],
    });
    const g = importOnnx(bytes);
    expect(g.nodes.map((n) => n.params)).toEqual([12 + 4, 16 + 4, 0]);
  });

  it('reads weights stored as external data from their dims alone', () => {
    const bytes = model({
      inputs: [x([1, 3, 8, 8])],
      outputs: [valueInfo('y', [1, 4, 6, 6])],
      initializers: [tensor('W', [4, 3, 3, 3], 'float32', undefined, true)],
      nodes: [node('Conv', ['x', 'W'], ['y'], {}, 'conv')],
    });
    const g = importOnnx(bytes);
    expect(totals(g)).toMatchObject({ params: 108, macs: 4 * 36 * 27 });
  });

  it('keeps an unknown op whose output shapes the file states, as a zero-MAC node', () => {
    const parts = {
      inputs: [x([1, 3, 8, 8])],
      outputs: [valueInfo('z', [1, 3, 8, 8])],
      nodes: [node('FancyOp', ['x'], ['y'], {}, 'weird'), node('Relu', ['y'], ['z'], {}, 'relu')],
    };
    const g = importOnnx(model({ ...parts, valueInfo: [valueInfo('y', [1, 3, 4, 4])] }));
    verify(g);
    expect(g.nodes[0]).toMatchObject({ op: 'FancyOp', opaque: true, macs: 0 });
    expect(shapeOf(g, 'z')).toEqual([1, 3, 4, 4]);
    expect(() => importOnnx(model(parts), { source: 'odd.onnx' })).toThrow(/^odd\.onnx: node 'weird': unknown op 'FancyOp'/);
  });
});

describe('ONNX import rejects malformed files with a clean error', () => {
  const relu = (dims: number[]) =>
    model({ inputs: [valueInfo('x', dims)], outputs: [valueInfo('y', dims)], nodes: [node('Relu', ['x'], ['y'], {}, 'relu')] });

  const rejects = (bytes: Uint8Array, pattern: RegExp): void => {
    let error: unknown;
    try {
      importOnnx(bytes, { source: 'bad.onnx' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphError);
    expect((error as Error).message).toMatch(/^bad\.onnx: /);
    expect((error as Error).message).toMatch(pattern);
  };

  it('truncated files, random bytes and empty input', () => {
    const bytes = read('mobilenet_v2.onnx');
    rejects(bytes.subarray(0, bytes.length >> 1), /not a readable ONNX file|no graph nodes/);
    rejects(bytes.subarray(0, 1000), /not a readable ONNX file|no graph nodes/);
    const noise = new Uint8Array(4096);
    let s = 12345;
    for (let i = 0; i < noise.length; i++) noise[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    rejects(noise, /not a readable ONNX file|no graph nodes/);
    rejects(new Uint8Array(0), /no graph nodes/);
  });

  it('a cycle, a missing input, zero and negative dimensions', () => {
    rejects(
      model({ inputs: [valueInfo('x', [4])], outputs: [valueInfo('b', [4])], nodes: [node('Add', ['x', 'b'], ['a'], {}, 'first'), node('Relu', ['a'], ['b'], {}, 'second')] }),
      /node '(first|second)': is part of a cycle/,
    );
    rejects(
      model({ inputs: [valueInfo('x', [4])], outputs: [valueInfo('y', [4])], nodes: [node('Add', ['x', 'ghost'], ['y'], {}, 'add')] }),
      /node 'add': input 'ghost' is neither/,
    );
    rejects(relu([1, 0, 4]), /dimension 0/);
    rejects(relu([1, -2, 4]), /dimension -2/);
  });

  it('a constant declaring more outputs than it gives', () => {
    rejects(
      model({
        inputs: [valueInfo('x', [2])], outputs: [valueInfo('y', [2])],
        nodes: [node('Constant', [], ['c', 'ghost'], { value: { tensor: tensor('', [2], 'float32', [1, 2]) } }, 'const'), node('Add', ['x', 'ghost'], ['y'], {}, 'add')],
      }),
      /^bad\.onnx: node 'const': Constant declares 2 outputs but gives 1$/,
    );
  });

  it('a 10^12-element tensor claim, as an input or as a weight', () => {
    rejects(relu([1_000_000, 1_000_000]), /more than 8589934592 elements/);
    rejects(
      model({
        inputs: [valueInfo('x', [1, 4])], outputs: [valueInfo('y', [1, 1_000_000])],
        initializers: [tensor('W', [1_000_000, 1_000_000], 'float32', undefined, true)],
        nodes: [node('MatMul', ['x', 'W'], ['y'], {}, 'mm')],
      }),
      /more than 8589934592 elements/,
    );
  });
});
