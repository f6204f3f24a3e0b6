// A growing f64 log in wasm memory (the DRAM trace logs of a logged run: systolic.ts, ramulator.ts).
export class Log {
  ptr: usize = 0; len: i32 = 0; cap: i32 = 0;

  push(v: f64): void {
    if (this.len == this.cap) {
      const cap = max(64, this.cap * 2);
      const next = heap.alloc(<usize>cap << 3);
      if (this.len > 0) memory.copy(next, this.ptr, <usize>this.len << 3);
      if (this.cap > 0) heap.free(this.ptr);
      this.ptr = next;
      this.cap = cap;
    }
    store<f64>(this.ptr + (<usize>this.len << 3), v);
    this.len++;
  }

  clear(): void {
    if (this.cap > 0) heap.free(this.ptr);
    this.ptr = 0; this.len = 0; this.cap = 0;
  }
}
