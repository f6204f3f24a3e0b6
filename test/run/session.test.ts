// The session's contract beyond numerics: refusals at creation and at run, memory back after
// dispose, tuned layers from records, graphs given with their weights.
import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { importOnnx } from '../../src/graph/onnx.js';
import { zooModel } from '../../src/graph/zoo/index.js';
import { placeholderWeights } from '../../src/run/placeholder-weights.js';
import { modelTasks } from '../../src/tune/graph-tasks.js';
import { createSession, RuntimeError } from '../../src/run/index.js';
import { convTask, spaceFor, taskKey } from '../../src/tune/space/index.js';
import { readModel } from '../helpers/fixtures.js';
import { model, node, tensor, valueInfo } from '../graph/onnx-builder.js';

// A small conv net: Conv(3→4, 3×3, pad 1) → Relu → GlobalAveragePool → Flatten → Gemm(4→2).
const W = Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.sin(i) * 0.3);
const FC = Array.from({ length: 2 * 4 }, (_, i) => Math.cos(i));
function tinyNet(parts: { weights?: boolean; rawW?: Uint8Array; raw?: boolean } = {}): Uint8Array {
  const w = tensor('W', [4, 3, 3, 3], 'float32', parts.weights === false ? undefined : W);
  if (parts.rawW) Object.assign(w, { floatData: [], rawData: parts.rawW });
  const floats = [w, tensor('B', [4], 'float32', [0.1, -0.2, 0.3, 0]), tensor('FC', [2, 4], 'float32', FC)];
  // As exporters write them: raw little-endian bytes rather than a float_data list.
  if (parts.raw) for (const t of floats) Object.assign(t, { rawData: new Uint8Array(Float32Array.from(t.floatData!).buffer), floatData: [] });
  return model({
    inputs: [valueInfo('x', [1, 3, 8, 8])],
    outputs: [valueInfo('y', [1, 2])],
    initializers: [...floats, tensor('shape', [2], 'int64', [1, -1])],
    nodes: [
      node('Conv', ['x', 'W', 'B'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'conv'),
      node('Relu', ['c'], ['r'], {}, 'relu'),
      node('GlobalAveragePool', ['r'], ['g'], {}, 'gap'),
      node('Reshape', ['g', 'shape'], ['f'], {}, 'flatten'),
      node('Gemm', ['f', 'FC'], ['y'], { transB: 1 }, 'fc'),
    ],
  });
}

/** The same net in plain loops (NCHW), for the graph-input path and the tuned run. */
function tinyReference(x: Float32Array): number[] {
  const pooled = [0, 0, 0, 0];
  const bias = [0.1, -0.2, 0.3, 0];
  for (let o = 0; o < 4; o++) {
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        let s = bias[o]!;
        for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) {
          const ii = i + r - 1, jj = j + q - 1;
          if (ii >= 0 && ii < 8 && jj >= 0 && jj < 8) s += x[(c * 8 + ii) * 8 + jj]! * W[((o * 3 + c) * 3 + r) * 3 + q]!;
        }
        pooled[o] += Math.max(s, 0) / 64;
      }
    }
  }
  return [0, 1].map((k) => pooled.reduce((s, p, o) => s + p * FC[k * 4 + o]!, 0));
}

const input = Float32Array.from({ length: 3 * 8 * 8 }, (_, i) => Math.cos(i * 0.7));

describe('createSession', () => {
  it('runs a small net as the plain-loop reference computes it', async () => {
    const session = await createSession(tinyNet(), { source: 'tiny.onnx' });
    const { y } = await session.run({ x: input });
    expect(y!.shape).toEqual([1, 2]);
    tinyReference(input).forEach((v, i) => expect(y!.data[i]).toBeCloseTo(v, 5));
    session.dispose();
  });

  it('reads raw float weights at every byte offset of the model\'s buffer the same (conv weights go straight into wasm)', async () => {
    const bytes = tinyNet({ raw: true });
    const outputs: number[][] = [];
    for (let shift = 0; shift < 4; shift++) {
      const shifted = new Uint8Array(bytes.length + shift);
      shifted.set(bytes, shift);
      // A Node Buffer too (readFileSync's), whose slice() is a view, not a copy.
      for (const model of [shifted.subarray(shift), Buffer.from(shifted.buffer, shift, bytes.length)]) {
        const session = await createSession(model, { source: 'raw.onnx' });
        outputs.push(Array.from((await session.run({ x: input })).y!.data));
        session.dispose();
      }
    }
    tinyReference(input).forEach((v, i) => expect(outputs[0]![i]).toBeCloseTo(v, 5));
    for (const y of outputs) expect(y).toEqual(outputs[0]);
  });

  it('takes an imported graph with its weights passed in', async () => {
    const graph = importOnnx(tinyNet({ weights: false }), { source: 'tiny.onnx' });
    const weights = { W: Float32Array.from(W), B: Float32Array.of(0.1, -0.2, 0.3, 0), FC: Float32Array.from(FC) };
    const session = await createSession(graph, { weights });
    const { y } = await session.run({ x: input });
    tinyReference(input).forEach((v, i) => expect(y!.data[i]).toBeCloseTo(v, 5));
    session.dispose();
  });

  it('refuses a shapes-only model naming the first weight without data', async () => {
    await expect(createSession(readModel('resnet18_noweights.onnx'), { source: 'resnet18_noweights.onnx' }))
      .rejects.toThrow(/^resnet18_noweights\.onnx: weight 'onnx::Conv_193' \(read by node '\/conv1\/Conv'\) has no data/);
  });

  it('refuses a truncated weight naming it and the bytes it needs', async () => {
    await expect(createSession(tinyNet({ rawW: new Uint8Array(100) }), { source: 'cut.onnx' }))
      .rejects.toThrow("cut.onnx: initializer 'W': holds 100 bytes, its shape needs 432 (truncated or corrupt weight)");
  });

  it('refuses a model over the memory limit, and unknown options by name', async () => {
    await expect(createSession(tinyNet(), { source: 'tiny.onnx', memoryLimitBytes: 1024 })).rejects.toThrow(/tiny\.onnx: needs .* MiB of wasm memory .* over the limit of 0\.0 MiB/);
    // @ts-expect-error an unknown option
    await expect(createSession(tinyNet(), { thread: 2 })).rejects.toThrow("createSession: unknown option 'thread'");
    await expect(createSession(tinyNet(), { threads: 0 })).rejects.toThrow("createSession: option 'threads' must be an integer ≥ 1, got 0");
  });

  it('refuses bad inputs at run with one clear error each', async () => {
    const session = await createSession(tinyNet(), { source: 'tiny.onnx' });
    await expect(session.run({})).rejects.toThrow("session: input 'x' [1, 3, 8, 8] is missing");
    await expect(session.run({ x: new Float32Array(10) })).rejects.toThrow("session: input 'x' must have shape [1, 3, 8, 8] (192 floats), got 10 floats");
    await expect(session.run({ x: { data: input, shape: [1, 8, 8, 3] } })).rejects.toThrow('got [1, 8, 8, 3]');
    // @ts-expect-error float64 data
    await expect(session.run({ x: new Float64Array(192) })).rejects.toThrow("session: input 'x' must be a Float32Array (float32), got Float64Array");
    await expect(session.run({ x: input, z: input })).rejects.toThrow("session: unknown input 'z'; the model's inputs are 'x'");
    session.dispose();
    await expect(session.run({ x: input })).rejects.toBeInstanceOf(RuntimeError);
  });

  it('gives the core its memory back: 100 sessions created and disposed', async () => {
    const core = await getCore();
    const bytes = readModel('squeezenet1_1.onnx');
    // Weights of the stripped file come in as data; sizes from the file's own initializers.
    const graph = importOnnx(bytes, { source: 'squeezenet1_1.onnx' });
    const weights: Record<string, Float32Array> = {};
    for (const n of graph.nodes) for (const i of n.inputs) if (i?.kind === 'weight') weights[i.name] = new Float32Array(i.shape.reduce((a, d) => a * d, 1)).fill(0.01);
    const once = async (): Promise<void> => {
      const s = await createSession(graph, { weights });
      await s.run({ input: new Float32Array(3 * 224 * 224) });
      s.dispose();
    };
    for (let i = 0; i < 3; i++) await once();
    const settled = core.memoryBytes;
    for (let i = 0; i < 100; i++) await once();
    expect(core.memoryBytes).toBe(settled);
  });

  it('runs layers whose workload the records tuned with their best configuration, and says which', async () => {
    const task = convTask('conv', { h: 8, w: 8, c: 3, oc: 4, k: 3, pad: 1 });
    const space = spaceFor(task);
    // A legal config other than the default: every knob at its last value.
    const point = space.knobs.map((k) => k.values.length - 1);
    const record = {
      v: 1, workload: `${taskKey(task)}@host`, tuner: 'test', seed: 1, batch: 0,
      config: { point, index: space.indexOf(space.config(point)) },
      result: { costs: [1e-6], errorCode: 0, timestamp: 0 },
    };
    const session = await createSession(tinyNet(), { records: `${JSON.stringify(record)}\n` });
    expect(session.tunedLayers).toEqual(['conv']);
    const { y } = await session.run({ x: input });
    tinyReference(input).forEach((v, i) => expect(y!.data[i]).toBeCloseTo(v, 5));
    session.dispose();
    const untuned = await createSession(tinyNet());
    expect(untuned.tunedLayers).toEqual([]);
    untuned.dispose();
  });

  it('looks up every conv layer under the workload the tuners tune it as (DenseNet-121, whose transitions run pool first)', async () => {
    const graph = zooModel('densenet121');
    const records = modelTasks(graph).map(({ task }) => {
      const space = spaceFor(task);
      const point = space.point(space.defaultConfig);
      return JSON.stringify({ v: 1, workload: `${taskKey(task)}@host`, tuner: 'test', seed: 1, batch: 0, config: { point, index: space.indexOf(space.defaultConfig) }, result: { costs: [1e-6], errorCode: 0, timestamp: 0 } });
    });
    const session = await createSession(graph, { weights: placeholderWeights(graph, 1), records: `${records.join('\n')}\n` });
    expect([...session.tunedLayers].sort()).toEqual(graph.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm').map((n) => n.name).sort());
    session.dispose();
  });
});
