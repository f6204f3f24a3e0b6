// `npm run bench -- e2e [--models resnet18,resnet50,…] [--threads 1,2] [--rounds 10] [--records FILE] [--seed 1]`:
// whole-network inference of zoo models (224×224; Inception-v3 299×299) and of the torchvision
// exports in bench/models/ (224×224, the families the zoo does not build) or, by name, of the
// runtime's test fixtures (ResNeXt, Wide-ResNet, MnasNet, RegNet, ConvNeXt, …; some at 112-128) in mapwise's runtime
// (each core flavour), onnxruntime-web (wasm, SIMD), tfjs-backend-wasm (the same network built
// from our IR, one thread) and onnxruntime-node (native, the ceiling reference), all from the same
// ONNX bytes: a zoo graph exported by exportOnnx with seeded weights (placeholderWeights), or
// PyTorch's export with its generated weights (fixture-weights.ts), embedded as raw data.
//
// Per model every runtime is created once (createMs), warmed once, then timed in `rounds`
// interleaved rounds — one run of each per round, so load from other processes hits them alike —
// and reported by its median. gflops = 2·MACs / median, MACs of the direct convolution, so a
// layer run as Winograd counts the work it replaces (an effective rate); fractionOfPeak divides
// mapwise's by the flavour's in-register multiply-add peak (measured at the start and the end of
// the run, the fastest taken), and can pass 1 where Winograd layers dominate; vsOrtWeb =
// onnxruntime-web's median / this median at the same thread count. peakBytes: mapwise's
// arena + packed weights; for the peers the process RSS growth over creation and warm-up (a
// rough figure). maxRelErr (mapwise rows) = max |y − y_ort-node| / max |y_ort-node|; tfjs rows
// are refused unless their relative L2 distance to mapwise's output is at most 1e-3.
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { detectFeatures, type Flavour, getCore } from '../src/node/index.js';
import { oneNodeModel } from './one-node-model.js';
import { threadedFlavour } from '../src/core/flavour.js';
import { placeholderWeights } from '../src/run/placeholder-weights.js';
import { exportOnnx, importOnnx } from '../src/graph/onnx.js';
import type { Graph } from '../src/graph/types.js';
import { zooModel, zooNames } from '../src/graph/zoo/index.js';
import { Random } from '../src/helpers/random.js';
import { createSession, type Session } from '../src/run/index.js';
import type { Bench, Row } from './harness.js';
import { loadTfjs, measurePeak } from './kernels.js';
import { OrtWebWorker } from './ort-web-worker.js';
import { embedWeights, fixtureNames, loadFixture } from './fixture-weights.js';
import { buildTfjsModel, TfjsUnsupported } from './tfjs-ir.js';

const DEFAULT_MODELS = ['resnet18', 'resnet50', 'mobilenetv2', 'squeezenet11', 'mobilenet', 'efficientnetb0', 'densenet121', 'inceptionv3', 'googlenet', 'mobilenet_v3_large', 'shufflenet_v2_x1_0'];
/** tfjs's output must be this close to mapwise's (relative L2) for its row to count. */
const SETTLE_MS = 50;
const WARMUP_RUNS = 5;
const TFJS_TOLERANCE = 1e-3;

type OrtNode = typeof import('onnxruntime-node');

/** One runtime on one model: created once, then run once per round. */
interface Contender {
  runtime: 'mapwise' | 'mapwise-tuned' | 'onnxruntime-web' | 'tfjs-backend-wasm' | 'onnxruntime-node';
  flavour: string;
  threads: number;
  create(): Promise<void>;
  /** One run; resolves to its time in ms and the output. */
  run(): Promise<{ ms: number; output: Float32Array }>;
  dispose(): Promise<void> | void;
  /** Set by create: bytes held (or RSS growth), and notes. */
  peakBytes?: number | null;
  note?: string;
  createMs?: number;
  times: number[];
  output?: Float32Array;
  refused?: string;
}

/** The zoo graph as ONNX bytes with every weight embedded as raw float32 data. */
function modelBytes(graph: Graph, weights: Readonly<Record<string, Float32Array>>): Uint8Array {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(exportOnnx(graph));
  for (const init of model.graph?.initializer ?? []) {
    const w = weights[init.name ?? ''];
    if (w === undefined) throw new Error(`${graph.name}: no seeded weight for initializer '${init.name}'`);
    init.rawData = new Uint8Array(w.buffer, w.byteOffset, w.byteLength); // little-endian hosts only, as wasm itself
    init.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    init.externalData = [];
  }
  return onnx.ModelProto.encode(model).finish();
}

/** One network as every runtime gets it. */
interface BenchModel {
  graph: Graph;
  weights: Readonly<Record<string, Float32Array>>;
  bytes: Uint8Array;
  macs: number;
  inputName: string;
  shape: readonly number[];
  input: Float32Array;
}

/**
 * A zoo model (seeded weights and input) or a torchvision export with its generated weights and
 * input: bench/models/ at 224, or the runtime's test fixtures (the families the zoo lacks, some at
 * reduced size) by their names there when the zoo has no model of that name.
 */
function benchModel(name: string, seed: number): BenchModel {
  const folder = fixtureNames('bench').includes(name) ? 'bench' : !zooNames().includes(name) && fixtureNames('runtime').includes(name) ? 'runtime' : undefined;
  if (folder) {
    const f = loadFixture(name, folder);
    return { graph: importOnnx(f.onnx, { source: `${name}.onnx` }), weights: f.weights, bytes: embedWeights(f.onnx, f.weights), macs: f.manifest.macs, inputName: f.manifest.input.name, shape: f.inputShape, input: f.input };
  }
  const graph = zooModel(name);
  const weights = placeholderWeights(graph, seed);
  const { name: inputName, shape } = graph.inputs[0]!;
  return { graph, weights, bytes: modelBytes(graph, weights), macs: graph.nodes.reduce((sum, n) => sum + n.macs, 0), inputName, shape, input: new Random(seed + 1).floats(shape.reduce((a, d) => a * d, 1)) };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function maxRelErr(y: Float32Array, ref: Float32Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(y[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return y.length === ref.length ? err / (scale || 1) : Infinity;
}

function relativeL2(y: Float32Array, ref: Float32Array): number {
  if (y.length !== ref.length) return Infinity;
  let err = 0;
  let norm = 0;
  for (let i = 0; i < ref.length; i++) {
    err += (y[i]! - ref[i]!) ** 2;
    norm += ref[i]! ** 2;
  }
  return Math.sqrt(err / (norm || 1));
}

const list = (value: unknown, fallback: string): string[] => String(value ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Runs `create` and reports the RSS growth over it and the warm-up runs: WARMUP_RUNS each, as
 * engines compile wasm in a quick tier first and optimise hot functions later (in every thread).
 */
async function createMeasured(c: Contender, create: () => Promise<void>): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  await create();
  c.createMs = performance.now() - t0;
  for (let i = 0; i < WARMUP_RUNS; i++) c.output = (await c.run()).output;
  c.peakBytes ??= Math.max(0, process.memoryUsage().rss - rss0);
}

function mapwiseContender(runtime: 'mapwise' | 'mapwise-tuned', flavour: Flavour, threads: number, bytes: Uint8Array, inputName: string, input: Float32Array, records?: string): Contender {
  let session: Session | undefined;
  const c: Contender = {
    runtime, flavour, threads, times: [],
    async create() {
      // The core compiled and, for threads, a one-node session created and disposed before the
      // clock starts, as onnxruntime-web's wasm and threads are (its worker does the same): the
      // session's helper threads then come idle from the last session, as in a long-lived process.
      await getCore(threads > 1 ? threadedFlavour(flavour) : flavour);
      if (threads > 1) (await createSession(await oneNodeModel(), { flavour, threads })).dispose();
      await createMeasured(c, async () => {
        session = await createSession(bytes, { flavour, threads, ...(records === undefined ? {} : { records }) });
        if (session.threads !== threads) throw new Error(`mapwise: ${threads} threads asked, the session has ${session.threads}`);
        c.peakBytes = session.peakArenaBytes + session.weightBytes;
        if (records !== undefined) c.note = `${session.tunedLayers.length} tuned layers`;
      });
    },
    async run() {
      const start = performance.now();
      const out = await session!.run({ [inputName]: input });
      const ms = performance.now() - start;
      return { ms, output: Object.values(out)[0]!.data };
    },
    dispose: () => session?.dispose(),
  };
  return c;
}

function ortWebContender(threads: number, bytes: Uint8Array, inputName: string, input: Float32Array, shape: number[]): Contender {
  let worker: OrtWebWorker | undefined;
  const c: Contender = {
    runtime: 'onnxruntime-web', flavour: 'simd', threads, times: [],
    async create() {
      // Started here and ready (wasm initialised) before the clock starts, so no other
      // runtime's creation overlaps its start-up.
      worker = new OrtWebWorker(threads);
      await worker.ready();
      await createMeasured(c, async () => void (await worker!.create(bytes)));
      c.note = 'peakBytes: process RSS growth (its worker)';
    },
    run: () => worker!.run(inputName, input, shape),
    dispose: () => worker?.terminate(),
  };
  return c;
}

function ortNodeContender(ort: OrtNode, threads: number, bytes: Uint8Array, inputName: string, input: Float32Array, shape: number[]): Contender {
  let session: import('onnxruntime-node').InferenceSession | undefined;
  const feeds = { [inputName]: new ort.Tensor('float32', input, shape) };
  const c: Contender = {
    runtime: 'onnxruntime-node', flavour: 'native', threads, times: [],
    async create() {
      await createMeasured(c, async () => {
        session = await ort.InferenceSession.create(bytes, {
          executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
          extra: { session: { intra_op: { allow_spinning: '0' } } },
        });
      });
      c.note = 'peakBytes: process RSS growth';
    },
    async run() {
      const start = performance.now();
      const out = await session!.run(feeds);
      const ms = performance.now() - start;
      return { ms, output: out[session!.outputNames[0]!]!.data as Float32Array };
    },
    dispose: () => session?.release(),
  };
  return c;
}

function tfjsContender(tf: Awaited<ReturnType<typeof loadTfjs>>, graph: Graph, weights: Readonly<Record<string, Float32Array>>, input: Float32Array): Contender {
  let model: ReturnType<typeof buildTfjsModel> | undefined;
  let x: import('@tensorflow/tfjs-core').Tensor | undefined;
  const c: Contender = {
    runtime: 'tfjs-backend-wasm', flavour: 'simd', threads: 1, times: [],
    async create() {
      await createMeasured(c, async () => {
        model = buildTfjsModel(tf, graph, weights);
        x = model.input(input);
      });
      c.note = 'built from our IR (BatchNorm folded, NHWC); peakBytes: process RSS growth';
    },
    async run() {
      const start = performance.now();
      const output = model!.run(x!);
      return { ms: performance.now() - start, output };
    },
    dispose() {
      x?.dispose();
      model?.dispose();
    },
  };
  return c;
}

export const e2eBench: Bench = {
  describe: 'whole-network inference: mapwise (each flavour) vs onnxruntime-web vs tfjs-backend-wasm vs onnxruntime-node, same ONNX bytes, interleaved rounds',
  async run({ args, log }) {
    const models = list(args.models, DEFAULT_MODELS.join(','));
    const threadCounts = list(args.threads, '1').map(Number);
    if (threadCounts.some((t) => !Number.isInteger(t) || t < 1)) throw new RangeError(`--threads: positive integers, got '${String(args.threads)}'`);
    const rounds = Number(args.rounds ?? 10);
    const seed = Number(args.seed ?? 1);
    const records = args.records === undefined ? undefined : readFileSync(String(args.records), 'utf8');
    const flavours: Flavour[] = detectFeatures().relaxedSimd ? ['simd', 'relaxed'] : ['simd'];
    if (!detectFeatures().relaxedSimd) log('relaxed SIMD not accepted by this engine: SIMD128 only');
    const peaks = new Map<Flavour, number>();
    for (const flavour of flavours) peaks.set(flavour, measurePeak(await getCore(flavour)));
    const tf = await loadTfjs();
    const ortNode: OrtNode = await import('onnxruntime-node');
    // Threads need shared wasm memory: without it, mapwise rows are at 1 thread only.
    const mapwiseThreads = new Set<number>([1, ...(detectFeatures().threads ? threadCounts : [])]);
    if (!detectFeatures().threads) log('mapwise: no shared wasm memory here, so its rows are at 1 thread only');
    const rows: Row[] = [];
    for (const name of models) {
      const { graph, weights, bytes, macs, inputName, shape, input } = benchModel(name, seed);
      log(`${name}: ${(macs / 1e9).toFixed(3)} GMACs, ${(bytes.length / 2 ** 20).toFixed(1)} MiB of ONNX`);
      const contenders: Contender[] = [];
      const refused: Row[] = [];
      for (const threads of threadCounts) {
        for (const flavour of flavours) {
          if (!mapwiseThreads.has(threads)) continue;
          contenders.push(mapwiseContender('mapwise', flavour, threads, bytes, inputName, input));
          if (records !== undefined) contenders.push(mapwiseContender('mapwise-tuned', flavour, threads, bytes, inputName, input, records));
        }
        contenders.push(ortWebContender(threads, bytes, inputName, input, [...shape]));
        if (threads === 1) contenders.push(tfjsContender(tf, graph, weights, input));
        contenders.push(ortNodeContender(ortNode, threads, bytes, inputName, input, [...shape]));
      }
      for (const c of contenders) {
        try {
          await c.create();
        } catch (error) {
          c.refused = error instanceof TfjsUnsupported ? `cannot express the model: ${error.message}` : `failed: ${error instanceof Error ? error.message : String(error)}`;
          log(`  ${c.runtime} (${c.flavour}, ${c.threads} threads) ${c.refused}`);
        }
      }
      const reference = contenders.find((c) => c.runtime === 'onnxruntime-node' && c.output)?.output;
      const mapwiseOutput = contenders.find((c) => c.runtime === 'mapwise' && c.output)?.output;
      for (const c of contenders) {
        if (c.runtime !== 'tfjs-backend-wasm' || c.refused || !mapwiseOutput) continue;
        const distance = relativeL2(c.output!, mapwiseOutput);
        if (!(distance <= TFJS_TOLERANCE)) c.refused = `output differs from mapwise's: relative L2 ${distance.toExponential(2)} > ${TFJS_TOLERANCE}`;
      }
      const live = contenders.filter((c) => !c.refused);
      for (let r = 0; r < rounds; r++) {
        for (const c of live) {
          // Thread pools spin a while after a run (onnxruntime-web's for 5-30 ms here, whatever its
          // allow_spinning says; mapwise's helpers 3 ms): let them settle, so none runs in the next one's timing.
          await new Promise((settled) => setTimeout(settled, SETTLE_MS));
          c.times.push((await c.run()).ms);
        }
      }
      for (const c of contenders) await c.dispose();
      const ortWebMs = (threads: number): number | undefined => {
        const c = live.find((x) => x.runtime === 'onnxruntime-web' && x.threads === threads);
        return c ? median(c.times) : undefined;
      };
      for (const c of contenders) {
        const notes = [c.note, c.refused].filter(Boolean);
        if (c.runtime.startsWith('mapwise') && threadCounts.some((t) => !mapwiseThreads.has(t))) notes.push(`no shared memory for threads ${threadCounts.filter((t) => !mapwiseThreads.has(t)).join(',')}: 1 thread only`);
        if (c.runtime === 'tfjs-backend-wasm' && threadCounts.some((t) => t > 1)) notes.push('one thread only: its threaded build needs web workers');
        const ms = c.refused ? null : median(c.times);
        const gflops = ms === null ? null : (2 * macs) / (ms / 1000) / 1e9;
        const ortWeb = ortWebMs(c.threads);
        const row: Row = {
          model: name,
          runtime: c.runtime,
          flavour: c.flavour,
          threads: c.threads,
          medianMs: ms,
          gflops,
          // Of the peak of all its threads (one core's peak per thread); refined below.
          fractionOfPeak: c.runtime.startsWith('mapwise') && gflops !== null ? gflops / (c.threads * peaks.get(c.flavour as Flavour)!) : null,
          vsOrtWeb: ms !== null && ortWeb !== undefined ? ortWeb / ms : null,
          createMs: c.createMs ?? null,
          peakBytes: c.peakBytes ?? null,
          maxRelErr: c.runtime.startsWith('mapwise') && c.output && reference ? maxRelErr(c.output, reference) : null,
          note: notes.join('; '),
        };
        (c.refused ? refused : rows).push(row);
      }
      rows.push(...refused);
    }
    // The peak is a property of the machine: the least disturbed of its measurements.
    for (const flavour of flavours) {
      const again = measurePeak(await getCore(flavour));
      const peak = Math.max(peaks.get(flavour)!, again);
      log(`${flavour}: in-register multiply-add peak ${peak.toFixed(1)} GFLOP/s`);
      for (const row of rows) if (row.flavour === flavour && row.fractionOfPeak !== null) row.fractionOfPeak = (row.gflops as number) / ((row.threads as number) * peak);
    }
    return rows;
  },
};
