// An inference session: the model compiled once at creation (constants folded, BatchNorm folded,
// epilogues fused, layouts chosen, memory planned into one arena, weights packed), then run any
// number of times by walking the flat list of steps.
import { anyValues, checkOptions } from '../base/options.js';
import type { Core, F32Buffer } from '../core/core.js';
import type { ConvPlan } from '../core/kernels.js';
import { detectFeatures } from '../core/features.js';
import { bestFlavour, type Flavour, threadedFlavour } from '../core/flavour.js';
import { getCore, keepsIdleThreads, threadSpawner } from '../core/load.js';
import { ThreadPool } from '../core/threads.js';
import { GraphError, type Graph } from '../graph/types.js';
import { bestPerWorkload, parseRecords, type TuningRecord } from '../tune/records.js';
import type { TensorValues } from './float32-bytes.js';
import { elementCount } from './layout.js';
import { Lowering, RuntimeError, type Handler, type Ptr, type Val } from './lower.js';
import { planArena } from './memory.js';
import { NN_HANDLERS } from './ops-nn.js';
import { ELEMENTWISE_HANDLERS } from './ops-elementwise.js';
import { SHAPE_HANDLERS } from './ops-shape.js';
import type { ExternalDataReader } from './weights.js';

const HANDLERS: Readonly<Record<string, Handler>> = { ...NN_HANDLERS, ...ELEMENTWISE_HANDLERS, ...SHAPE_HANDLERS };

/** The ops the runtime executes (constant and shape arithmetic is folded before these run). */
export const SUPPORTED_OPS: readonly string[] = Object.keys(HANDLERS).sort();

export interface SessionOptions {
  /** Names the model in errors (a file name). */
  readonly source?: string;
  /** Values of weights by initializer (or graph input) name; they take precedence over the file's. */
  readonly weights?: Readonly<Record<string, Float32Array>>;
  /** Reads external-data files named by the model (the Node entry reads them beside the model file). */
  readonly readExternal?: ExternalDataReader;
  /** A tuning log (JSON lines text, or parsed records): layers whose workload it tuned run its best configuration. */
  readonly records?: string | readonly TuningRecord[];
  /** The core flavour; the best this engine accepts by default. */
  readonly flavour?: Flavour;
  /** Refuse models whose arena and weights need more wasm memory than this (bytes); default 2 GiB. */
  readonly memoryLimitBytes?: number;
  /**
   * Threads the heavy kernels split across (default 1): the threaded build of the flavour, with
   * helper threads over its shared memory. Where the runtime has no shared memory or threads
   * (workerd, a page without cross-origin isolation) the session runs on one; `threads` says so.
   */
  readonly threads?: number;
}

const OPTION_SPEC = { ...anyValues(['source', 'weights', 'readExternal', 'records', 'flavour', 'memoryLimitBytes']), threads: { type: 'number', integer: true, min: 1 } } as const;

export interface TensorDescription {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

export interface OutputTensor {
  readonly data: Float32Array;
  readonly shape: number[];
}

export type Feed = Float32Array | { readonly data: Float32Array; readonly shape?: readonly number[] };

const DEFAULT_MEMORY_LIMIT = 2 ** 31;

/** What compilation hands a session: the steps bound to arena addresses and what they own. */
interface CompiledPlan {
  readonly inputs: readonly TensorDescription[];
  readonly outputs: readonly TensorDescription[];
  /** Arena addresses of the inputs and outputs by name. */
  readonly inputAt: ReadonlyMap<string, number>;
  readonly outputAt: ReadonlyMap<string, number>;
  readonly steps: readonly { readonly node: string; readonly op: string; readonly run: () => void }[];
  /** Wasm allocations (arena, packed weights, constants) freed by dispose(). */
  readonly owned: readonly F32Buffer[];
  /** Conv layers planned over the arena (indirection, padded input copies), released by dispose(). */
  readonly plans: readonly ConvPlan[];
  readonly peakArenaBytes: number;
  readonly weightBytes: number;
  readonly tunedLayers: readonly string[];
}

/** Milliseconds spent per op type (and per step) over profiled runs. */
export interface Profile {
  readonly runs: number;
  readonly totalMs: number;
  readonly byOp: Record<string, number>;
  readonly steps: { node: string; op: string; ms: number }[];
}

export class Session {
  private disposed = false;

  constructor(
    private readonly core: Core,
    private readonly plan: CompiledPlan,
    private readonly pool?: ThreadPool,
  ) {}

  /** Threads a run uses: 1, or the pool's size. */
  get threads(): number {
    return this.pool?.size ?? 1;
  }

  get inputs(): readonly TensorDescription[] {
    return this.plan.inputs;
  }

  get outputs(): readonly TensorDescription[] {
    return this.plan.outputs;
  }

  /** Bytes of the activation arena: the peak of live activations as planned. */
  get peakArenaBytes(): number {
    return this.plan.peakArenaBytes;
  }

  /** Bytes of packed weights and constants the session keeps in wasm memory. */
  get weightBytes(): number {
    return this.plan.weightBytes;
  }

  /** Conv layers that run a tuned configuration from the records. */
  get tunedLayers(): readonly string[] {
    return this.plan.tunedLayers;
  }

  /** Kernel calls per run. */
  get stepCount(): number {
    return this.plan.steps.length;
  }

  get flavour(): Flavour {
    return this.core.flavour;
  }

  /** Runs the model on named float32 inputs (NCHW, row-major); outputs come back row-major in their ONNX shapes. */
  async run(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, OutputTensor>> {
    this.pool?.wake();
    this.feed(feeds);
    for (const step of this.plan.steps) step.run();
    return this.collect();
  }

  /** Runs `runs` times timing every step: where the time goes, by op type and by node. */
  async profile(feeds: Readonly<Record<string, Feed>>, runs = 1): Promise<Profile> {
    this.feed(feeds);
    const ms = new Array<number>(this.plan.steps.length).fill(0);
    for (let r = 0; r < runs; r++) {
      this.plan.steps.forEach((step, i) => {
        const start = performance.now();
        step.run();
        ms[i]! += performance.now() - start;
      });
    }
    const byOp: Record<string, number> = {};
    const steps = this.plan.steps.map((step, i) => ({ node: step.node, op: step.op, ms: ms[i]! / runs }));
    for (const step of steps) byOp[step.op] = (byOp[step.op] ?? 0) + step.ms;
    return { runs, totalMs: steps.reduce((t, step) => t + step.ms, 0), byOp, steps };
  }

  private feed(feeds: Readonly<Record<string, Feed>>): void {
    if (this.disposed) throw new RuntimeError('session: run() after dispose()');
    for (const name of Object.keys(feeds)) {
      if (!this.plan.inputAt.has(name)) throw new RuntimeError(`session: unknown input '${name}'; the model's inputs are ${this.inputs.map((i) => `'${i.name}'`).join(', ')}`, { field: name });
    }
    const memory = (): ArrayBuffer => this.core.exports.memory.buffer;
    for (const input of this.inputs) {
      const feed = feeds[input.name];
      if (feed === undefined) throw new RuntimeError(`session: input '${input.name}' [${input.shape.join(', ')}] is missing`, { field: input.name });
      const data: unknown = feed instanceof Float32Array || !(feed && typeof feed === 'object' && 'data' in feed) ? feed : feed.data;
      if (!(data instanceof Float32Array)) throw new RuntimeError(`session: input '${input.name}' must be a Float32Array (float32), got ${describe(data)}`, { field: input.name });
      const shape = feed instanceof Float32Array ? undefined : (feed as { shape?: readonly number[] }).shape;
      const expected = elementCount(input.shape);
      if ((shape && (shape.length !== input.shape.length || shape.some((d, i) => d !== input.shape[i]))) || data.length !== expected) {
        throw new RuntimeError(`session: input '${input.name}' must have shape [${input.shape.join(', ')}] (${expected} floats), got ${shape ? `[${shape.join(', ')}]` : `${data.length} floats`}`, { field: input.name });
      }
      new Float32Array(memory(), this.plan.inputAt.get(input.name)!, expected).set(data);
    }
  }

  private collect(): Record<string, OutputTensor> {
    const memory = (): ArrayBuffer => this.core.exports.memory.buffer;
    const result: Record<string, OutputTensor> = {};
    for (const output of this.outputs) {
      const data = new Float32Array(memory(), this.plan.outputAt.get(output.name)!, elementCount(output.shape)).slice();
      result[output.name] = { data, shape: [...output.shape] };
    }
    return result;
  }

  /** Frees the session's wasm memory (arena, weights); the session cannot run afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool?.release(keepsIdleThreads());
    for (const plan of this.plan.plans) this.core.exports.planRelease(plan.ptr);
    this.core.free(...this.plan.owned);
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return (value as object).constructor?.name ?? typeof value;
}

function tunedPoints(records: SessionOptions['records']): Map<string, readonly number[]> {
  if (records === undefined) return new Map();
  const list = typeof records === 'string' ? parseRecords(records, 'records').records : records;
  return new Map([...bestPerWorkload(list)].map(([workload, r]) => [workload, r.config.point]));
}

/**
 * Compiles a model for inference: ONNX bytes, or an imported graph whose weights come in
 * `options.weights`. Refuses, naming op, node and file, anything it cannot run.
 */
export async function createSession(model: Uint8Array | Graph, options: SessionOptions = {}): Promise<Session> {
  checkOptions('createSession', options, OPTION_SPEC);
  const source = options.source ?? (model instanceof Uint8Array ? 'model.onnx' : model.name);
  let graph: Graph;
  let data: Map<string, TensorValues>;
  let opset = 13;
  if (model instanceof Uint8Array) {
    // The ONNX decoder loads on first use, as for the other facades (it is most of the library's bytes).
    const [{ importOnnx }, { decodeModel, readTensorData }] = await Promise.all([import('../graph/onnx.js'), import('./weights.js')]);
    try {
      graph = importOnnx(model, { source });
    } catch (e) {
      if (e instanceof GraphError) throw new RuntimeError(e.message, e.source === undefined ? {} : { file: e.source });
      throw e;
    }
    const decoded = decodeModel(model, source);
    opset = decoded.opset;
    data = await readTensorData(decoded, { source, ...(options.weights ? { weights: options.weights } : {}), ...(options.readExternal ? { readExternal: options.readExternal } : {}) });
  } else {
    graph = model;
    data = new Map(Object.entries(options.weights ?? {}));
  }
  for (const node of graph.nodes) {
    if (!HANDLERS[node.op] && node.op !== 'Constant') {
      throw new RuntimeError(`${source}: node '${node.name}': op '${node.op}' is not supported by the runtime (supported: ${SUPPORTED_OPS.join(', ')})`, { file: source });
    }
  }
  // The helper threads boot while the graph is lowered and its weights packed (plans need only their number).
  const { core, pool, ready } = await coreAndThreads(options);
  const lw = new Lowering(graph, data, core, { source, opset, tuned: tunedPoints(options.records), ...(pool ? { pool } : {}) });
  let session: Session;
  try {
    session = compile(lw, graph, core, options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT, pool);
  } catch (e) {
    pool?.close();
    ready.catch(() => {});
    for (const plan of lw.plans) core.exports.planRelease(plan.ptr);
    core.free(...lw.owned, ...lw.packed.map((p) => p.buffer));
    throw e;
  }
  try {
    await ready;
  } catch (e) {
    session.dispose();
    throw e;
  }
  return session;
}

/** The core a session runs on and, for more than one thread where the runtime allows, its helper threads (`ready` when they listen). */
async function coreAndThreads(options: SessionOptions): Promise<{ core: Core; pool?: ThreadPool; ready: Promise<void> }> {
  const threads = options.threads ?? 1;
  const spawn = threads > 1 && detectFeatures().threads ? threadSpawner() : undefined;
  if (!spawn) return { core: await getCore(options.flavour), ready: Promise.resolve() };
  const core = await getCore(threadedFlavour(options.flavour ?? bestFlavour(detectFeatures())));
  const idle = ThreadPool.takeIdle(core, threads - 1);
  if (idle) return { core, pool: idle, ready: Promise.resolve() };
  return { core, ...(await ThreadPool.launch(core, threads - 1, spawn)) };
}

function compile(lw: Lowering, graph: Graph, core: Core, memoryLimit: number, pool: ThreadPool | undefined): Session {
  const inputs: TensorDescription[] = graph.inputs.map((i) => {
    if (i.dtype !== 'float32') throw new RuntimeError(`${lw.options.source}: input '${i.name}' is ${i.dtype}; the runtime takes float32 inputs`, { file: lw.options.source });
    lw.define(i.name, i.shape, 'rm');
    return { name: i.name, shape: [...i.shape], dtype: 'float32' };
  });
  for (const node of graph.nodes) {
    if (lw.fused.has(node.id) || lw.foldIfConstant(node)) continue;
    HANDLERS[node.op]!(lw, node);
  }
  // Outputs come back row-major; a constant output gets a buffer of its own.
  const outputVals: Val[] = graph.outputs.map((name) => {
    const v = lw.values.get(name);
    if (!v) throw new RuntimeError(`${lw.options.source}: output '${name}' is never computed`, { file: lw.options.source });
    if (v.data) {
      const out = lw.define(`${name}#const`, v.shape, 'rm');
      const at = lw.wasmConstant(v.data);
      lw.steps.push({ node: name, op: 'constant', reads: [], writes: [out.buf!], bind: (ptr) => () => lw.ops.copy(at, ptr(out.buf!), [v.data!.length], [1], [1]) });
      return out;
    }
    return lw.as(v, 'rm');
  });

  // Lifetimes: inputs live from before the first step, outputs until after the last.
  const first = new Array<number>(lw.buffers.length).fill(Infinity);
  const last = new Array<number>(lw.buffers.length).fill(-Infinity);
  lw.steps.forEach((step, i) => {
    for (const b of step.writes) first[b.id] = Math.min(first[b.id]!, i);
    for (const b of [...step.reads, ...step.writes]) last[b.id] = Math.max(last[b.id]!, i);
  });
  for (const i of inputs) first[lw.values.get(i.name)!.buf!.id] = -1;
  for (const v of outputVals) last[v.buf!.id] = lw.steps.length;
  const lifetimes = lw.buffers.map((b) => ({
    floats: b.floats,
    first: Number.isFinite(first[b.id]!) ? first[b.id]! : -1,
    last: Number.isFinite(last[b.id]!) ? Math.max(last[b.id]!, first[b.id]!) : -1,
  }));
  const plan = planArena(lifetimes);
  const weightBytes = [...lw.owned, ...lw.packed.map((p) => p.buffer)].reduce((s, b) => s + b.length * 4, 0);
  if (plan.floats * 4 + weightBytes > memoryLimit) {
    throw new RuntimeError(`${lw.options.source}: needs ${((plan.floats * 4 + weightBytes) / 2 ** 20).toFixed(1)} MiB of wasm memory (arena ${(plan.floats * 4 / 2 ** 20).toFixed(1)} MiB + weights), over the limit of ${(memoryLimit / 2 ** 20).toFixed(1)} MiB`, { file: lw.options.source });
  }
  const arena = core.allocF32(plan.floats);
  lw.owned.push(arena);
  const ptr: Ptr = (b) => arena.ptr + plan.offsets[b.id]! * 4;
  const steps = lw.steps.map((s) => ({ node: s.node, op: s.op, run: s.bind(ptr) }));
  const inputAt = new Map(inputs.map((i) => [i.name, ptr(lw.values.get(i.name)!.buf!)]));
  const outputAt = new Map(graph.outputs.map((name, i) => [name, ptr(outputVals[i]!.buf!)]));
  const outputs: TensorDescription[] = graph.outputs.map((name, i) => ({ name, shape: [...outputVals[i]!.shape], dtype: 'float32' }));
  return new Session(core, {
    inputs, outputs, inputAt, outputAt, steps, owned: [...lw.owned, ...lw.packed.map((p) => p.buffer)], plans: lw.plans,
    peakArenaBytes: plan.floats * 4, weightBytes, tunedLayers: lw.tunedLayers,
  }, pool);
}
