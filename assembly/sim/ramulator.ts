// SCALE-Sim v3's DRAM ports with UseRamulatorTrace (scalesim/memory/read_port.py and write_port.py
// at fab89b7), fed the per-request latencies v3 loads from Ramulator's .npy files. Each request line
// of a prefetch or a drain takes its port's next latency (past the array's end, or above 10000
// cycles: the port's default, 1 for reads and 0 for writes) and returns at its request cycle + the
// batch's stall so far + that latency. Returns wait in a request queue of ReadRequestBuffer or
// WriteRequestBuffer entries; once it is full, the earliest return is compared with the request
// (+ stall): a later one stalls the rest of the batch by the difference and leaves the queue, an
// earlier one leaves with every return before the request. The queue lasts the layer, the stall one
// batch. Only the minimum and removals below a bound matter, so the queue is a binary min-heap.

import { Log } from './log';

/** v3 takes the port's default for latencies above this (find_latency). */
const LATENCY_CUTOFF: f64 = 10000;

export class RamulatorPort {
  on: bool = false;
  private latencies: usize = 0;
  private length: i32 = 0;
  private next: i32 = 0;
  private fallback: f64 = 0;
  private capacity: f64 = 0;
  private heap: usize = 0;
  private size: i32 = 0;
  private heapCap: i32 = 0;
  /** The earliest and latest return so far. */
  first: f64 = Infinity;
  last: f64 = -Infinity;
  /** The most words returning in one cycle (mapwise's maxDramBandwidth). */
  peak: f64 = 0;
  private words: Map<f64, f64> = new Map<f64, f64>();
  /** A logged run's log of every request line's return, in request order (v3's DRAM trace cycles). */
  returns: Log | null = null;

  setup(latencies: usize, length: i32, fallback: f64, capacity: f64): void {
    this.on = true;
    this.latencies = latencies; this.length = length;
    this.fallback = fallback; this.capacity = capacity;
  }

  /** A new layer: its first latency next, the queue empty. */
  rewind(): void {
    this.next = 0;
    this.size = 0;
    this.first = Infinity; this.last = -Infinity; this.peak = 0;
    this.words.clear();
  }

  off(): void {
    this.on = false;
    this.words.clear();
  }

  private latency(): f64 {
    let x = this.fallback;
    if (this.next < this.length) x = load<f64>(this.latencies + (<usize>(this.next++) << 3));
    return x > LATENCY_CUTOFF ? this.fallback : x;
  }

  /**
   * Serves `lines` request lines issued one a cycle from `start`, each moving `words` words but the
   * last, which moves `lastWords`; returns the latest of their returns.
   */
  serve(start: f64, lines: i32, words: f64, lastWords: f64): f64 {
    let stall: f64 = 0, latest = -Infinity;
    for (let i = 0; i < lines; i++) {
      const request = start + <f64>i;
      const back = request + stall + this.latency();
      this.push(back);
      if (<f64>this.size == this.capacity) {
        const now = request + stall;
        const earliest = this.top();
        if (earliest >= now) {
          stall += earliest - now;
          this.pop();
        } else {
          while (this.size > 0 && this.top() < now) this.pop();
        }
      }
      latest = max(latest, back);
      const log = this.returns;
      if (log) log.push(back);
      this.first = min(this.first, back);
      this.last = max(this.last, back);
      const moved = (this.words.has(back) ? this.words.get(back) : 0) + (i == lines - 1 ? lastWords : words);
      this.words.set(back, moved);
      this.peak = max(this.peak, moved);
    }
    return latest;
  }

  @inline private at(i: i32): f64 {
    return load<f64>(this.heap + (<usize>i << 3));
  }

  @inline private put(i: i32, v: f64): void {
    store<f64>(this.heap + (<usize>i << 3), v);
  }

  @inline private top(): f64 {
    return this.at(0);
  }

  private push(v: f64): void {
    if (this.size == this.heapCap) {
      const cap = max(64, this.heapCap * 2);
      const grown = heap.alloc(<usize>cap << 3);
      if (this.heapCap > 0) {
        memory.copy(grown, this.heap, <usize>this.size << 3);
        heap.free(this.heap);
      }
      this.heap = grown; this.heapCap = cap;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at(parent) <= v) break;
      this.put(i, this.at(parent));
      i = parent;
    }
    this.put(i, v);
  }

  private pop(): void {
    const v = this.at(--this.size);
    let i = 0;
    while (true) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.at(child + 1) < this.at(child)) child++;
      if (this.at(child) >= v) break;
      this.put(i, this.at(child));
      i = child;
    }
    if (this.size > 0) this.put(i, v);
  }
}

export const ramulatorIfmap = new RamulatorPort();
export const ramulatorFilter = new RamulatorPort();
export const ramulatorOfmap = new RamulatorPort();

/**
 * Turns the Ramulator ports on for the next simLayer calls (0: off). `spec` holds f64s:
 * [ReadRequestBuffer, WriteRequestBuffer, ifmap count, filter count, ofmap count, then the ifmap's,
 * the filter's and the ofmap's latencies], and must stay allocated while they run.
 */
export function simRamulator(spec: usize): void {
  if (spec == 0) {
    ramulatorIfmap.off(); ramulatorFilter.off(); ramulatorOfmap.off();
    return;
  }
  const readQueue = load<f64>(spec), writeQueue = load<f64>(spec + 8);
  const nI = <i32>load<f64>(spec + 16), nF = <i32>load<f64>(spec + 24), nO = <i32>load<f64>(spec + 32);
  const data = spec + 40;
  ramulatorIfmap.setup(data, nI, 1, readQueue);
  ramulatorFilter.setup(data + (<usize>nI << 3), nF, 1, readQueue);
  ramulatorOfmap.setup(data + (<usize>(nI + nF) << 3), nO, 0, writeQueue);
}

/** At the start of a layer: each port from its first latency, its queue empty. */
export function rewindRamulator(): void {
  ramulatorIfmap.rewind(); ramulatorFilter.rewind(); ramulatorOfmap.rewind();
}
