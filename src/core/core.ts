// The one module that owns the WebAssembly core's memory. Everything else in mapwise asks
// it for buffers and calls kernels through it; nobody else holds a view of wasm memory.
//
// Memory layout: the core's own statics and stack sit at the bottom; every buffer handed
// out here comes from the core's allocator (TLSF) above them, 16-byte aligned.
//
//   0 ─ statics ─ stack ─┬─ heap: [F32Buffer][scratch the kernels allocate][…] ─► grows
//
// A typed-array view is stale once a call grows memory, so views are made on demand from
// `memory.buffer` and never kept across calls into the core.
import { instantiate } from '../../build/mapwise-simd.js';
import { type Flavour, isThreaded, THREADED_MEMORY } from './flavour.js';

export type CoreExports = Awaited<ReturnType<typeof instantiate>>;

/** A float32 array living in wasm memory. Free it with `core.free`. */
export interface F32Buffer {
  readonly ptr: number;
  readonly length: number;
}

export class Core {
  constructor(
    readonly flavour: Flavour,
    readonly exports: CoreExports,
    /** The compiled module: helper threads of a threaded flavour instantiate it over the same memory. */
    readonly module?: WebAssembly.Module,
  ) {}

  static async instantiate(flavour: Flavour, module: WebAssembly.Module): Promise<Core> {
    if (!isThreaded(flavour)) return new Core(flavour, await instantiate(module, { env: {} }));
    // A threaded build imports a shared memory and exports its start function, which only this,
    // the owning instance, runs: helper threads' instances must not initialise the allocator again.
    const memory = new WebAssembly.Memory({ ...THREADED_MEMORY, shared: true });
    const exports = await instantiate(module, { env: { memory } });
    (exports as unknown as { _start(): void })._start();
    return new Core(flavour, exports, module);
  }

  /** True when this build fuses multiply-add (relaxed SIMD). */
  get fusedMultiplyAdd(): boolean {
    return this.exports.relaxedSimd() === 1;
  }

  allocF32(length: number): F32Buffer {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`buffer length must be a non-negative integer, got ${length}`);
    const ptr = this.exports.alloc(Math.max(length, 1) * 4);
    return { ptr, length };
  }

  /** A buffer holding a copy of `data`. */
  f32From(data: ArrayLike<number>): F32Buffer {
    const buffer = this.allocF32(data.length);
    this.view(buffer).set(data);
    return buffer;
  }

  /** A buffer holding little-endian float32 `bytes`, which may sit at any offset of their buffer. */
  f32FromBytes(bytes: Uint8Array): F32Buffer {
    const buffer = this.allocF32(bytes.length >> 2);
    new Uint8Array(this.exports.memory.buffer, buffer.ptr, bytes.length).set(bytes);
    return buffer;
  }

  /** A fresh view; do not keep it across calls into the core. */
  view(buffer: F32Buffer): Float32Array {
    return new Float32Array(this.exports.memory.buffer, buffer.ptr, buffer.length);
  }

  /** A copy of the buffer's contents, safe to keep. */
  read(buffer: F32Buffer): Float32Array {
    return this.view(buffer).slice();
  }

  free(...buffers: F32Buffer[]): void {
    for (const buffer of buffers) this.exports.free(buffer.ptr);
  }

  /** Bytes of wasm memory in use, to check that work does not leak. */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** C[m×n] = A[m×k] · B[k×n], row-major, on buffers already in wasm memory. */
  gemmInto(a: F32Buffer, b: F32Buffer, c: F32Buffer, m: number, n: number, k: number): void {
    checkGemmShape(a, b, c, m, n, k);
    this.exports.gemm(a.ptr, b.ptr, c.ptr, m, n, k);
  }

  /** C = A · B on plain arrays: copies in, runs the core's GEMM, copies out. */
  gemm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number): Float32Array {
    checkDims(m, n, k);
    const ab = this.f32From(a);
    const bb = this.f32From(b);
    const cb = this.allocF32(m * n);
    try {
      this.gemmInto(ab, bb, cb, m, n, k);
      return this.read(cb);
    } finally {
      this.free(ab, bb, cb);
    }
  }
}

function checkDims(m: number, n: number, k: number): void {
  for (const [name, value] of [['m', m], ['n', n], ['k', k]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`gemm: ${name} must be a non-negative integer, got ${value}`);
  }
}

function checkGemmShape(a: F32Buffer, b: F32Buffer, c: F32Buffer, m: number, n: number, k: number): void {
  checkDims(m, n, k);
  if (a.length < m * k) throw new RangeError(`gemm: A holds ${a.length} floats, m×k needs ${m * k}`);
  if (b.length < k * n) throw new RangeError(`gemm: B holds ${b.length} floats, k×n needs ${k * n}`);
  if (c.length < m * n) throw new RangeError(`gemm: C holds ${c.length} floats, m×n needs ${m * n}`);
}

/** Allocates blocks of the given byte sizes in the core, runs fn with their addresses, frees them. */
export function withBlocks<T, N extends number[]>(core: Core, bytes: [...N], fn: (ptrs: { [K in keyof N]: number }) => T): T {
  const ptrs = bytes.map((b) => core.exports.alloc(Math.max(b, 8)));
  try {
    return fn(ptrs as { [K in keyof N]: number });
  } finally {
    for (const p of ptrs) core.exports.free(p);
  }
}
