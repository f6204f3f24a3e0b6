// The deployment graph: what the TFLite converter leaves for an int8 Edge TPU, whatever form the
// network came in.
import { describe, expect, it } from 'vitest';
import { buildGraph, deploymentGraph, verify, type GraphSpec, type NodeSpec } from '../../src/graph/index.js';

const w = (name: string, shape: number[]) => ({ name, shape, kind: 'weight' as const });
const conv = (name: string, x: string, out: string, cin: number, cout: number, bias = true): NodeSpec => ({
  name, op: 'Conv', inputs: [x, w(`${name}.w`, [cout, cin, 3, 3]), ...(bias ? [w(`${name}.b`, [cout])] : [])], outputs: [out], attributes: { pads: [1, 1, 1, 1] },
});
const bn = (name: string, x: string, out: string, c: number): NodeSpec => ({
  name, op: 'BatchNormalization', inputs: [x, w(`${name}.s`, [c]), w(`${name}.b`, [c]), w(`${name}.m`, [c]), w(`${name}.v`, [c])], outputs: [out],
});

/** A residual block with BatchNorm as nodes, a ReLU6, an Identity, a Dropout and a pre-activation BN that cannot fold. */
function block(): GraphSpec {
  return {
    name: 'block',
    inputs: [{ name: 'x', shape: [1, 8, 8, 8] }],
    nodes: [
      conv('c1', 'x', 'c1o', 8, 8, false), bn('bn1', 'c1o', 'b1o', 8), { name: 'r1', op: 'Relu', inputs: ['b1o'], outputs: ['r1o'] },
      { name: 'id', op: 'Identity', inputs: ['r1o'], outputs: ['ido'] },
      conv('c2', 'ido', 'c2o', 8, 8, false), bn('bn2', 'c2o', 'b2o', 8),
      { name: 'add', op: 'Add', inputs: ['b2o', 'x'], outputs: ['ao'] }, { name: 'r2', op: 'Relu', inputs: ['ao'], outputs: ['r2o'] },
      { name: 'drop', op: 'Dropout', inputs: ['r2o'], outputs: ['do'] },
      bn('pre', 'do', 'po', 8), { name: 'r3', op: 'Relu', inputs: ['po'], outputs: ['r3o'] },
      conv('c3', 'r3o', 'c3o', 8, 4), { name: 'six', op: 'Clip', inputs: ['c3o'], outputs: ['y'], attributes: { min: 0, max: 6 } },
    ],
  };
}

describe('deploymentGraph', () => {
  it('folds BatchNorm into convolutions, fuses ReLU and ReLU6, drops Identity and Dropout', () => {
    const g = deploymentGraph(buildGraph(block()));
    verify(g);
    // c1+bn1+r1, c2+bn2, add+r2, the pre-activation BN and its ReLU (BN is no fusing op), c3+six.
    expect(g.nodes.map((n) => n.op)).toEqual(['Conv', 'Conv', 'Add', 'BatchNormalization', 'Relu', 'Conv']);
    expect(g.outputs).toEqual(['y']);
    // Folding gives c1 and c2 a bias (8 each) in place of their BN's 4 × 8 statistics.
    expect(g.nodes.map((n) => n.params)).toEqual([8 * 8 * 9 + 8, 8 * 8 * 9 + 8, 0, 32, 0, 4 * 8 * 9 + 4]);
    expect(g.nodes.reduce((s, n) => s + n.macs, 0)).toBe(buildGraph(block()).nodes.reduce((s, n) => s + n.macs, 0));
  });

  it('gives one graph however the nodes were listed', () => {
    const spec = block();
    const signature = (s: GraphSpec) => deploymentGraph(buildGraph(s)).nodes.map((n) => `${n.op}:${n.params}:${n.macs}`);
    const want = signature(spec);
    for (const order of [[...spec.nodes].reverse(), [...spec.nodes.slice(6), ...spec.nodes.slice(0, 6)]]) expect(signature({ ...spec, nodes: order })).toEqual(want);
    // Two branches (a 3x3 conv to 8 channels, another to 4) and their concatenation, listed
    // either way round: the bigger branch comes first, with its ReLU fused.
    const branches = (first: 'big' | 'small'): GraphSpec => {
      const big = [conv('big', 'x', 'bo', 8, 8), { name: 'rb', op: 'Relu', inputs: ['bo'], outputs: ['bro'] }];
      const small = [conv('small', 'x', 'so', 8, 4)];
      const cat = { name: 'cat', op: 'Concat', inputs: ['bro', 'so'], outputs: ['y'], attributes: { axis: 1 } };
      return { name: 'branches', inputs: [{ name: 'x', shape: [1, 8, 8, 8] }], nodes: first === 'big' ? [...big, ...small, cat] : [...small, ...big, cat] };
    };
    const names = (s: GraphSpec) => deploymentGraph(buildGraph(s)).nodes.map((n) => n.name);
    expect(names(branches('small'))).toEqual(['big', 'small', 'cat']);
    expect(names(branches('big'))).toEqual(['big', 'small', 'cat']);
  });

  it('folds a Mul by a constant scalar or per-channel vector into the Conv before it, and no other Mul', () => {
    const k = (name: string, shape: number[]) => ({ name, shape, kind: 'constant' as const, value: new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0.5) });
    const spec = (factor: ReturnType<typeof k>, extraReader = false): GraphSpec => ({
      name: 'scaled',
      inputs: [{ name: 'x', shape: [1, 8, 8, 8] }],
      nodes: [
        conv('up', 'x', 'u', 8, 8), { name: 'scale', op: 'Mul', inputs: ['u', factor], outputs: ['s'] },
        { name: 'add', op: 'Add', inputs: ['x', 's'], outputs: ['a'] }, { name: 'r', op: 'Relu', inputs: ['a'], outputs: ['y'] },
        ...(extraReader ? [{ name: 'tap', op: 'Relu', inputs: ['u'], outputs: ['t'] }] : []),
      ],
    });
    const ops = (s: GraphSpec) => deploymentGraph(buildGraph(s)).nodes.map((n) => `${n.op}:${n.params}`);
    for (const factor of [k('half', []), k('perChannel', [8, 1, 1]), k('perChannel4d', [1, 8, 1, 1])]) expect(ops(spec(factor))).toEqual([`Conv:${8 * 8 * 9 + 8}`, 'Add:0']);
    // Not foldable: a per-row factor, and a Conv output something else reads too.
    expect(ops(spec(k('rows', [8, 1])))).toContain('Mul:0');
    expect(ops(spec(k('half', []), true))).toContain('Mul:0');
  });
});
