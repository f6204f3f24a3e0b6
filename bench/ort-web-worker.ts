// onnxruntime-web in a worker thread of its own. Its wasm module takes the thread count once,
// when it first initialises, for every session of the process; a worker per thread count lets one
// bench process compare 1 and 2 threads in interleaved rounds. The worker times `session.run`
// itself, so message passing is not part of the figure.
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { oneNodeModel } from './one-node-model.js';

type Ort = typeof import('onnxruntime-web');
type InferenceSession = import('onnxruntime-web').InferenceSession;

type Request =
  | { kind: 'create'; model: Uint8Array }
  | { kind: 'run'; input: Float32Array; inputName: string; shape: number[] }
  | { kind: 'dispose' };

type Reply = { ok: true; ms: number; output?: Float32Array } | { ok: false; error: string };

/** The main thread's handle on one worker running onnxruntime-web with `threads` threads. */
export class OrtWebWorker {
  private readonly worker: Worker;
  /** Settles when the worker can take the next request (first: when its wasm is initialised). */
  private pending: Promise<unknown>;

  constructor(readonly threads: number) {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { threads } });
    this.worker.unref();
    this.pending = new Promise((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
  }

  private call(request: Request): Promise<{ ms: number; output?: Float32Array }> {
    // One request at a time: replies carry no id.
    const next = this.pending.then(
      () =>
        new Promise<{ ms: number; output?: Float32Array }>((resolve, reject) => {
          const onError = (error: Error): void => reject(error);
          this.worker.once('error', onError);
          this.worker.once('message', (reply: Reply) => {
            this.worker.off('error', onError);
            if (reply.ok) resolve(reply);
            else reject(new Error(`onnxruntime-web (${this.threads} threads): ${reply.error}`));
          });
          this.worker.postMessage(request);
        }),
    );
    this.pending = next.catch(() => undefined);
    return next;
  }

  /** Resolves when the worker's wasm module is initialised. */
  async ready(): Promise<void> {
    await this.pending;
  }

  /** Creates the session; resolves to the creation time in ms. */
  async create(model: Uint8Array): Promise<number> {
    return (await this.call({ kind: 'create', model })).ms;
  }

  /** One timed run; resolves to its time in ms and the first output. */
  async run(inputName: string, input: Float32Array, shape: number[]): Promise<{ ms: number; output: Float32Array }> {
    const reply = await this.call({ kind: 'run', input, inputName, shape });
    return { ms: reply.ms, output: reply.output! };
  }

  async terminate(): Promise<void> {
    await this.call({ kind: 'dispose' }).catch(() => undefined);
    await this.worker.terminate();
  }
}

async function serve(threads: number): Promise<void> {
  const ort: Ort = await import('onnxruntime-web');
  const require = createRequire(import.meta.url);
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  ort.env.wasm.wasmPaths = `${path.dirname(require.resolve('onnxruntime-web'))}/`;
  // Initialise the wasm module (once per process) before any creation is timed: a one-node model.
  const tiny = await oneNodeModel();
  await (await ort.InferenceSession.create(tiny, { executionProviders: ['wasm'] })).release();
  let session: InferenceSession | undefined;
  parentPort!.postMessage({ ok: true, ms: 0 } satisfies Reply); // ready
  parentPort!.on('message', async (request: Request) => {
    try {
      const t0 = performance.now();
      if (request.kind === 'create') {
        session = await ort.InferenceSession.create(request.model, {
          executionProviders: ['wasm'],
          graphOptimizationLevel: 'all',
          // Idle pool threads must not spin into the next runtime's timing on a small machine.
          extra: { session: { intra_op: { allow_spinning: '0' } } },
        });
        parentPort!.postMessage({ ok: true, ms: performance.now() - t0 } satisfies Reply);
      } else if (request.kind === 'run') {
        const feeds = { [request.inputName]: new ort.Tensor('float32', request.input, request.shape) };
        const start = performance.now();
        const outputs = await session!.run(feeds);
        const ms = performance.now() - start;
        const first = outputs[session!.outputNames[0]!]!;
        parentPort!.postMessage({ ok: true, ms, output: first.data as Float32Array } satisfies Reply);
      } else {
        await session?.release();
        session = undefined;
        parentPort!.postMessage({ ok: true, ms: 0 } satisfies Reply);
      }
    } catch (error) {
      parentPort!.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies Reply);
    }
  });
}

if (parentPort && workerData && typeof (workerData as { threads?: unknown }).threads === 'number') {
  await serve((workerData as { threads: number }).threads);
}
