// Property test: mutated real ONNX files either import as a graph that passes `verify` or are
// rejected with a GraphError — never another exception, a hang or a crash.
import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { GraphError, totals, verify } from '../../src/graph/index.js';
import { importOnnx } from '../../src/graph/onnx.js';
import { readModel } from '../helpers/fixtures.js';

const { onnx } = onnxProto;
// The fixtures carry no weight bytes (scripts/strip-weights.js), so mutations hit structure.
const FILES: readonly Uint8Array[] = ['resnet18_noweights.onnx', 'squeezenet1_1.onnx', 'mobilenet_v2.onnx'].map(readModel);

/** Imports and classifies the outcome; anything but a valid graph or a GraphError fails the property. */
function outcome(bytes: Uint8Array): 'graph' | 'error' {
  const start = performance.now();
  try {
    const g = importOnnx(bytes, { source: 'mutant.onnx' });
    verify(g);
    const t = totals(g);
    expect(Number.isFinite(t.macs) && Number.isFinite(t.params) && Number.isFinite(t.peakActivationBytes)).toBe(true);
    return 'graph';
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    expect(e.message).toMatch(/^mutant\.onnx: /);
    return 'error';
  } finally {
    expect(performance.now() - start).toBeLessThan(5000);
  }
}

const byteMutation = fc.record({
  file: fc.nat({ max: FILES.length - 1 }),
  edits: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }),
  cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});

describe('importing mutated real files', () => {
  it('byte flips and truncations give a valid graph or a clean error', () => {
    const seen = { graph: 0, error: 0 };
    fc.assert(
      fc.property(byteMutation, ({ file, edits, cut }) => {
        const bytes = new Uint8Array(FILES[file]!);
        for (const { at, value } of edits) bytes[Math.floor(at * bytes.length)] = value;
        seen[outcome(cut === undefined ? bytes : bytes.subarray(0, Math.floor(cut * bytes.length)))]++;
      }),
      { seed: 20261123, numRuns: 400 },
    );
    // Both outcomes occur, so the property is exercised on each side.
    expect(seen.graph).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });

  // Structural mutations of the decoded model: the kinds of damage the issue lists.
  const structural = fc.record({
    file: fc.nat({ max: FILES.length - 1 }),
    node: fc.nat(),
    other: fc.nat(),
    kind: fc.constantFrom('drop-node', 'rewire', 'cycle', 'dim', 'op', 'attr', 'initializer-dims', 'duplicate-output'),
    dim: fc.constantFrom(0, -1, -7, 1, 3, 1_000_000, 1e12, 2 ** 40),
    op: fc.constantFrom('Conv', 'Relu', 'Gemm', 'Concat', 'Reshape', 'NoSuchOp', 'Add', 'MaxPool', 'Flatten'),
  });

  it('dropped nodes, rewired inputs, cycles, bad dims, wrong ops and attributes give a valid graph or a clean error', () => {
    const seen = { graph: 0, error: 0 };
    fc.assert(
      fc.property(structural, (s) => {
        const m = onnx.ModelProto.decode(FILES[s.file]!);
        const g = m.graph!;
        const nodes = g.node;
        const n = nodes[s.node % nodes.length]!;
        const o = nodes[s.other % nodes.length]!;
        switch (s.kind) {
          case 'drop-node': nodes.splice(s.node % nodes.length, 1); break;
          case 'rewire': if (n.input.length > 0) n.input[0] = o.output[0]!; break;
          case 'cycle': if (o.input.length > 0) o.input[0] = n.output[0]!; if (n.input.length > 0) n.input[0] = o.output[0]!; break;
          case 'dim': g.input[0]!.type!.tensorType!.shape!.dim[s.other % 4]!.dimValue = s.dim; break;
          case 'op': n.opType = s.op; break;
          case 'attr': for (const a of n.attribute) if (a.ints.length > 0) a.ints = a.ints.map(() => s.dim); else a.i = s.dim; break;
          case 'initializer-dims': {
            const t = g.initializer[s.other % Math.max(1, g.initializer.length)];
            if (t) t.dims = t.dims.map(() => s.dim);
            else g.input[1 + (s.other % (g.input.length - 1))]!.type!.tensorType!.shape!.dim[0]!.dimValue = s.dim;
            break;
          }
          case 'duplicate-output': n.output[0] = o.output[0]!; break;
        }
        seen[outcome(onnx.ModelProto.encode(m).finish())]++;
      }),
      { seed: 1123, numRuns: 200 },
    );
    expect(seen.graph).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });

  it('random bytes are rejected cleanly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2048 }), (bytes) => {
        expect(outcome(bytes)).toBe('error');
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
