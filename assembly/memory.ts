// Raw byte allocation for the TypeScript side. Buffers handed out here are unmanaged
// (no GC header), so the host owns their lifetime and must call `free`.

export function alloc(bytes: usize): usize {
  // 16-byte alignment lets v128 loads and stores hit whole cache-line halves.
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}

/** 1 when this build fuses multiply-add (relaxed SIMD), 0 for the plain SIMD128 build. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
