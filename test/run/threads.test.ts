// Threads: a heavy kernel split across helper threads over the shared memory of a threaded
// core gives the same output bit for bit as one thread, and the right one (the TypeScript
// reference conv, then the epilogue in f64); a session asked for threads where the runtime has
// none runs on one.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/core.js';
import { type ConvEpilogue, type ConvShape, convOutputSize, convShape, inputLength, Kernels, outputLength, weightLength } from '../../src/core/kernels.js';
import { referenceConv2d, referencePool } from '../../src/core/kernels-reference.js';
import { maxRelativeError } from '../../src/core/reference.js';
import { getCore, registerRuntime, threadSpawner } from '../../src/core/load.js';
import { ThreadPool } from '../../src/core/threads.js';
import { tensorOps, type UnaryKind } from '../../src/core/tensor-ops.js';
import { placeholderWeights } from '../../src/run/placeholder-weights.js';
import { zooModel } from '../../src/graph/zoo/index.js';
import { Random } from '../../src/helpers/random.js';
import { nodeRuntime } from '../../src/node/runtime.js';
import { createSession } from '../../src/run/index.js';
import { spaceFor, convTask } from '../../src/tune/space/index.js';

const ACTIVATIONS: Record<string, (v: number, a: number, b: number) => number> = {
  relu: (v) => Math.max(v, 0),
  clip: (v, a, b) => Math.min(Math.max(v, a), b),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  silu: (v) => v / (1 + Math.exp(-v)),
  hardSwish: (v) => v * Math.min(Math.max(v / 6 + 0.5, 0), 1),
};

function randomShape(random: Random): ConvShape {
  const kind = random.pick(['plain', 'plain', 'grouped', 'depthwise', 'dense', 'wide'] as const);
  if (kind === 'dense') return convShape({ n: 1, h: 1, w: 1, c: random.intBetween(1, 70), oc: random.intBetween(1, 90) });
  if (kind === 'wide') return convShape({ h: 7, w: 7, c: random.intBetween(8, 40), oc: random.intBetween(40, 130), k: 3, pad: 1 });
  const k = random.pick([1, 3, 5]);
  const stride = random.pick([1, 2]);
  const h = random.intBetween(k, 17), w = random.intBetween(k, 17);
  const groups = kind === 'grouped' ? random.intBetween(2, 3) : 1;
  if (kind === 'depthwise') {
    const c = random.intBetween(1, 45);
    return convShape({ n: random.intBetween(1, 2), h, w, c, oc: c, k, stride, pad: k >> 1, groups: c });
  }
  return convShape({ n: random.intBetween(1, 2), h, w, c: groups * random.intBetween(1, 13), oc: groups * random.intBetween(1, 21), k, stride, pad: random.pick([0, k >> 1]), groups });
}

/** conv, then + bias[oc], + residual, then the activation, in f64 from the float32 operands. */
function reference(shape: ConvShape, x: Float32Array, w: Float32Array, bias: Float32Array | undefined, residual: Float32Array | undefined, act: ConvEpilogue['activation']): Float32Array {
  const y = referenceConv2d(shape, x, w);
  return y.map((v, i) => {
    let r = v + (bias ? bias[i % shape.oc]! : 0) + (residual ? residual[i]! : 0);
    if (act) r = ACTIVATIONS[act.kind]!(Math.fround(r), act.a, act.b);
    return r;
  });
}

describe('conv and depthwise kernels on threads', () => {
  let core: Core;
  const pools: ThreadPool[] = [];
  beforeAll(async () => {
    core = await getCore('simd-threads');
    for (const helpers of [1, 2]) {
      const { pool, ready } = await ThreadPool.launch(core, helpers, threadSpawner()!);
      await ready;
      pools.push(pool);
    }
  });
  afterAll(() => pools.forEach((pool) => pool.close()));

  it('split 1, 2 and 3 ways, give the same output bit for bit, as the reference gives it', () => {
    const kernels = new Kernels(core);
    const random = new Random(17);
    for (let trial = 0; trial < 48; trial++) {
      const shape = randomShape(random);
      const space = spaceFor(convTask(`t${trial}`, shape));
      const schedule = space.schedule(random.pick([space.defaultConfig, space.random(random)]));
      const x = random.floats(inputLength(shape));
      const wts = random.floats(weightLength(shape));
      const bias = random.float() < 0.7 ? random.floats(shape.oc) : undefined;
      const residual = random.float() < 0.5 ? random.floats(outputLength(shape)) : undefined;
      const kind = random.pick([undefined, 'relu', 'clip', 'sigmoid', 'silu', 'hardSwish'] as const);
      const activation = kind ? { kind: kind as UnaryKind, a: 0, b: kind === 'clip' ? 0.5 : 0 } : undefined;
      const buffers = [x, wts, ...(bias ? [bias] : []), ...(residual ? [residual] : [])].map((a) => core.f32From(a));
      const [xb, wb, ...rest] = buffers;
      const biasBuf = bias ? rest.shift() : undefined;
      const residualBuf = residual ? rest.shift() : undefined;
      const packed = kernels.packConv(shape, wb!, schedule);
      const epilogue: ConvEpilogue = { ...(biasBuf ? { bias: biasBuf.ptr } : {}), ...(residualBuf ? { residual: residualBuf.ptr } : {}), ...(activation ? { activation } : {}) };
      const outputs = [undefined, ...pools].map((pool) => {
        const y = core.allocF32(outputLength(shape));
        kernels.conv2dInto(shape, xb!, packed, y, schedule, epilogue, pool);
        const out = core.read(y);
        core.free(y);
        return out;
      });
      const where = `trial ${trial}: ${JSON.stringify(shape)} ${JSON.stringify(schedule)} ${kind ?? 'no activation'}`;
      expect(Buffer.from(outputs[1]!.buffer).equals(Buffer.from(outputs[0]!.buffer)), `${where}: 2 threads`).toBe(true);
      expect(Buffer.from(outputs[2]!.buffer).equals(Buffer.from(outputs[0]!.buffer)), `${where}: 3 threads`).toBe(true);
      expect(maxRelativeError(outputs[0]!, reference(shape, x, wts, bias, residual, activation)), where).toBeLessThanOrEqual(1e-4);
      core.free(...buffers, packed.buffer);
    }
  });

  it('pooling split 1, 2 and 3 ways by output rows gives the same bits, as the reference gives them', () => {
    const random = new Random(23);
    const ops = tensorOps(core);
    for (let trial = 0; trial < 24; trial++) {
      const k = random.pick([2, 3, 5]), stride = random.pick([1, 2]);
      const c = random.intBetween(1, 70);
      const shape = convShape({ n: random.intBetween(1, 2), h: random.intBetween(k, 15), w: random.intBetween(k, 15), c, oc: c, k, stride, pad: random.pick([0, k >> 1]) });
      const kind = random.pick(['max', 'avg'] as const);
      const x = random.floats(inputLength(shape));
      const xb = core.f32From(x);
      const outputs = [undefined, ...pools].map((pool) => {
        const y = core.allocF32(outputLength(shape));
        core.view(y).fill(Number.NaN); // a row no part wrote stays NaN
        ops.pool(xb.ptr, y.ptr, { ...shape, ...convOutputSize(shape) }, kind, false, pool);
        const out = core.read(y);
        core.free(y);
        return out;
      });
      core.free(xb);
      const where = `trial ${trial}: ${JSON.stringify(shape)} ${kind}`;
      expect(Buffer.from(outputs[1]!.buffer).equals(Buffer.from(outputs[0]!.buffer)), `${where}: 2 threads`).toBe(true);
      expect(Buffer.from(outputs[2]!.buffer).equals(Buffer.from(outputs[0]!.buffer)), `${where}: 3 threads`).toBe(true);
      expect(maxRelativeError(outputs[0]!, referencePool(shape, x, kind)), where).toBeLessThanOrEqual(1e-6);
    }
  });

  it('the channel affine map (BatchNorm, its clamp, a strided input) split 1, 2 and 3 ways by rows gives the same bits, as the plain formula gives them', () => {
    const random = new Random(29);
    const ops = tensorOps(core);
    const f = Math.fround;
    for (let trial = 0; trial < 16; trial++) {
      const pixels = random.intBetween(1, 40), c = random.intBetween(1, 21), xStride = c + random.pick([0, 0, 3, 8]);
      const [lo, hi] = random.pick([[-Infinity, Infinity], [0, Infinity], [0, 0.5]]) as [number, number];
      const x = random.floats(pixels * xStride), scale = random.floats(c), shift = random.floats(c);
      const [xb, sb, tb] = [x, scale, shift].map((a) => core.f32From(a));
      const outputs = [undefined, ...pools].map((pool) => {
        const y = core.allocF32(pixels * c);
        core.view(y).fill(Number.NaN); // a row no part wrote stays NaN
        ops.channelAffine(xb!.ptr, sb!.ptr, tb!.ptr, y.ptr, pixels, c, 1, xStride, lo, hi, pool);
        const out = core.read(y);
        core.free(y);
        return out;
      });
      core.free(xb!, sb!, tb!);
      const where = `trial ${trial}: ${pixels} pixels × ${c} channels, stride ${xStride}, clamp [${lo}, ${hi}]`;
      expect(Buffer.from(outputs[1]!.buffer).equals(Buffer.from(outputs[0]!.buffer)), `${where}: 2 threads`).toBe(true);
      expect(Buffer.from(outputs[2]!.buffer).equals(Buffer.from(outputs[0]!.buffer)), `${where}: 3 threads`).toBe(true);
      const expected = Float32Array.from({ length: pixels * c }, (_, i) => {
        const [p, ch] = [Math.floor(i / c), i % c];
        return Math.min(Math.max(f(f(x[p * xStride + ch]! * scale[ch]!) + shift[ch]!), lo), hi);
      });
      expect(Buffer.from(outputs[0]!.buffer).equals(Buffer.from(expected.buffer)), where).toBe(true);
    }
  });

  it('binary maps with broadcasting split 1, 2 and 3 ways by rows give the same bits, as the plain formula gives them', () => {
    const random = new Random(31);
    const ops = tensorOps(core);
    const f = Math.fround;
    const formula = { add: (x: number, y: number) => f(x + y), mul: (x: number, y: number) => f(x * y), prelu: (x: number, y: number) => (x < 0 ? f(x * y) : x), sub: (x: number, y: number) => f(x - y) };
    for (let trial = 0; trial < 8; trial++) {
      // Big enough for the threads (32K floats and more), a row of channels (d3) broadcast or not.
      const dims = [random.intBetween(1, 2), random.intBetween(1, 3), random.intBetween(60, 200), random.intBetween(60, 130)];
      const contiguous = [dims[1]! * dims[2]! * dims[3]!, dims[2]! * dims[3]!, dims[3]!, 1];
      const broadcast = random.pick([[0, 0, 0, 1], [0, 0, dims[3]!, 1], [0, 0, 1, 0]]);
      const kind = random.pick(['add', 'mul', 'prelu', 'sub'] as const);
      const count = dims.reduce((p, d) => p * d, 1);
      const a = random.floats(count), b = random.floats(broadcast.reduce((end, s, i) => end + s * (dims[i]! - 1), 1));
      const [ab, bb] = [a, b].map((v) => core.f32From(v));
      const outputs = [undefined, ...pools].map((pool) => {
        const y = core.allocF32(count);
        core.view(y).fill(Number.NaN); // a row no part wrote stays NaN
        ops.binary(ab!.ptr, bb!.ptr, y.ptr, kind, dims, contiguous, broadcast, pool);
        const out = core.read(y);
        core.free(y);
        return out;
      });
      core.free(ab!, bb!);
      const where = `trial ${trial}: ${kind} over [${dims}], b strides [${broadcast}]`;
      expect(Buffer.from(outputs[1]!.buffer).equals(Buffer.from(outputs[0]!.buffer)), `${where}: 2 threads`).toBe(true);
      expect(Buffer.from(outputs[2]!.buffer).equals(Buffer.from(outputs[0]!.buffer)), `${where}: 3 threads`).toBe(true);
      const expected = Float32Array.from({ length: count }, (_, i) => {
        const index = dims.map((_, d) => Math.floor(i / contiguous[d]!) % dims[d]!);
        return formula[kind](a[i]!, b[index.reduce((at, k, d) => at + k * broadcast[d]!, 0)]!);
      });
      const first = expected.findIndex((v, i) => !Object.is(v, outputs[0]![i]));
      expect(first, `${where}: element ${first}, ${outputs[0]![first]} against ${expected[first]}`).toBe(-1);
    }
  });

  it('a pool needs a threaded core', async () => {
    await expect(ThreadPool.launch(await getCore('simd'), 1, threadSpawner()!)).rejects.toThrow(/the 'simd' core has no shared memory/);
  });
});

describe('sessions on threads', () => {
  it.each(['mobilenetv2', 'resnet18', 'efficientnetb0', 'densenet121'])('%s gives the same outputs on 1, 2 and 3 threads', async (name) => {
    const graph = zooModel(name);
    const weights = placeholderWeights(graph, 3);
    const input = graph.inputs[0]!;
    const x = new Random(4).floats(input.shape.reduce((a, d) => a * d, 1));
    const outputs: Float32Array[] = [];
    for (const threads of [1, 2, 3]) {
      const session = await createSession(graph, { weights, threads });
      expect(session.threads).toBe(threads);
      expect(session.flavour.endsWith('-threads')).toBe(threads > 1);
      outputs.push(Object.values(await session.run({ [input.name]: x }))[0]!.data);
      session.dispose();
      await expect(session.run({ [input.name]: x })).rejects.toThrow(/after dispose/);
    }
    expect(Buffer.from(outputs[1]!.buffer).equals(Buffer.from(outputs[0]!.buffer))).toBe(true);
    expect(Buffer.from(outputs[2]!.buffer).equals(Buffer.from(outputs[0]!.buffer))).toBe(true);
  });

  it('a layer planned once reads its input afresh on every run (the padded copy of an RGB first layer too)', async () => {
    const graph = zooModel('resnet18');
    const weights = placeholderWeights(graph, 5);
    const input = graph.inputs[0]!;
    const [x, y] = [6, 7].map((seed) => new Random(seed).floats(input.shape.reduce((a, d) => a * d, 1)));
    const session = await createSession(graph, { weights, threads: 2 });
    await session.run({ [input.name]: x! });
    const second = Object.values(await session.run({ [input.name]: y! }))[0]!.data;
    session.dispose();
    const fresh = await createSession(graph, { weights });
    const expected = Object.values(await fresh.run({ [input.name]: y! }))[0]!.data;
    fresh.dispose();
    expect(Buffer.from(second.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it('runs on one thread where the runtime cannot start threads (as under workerd)', async () => {
    const { spawnThread: _, ...withoutThreads } = nodeRuntime;
    registerRuntime(withoutThreads);
    try {
      const graph = zooModel('squeezenet11');
      const session = await createSession(graph, { weights: placeholderWeights(graph, 1), threads: 4 });
      expect([session.threads, session.flavour]).toEqual([1, 'relaxed']);
      session.dispose();
    } finally {
      registerRuntime(nodeRuntime);
    }
  });

  it('hands a disposed session\'s helper threads to the next session with as many, where the runtime keeps idle threads, and stops them where it does not', async () => {
    const graph = zooModel('squeezenet11');
    const weights = placeholderWeights(graph, 2);
    const input = graph.inputs[0]!;
    const x = new Random(3).floats(input.shape.reduce((a, d) => a * d, 1));
    const output = async (session: Awaited<ReturnType<typeof createSession>>): Promise<Buffer> => Buffer.from(Object.values(await session.run({ [input.name]: x }))[0]!.data.buffer);
    try {
      for (const keepsIdleThreads of [true, false]) {
        let spawned = 0;
        registerRuntime({ ...nodeRuntime, keepsIdleThreads, spawnThread: (source) => (spawned++, nodeRuntime.spawnThread!(source)) });
        const first = await createSession(graph, { weights, threads: 3 });
        const expected = await output(first);
        first.dispose();
        const second = await createSession(graph, { weights, threads: 3 }); // the first one's helpers, if kept
        const beside = await createSession(graph, { weights, threads: 3 }); // the second holds them: its own
        expect(spawned).toBe(keepsIdleThreads ? 4 : 6);
        expect((await output(second)).equals(expected)).toBe(true);
        expect((await output(beside)).equals(expected)).toBe(true);
        second.dispose();
        beside.dispose();
      }
    } finally {
      registerRuntime(nodeRuntime);
    }
  });

  it('lets Node exit while a session\'s helper threads wait idle for the next one (needs npm run build)', async () => {
    // The package's Node entry, in a process of its own: a helper still ref'd would keep it alive.
    const from = (file: string): string => JSON.stringify(pathToFileURL(resolve('dist/src', file)).href);
    const script = [
      `const { createSession } = await import(${from('node/index.js')});`,
      `const { zooModel } = await import(${from('graph/zoo/index.js')});`,
      `const { placeholderWeights } = await import(${from('run/placeholder-weights.js')});`,
      "const graph = zooModel('squeezenet11');",
      'const session = await createSession(graph, { weights: placeholderWeights(graph, 1), threads: 2 });',
      'await session.run({ [graph.inputs[0].name]: new Float32Array(3 * 224 * 224) });',
      "session.dispose(); console.log('threads', session.threads);",
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
    expect(stdout.trim()).toBe('threads 2');
  });

  it('refuses a session whose helper thread fails to start, while the model was compiled beside it, and stops the helpers', async () => {
    let terminated = 0;
    registerRuntime({
      ...nodeRuntime,
      // A helper that boots slowly, then reports the failure a broken thread sends.
      spawnThread: async () => {
        let listener: (message: unknown) => void = () => {};
        return {
          send: () => void setTimeout(() => listener('failed: no memory for the instance'), 50),
          onMessage: (l) => (listener = l),
          onError: () => {},
          terminate: () => void terminated++,
        };
      },
    });
    try {
      const graph = zooModel('squeezenet11');
      await expect(createSession(graph, { weights: placeholderWeights(graph, 1), threads: 3 })).rejects.toThrow(/threads: helper thread 1: no memory for the instance/);
      expect(terminated).toBe(2);
    } finally {
      registerRuntime(nodeRuntime);
    }
  });
});
