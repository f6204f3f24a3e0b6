// `npm run bench -- kernels [--layers resnet|mobilenet|all|C2,C6…] [--budget 16] [--rounds 15] [--finalists 3]`:
// for each layer, the GFLOP/s of the core's conv with the default schedule and with the best
// (and worst) of a seeded random search over its knob space, next to tfjs-backend-wasm's conv
// (XNNPACK, one thread) and onnxruntime-web's (wasm, one thread) on the same shape in this
// process; plus the fraction of the flavour's in-register multiply-add peak, measured here.
//
// The search is exhaustive over a reduced space plus `budget` random configs of the full one
// (whose slowest gives the worst schedule), each timed by the real measurer (reference-checked).
// The final figures come from interleaved rounds — the default, the search's top `finalists`,
// the peak loop, tfjs and ort once per round, so load from other processes hits them alike —
// and each contender's fastest round; the best is the fastest finalist.
import { createRequire } from 'node:module';
import path from 'node:path';
import { detectFeatures, type Flavour, getCore } from '../src/node/index.js';
import type { Core } from '../src/core/core.js';
import { convOutputSize, type ConvShape, isDepthwise as isDepthwiseShape, Kernels, type PackedWeights, type Schedule } from '../src/core/kernels.js';
import { Random } from '../src/helpers/random.js';
import { Fixture, measureSchedule } from '../src/tune/measure.js';
import { ErrorCode } from '../src/base/result.js';
import { type Config, describeShape, MOBILENETV2_DEPTHWISE, MOBILENETV2_POINTWISE, RESNET18_CONV, spaceFor, type Task } from '../src/tune/space/index.js';
import type { Bench, Row } from './harness.js';

type Run = () => void | Promise<unknown>;

interface Contender {
  name: string;
  run: Run;
  dispose?: () => void;
  best: number;
}

function pickTasks(spec: string): Task[] {
  const all = [...RESNET18_CONV, ...MOBILENETV2_DEPTHWISE, ...MOBILENETV2_POINTWISE];
  if (spec === 'resnet') return [...RESNET18_CONV];
  if (spec === 'mobilenet') return [...MOBILENETV2_DEPTHWISE, ...MOBILENETV2_POINTWISE];
  if (spec === 'all') return all;
  return spec.split(',').map((name) => {
    const task = all.find((t) => t.name === name || t.name.endsWith(`.${name}`));
    if (!task) throw new Error(`unknown layer '${name}'; names look like resnet18.C2 or C2`);
    return task;
  });
}

/** Seconds of one call: `calls` calls timed together. */
async function timeOnce(run: Run, calls: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await run();
  return (performance.now() - t0) / 1000 / calls;
}

/** The flavour's in-register multiply-add peak in GFLOP/s (fastest of five). */
export function measurePeak(core: Core): number {
  const peak = core.exports.peakMadd;
  for (let i = 0; i < 5; i++) peak(100_000);
  let best = Infinity;
  const iters = 5_000_000;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    peak(iters);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return (iters * 96) / best / 1e9;
}

// ---- tfjs-backend-wasm -------------------------------------------------------------------
type Tf = typeof import('@tensorflow/tfjs-core');

export async function loadTfjs(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // one thread, as our core
  await tf.setBackend('wasm');
  await tf.ready();
  if (!tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) throw new Error('tfjs-backend-wasm did not pick its SIMD build');
  return tf;
}

function tfjsContender(tf: Tf, s: ConvShape, random: Random): Contender {
  const x = tf.tensor4d(random.floats(s.n * s.h * s.w * s.c), [s.n, s.h, s.w, s.c]);
  const pad: [[number, number], [number, number], [number, number], [number, number]] =
    [[0, 0], [s.padTop, s.padBottom], [s.padLeft, s.padRight], [0, 0]];
  const depthwise = s.groups === s.c && s.groups > 1;
  if (!depthwise && s.groups !== 1) throw new Error('tfjs conv2d has no groups');
  const w = depthwise
    ? tf.tensor4d(random.floats(s.kh * s.kw * s.c), [s.kh, s.kw, s.c, s.oc / s.c])
    : tf.tensor4d(random.floats(s.kh * s.kw * s.c * s.oc), [s.kh, s.kw, s.c, s.oc]);
  const stride: [number, number] = [s.strideH, s.strideW];
  const dilation: [number, number] = [s.dilationH, s.dilationW];
  const run = (): void => {
    const y = depthwise ? tf.depthwiseConv2d(x, w, stride, pad, 'NHWC', dilation) : tf.conv2d(x, w, stride, pad, 'NHWC', dilation);
    y.dispose();
  };
  return { name: 'tfjs', run, dispose: () => tf.dispose([x, w]), best: Infinity };
}

// ---- onnxruntime-web ---------------------------------------------------------------------
type Ort = typeof import('onnxruntime-web');

async function loadOrt(): Promise<Ort> {
  const ort = await import('onnxruntime-web');
  const require = createRequire(import.meta.url);
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = `${path.dirname(require.resolve('onnxruntime-web'))}/`;
  return ort;
}

async function ortContender(ort: Ort, s: ConvShape, random: Random): Promise<Contender> {
  const { default: onnxProto } = await import('onnx-proto');
  const { onnx } = onnxProto;
  const cg = s.c / s.groups;
  const weights = random.floats(s.oc * cg * s.kh * s.kw);
  const ints = (name: string, values: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'conv',
      node: [{
        opType: 'Conv', input: ['x', 'w'], output: ['y'], attribute: [
          ints('kernel_shape', [s.kh, s.kw]), ints('pads', [s.padTop, s.padLeft, s.padBottom, s.padRight]),
          ints('strides', [s.strideH, s.strideW]), ints('dilations', [s.dilationH, s.dilationW]),
          { name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: s.groups },
        ],
      }],
      initializer: [{ name: 'w', dims: [s.oc, cg, s.kh, s.kw], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(weights.buffer) }],
      input: [{ name: 'x', type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [s.n, s.c, s.h, s.w].map((d) => ({ dimValue: d })) } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }],
    },
  });
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all',
  });
  const x = new ort.Tensor('float32', random.floats(s.n * s.c * s.h * s.w), [s.n, s.c, s.h, s.w]);
  return { name: 'ort', run: () => session.run({ x }), dispose: () => void session.release(), best: Infinity };
}

// ---- the core ------------------------------------------------------------------------------
interface Candidate {
  config: Config;
  gflops: number;
}

interface Search {
  /** Valid candidates, fastest first. */
  ranked: Candidate[];
  worstGflops: number;
  measured: number;
  failed: number;
}

/**
 * The reduced space searched exhaustively: the register blocks that keep V8's 16 vector
 * registers busy without spilling, both input layouts, whole or sliced reductions and two
 * loop orders, at the default cache tiles. Depthwise: every block and both orders.
 */
function reducedConfigs(task: Task): Config[] {
  const space = spaceFor(task);
  const base = space.defaultConfig;
  const knob = (name: string) => space.knobs.find((k) => k.name === name)!;
  const configs: Config[] = [];
  if (task.kind === 'depthwise') {
    for (const block of knob('block').values) for (const order of [0, 1]) configs.push({ ...base, block, order });
    return configs;
  }
  const labels = knob('block').labels ?? [];
  const blocks = ['3x8', '4x8', '2x12', '3x12', '2x16'].map((b) => labels.indexOf(b)).filter((i) => i >= 0);
  const icTiles = knob('icTile').values.filter((v) => v === base.icTile || v === 64 || v === 128);
  for (const block of blocks) {
    for (const layout of knob('layout').values) {
      for (const icTile of icTiles) for (const order of [0, 4]) configs.push({ ...base, block, layout, icTile, order });
    }
  }
  return configs;
}

/** Exhaustive over the reduced space plus `budget` random configs of the full space. */
function search(fixture: Fixture, task: Task, budget: number, seed: number): Search {
  const space = spaceFor(task);
  const random = new Random(seed);
  // Warm caches, as the peers' kernels are timed here (back to back).
  const options = { repeat: 3, minRepeatMs: 5, warmup: 2, timeoutMs: 20_000, flushBytes: 0 };
  const candidates: Config[] = [];
  const seen = new Set<number>();
  const add = (config: Config): void => {
    const index = space.indexOf(config);
    if (seen.has(index)) return;
    seen.add(index);
    candidates.push(config);
  };
  add(space.defaultConfig);
  for (const config of reducedConfigs(task)) add(config);
  const target = candidates.length + Math.min(budget, space.size - candidates.length);
  while (candidates.length < target) add(space.get(random.int(space.size)));
  const ranked: Candidate[] = [];
  let failed = 0;
  for (const config of candidates) {
    const result = measureSchedule(fixture, space.schedule(config), options);
    if (result.errorCode !== ErrorCode.none) {
      failed++;
      continue;
    }
    // The fastest repeat: on a shared machine the minimum is the least disturbed figure.
    ranked.push({ config, gflops: task.flops / result.minSeconds / 1e9 });
  }
  ranked.sort((a, b) => b.gflops - a.gflops);
  return { ranked, worstGflops: ranked.at(-1)?.gflops ?? 0, measured: candidates.length, failed };
}

function coreContender(name: string, kernels: Kernels, fixture: Fixture, schedule: Schedule): Contender {
  const packed: PackedWeights = kernels.packConv(fixture.task.shape, fixture.weights, schedule);
  // Planned once, as the runtime and the tuner's measurer run a layer.
  const plan = kernels.planConv(fixture.task.shape, fixture.input, packed, fixture.output, schedule);
  const run = (): void => kernels.runConv(plan);
  const dispose = (): void => {
    kernels.releaseConv(plan);
    kernels.core.free(packed.buffer);
  };
  return { name, run, dispose, best: Infinity };
}

/** The in-register multiply-add loop as a contender: its GFLOP/s is iters · 96 / time. */
const PEAK_ITERS = 200_000;
function peakContender(flavour: Flavour, core: Core): Contender {
  return { name: `${flavour}.peak`, run: () => void core.exports.peakMadd(PEAK_ITERS), best: Infinity };
}

export const kernelsBench: Bench = {
  describe: 'conv GFLOP/s: core default vs best of a random search vs tfjs-backend-wasm vs onnxruntime-web, one thread',
  async run({ args, log }) {
    const tasks = pickTasks(String(args.layers ?? 'resnet'));
    const budget = Number(args.budget ?? 16);
    const rounds = Number(args.rounds ?? 15);
    const finalists = Number(args.finalists ?? 3);
    const seed = Number(args.seed ?? 1);
    const flavours: Flavour[] = detectFeatures().relaxedSimd ? ['simd', 'relaxed'] : ['simd'];
    if (!detectFeatures().relaxedSimd) log('relaxed SIMD not accepted by this engine: SIMD128 only');
    const cores = new Map<Flavour, Core>();
    const peaks = new Map<Flavour, number>();
    for (const flavour of flavours) {
      const core = await getCore(flavour);
      cores.set(flavour, core);
      peaks.set(flavour, measurePeak(core));
      log(`${flavour}: in-register multiply-add peak ${peaks.get(flavour)!.toFixed(1)} GFLOP/s (measured again beside every layer)`);
    }
    const tf = await loadTfjs();
    const ort = await loadOrt();
    const rows: Row[] = [];
    for (const task of tasks) {
      const s = task.shape;
      const { ho, wo } = convOutputSize(s);
      log(`${task.name} ${describeShape(s)} (${ho}x${wo} out, ${(task.flops / 1e6).toFixed(0)} MFLOP)`);
      const random = new Random(seed);
      const space = spaceFor(task);
      let reference: Float32Array | undefined;
      const contenders: Contender[] = [];
      const searches = new Map<Flavour, Search>();
      const fixtures: Fixture[] = [];
      for (const flavour of flavours) {
        const kernels = new Kernels(cores.get(flavour)!);
        const fixture = new Fixture(kernels, task, seed, reference);
        reference = fixture.reference();
        fixtures.push(fixture);
        const found = search(fixture, task, budget, seed);
        searches.set(flavour, found);
        log(`  ${flavour}: ${found.measured} candidates (${found.failed} failed); search best ${found.ranked[0]?.gflops.toFixed(1)}, worst ${found.worstGflops.toFixed(1)} GFLOP/s`);
        contenders.push(coreContender(`${flavour}.default`, kernels, fixture, space.schedule(space.defaultConfig)));
        found.ranked.slice(0, finalists).forEach((candidate, i) => {
          contenders.push(coreContender(`${flavour}.top${i}`, kernels, fixture, space.schedule(candidate.config)));
        });
        contenders.push(peakContender(flavour, cores.get(flavour)!));
      }
      if (s.groups === 1 || isDepthwiseShape(s)) contenders.push(tfjsContender(tf, s, random));
      contenders.push(await ortContender(ort, s, random));
      // Interleaved rounds: warm each contender, size its calls to ~10 ms, then one timing per round.
      const calls = new Map<Contender, number>();
      for (const c of contenders) {
        for (let i = 0; i < 3; i++) await c.run();
        calls.set(c, Math.max(1, Math.ceil(0.01 / (await timeOnce(c.run, 1)))));
      }
      for (let r = 0; r < rounds; r++) {
        for (const c of contenders) c.best = Math.min(c.best, await timeOnce(c.run, calls.get(c)!));
      }
      const seconds = (name: string): number => contenders.find((c) => c.name === name)?.best ?? NaN;
      const gflops = (name: string): number => task.flops / seconds(name) / 1e9;
      for (const flavour of flavours) {
        const found = searches.get(flavour)!;
        let bestIndex = 0;
        for (let i = 1; i < Math.min(finalists, found.ranked.length); i++) {
          if (seconds(`${flavour}.top${i}`) < seconds(`${flavour}.top${bestIndex}`)) bestIndex = i;
        }
        const best = gflops(`${flavour}.top${bestIndex}`);
        peaks.set(flavour, Math.max(peaks.get(flavour)!, (PEAK_ITERS * 96) / seconds(`${flavour}.peak`) / 1e9));
        rows.push({
          layer: task.name,
          shape: describeShape(s),
          flavour,
          defaultGflops: gflops(`${flavour}.default`),
          bestGflops: best,
          tfjsGflops: gflops('tfjs'),
          ortGflops: gflops('ort'),
          worstGflops: found.worstGflops,
          peakGflops: NaN, // set below from the whole run
          peakFraction: NaN,
          bestVsTfjs: best / gflops('tfjs'),
          bestConfig: found.ranked[bestIndex]!.config,
        });
      }
      for (const c of contenders) c.dispose?.();
      for (const f of fixtures) f.dispose();
    }
    // The peak is a property of the machine: its least disturbed measurement over the whole run.
    for (const row of rows) {
      const peak = peaks.get(row.flavour as Flavour)!;
      row.peakGflops = peak;
      row.peakFraction = (row.bestGflops as number) / peak;
    }
    for (const flavour of flavours) log(`${flavour}: peak ${peaks.get(flavour)!.toFixed(1)} GFLOP/s (fastest of all its measurements in this run)`);
    for (const flavour of flavours) {
      const mine = rows.filter((r) => r.flavour === flavour && String(r.layer).startsWith('resnet18.'));
      if (mine.length === 0) continue;
      const wins = mine.filter((r) => (r.bestVsTfjs as number) > 1).length;
      const geo = Math.exp(mine.reduce((sum, r) => sum + Math.log(r.bestVsTfjs as number), 0) / mine.length);
      log(`${flavour}: best beats tfjs on ${wins}/${mine.length} ResNet-18 layers; geometric-mean speed-up ${geo.toFixed(2)}×`);
    }
    return rows;
  },
};
