import { describe, expect, it } from 'vitest';
import {
  GraphError, buildGraph, criticalPath, dnnLikeGraph, layeredDag, levels, peakActivationBytes, predecessors,
  successors, totals, verify, windowGeometry, type Graph, type GraphSpec, type NodeSpec,
} from '../../src/graph/index.js';

const w = (name: string, shape: number[]) => ({ name, shape, kind: 'weight' as const });

/** input [1,3,8,8] -> conv 3x3 (4 ch, pad 1) -> relu -> maxpool 2x2 s2 -> flatten -> gemm 10. */
function smallNet(): GraphSpec {
  return {
    name: 'small',
    inputs: [{ name: 'x', shape: [1, 3, 8, 8] }],
    nodes: [
      { name: 'conv', op: 'Conv', inputs: ['x', w('cw', [4, 3, 3, 3]), w('cb', [4])], outputs: ['c'], attributes: { pads: [1, 1, 1, 1] } },
      { name: 'relu', op: 'Relu', inputs: ['c'], outputs: ['r'] },
      { name: 'pool', op: 'MaxPool', inputs: ['r'], outputs: ['p'], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { name: 'flat', op: 'Flatten', inputs: ['p'], outputs: ['f'] },
      { name: 'fc', op: 'Gemm', inputs: ['f', w('fw', [10, 64]), w('fb', [10])], outputs: ['y'], attributes: { transB: 1 } },
    ],
  };
}

function synthetic(name: string, inputs: string[], macs: number, elements = 1): NodeSpec {
  return { name, op: 'Synthetic', inputs, outputs: [{ name: `${name}_out`, shape: [elements] }], macs };
}

describe('graph IR construction', () => {
  it('infers shapes, MACs, parameters and bytes of a small network (hand-computed)', () => {
    const g = buildGraph(smallNet());
    verify(g);
    expect(g.nodes.map((n) => n.outputs[0]!.shape)).toEqual([[1, 4, 8, 8], [1, 4, 8, 8], [1, 4, 4, 4], [1, 64], [1, 10]]);
    // conv: 1*4*8*8 outputs * 3*3*3 taps = 6912; gemm: 1*10*64 = 640
    expect(g.nodes.map((n) => n.macs)).toEqual([6912, 0, 0, 0, 640]);
    expect(g.nodes.map((n) => n.params)).toEqual([112, 0, 0, 0, 650]);
    expect(g.nodes[0]!.paramBytes).toBe(448);
    expect(g.nodes[0]!.outputBytes).toBe(256 * 4);
    const t = totals(g);
    expect(t).toMatchObject({ nodes: 5, edges: 4, params: 762, paramBytes: 3048, macs: 7552, opCounts: { Conv: 1, Gemm: 1 } });
    // input 768 B; conv out 1024 B while input still live -> 1792; relu out 1024 + conv out 1024 = 2048 peak
    expect(peakActivationBytes(g)).toBe(2048);
    expect(g.outputs).toEqual(['y']);
  });

  it('orders nodes topologically whatever order they come in', () => {
    const spec = smallNet();
    const g = buildGraph({ ...spec, nodes: [...spec.nodes].reverse() });
    expect(g.nodes.map((n) => n.name)).toEqual(['conv', 'relu', 'pool', 'flat', 'fc']);
    verify(g);
  });

  it('handles strided, grouped, dilated and SAME-padded convolutions and ceil-mode pooling', () => {
    const g = buildGraph({
      name: 'windows',
      inputs: [{ name: 'x', shape: [1, 8, 112, 112] }],
      nodes: [
        { name: 'dw', op: 'Conv', inputs: ['x', w('dw.w', [8, 1, 3, 3])], outputs: ['a'], attributes: { group: 8, strides: [2, 2], pads: [1, 1, 1, 1] } },
        { name: 'dil', op: 'Conv', inputs: ['a', w('dil.w', [4, 8, 3, 3])], outputs: ['b'], attributes: { dilations: [2, 2] } },
        { name: 'same', op: 'Conv', inputs: ['b', w('same.w', [4, 4, 3, 3])], outputs: ['c'], attributes: { auto_pad: 'SAME_UPPER', strides: [2, 2] } },
        { name: 'pool', op: 'MaxPool', inputs: ['x'], outputs: ['d'], attributes: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 } },
      ],
    });
    expect(g.nodes.map((n) => n.outputs[0]!.shape)).toEqual([[1, 8, 56, 56], [1, 4, 52, 52], [1, 4, 26, 26], [1, 8, 56, 56]]);
    // depthwise: each output sees 1 channel * 9 taps
    expect(g.nodes[0]!.macs).toBe(8 * 56 * 56 * 9);
    expect(g.nodes[1]!.macs).toBe(4 * 52 * 52 * 8 * 9);
    // floor mode would give 55; ceil mode keeps the last window, which starts inside the input
    expect(buildGraph({ name: 'floor', inputs: g.inputs, nodes: [{ name: 'p', op: 'MaxPool', inputs: ['x'], outputs: ['d'], attributes: { kernel_shape: [3, 3], strides: [2, 2] } }] }).nodes[0]!.outputs[0]!.shape).toEqual([1, 8, 55, 55]);
  });

  it('rejects a cycle, naming a node on it', () => {
    const spec: GraphSpec = {
      name: 'cycle',
      inputs: [{ name: 'x', shape: [4] }],
      nodes: [
        { name: 'a', op: 'Add', inputs: ['x', 'c_out'], outputs: ['a_out'] },
        { name: 'b', op: 'Relu', inputs: ['a_out'], outputs: ['b_out'] },
        { name: 'c', op: 'Relu', inputs: ['b_out'], outputs: ['c_out'] },
      ],
    };
    expect(() => buildGraph(spec)).toThrow(/node 'a': is part of a cycle/);
  });

  it('rejects dangling inputs, duplicate names, unknown ops and bad dims, naming the node', () => {
    const base = smallNet();
    const edit = (i: number, change: Partial<NodeSpec>): GraphSpec => ({ ...base, nodes: base.nodes.map((n, j) => (j === i ? { ...n, ...change } : n)) });
    expect(() => buildGraph(edit(1, { inputs: ['nowhere'] }))).toThrow(/node 'relu': input 'nowhere' is neither/);
    expect(() => buildGraph(edit(1, { name: 'conv' }))).toThrow(/node 'conv': duplicate node name/);
    expect(() => buildGraph(edit(2, { op: 'FancyPool' }))).toThrow(/node 'pool': unknown op 'FancyPool'/);
    expect(() => buildGraph(edit(1, { outputs: ['c'] }))).toThrow(/node 'relu': tensor 'c' is produced twice/);
    expect(() => buildGraph(edit(0, { inputs: ['x', w('cw', [4, 3, 0, 3])] }))).toThrow(/node 'conv'.*dimension 0/);
    expect(() => buildGraph(edit(0, { inputs: ['x', w('cw', [4, 3, -3, 3])] }))).toThrow(/node 'conv'.*dimension -3/);
    expect(() => buildGraph({ ...base, inputs: [{ name: 'x', shape: [1_000_000, 1_000_000] }] })).toThrow(/more than 8589934592 elements/);
  });

  it('rejects shape mismatches, naming the node', () => {
    const base = smallNet();
    const edit = (i: number, change: Partial<NodeSpec>): GraphSpec => ({ ...base, nodes: base.nodes.map((n, j) => (j === i ? { ...n, ...change } : n)) });
    expect(() => buildGraph(edit(0, { inputs: ['x', w('cw', [4, 5, 3, 3])] }))).toThrow(/node 'conv': Conv: X has 3 channels but W expects 5/);
    expect(() => buildGraph(edit(4, { inputs: ['f', w('fw', [10, 63])] }))).toThrow(/node 'fc': Gemm: inner dimensions differ: 64 and 63/);
    expect(() => buildGraph(edit(1, { outputs: [{ name: 'r', shape: [1, 4, 8, 9] }] }))).toThrow(/node 'relu'.*declared \[1, 4, 8, 9\] but the inputs give \[1, 4, 8, 8\]/);
    expect(() =>
      buildGraph({ name: 'add', inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [4, 3] }], nodes: [{ name: 'sum', op: 'Add', inputs: ['a', 'b'], outputs: ['s'] }] }),
    ).toThrow(/node 'sum'.*do not broadcast/);
  });

  it('verify catches a tampered graph', () => {
    const g = buildGraph(smallNet());
    const tamper = (f: (g: { nodes: any[]; edges: any[] }) => void): Graph => {
      const copy = structuredClone(g) as any;
      f(copy);
      return copy as Graph;
    };
    expect(() => verify(tamper((c) => (c.nodes[0].macs = 1)))).toThrow(/node 'conv': records macs 1 but 6912/);
    expect(() => verify(tamper((c) => (c.nodes[2].outputs[0].shape = [1, 4, 4, 5])))).toThrow(/node 'pool'/);
    expect(() => verify(tamper((c) => c.edges.pop()))).toThrow(/edge list/);
    expect(() => verify(tamper((c) => ([c.nodes[0], c.nodes[1]] = [c.nodes[1], c.nodes[0]])))).toThrow(GraphError);
  });

  it('counts a weight shared by two nodes once, at its first reader', () => {
    const g = buildGraph({
      name: 'shared',
      inputs: [{ name: 'x', shape: [2, 8] }],
      nodes: [
        { name: 'm1', op: 'MatMul', inputs: ['x', w('W', [8, 8])], outputs: ['y1'] },
        { name: 'm2', op: 'MatMul', inputs: ['y1', w('W', [8, 8])], outputs: ['y2'] },
      ],
    });
    expect(g.nodes.map((n) => n.params)).toEqual([64, 0]);
    expect(g.nodes.map((n) => n.macs)).toEqual([128, 128]);
  });
});

describe('graph analyses', () => {
  // a -> b -> d, a -> c -> d, c -> e ; weights: a 1, b 5, c 2, d 1, e 10
  const diamond = buildGraph({
    name: 'diamond',
    inputs: [],
    nodes: [
      synthetic('a', [], 1), synthetic('b', ['a_out'], 5), synthetic('c', ['a_out'], 2),
      synthetic('d', ['b_out', 'c_out'], 1), synthetic('e', ['c_out'], 10),
    ],
  });

  it('gives predecessors, successors and levels', () => {
    verify(diamond);
    expect(predecessors(diamond)).toEqual([[], [0], [0], [1, 2], [2]]);
    expect(successors(diamond)).toEqual([[1, 2], [3], [3, 4], [], []]);
    expect(levels(diamond)).toEqual([0, 1, 1, 2, 2]);
    expect(diamond.outputs).toEqual(['d_out', 'e_out']);
  });

  it('finds the critical path by MACs or by any weight', () => {
    expect(criticalPath(diamond)).toEqual({ length: 13, nodes: [0, 2, 4] });
    expect(criticalPath(diamond, () => 1)).toEqual({ length: 3, nodes: [0, 1, 3] });
  });
});

describe('synthetic graphs', () => {
  it('layeredDag has exactly the requested nodes and levels, in-degree bounds and RESPECT weights', () => {
    for (const [nodes, levelCount, seed] of [[30, 10, 1], [30, 25, 2], [50, 17, 3], [200, 40, 4]] as const) {
      const g = layeredDag({ nodes, levels: levelCount, seed, maxInDegree: 6 });
      verify(g);
      expect(g.nodes.length).toBe(nodes);
      const lv = levels(g);
      expect(Math.max(...lv) + 1).toBe(levelCount);
      const preds = predecessors(g);
      g.nodes.forEach((n, v) => {
        expect(lv[v]).toBe(n.attributes['level']);
        if (lv[v] === 0) expect(preds[v]).toEqual([]);
        else expect(preds[v]!.length).toBeGreaterThanOrEqual(1);
        expect(preds[v]!.length).toBeLessThanOrEqual(6);
        for (const p of preds[v]!) expect(lv[p]).toBeLessThan(lv[v]!);
        const weight = n.attributes['weight'] as number;
        expect(weight).toBeGreaterThanOrEqual(0);
        expect(weight).toBeLessThan(5);
        expect(n.macs).toBe(Math.round(weight * 1e6));
      });
    }
  });

  it('is a function of the seed', () => {
    const a = layeredDag({ nodes: 50, levels: 12, seed: 7 });
    expect(layeredDag({ nodes: 50, levels: 12, seed: 7 })).toEqual(a);
    expect(layeredDag({ nodes: 50, levels: 12, seed: 8 })).not.toEqual(a);
    expect(dnnLikeGraph({ blocks: 20, seed: 5 })).toEqual(dnnLikeGraph({ blocks: 20, seed: 5 }));
  });

  it('rejects impossible options', () => {
    expect(() => layeredDag({ nodes: 5, levels: 6, seed: 1 })).toThrow(/levels must be an integer in \[1, 5\]/);
    expect(() => layeredDag({ nodes: 5, levels: 2, seed: 1, minInDegree: 3, maxInDegree: 2 })).toThrow(/maxInDegree/);
  });

  it('dnnLikeGraph builds valid real-op graphs with residual and concatenation branches', () => {
    const g = dnnLikeGraph({ blocks: 30, seed: 11 });
    verify(g);
    const t = totals(g);
    expect(t.opCounts['Add']).toBeGreaterThan(0);
    expect(t.opCounts['Concat']).toBeGreaterThan(0);
    expect(t.opCounts['Gemm']).toBe(1);
    expect(g.nodes.at(-1)!.outputs[0]!.shape).toEqual([1, 1000]);
    expect(t.macs).toBeGreaterThan(0);
    // A residual Add reads two tensors, a Concat two to four.
    const preds = predecessors(g);
    for (const n of g.nodes) if (n.op === 'Concat') expect(preds[n.id]!.length).toBeGreaterThanOrEqual(2);
  });
});

describe('windowGeometry', () => {
  it('resolves defaults, explicit pads and SAME auto-padding (hand-computed)', () => {
    const g = buildGraph({
      name: 'geometry',
      inputs: [{ name: 'x', shape: [2, 8, 15, 16] }],
      nodes: [
        { name: 'plain', op: 'Conv', inputs: ['x', w('w1', [4, 8, 3, 3])], outputs: ['a'] },
        { name: 'same', op: 'Conv', inputs: ['x', w('w2', [8, 1, 3, 3])], outputs: ['b'], attributes: { group: 8, strides: [2, 2], auto_pad: 'SAME_UPPER' } },
        { name: 'lower', op: 'MaxPool', inputs: ['x'], outputs: ['c'], attributes: { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_LOWER' } },
      ],
    });
    expect(windowGeometry(g.nodes[0]!)).toEqual({
      batch: 2, inChannels: 8, outChannels: 4, group: 1, inputSize: [15, 16], outputSize: [13, 14],
      kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0],
    });
    // 15 -> 8 at stride 2 needs (8-1)*2+3-15 = 2 pixels of padding; 16 -> 8 needs 1, odd pixel at the end
    expect(windowGeometry(g.nodes[1]!)).toMatchObject({ group: 8, outputSize: [8, 8], padsBegin: [1, 0], padsEnd: [1, 1] });
    // 15 -> 8 with a 2x2 window needs 1 pixel: SAME_LOWER puts it at the start
    expect(windowGeometry(g.nodes[2]!)).toMatchObject({ outChannels: 8, kernel: [2, 2], outputSize: [8, 8], padsBegin: [1, 0], padsEnd: [0, 0] });
    expect(() => windowGeometry(buildGraph(smallNet()).nodes[1]!)).toThrow(/node 'relu': Relu has no convolution window/);
  });
});
