// The inference facade: create a session, run it on a given or seeded random input with one
// warm-up and timed repeats, and report what `mapwise run`, the edge `/infer` and the demo show.
// The model is ONNX bytes, a graph with its weights, or a model spec (a zoo name, a generator),
// which runs on seeded placeholder weights: its timings are real, its outputs mean nothing.
import { OptionsError } from '../base/options.js';
import { Random } from '../helpers/random.js';
import type { ProgressEvent } from './check.js';
import type { Graph } from '../graph/types.js';
import { createSession, type OutputTensor, placeholderWeights, type SessionOptions } from '../run/index.js';
import { resolveModel } from './model.js';

export interface InferOptions extends SessionOptions {
  /** Input data by name (NCHW float32); inputs not given are seeded random in [-1, 1). */
  readonly inputs?: Readonly<Record<string, Float32Array>>;
  /** The data of a single-input model's input, whatever its name; or a function of the input's shape giving it (an image scaled to the model's input). */
  readonly input?: Float32Array | ((shape: readonly number[]) => Float32Array | Promise<Float32Array>);
  /** Seed of the random inputs. */
  readonly seed?: number;
  /** Timed runs after one warm-up (default 1; `mapwise run`: 10). */
  readonly repeat?: number;
  /** Aborts between runs (the demo's cancel button). */
  readonly signal?: AbortSignal;
  /** Called after creation ('create') and after each timed run ('run'); throwing stops the work (a request's budget). */
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface TopK {
  readonly index: number;
  readonly value: number;
}

export interface InferOutput {
  readonly name: string;
  readonly shape: number[];
  /** The five largest values of the output and their flat indices. */
  readonly top5: TopK[];
}

export interface InferReport {
  readonly model: string;
  readonly flavour: string;
  /** Threads the runs used (1 where the runtime has no shared memory, whatever was asked). */
  readonly threads: number;
  readonly inputs: { name: string; shape: number[]; random: boolean }[];
  readonly outputs: InferOutput[];
  readonly createMs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly runs: number;
  readonly peakArenaBytes: number;
  readonly weightBytes: number;
  readonly tunedLayers: readonly string[];
  readonly steps: number;
}

/** The k largest values with their indices, largest first (ties: lower index first). */
export function topK(data: Float32Array, k: number): TopK[] {
  const order = Array.from(data.keys()).sort((a, b) => data[b]! - data[a]! || a - b);
  return order.slice(0, k).map((index) => ({ index, value: data[index]! }));
}

/** The defaults of InferOptions, written once (`mapwise run` shows the seed's). */
export const INFER_DEFAULTS = { seed: 0, repeat: 1 } as const;

const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Runs a model (ONNX bytes, a graph with `weights`, or a model spec on placeholder weights) and
 * reports latency and top-5; `data` holds the last run's outputs.
 */
export async function infer(model: Uint8Array | Graph | string, options: InferOptions = {}): Promise<{ report: InferReport; data: Record<string, OutputTensor> }> {
  const { inputs, input, seed = INFER_DEFAULTS.seed, repeat = INFER_DEFAULTS.repeat, signal, onProgress, ...sessionOptions } = options;
  if (!Number.isInteger(repeat) || repeat < 1) throw new OptionsError(`infer: repeat must be an integer ≥ 1, got ${repeat}`, { field: 'repeat' });
  const graph = typeof model === 'string' ? resolveModel('infer', model) : model;
  const start = performance.now();
  const session = await createSession(graph, typeof model === 'string' && !sessionOptions.weights ? { ...sessionOptions, weights: placeholderWeights(graph as Graph) } : sessionOptions);
  const createMs = performance.now() - start;
  try {
    onProgress?.({ step: 'create', done: 1, total: 1 });
    if (input && session.inputs.length !== 1) throw new OptionsError(`infer: the model has ${session.inputs.length} inputs; name them in options.inputs`, { field: 'input' });
    const only = session.inputs[0]!;
    const given = input ? { [only.name]: typeof input === 'function' ? await input(only.shape) : input } : inputs;
    const random = new Random(seed);
    const feeds: Record<string, Float32Array> = {};
    for (const input of session.inputs) {
      feeds[input.name] = given?.[input.name] ?? random.floats(input.shape.reduce((a, d) => a * d, 1));
    }
    let data = await session.run(feeds);
    const times: number[] = [];
    for (let r = 0; r < repeat; r++) {
      signal?.throwIfAborted();
      const t = performance.now();
      data = await session.run(feeds);
      times.push(performance.now() - t);
      onProgress?.({ step: 'run', done: r + 1, total: repeat });
    }
    times.sort((a, b) => a - b);
    const median = times.length % 2 ? times[(times.length - 1) / 2]! : (times[times.length / 2 - 1]! + times[times.length / 2]!) / 2;
    const report: InferReport = {
      model: sessionOptions.source ?? (graph instanceof Uint8Array ? 'model.onnx' : graph.name),
      flavour: session.flavour,
      threads: session.threads,
      inputs: session.inputs.map((i) => ({ name: i.name, shape: [...i.shape], random: !given?.[i.name] })),
      outputs: session.outputs.map((o) => ({ name: o.name, shape: [...o.shape], top5: topK(data[o.name]!.data, 5) })),
      createMs: round(createMs),
      medianMs: round(median),
      minMs: round(times[0]!),
      runs: repeat,
      peakArenaBytes: session.peakArenaBytes,
      weightBytes: session.weightBytes,
      tunedLayers: session.tunedLayers,
      steps: session.stepCount,
    };
    return { report, data };
  } finally {
    session.dispose();
  }
}
