// A pool of threads over one shared wasm memory, so that a heavy kernel runs in parts at once.
//
// The threaded flavours of the core import a shared memory. Each thread instantiates the same
// module over that memory without running its start function (only the owning thread's
// instance allocates), then waits on its slot of a control block for work: a kernel's run
// function (convRun, dwRun, wgRun with a plan the owning thread built, poolRun with its arguments)
// and its part number. The owning thread runs part 0 itself and waits for the others, so a
// kernel call stays synchronous, as on one thread. Threads are spawned by whatever the runtime registered
// (worker_threads in Node, Web Workers in Deno and browsers); workerd has none.
import type { Core } from './core.js';

/** What the runtime gives for one spawned thread. */
export interface ThreadHandle {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onError(listener: (error: Error) => void): void;
  terminate(): void;
  /** Lets the process exit while the thread lives on (Node); called once the thread is ready. */
  unref?(): void;
}

/** Starts a thread running `source`, a script that expects its message port in a variable `port`. */
export type ThreadSpawner = (source: string) => Promise<ThreadHandle>;

/** Kernel run functions a thread can be handed: each takes (plan or arguments, part, parts). */
export const THREAD_KERNELS = ['convRun', 'dwRun', 'wgRun', 'poolRun', 'affineRun', 'binaryRun'] as const;
export type ThreadKernel = (typeof THREAD_KERNELS)[number];

// Control block: one 64-byte slot per helper thread: [state, kernel, plan, part, parts].
const SLOT_INTS = 16;
// States (threadMain spells them as numbers): 0 idle, 1 task, 2 done, 3 exit, 4 failed, 5 woken
// ahead of work (it spins again from idle).
const IDLE = 0, TASK = 1, DONE = 2, EXIT = 3, FAILED = 4, WOKEN = 5;
// How long each side spins before it blocks. Waking a blocked thread costs tens to hundreds of
// microseconds on a virtual machine (its vCPU halts), paid per layer if a helper sleeps between
// layers: so a helper stays awake a few milliseconds after its part (the gap to the next layer's
// is microseconds), and the caller spins for its helpers as long as a layer may take.
const HELPER_SPIN_MS = 3;
const CALLER_SPIN_MS = 200;

/**
 * The body of every helper thread, serialised into its source: nothing from outside this
 * function may be referenced. `port` is `self` in a Web Worker and `parentPort` in Node.
 */
function threadMain(port: { postMessage(m: unknown): void; addEventListener(type: 'message', l: (e: { data: unknown }) => void): void }): void {
  port.addEventListener('message', (event) => {
    const { module, memory, control, slot, kernels, spinMs } = event.data as {
      module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer; slot: number; kernels: string[]; spinMs: number;
    };
    WebAssembly.instantiate(module, { env: { memory, abort: () => { throw new Error('mapwise core: abort'); } } }).then((instance) => {
      const run = kernels.map((name) => instance.exports[name] as (plan: number, part: number, parts: number) => void);
      const cell = new Int32Array(control, slot * 64, 16);
      port.postMessage('ready');
      for (;;) {
        let state = Atomics.load(cell, 0);
        for (const until = performance.now() + spinMs; (state === 0 || state === 2) && performance.now() < until;) {
          for (let i = 0; (state === 0 || state === 2) && i < 1000; i++) state = Atomics.load(cell, 0);
        }
        while (state === 0 || state === 2) {
          Atomics.wait(cell, 0, state);
          state = Atomics.load(cell, 0);
        }
        if (state === 3) return;
        if (state === 5) {
          // Woken ahead of work (a run is starting): spin for it from idle.
          Atomics.compareExchange(cell, 0, 5, 0);
          continue;
        }
        try {
          run[cell[1]!]!(cell[2]!, cell[3]!, cell[4]!);
          Atomics.store(cell, 0, 2);
        } catch (e) {
          port.postMessage(String(e));
          Atomics.store(cell, 0, 4);
        }
        Atomics.notify(cell, 0);
      }
    }, (e: unknown) => port.postMessage(`failed: ${String(e)}`));
  });
}

/** A helper thread's script; the spawner declares `port` before it. */
const THREAD_SOURCE = `(${threadMain.toString()})(port);`;

/** Pools handed back by their sessions, one per core and helper count, for the next session. */
const idlePools = new WeakMap<Core, Map<number, ThreadPool>>();

export class ThreadPool {
  private readonly cells: Int32Array;
  private closed = false;
  /** The main thread of a browser page may not block: it spins instead. */
  private canBlock = true;

  private constructor(
    private readonly core: Core,
    private readonly threads: readonly ThreadHandle[],
    control: SharedArrayBuffer,
    private readonly errors: string[],
  ) {
    this.cells = new Int32Array(control);
  }

  /**
   * Starts `count` helper threads (the caller is the remaining one) on a threaded core. The pool
   * comes back as soon as they are spawned, while they boot and instantiate the core in their own
   * threads (40-60 ms), so the caller can plan and pack meanwhile; `ready` resolves when every
   * helper listens (on failure it rejects and the pool is closed). No kernel may run before it.
   */
  static async launch(core: Core, count: number, spawn: ThreadSpawner): Promise<{ pool: ThreadPool; ready: Promise<void> }> {
    const memory = core.exports.memory;
    if (!core.module || !(memory.buffer instanceof SharedArrayBuffer)) {
      throw new RangeError(`threads: the '${core.flavour}' core has no shared memory; threads need a threaded flavour`);
    }
    const control = new SharedArrayBuffer(Math.max(1, count) * SLOT_INTS * 4);
    const errors: string[] = [];
    const handles: ThreadHandle[] = [];
    const ready: Promise<void>[] = [];
    for (let slot = 0; slot < count; slot++) {
      const handle = await spawn(THREAD_SOURCE);
      handles.push(handle);
      ready.push(new Promise<void>((resolve, reject) => {
        handle.onError((e) => reject(new Error(`threads: helper thread ${slot + 1} failed to start: ${e.message}`)));
        handle.onMessage((message) => {
          if (message === 'ready') {
            handle.unref?.();
            resolve();
          }
          else if (typeof message === 'string' && message.startsWith('failed: ')) reject(new Error(`threads: helper thread ${slot + 1}: ${message.slice(8)}`));
          else errors.push(`helper thread ${slot + 1}: ${String(message)}`);
        });
      }));
      handle.send({ module: core.module, memory, control, slot, kernels: [...THREAD_KERNELS], spinMs: HELPER_SPIN_MS });
    }
    const pool = new ThreadPool(core, handles, control, errors);
    const allReady = Promise.all(ready).then(
      () => {},
      (e: unknown) => {
        pool.close();
        throw e;
      },
    );
    return { pool, ready: allReady };
  }

  /** A pool of `count` helpers on `core` that a finished session handed back (see release), taken from the idle ones. */
  static takeIdle(core: Core, count: number): ThreadPool | undefined {
    const pools = idlePools.get(core);
    const pool = pools?.get(count);
    pools?.delete(count);
    return pool;
  }

  /**
   * Done with the pool: with `keep`, it waits idle for the next session on its core with as many
   * threads (starting threads costs 30-60 ms) unless one waits already or a helper failed; else
   * its threads stop.
   */
  release(keep: boolean): void {
    const pools = idlePools.get(this.core) ?? new Map<number, ThreadPool>();
    if (!keep || this.closed || this.errors.length > 0 || pools.has(this.threads.length)) {
      this.close();
      return;
    }
    pools.set(this.threads.length, this);
    idlePools.set(this.core, pools);
  }

  /** Threads a kernel runs on: the caller and its helpers. */
  get size(): number {
    return this.threads.length + 1;
  }

  /**
   * Wakes sleeping helpers ahead of the work a run is about to give them, so that waking (slow on
   * a virtual machine whose idle vCPU halted) overlaps with the caller's own first steps.
   */
  wake(): void {
    for (let t = 0; t < this.threads.length; t++) {
      const at = t * SLOT_INTS;
      if (Atomics.compareExchange(this.cells, at, IDLE, WOKEN) === IDLE || Atomics.compareExchange(this.cells, at, DONE, WOKEN) === DONE) Atomics.notify(this.cells, at);
    }
  }

  /** Runs `kernel(plan, part, size)` for every part, part 0 on the calling thread; returns when all are done. */
  run(kernel: ThreadKernel, plan: number): void {
    if (this.closed) throw new Error('threads: the pool was closed');
    const parts = this.size;
    const cells = this.cells;
    const id = THREAD_KERNELS.indexOf(kernel);
    for (let t = 0; t < this.threads.length; t++) {
      const at = t * SLOT_INTS;
      cells[at + 1] = id;
      cells[at + 2] = plan;
      cells[at + 3] = t + 1;
      cells[at + 4] = parts;
      Atomics.store(cells, at, TASK);
      Atomics.notify(cells, at);
    }
    this.core.exports[kernel](plan, 0, parts);
    let failed = false;
    for (let t = 0; t < this.threads.length; t++) failed = this.await(t * SLOT_INTS) === FAILED || failed;
    if (failed) throw new Error(`threads: ${kernel} failed on a helper thread${this.errors.length ? `: ${this.errors.join('; ')}` : ''}`);
  }

  private await(at: number): number {
    const cells = this.cells;
    let state = Atomics.load(cells, at);
    for (const until = performance.now() + CALLER_SPIN_MS; state === TASK && performance.now() < until;) {
      for (let i = 0; state === TASK && i < 1000; i++) state = Atomics.load(cells, at);
    }
    while (state === TASK) {
      if (this.canBlock) {
        try {
          Atomics.wait(cells, at, TASK, 1000);
        } catch {
          this.canBlock = false;
        }
      }
      state = Atomics.load(cells, at);
    }
    return state;
  }

  /** Stops the helper threads. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let t = 0; t < this.threads.length; t++) {
      Atomics.store(this.cells, t * SLOT_INTS, EXIT);
      Atomics.notify(this.cells, t * SLOT_INTS);
    }
    for (const thread of this.threads) thread.terminate();
  }
}

/** Spawns Web Workers (browsers, Deno) from a same-origin blob URL, so they may share memory. */
export const webThreadSpawner: ThreadSpawner = async (source) => {
  const url = URL.createObjectURL(new Blob([`const port = self;\n${source}`], { type: 'text/javascript' }));
  const worker = new Worker(url, { type: 'module' });
  return {
    send: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener('message', (e) => listener(e.data)),
    onError: (listener) => worker.addEventListener('error', (e) => listener(new Error(e.message))),
    terminate: () => {
      worker.terminate();
      URL.revokeObjectURL(url);
    },
  };
};
