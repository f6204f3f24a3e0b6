// A systolic-array layer simulator that reports what SCALE-Sim v2 (commit 22f88b1) reports, or v3
// (commit fab89b7: its USER-mode stall rule and read rates, its DRAM OFMAP stop, its Ramulator-paced
// DRAM ports: ramulator.ts), without materialising its per-cycle demand matrices.
//
// SCALE-Sim runs a layer as a pipeline: operand addresses → per-dataflow demand lines (one line per
// cycle, folds strictly one after another) → double-buffered scratchpads → reports. Here:
//   * cycles, utilisations and SRAM counts are closed forms over folds;
//   * the ofmap write buffer (the only source of stalls in CALC mode) is walked line by line, but
//     only over the lines of each fold that carry outputs, with whole runs of words per step;
//   * the ifmap and filter DRAM read counts come from SCALE-Sim's "flush when full" prefetch cache
//     (read_buffer_estimate_bw.py): closed form when the operand's distinct words fit in the
//     cache, else a walk of the demand addresses in SCALE-Sim's order over a mark array the size
//     of the operand.
// Memory per layer is O(operand size + folds), never O(cycles).
//
// Every fold of every operand is one "block" of P rows × width columns placed after `prefix`
// empty lines, either skewed (column q delayed q lines) or flat. Row p, column q of the block holds
// operand coordinates (a, b) = (a0 + ap·p + aq·q, b0 + bp·p + bq·q): (m, k) for the ifmap, (k, n)
// for the filter, (m, n) for the ofmap. Rows below pLo and columns from qHi on are padding (-1).

// Dataflows, result slots (F_*) and trace logs (LOG_*) come from the definition both sides share
// (scripts/gen-shared.js); the "+ operand" slots hold ifmap, filter, ofmap in turn.
import {
  DF_IS, DF_OS, DF_WS, F_COMPUTE_UTIL, F_DRAM_PEAK, F_DRAM_READS_FILTER, F_DRAM_READS_IFMAP, F_DRAM_START, F_DRAM_STOP,
  F_DRAM_WRITES_OFMAP, F_FOLDS, F_LINES, F_MACS, F_MAPPING_EFF, F_OVERALL_UTIL, F_SRAM_READS_FILTER, F_SRAM_READS_IFMAP,
  F_SRAM_START, F_SRAM_STOP, F_SRAM_WRITES_OFMAP, F_STALL, F_TOTAL, LOG_DRAIN_LINES, LOG_DRAIN_STARTS, LOG_FILTER_FLUSHES,
  LOG_FILTER_INSERTS, LOG_IFMAP_FLUSHES, LOG_IFMAP_INSERTS, LOG_KINDS, LOG_OFMAP_CLOSES, LOG_RETURNS, LOG_SERVED, SIM_FIELD_COUNT,
} from '../generated/shared';

const OP_IFMAP: i32 = 0;
const OP_FILTER: i32 = 1;
const OP_OFMAP: i32 = 2;

// F_DRAM_PEAK + operand: maximum DRAM bandwidth demand, the most words the operand's DRAM trace moves in one
// cycle, counted as SCALE-Sim counts its DRAM reads and writes (so the words summed over all cycles
// are the DRAM reads or writes; for reads the peak is never below the average of BANDWIDTH_REPORT.csv,
// while its ofmap average can exceed the peak: it divides by the span up to the end of the LAST
// drain, which can end before an earlier one that it overlaps):
//   * CALC reads: each prefetch of a 50-set window is spread evenly over the cycles between the
//     two flushes before it (the first at 10 words per cycle), so the peak is the fastest such
//     rate, ceil(window words / cycles): the interface bandwidth SCALE-Sim's CALC schedule needs;
//   * USER reads: every prefetch line moves Bandwidth words (padding counted), so the peak is the
//     configured Bandwidth, and the stall cycles tell whether it suffices (with Ramulator's
//     latencies, lines returning in one cycle add up);
//   * ofmap writes: a drain moves one line of ArrayWidth (CALC) or Bandwidth (USER) words per cycle,
//     its last line counted without padding; drains that meet in a cycle add up.

import { RamulatorPort, ramulatorFilter, ramulatorIfmap, ramulatorOfmap, rewindRamulator } from './ramulator';
import { Log } from './log';

export function simFieldCount(): i32 {
  return SIM_FIELD_COUNT;
}

// ---- layer geometry (set once per call) ----------------------------------------------------------

let R: i32 = 0, C: i32 = 0, DF: i32 = 0;
let H: i32 = 0, W: i32 = 0, FH: i32 = 0, FW: i32 = 0, CH: i32 = 0, NF: i32 = 0, SH: i32 = 0, SW: i32 = 0;
let OH: i32 = 0, OW: i32 = 0, M: i32 = 0, N: i32 = 0, K: i32 = 0;
// SCALE-Sim v3's layer-wise N:M sparsity keeps window element k iff k mod SPARSE_M < SPARSE_N: K counts
// the kept ones (the operands' shared dimension), K_DENSE all of them (the MACs). The condensed
// filter's addresses are numbered n·K + k here: only their equality matters to the figures.
let SPARSE_N: i32 = 1, SPARSE_M: i32 = 1, K_DENSE: i32 = 0, IFMAP_DISTINCT: f64 = 0;
// v3's row-wise N:M (WS only): filter column n keeps N_n of every RW_B rows and every 2·RW_B rows
// condense to RW_B (fAddr: the address of condensed (k, n), -1 for padding), so K counts the
// condensed rows while the ifmap keeps all KI = K_DENSE columns; a fold streams 2R of them, each
// RW_B-wide block fanned out to RW_B/2 array rows (rwLine). Otherwise KI = K.
let ROW_WISE: bool = false, RW_B: i32 = 0, KI: i32 = 0, fAddr: usize = 0, rwBuf: usize = 0;
let FILTER_SPACE: f64 = 0, FILTER_DISTINCT: f64 = 0;

// A negative base offset puts the words below FLOOR_* (addresses here, without the offset) on
// negative addresses. v3 (fab89b7) takes the one on -1 (HOLE_*, -1 for none) for its padding
// marker and never fetches, demands or writes it; its CALC read buffers take the first demand line
// holding an address above -1 for the first request. simLayer sets them, setupLayer clears them.
let FLOOR_I: i32 = 0, FLOOR_F: i32 = 0, HOLE_I: i32 = -1, HOLE_F: i32 = -1, HOLE_O: i32 = -1;

@inline function unholed(addr: i32, hole: i32): i32 {
  return addr == hole ? -1 : addr;
}

@inline function filterAddr(k: i32, n: i32): i32 {
  return ROW_WISE ? load<i32>(fAddr + ((<usize>k * <usize>N + <usize>n) << 2)) : unholed(n * K + k, HOLE_F);
}
// CALC mode's DRAM rates: the first prefetch window's (SCALE-Sim: 10 words per cycle) and the ofmap
// drain's (SCALE-Sim: ArrayWidth); krittika passes its per-core interface bandwidths instead.
let CALC_IFMAP_BW: i32 = 10, CALC_FILTER_BW: i32 = 10, CALC_OFMAP_BW: i32 = 0;
let SR: i32 = 0, SC: i32 = 0, T: i32 = 0, ROW_FOLDS: i32 = 0, COL_FOLDS: i32 = 0, FOLD_LEN: i32 = 0;

// Per-m and per-k parts of an ifmap address (operand_matrix.py): valid iff
// mRow[m] + kRow[k] < H and mCol[m] + kCol[k] < W; address = mBase[m] + kOff[k].
let mRow: usize = 0, mCol: usize = 0, mBase: usize = 0, kRow: usize = 0, kCol: usize = 0, kOff: usize = 0;

@inline function ld(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}

@inline function ifmapAddr(m: i32, k: i32): i32 {
  if (ld(mRow, m) + ld(kRow, k) >= H || ld(mCol, m) + ld(kCol, k) >= W) return -1;
  return unholed(ld(mBase, m) + ld(kOff, k), HOLE_I);
}

// ---- blocks -------------------------------------------------------------------------------------

let bP: i32 = 0, bPLo: i32 = 0, bQHi: i32 = 0, bPrefix: i32 = 0, bSkew: bool = false;
let bA0: i32 = 0, bAp: i32 = 0, bAq: i32 = 0, bB0: i32 = 0, bBp: i32 = 0, bBq: i32 = 0;

/** Rows (of Sr) and columns (of Sc) fold (fc, fr) uses. */
@inline function rowsUsed(fr: i32): i32 { return min(R, SR - fr * R); }
@inline function colsUsed(fc: i32): i32 { return min(C, SC - fc * C); }

/** Sets the b* block globals for one operand of fold (fc, fr) — systolic_compute_{os,ws,is}.py. */
function setBlock(op: i32, fc: i32, fr: i32): void {
  const ru = rowsUsed(fr);
  const cu = colsUsed(fc);
  bA0 = 0; bAp = 0; bAq = 0; bB0 = 0; bBp = 0; bBq = 0; bPLo = 0;
  if (DF == DF_OS) {
    if (op == OP_IFMAP) { // (m, k) = (fr·R + q, p)
      bP = T; bQHi = ru; bPrefix = 0; bSkew = true; bA0 = fr * R; bAq = 1; bBp = 1;
    } else if (op == OP_FILTER) { // (k, n) = (p, fc·C + q)
      bP = T; bQHi = cu; bPrefix = 0; bSkew = true; bAp = 1; bB0 = fc * C; bBq = 1;
    } else { // (m, n) = (fr·R + R−1−p, fc·C + q), rows flipped: outputs leave at the bottom edge
      bP = R; bPLo = R - ru; bQHi = cu; bPrefix = T - 1; bSkew = true;
      bA0 = fr * R + R - 1; bAp = -1; bB0 = fc * C; bBq = 1;
    }
  } else if (DF == DF_WS) {
    if (op == OP_IFMAP) { // (m, k) = (p, fr·R + q) after an R-line weight-load prefix
      bP = T; bQHi = ru; bPrefix = R; bSkew = true; bAp = 1; bB0 = fr * R; bBq = 1;
    } else if (op == OP_FILTER) { // (k, n) = (fr·R + R−1−p, fc·C + q), loaded flat and flipped
      bP = R; bPLo = R - ru; bQHi = cu; bPrefix = 0; bSkew = false;
      bA0 = fr * R + R - 1; bAp = -1; bB0 = fc * C; bBq = 1;
    } else { // (m, n) = (p, fc·C + q) after 2R−1 lines
      bP = T; bQHi = cu; bPrefix = 2 * R - 1; bSkew = true; bAp = 1; bB0 = fc * C; bBq = 1;
    }
  } else {
    if (op == OP_IFMAP) { // (m, k) = (fc·C + q, fr·R + R−1−p), loaded flat and flipped
      bP = R; bPLo = R - ru; bQHi = cu; bPrefix = 0; bSkew = false;
      bA0 = fc * C; bAq = 1; bB0 = fr * R + R - 1; bBp = -1;
    } else if (op == OP_FILTER) { // (k, n) = (fr·R + q, p) after R lines
      bP = T; bQHi = ru; bPrefix = R; bSkew = true; bA0 = fr * R; bAq = 1; bBp = 1;
    } else { // (m, n) = (fc·C + q, p) after 2R−1 lines
      bP = T; bQHi = cu; bPrefix = 2 * R - 1; bSkew = true; bA0 = fc * C; bAq = 1; bBp = 1;
    }
  }
}

/** A saved block, so the USER-mode walk can hold all three operands of a fold at once. */
class Block {
  p: i32 = 0; pLo: i32 = 0; qHi: i32 = 0; prefix: i32 = 0; skew: bool = false;
  a0: i32 = 0; ap: i32 = 0; aq: i32 = 0; b0: i32 = 0; bp: i32 = 0; bq: i32 = 0;
}

function saveBlock(d: Block): void {
  d.p = bP; d.pLo = bPLo; d.qHi = bQHi; d.prefix = bPrefix; d.skew = bSkew;
  d.a0 = bA0; d.ap = bAp; d.aq = bAq; d.b0 = bB0; d.bp = bBp; d.bq = bBq;
}

function loadBlock(s: Block): void {
  bP = s.p; bPLo = s.pLo; bQHi = s.qHi; bPrefix = s.prefix; bSkew = s.skew;
  bA0 = s.a0; bAp = s.ap; bAq = s.aq; bB0 = s.b0; bBp = s.bp; bBq = s.bq;
}

/** First and last line (within the fold) that holds block entries, before validity of addresses. */
@inline function blockFirstLine(): i32 { return bPrefix + bPLo; }
@inline function blockLastLine(): i32 { return bSkew ? bPrefix + bP - 1 + bQHi - 1 : bPrefix + bP - 1; }
@inline function lineQLo(l: i32): i32 { return bSkew ? max(0, l - bPrefix - (bP - 1)) : 0; }
@inline function lineQHi(l: i32): i32 { return bSkew ? min(bQHi - 1, l - bPrefix - bPLo) : bQHi - 1; }

/** The line of the loaded ofmap block that holds the ofmap hole (HOLE_O), else -1: each of m and n follows one of p and q. */
function ofmapHoleLine(): i32 {
  if (HOLE_O < 0) return -1;
  const m = HOLE_O / N, n = HOLE_O % N;
  const p = bAp != 0 ? (m - bA0) / bAp : (n - bB0) / bBp;
  const q = bAq != 0 ? (m - bA0) / bAq : (n - bB0) / bBq;
  if (p < bPLo || p >= bP || q < 0 || q >= bQHi || bA0 + bAp * p + bAq * q != m || bB0 + bBp * p + bBq * q != n) return -1;
  return bSkew ? bPrefix + p + q : bPrefix + p;
}

/** Address of block entry (p, q) for a read operand; -1 for the ceil rule's off-edge windows. */
@inline function readAddr(op: i32, p: i32, q: i32): i32 {
  const a = bA0 + bAp * p + bAq * q;
  const b = bB0 + bBp * p + bBq * q;
  return op == OP_IFMAP ? ifmapAddr(a, b) : filterAddr(a, b);
}

/** Whether line l of the loaded block holds a valid address of `op` (of a read operand, at least `floor`). */
function lineHasValid(op: i32, l: i32, floor: i32 = 0): bool {
  const qa = lineQLo(l);
  const qb = lineQHi(l);
  for (let q = qa; q <= qb; q++) {
    const p = bSkew ? l - bPrefix - q : l - bPrefix;
    if (op == OP_OFMAP) return true;
    const addr = readAddr(op, p, q);
    if (addr >= 0 && (op == OP_IFMAP ? addr : realFilterAddr(addr)) >= floor) return true;
  }
  return false;
}

/** Global line index of the first (or last) demand line holding a valid address of `op` (at least `floor`); -1 if none. */
function firstValidLine(op: i32, floor: i32 = 0): f64 {
  for (let fc = 0; fc < COL_FOLDS; fc++) {
    for (let fr = 0; fr < ROW_FOLDS; fr++) {
      setBlock(op, fc, fr);
      const base = (<f64>fc * <f64>ROW_FOLDS + <f64>fr) * <f64>FOLD_LEN;
      if (ROW_WISE && op == OP_IFMAP) {
        for (let l = R; l < 2 * R + T - 1; l++) if (rwLineHasValid(fr, l, floor)) return base + <f64>l;
        continue;
      }
      const last = blockLastLine();
      for (let l = blockFirstLine(); l <= last; l++) if (lineHasValid(op, l, floor)) return base + <f64>l;
    }
  }
  return -1;
}

function lastValidLine(op: i32): f64 {
  for (let fc = COL_FOLDS - 1; fc >= 0; fc--) {
    for (let fr = ROW_FOLDS - 1; fr >= 0; fr--) {
      setBlock(op, fc, fr);
      const base = (<f64>fc * <f64>ROW_FOLDS + <f64>fr) * <f64>FOLD_LEN;
      if (ROW_WISE && op == OP_IFMAP) {
        for (let l = 2 * R + T - 2; l >= R; l--) if (rwLineHasValid(fr, l)) return base + <f64>l;
        continue;
      }
      const first = blockFirstLine();
      for (let l = blockLastLine(); l >= first; l--) if (lineHasValid(op, l)) return base + <f64>l;
    }
  }
  return -1;
}

// ---- stalls: the cycle a line is issued at --------------------------------------------------------
// Line i is issued at i + (stalls of lines before i). Stalls are rare, so they are kept as a list of
// (line, stalls accumulated after that line) pairs, read back in line order by the read walks.

let stallLines: usize = 0, stallTotals: usize = 0, stallCount: i32 = 0, stallCap: i32 = 0;
let stallCursor: i32 = 0;

function recordStall(line: f64, total: f64): void {
  if (stallCount == stallCap) {
    const cap = max(16, stallCap * 2);
    const nl = heap.alloc(<usize>cap << 3);
    const nt = heap.alloc(<usize>cap << 3);
    if (stallCount > 0) {
      memory.copy(nl, stallLines, <usize>stallCount << 3);
      memory.copy(nt, stallTotals, <usize>stallCount << 3);
      heap.free(stallLines);
      heap.free(stallTotals);
    }
    stallLines = nl; stallTotals = nt; stallCap = cap;
  }
  store<f64>(stallLines + (<usize>stallCount << 3), line);
  store<f64>(stallTotals + (<usize>stallCount << 3), total);
  stallCount++;
}

/** Issue cycle of `line`; lines must be asked in non-decreasing order between resets of stallCursor. */
@inline function issueCycle(line: f64): f64 {
  while (stallCursor < stallCount && load<f64>(stallLines + (<usize>stallCursor << 3)) < line) stallCursor++;
  return stallCursor == 0 ? line : line + load<f64>(stallTotals + (<usize>(stallCursor - 1) << 3));
}

// ---- DRAM trace logs (trace mode only) -------------------------------------------------------------
// With logging on, a layer run records what the DRAM traces are built from (src/sim/trace.ts): the
// addresses each read buffer inserts into its sets in order, its flush cycles, the ofmap word
// counts at which a partial line was closed, each drain's start cycle and line count, and in USER
// mode the service cycle of every demand line and (with Ramulator's latencies) each port's return
// cycle of every request line. The read operands are then walked plainly (no
// shortcuts), so this is for small layers only.

const logs = new StaticArray<Log>(LOG_KINDS);
for (let i = 0; i < LOG_KINDS; i++) logs[i] = new Log();
let logging = false;
const ports = [ramulatorIfmap, ramulatorFilter, ramulatorOfmap];
let wStored: f64 = 0; // ofmap words staged so far (logging only)

/** Turns DRAM trace logging on (1) or off (0); either way the logs are emptied. */
export function simDramLog(on: i32): void {
  logging = on != 0;
  for (let i = 0; i < LOG_KINDS; i++) logs[i].clear();
  for (let op = 0; op < 3; op++) ports[op].returns = logging ? logs[LOG_RETURNS + op] : null;
}

export function simDramLogLength(kind: i32): i32 {
  return logs[kind].len;
}

/** Address of the log's f64 entries (valid until the next run or simDramLog). */
export function simDramLogData(kind: i32): usize {
  return logs[kind].ptr;
}

// ---- ofmap: write_buffer.py ----------------------------------------------------------------------
// Words are staged into lines of `bw`; once free space drops below the active half, the current
// partial line is closed (padded with -1) and the next ceil(drain/bw) lines drain, one per cycle.
// A drain counts every word of its lines except the padding of its LAST line, so padding of a
// closed partial line in the middle of a drain is counted as written (SCALE-Sim's phantom words).

let wTotal: f64 = 0, wActive: f64 = 0, wDrainSize: f64 = 0, wBw: i32 = 0, wDrainLines: f64 = 0;
let wFree: f64 = 0, wLineIdx: i32 = 0, wLines: f64 = 0, wDrainStart: f64 = 0, wDrainEnd: f64 = 0;
let wAccess: f64 = 0, wFirstDrain: f64 = 0, wLastDrainEnd: f64 = 0, wMaxDrainEnd: f64 = 0, wDrained: bool = false;
// Queue of closed partial lines not yet drained: line id and padding.
let pqLine: usize = 0, pqPad: usize = 0, pqHead: i32 = 0, pqTail: i32 = 0, pqCap: i32 = 0;

function pqPush(line: f64, pad: i32): void {
  if (pqTail == pqCap) {
    const live = pqTail - pqHead;
    const cap = max(16, live * 2);
    const nl = heap.alloc(<usize>cap << 3);
    const np = heap.alloc(<usize>cap << 2);
    if (live > 0) {
      memory.copy(nl, pqLine + (<usize>pqHead << 3), <usize>live << 3);
      memory.copy(np, pqPad + (<usize>pqHead << 2), <usize>live << 2);
    }
    if (pqCap > 0) { heap.free(pqLine); heap.free(pqPad); }
    pqLine = nl; pqPad = np; pqHead = 0; pqTail = live; pqCap = cap;
  }
  store<f64>(pqLine + (<usize>pqTail << 3), line);
  store<i32>(pqPad + (<usize>pqTail << 2), pad);
  pqTail++;
}

@inline function storeWords(n: i32): void {
  const filled = wLineIdx + n;
  wLines += <f64>(filled / wBw);
  wLineIdx = filled % wBw;
  wFree -= <f64>n;
  if (logging) wStored += <f64>n;
}

function closePartialLine(): void {
  if (wLineIdx == 0) return;
  if (logging) logs[LOG_OFMAP_CLOSES].push(wStored);
  pqPush(wLines, wBw - wLineIdx);
  wLines += 1;
  wLineIdx = 0;
}

// Peak words per cycle of the ofmap DRAM trace (see F_DRAM_PEAK): a drain moves wBw words in each
// of its cycles but the last, which moves what is counted of its last line. A drain starts no
// earlier than the previous one; it can overlap the previous drain's last cycle, and the first
// drain after the compute can overlap the whole tail of the last one, so a cycle sums at most
// three drains: the two previous ones are kept.
let dPeak: f64 = 0;
let d1Start: f64 = 0, d1End: f64 = -1, d1Last: f64 = 0, d2Start: f64 = 0, d2End: f64 = -1, d2Last: f64 = 0;

@inline function drainWordsAt(s: f64, e: f64, last: f64, c: f64): f64 {
  return c < s || c > e ? 0 : c == e ? last : <f64>wBw;
}

@inline function drainTotalAt(s: f64, e: f64, last: f64, c: f64): f64 {
  return s <= c && c <= e ? drainWordsAt(s, e, last, c) + drainWordsAt(d1Start, d1End, d1Last, c) + drainWordsAt(d2Start, d2End, d2Last, c) : 0;
}

function noteDrainPeak(s: f64, e: f64, last: f64): void {
  // The sum is constant between the breakpoints: s, each previous drain's last cycle and the cycle after it, and e.
  let best = max(e > s ? <f64>wBw : 0, last);
  best = max(best, drainTotalAt(s, e, last, s));
  best = max(best, drainTotalAt(s, e, last, e));
  best = max(best, drainTotalAt(s, e, last, d1End));
  best = max(best, drainTotalAt(s, e, last, d1End + 1));
  best = max(best, drainTotalAt(s, e, last, d2End));
  best = max(best, drainTotalAt(s, e, last, d2End + 1));
  dPeak = max(dPeak, best);
  d2Start = d1Start; d2End = d1End; d2Last = d1Last;
  d1Start = s; d1End = e; d1Last = last;
}

/** Drains from `start`; returns the cycle of the last drained line. */
function drain(start: f64): f64 {
  const count = min(wDrainLines, wLines - wDrainStart);
  const lastLine = wDrainStart + count - 1;
  let data = count * <f64>wBw;
  while (pqHead < pqTail && load<f64>(pqLine + (<usize>pqHead << 3)) <= lastLine) {
    if (load<f64>(pqLine + (<usize>pqHead << 3)) == lastLine) data -= <f64>load<i32>(pqPad + (<usize>pqHead << 2));
    pqHead++;
  }
  wAccess += data;
  wFree += data;
  const lastWords = data - (count - 1) * <f64>wBw;
  // with Ramulator's latencies, the drain ends when its latest line returns
  const end = ramulatorOfmap.on ? ramulatorOfmap.serve(start, <i32>count, <f64>wBw, lastWords) : start + count - 1;
  noteDrainPeak(start, start + count - 1, lastWords);
  if (logging) { logs[LOG_DRAIN_STARTS].push(start); logs[LOG_DRAIN_LINES].push(count); }
  if (!wDrained) { wFirstDrain = start; wDrained = true; }
  wLastDrainEnd = end;
  wMaxDrainEnd = max(wMaxDrainEnd, wLastDrainEnd);
  wDrainStart += count;
  return end;
}

/** One demand line carrying `v` ofmap words, issued at `cycle`; returns its service cycle. */
function writeLine(v: i32, cycle: f64): f64 {
  let current = cycle;
  while (v > 0) {
    if (current < wDrainEnd) {
      // Words pile up while a drain runs; the array stalls when the buffer is full.
      const n = <i32>min(<f64>v, max(wFree, 1));
      storeWords(n);
      v -= n;
      if (!(wFree > 0)) current = wDrainEnd;
    } else {
      const n = <i32>min(<f64>v, max(wFree - wActive + 1, 1));
      storeWords(n);
      v -= n;
      if (wFree < wActive) {
        closePartialLine();
        wDrainEnd = drain(current);
      }
    }
  }
  return current;
}

// ---- ifmap and filter: read_buffer_estimate_bw.py ------------------------------------------------
// Its sets of floor(words/100) distinct addresses fill a 50-set window; when the window is full it
// is forgotten whole (the next window starts empty). DRAM reads = words inserted into sets.

// The mark array (one i32 per operand word) and the gap arrays are allocated on first use: the
// closed-form paths never touch them, and for a large operand (VGG's fc6 filter: 100 M words)
// they would cost more than the whole simulation.
// Marks are one byte (the window's epoch, 1..255) to keep the array in cache; after 255 windows
// the array is cleared and the epochs start again.
let mark: usize = 0, markSpace: f64 = 0;

function ensureMark(): void {
  if (mark != 0) return;
  mark = heap.alloc(<usize>markSpace);
  memory.fill(mark, 0, <usize>markSpace);
}

/** Forgets the window: a new epoch, clearing the marks when the byte would wrap. */
function nextEpoch(): void {
  epoch++;
  if (epoch > 255) {
    if (mark != 0) memory.fill(mark, 0, <usize>markSpace);
    epoch = 1;
  }
}
let epoch: i32 = 0, inChunk: f64 = 0, cap: f64 = 0, inserted: f64 = 0, flushes: f64 = 0, lastFlushCycle: f64 = 0;
let position: f64 = 0, lastFlushPosition: f64 = 0; // valid addresses seen in the current pass
// v3's first request: the first line demanding an address above -1 (-1: none), and its issue cycle;
// a window that fills before it places the first prefetch as if it came at cycle 0
let firstRequestLine: f64 = 0, firstRequest: f64 = 0;

// Flush cycles c_1 … c_n, for the peak of the DRAM trace (F_DRAM_PEAK). With c_0 = (first demand
// cycle) − 2, the prefetch at flush j ≥ 2 moves one full window over the cycles (c_{j−2}, c_{j−1}],
// and the final prefetch moves what is left over (c_{n−1}, c_n]: every interval but the last
// carries a full window, so only the shortest of those and the last one are kept.
let flushPrev: f64 = 0, flushLastGap: f64 = -1, flushMinFullGap: f64 = Infinity;

function noteFlush(cycle: f64): void {
  if (flushLastGap >= 0) flushMinFullGap = min(flushMinFullGap, flushLastGap);
  flushLastGap = cycle - flushPrev;
  flushPrev = cycle;
}

// Reuse gaps of one pass: positions (1-based) of each address's first and last demand in the pass.
let trackGaps = false;
let gapFirst: usize = 0, gapLast: usize = 0, gapSpace: f64 = 0, minGap: f64 = 0;

@inline function noteGap(addr: i32): void {
  const at = gapLast + (<usize>addr << 2);
  const prev = load<i32>(at);
  if (prev > 0) minGap = min(minGap, position - <f64>prev);
  else store<i32>(gapFirst + (<usize>addr << 2), <i32>position);
  store<i32>(at, <i32>position);
}

/** Walks folds fc ∈ [fc0, fc1), fr ∈ [fr0, fr1) of a read operand through the cache. */
function walkFolds(op: i32, fc0: i32, fc1: i32, fr0: i32, fr1: i32): void {
  ensureMark();
  const ifmap = op == OP_IFMAP;
  for (let fc = fc0; fc < fc1; fc++) {
    for (let fr = fr0; fr < fr1; fr++) {
      setBlock(op, fc, fr);
      const base = (<f64>fc * <f64>ROW_FOLDS + <f64>fr) * <f64>FOLD_LEN;
      const last = blockLastLine();
      // Along a line, q steps by one and p by −1 (skewed) or 0 (flat): a and b step by constants.
      const da = bSkew ? bAq - bAp : bAq;
      const db = bSkew ? bBq - bBp : bBq;
      for (let l = blockFirstLine(); l <= last; l++) {
        const qa = lineQLo(l);
        const qb = lineQHi(l);
        const p0 = bSkew ? l - bPrefix - qa : l - bPrefix;
        let a = bA0 + bAp * p0 + bAq * qa;
        let b = bB0 + bBp * p0 + bBq * qa;
        for (let q = qa; q <= qb; q++, a += da, b += db) {
          const addr = ifmap ? ifmapAddr(a, b) : filterAddr(a, b);
          if (addr >= 0) insertRead(ifmap, addr, base + <f64>l);
        }
      }
    }
  }
}

/** One valid demand of a read operand on global line `line` through the cache. */
@inline function insertRead(ifmap: bool, addr: i32, line: f64): void {
  position += 1;
  if (trackGaps) noteGap(addr);
  const at = mark + <usize>addr;
  if (<i32>load<u8>(at) == epoch) return;
  store<u8>(at, <u8>epoch);
  inserted += 1;
  inChunk += 1;
  if (logging) logs[ifmap ? LOG_IFMAP_INSERTS : LOG_FILTER_INSERTS].push(<f64>addr);
  if (inChunk == cap) {
    if (flushes == 0 && (firstRequestLine < 0 || firstRequestLine > line)) { firstRequest = 0; flushPrev = -2; }
    nextEpoch();
    inChunk = 0;
    flushes += 1;
    lastFlushCycle = issueCycle(line);
    noteFlush(lastFlushCycle);
    if (logging) logs[ifmap ? LOG_IFMAP_FLUSHES : LOG_FILTER_FLUSHES].push(lastFlushCycle);
    lastFlushPosition = position;
  }
}

/**
 * Row-wise N:M: writes the ifmap addresses of line l of row fold fr to rwBuf (skew_matrix_row_sparsity:
 * R block columns of RW_B words, column j holding ifmap row l − R − j's block ⌊j / (RW_B/2)⌋ of
 * columns fr·2R …, -1 off the matrix) and returns how many.
 */
function rwLine(fr: i32, l: i32): i32 {
  const i = l - R;
  if (i < 0 || i >= T + R - 1) return 0;
  let n = 0;
  for (let j = 0; j < R; j++) {
    const p = i - j;
    const k0 = fr * 2 * R + (j / (RW_B / 2)) * RW_B;
    for (let e = 0; e < RW_B; e++) {
      const k = k0 + e;
      store<i32>(rwBuf + (<usize>n << 2), p >= 0 && p < T && k < KI ? ifmapAddr(p, k) : -1);
      n++;
    }
  }
  return n;
}

function rwLineHasValid(fr: i32, l: i32, floor: i32 = 0): bool {
  const n = rwLine(fr, l);
  for (let i = 0; i < n; i++) if (load<i32>(rwBuf + (<usize>i << 2)) >= floor) return true;
  return false;
}

/** Row-wise N:M: the ifmap's demands through the cache, line by line. */
function walkRowWiseIfmap(): void {
  ensureMark();
  for (let fc = 0; fc < COL_FOLDS; fc++) {
    for (let fr = 0; fr < ROW_FOLDS; fr++) {
      const base = (<f64>fc * <f64>ROW_FOLDS + <f64>fr) * <f64>FOLD_LEN;
      for (let l = R; l < 2 * R + T - 1; l++) {
        const n = rwLine(fr, l);
        for (let i = 0; i < n; i++) {
          const addr = load<i32>(rwBuf + (<usize>i << 2));
          if (addr >= 0) insertRead(true, addr, base + <f64>l);
        }
      }
    }
  }
}

// Repeated streams. The ifmap of OS and WS and the filter of IS do not depend on the column fold,
// so the demand is one pass (all row folds) repeated COL_FOLDS times; the OS filter does not
// depend on the row fold, so each column fold's block repeats ROW_FOLDS times. The cache state
// after a pass that flushed is fixed by the position of its last flush (the window then holds
// exactly the distinct addresses after it), so once that position repeats the passes are
// periodic and whole periods are counted instead of walked. After a pass without a flush the
// window holds the whole pass and every later pass only hits.
const passFirstSeen = new Map<f64, i32>();
const passInserted = new Map<f64, f64>();
const passFlushes = new Map<f64, f64>();

// When every reuse of an address, within a pass and from one pass into the next, is at least a
// window (cap) of demands apart, every demand misses whatever the window's phase: between two
// demands of an address at least cap words are inserted, so a flush lies between them. Then
// every pass inserts all of its demands: all passes but the last are counted, and the last is
// walked for the cycle of the final flush. Checked on the first pass, whose gaps every pass shares.
/**
 * Passes `from` .. passes−1, each of v valid demands, all insertions: counts them and finds the
 * final flush, which falls in the last pass within its last cap demands (v ≥ cap), by counting
 * back from the pass end. Returns false (nothing changed) if the flush is not in the last pass.
 */
function countAllMisses(op: i32, passes: i32, fcFixed: i32, passOverFc: bool, v: f64, from: i32): bool {
  const rest = <f64>(passes - from) * v;
  const all = inChunk + rest;
  const more = Math.floor(all / cap);
  const x = more * cap - inChunk - <f64>(passes - 1 - from) * v; // 1-based demand in the last pass
  if (more == 0 || x < 1) return false;
  // Flush k (1 … more) falls on demand y_k = k·cap − inChunk − 1 (0-based) of the passes from `from`.
  const y1 = cap - inChunk - 1;
  noteFlush(issueCycle(streamLine(op, fcFixed, passOverFc, from, y1, v)));
  if (more >= 2) {
    const yLast = more * cap - inChunk - 1;
    const cPrev = issueCycle(streamLine(op, fcFixed, passOverFc, from, yLast - cap, v));
    const cLast = issueCycle(streamLine(op, fcFixed, passOverFc, from, yLast, v));
    flushMinFullGap = min(flushMinFullGap, flushLastGap);
    if (more >= 3) flushMinFullGap = min(flushMinFullGap, minFlushGap(op, fcFixed, passOverFc, v, y1, more - 2));
    flushLastGap = cLast - cPrev;
    flushPrev = cLast;
  }
  lastFlushCycle = flushPrev;
  flushes += more;
  inChunk = all - more * cap;
  inserted += rest;
  nextEpoch(); // nothing in the window is demanded again before it flushes
  return true;
}

/** Line of the 0-based valid demand y of the identical passes from `from` on (one column fold each, or one row fold of column fold fcFixed). */
function streamLine(op: i32, fcFixed: i32, passOverFc: bool, from: i32, y: f64, v: f64): f64 {
  const pass = from + <i32>Math.floor(y / v);
  const r = y - Math.floor(y / v) * v;
  if (everyEntryValid(op)) return firstPassLine(op, fcFixed, passOverFc, r) + <f64>pass * (passOverFc ? <f64>ROW_FOLDS * <f64>FOLD_LEN : <f64>FOLD_LEN);
  const n = v - r;
  return passOverFc ? lineFromEnd(op, pass, pass + 1, 0, ROW_FOLDS, n) : lineFromEnd(op, fcFixed, fcFixed + 1, pass, pass + 1, n);
}

// ---- flush gaps without walking every pass --------------------------------------------------------
// Within countAllMisses the flushes fall every cap demands of a stream of identical passes of v
// demands and lpp lines each. With cap = q·v + rr, the gap from the flush on demand r of a pass to
// the next is q·lpp + G(r), G(r) = line(r + rr) − line(r) (r + rr ≥ v reads the next pass), and the
// flushes visit the residues r_j = (r_1 + j·rr) mod v. Two cursors rr demands apart walk one pass
// and give G at every visited residue: O(v) time, no memory.

/** Steps through the valid demands of a read operand over folds fc ∈ [fc0, fc1), fr ∈ [fr0, fr1) in walk order. */
class DemandCursor {
  op: i32 = 0; fc0: i32 = 0; fc1: i32 = 0; fr0: i32 = 0; fr1: i32 = 0;
  fc: i32 = 0; fr: i32 = 0; l: i32 = 0; q: i32 = 0; qHi: i32 = -1; lastLine: i32 = -1;
  wrapLines: f64 = 0; wrapOffset: f64 = 0; base: f64 = 0;
  line: f64 = 0; // line of the current demand
  blk: Block = new Block();

  /** Before the first demand; past the last fold it wraps to the first, `wrapLines` lines later (0: it stops). */
  start(op: i32, fc0: i32, fc1: i32, fr0: i32, fr1: i32, wrapLines: f64): void {
    this.op = op; this.fc0 = fc0; this.fc1 = fc1; this.fr0 = fr0; this.fr1 = fr1;
    this.fc = fc0; this.fr = fr0; this.wrapLines = wrapLines; this.wrapOffset = 0;
    this.enterFold();
  }

  private enterFold(): void {
    setBlock(this.op, this.fc, this.fr);
    saveBlock(this.blk);
    this.base = (<f64>this.fc * <f64>ROW_FOLDS + <f64>this.fr) * <f64>FOLD_LEN + this.wrapOffset;
    this.l = blockFirstLine() - 1;
    this.lastLine = blockLastLine();
    this.q = 0;
    this.qHi = -1;
  }

  private nextFold(): bool {
    this.fr++;
    if (this.fr >= this.fr1) { this.fr = this.fr0; this.fc++; }
    if (this.fc >= this.fc1) {
      if (this.wrapLines == 0) return false;
      this.fc = this.fc0;
      this.wrapOffset += this.wrapLines;
    }
    this.enterFold();
    return true;
  }

  /** Moves to the next valid demand; false past the end. */
  next(): bool {
    const b = this.blk;
    while (true) {
      this.q++;
      if (this.q > this.qHi) {
        this.l++;
        if (this.l > this.lastLine) {
          if (!this.nextFold()) return false;
          continue;
        }
        const l = this.l;
        this.q = b.skew ? max(0, l - b.prefix - (b.p - 1)) : 0;
        this.qHi = b.skew ? min(b.qHi - 1, l - b.prefix - b.pLo) : b.qHi - 1;
        if (this.q > this.qHi) { this.q = this.qHi; continue; }
      }
      const p = b.skew ? this.l - b.prefix - this.q : this.l - b.prefix;
      const a = b.a0 + b.ap * p + b.aq * this.q;
      const c = b.b0 + b.bp * p + b.bq * this.q;
      const addr = this.op == OP_IFMAP ? ifmapAddr(a, c) : filterAddr(a, c);
      if (addr >= 0) {
        this.line = this.base + <f64>this.l;
        return true;
      }
    }
  }
}

// When every entry of an operand is a valid address (filters always; the ifmap unless the ceil rule
// adds windows that run off it), the line of the r-th demand of a fold is found by counting:
// the entries before fold line l are the (p, q) of the block with p + q < l − prefix (skewed) or
// p < l − prefix (flat), a closed form, searched by bisection.

@inline function tri(x: f64): f64 {
  return x > 0 ? (x * (x + 1)) / 2 : 0;
}

/** Entries of the loaded block on fold lines before l, for l up to one past its last line. */
function entriesBefore(l: i32): f64 {
  const a = <f64>(bP - bPLo);
  const b = <f64>bQHi;
  const t = <f64>(l - bPrefix - bPLo);
  if (!bSkew) return max(0, min(t, a)) * b;
  // (p − pLo) + q < t over [0, a) × [0, b) by inclusion–exclusion; t ≤ a + b − 1 here, so the
  // corner term tri(t − a − b) is 0.
  return tri(t) - tri(t - a) - tri(t - b);
}

/** Fold line of the loaded block's r-th entry (0-based) in demand order. */
function lineOfEntry(r: f64): i32 {
  let lo = blockFirstLine(), hi = blockLastLine();
  while (lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    if (entriesBefore(mid + 1) > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function everyEntryValid(op: i32): bool {
  if (op == OP_FILTER) return !ROW_WISE;
  return (H - FH) % SH == 0 && (W - FW) % SW == 0;
}

/** Line of the r-th demand (0-based) of the first of the identical passes (column fold 0, or row fold 0 of fcFixed); every entry valid. */
function firstPassLine(op: i32, fcFixed: i32, passOverFc: bool, r: f64): f64 {
  if (!passOverFc) {
    setBlock(op, fcFixed, 0);
    return <f64>fcFixed * <f64>ROW_FOLDS * <f64>FOLD_LEN + <f64>lineOfEntry(r);
  }
  setBlock(op, 0, 0);
  const full = <f64>(bP - bPLo) * <f64>bQHi; // entries of every row fold but the last
  const fr = <i32>min(Math.floor(r / full), <f64>(ROW_FOLDS - 1));
  setBlock(op, 0, fr);
  return <f64>fr * <f64>FOLD_LEN + <f64>lineOfEntry(r - <f64>fr * full);
}

const cursorA = new DemandCursor();
const cursorB = new DemandCursor();

function gcd64(a: i64, b: i64): i64 {
  while (b != 0) { const t = a % b; a = b; b = t; }
  return a;
}

/** x⁻¹ mod m for gcd(x, m) = 1, m > 1. */
function modInverse(x: i64, m: i64): i64 {
  let r0 = m, r1 = x % m, t0: i64 = 0, t1: i64 = 1;
  while (r1 != 0) {
    const k = r0 / r1;
    const r2 = r0 - k * r1; r0 = r1; r1 = r2;
    const t2 = t0 - k * t1; t0 = t1; t1 = t2;
  }
  return ((t0 % m) + m) % m;
}

/** The shortest of the gaps after flushes 1 … cnt of countAllMisses, the first on demand y1. */
function minFlushGap(op: i32, fcFixed: i32, passOverFc: bool, v: f64, y1: f64, cnt: f64): f64 {
  const lpp = passOverFc ? <f64>ROW_FOLDS * <f64>FOLD_LEN : <f64>FOLD_LEN;
  const q = Math.floor(cap / v);
  const V = <i64>v;
  const RR = <i64>(cap - q * v);
  const R1 = <i64>(y1 - Math.floor(y1 / v) * v);
  const g = gcd64(RR, V); // gcd(0, v) = v: every flush on the same residue
  const period = V / g;
  const inv: i64 = period == 1 ? 0 : modInverse((RR / g) % period, period);
  const everyResidue = cnt >= <f64>period;
  const visits = min(cnt, <f64>period);
  if (everyEntryValid(op) && visits * 64 < v) {
    // Few residues: count to each of them instead of walking the pass.
    let best: f64 = Infinity;
    for (let k: i64 = 0; <f64>k < visits; k++) {
      const r = (R1 + k * RR) % V;
      const from = firstPassLine(op, fcFixed, passOverFc, <f64>r);
      const to = r + RR < V ? firstPassLine(op, fcFixed, passOverFc, <f64>(r + RR)) : lpp + firstPassLine(op, fcFixed, passOverFc, <f64>(r + RR - V));
      best = min(best, to - from);
    }
    return q * lpp + best;
  }
  if (passOverFc) { cursorA.start(op, 0, 1, 0, ROW_FOLDS, lpp); cursorB.start(op, 0, 1, 0, ROW_FOLDS, lpp); }
  else { cursorA.start(op, fcFixed, fcFixed + 1, 0, 1, lpp); cursorB.start(op, fcFixed, fcFixed + 1, 0, 1, lpp); }
  cursorA.next();
  cursorB.next();
  for (let i: i64 = 0; i < RR; i++) cursorB.next();
  let best: f64 = Infinity;
  for (let r: i64 = 0; r < V; r++) {
    const d = r - R1;
    if (d % g == 0) {
      let visited = everyResidue;
      if (!visited) {
        const j = ((((d / g) % period) + period) % period) * inv % period;
        visited = <f64>j < cnt;
      }
      if (visited) best = min(best, cursorB.line - cursorA.line);
    }
    cursorA.next();
    cursorB.next();
  }
  return q * lpp + best;
}

/** Line of the n-th valid demand counted back from the end of folds fc ∈ [fc0, fc1), fr ∈ [fr0, fr1). */
function lineFromEnd(op: i32, fc0: i32, fc1: i32, fr0: i32, fr1: i32, n: f64): f64 {
  let seen: f64 = 0;
  for (let fc = fc1 - 1; fc >= fc0; fc--) {
    for (let fr = fr1 - 1; fr >= fr0; fr--) {
      setBlock(op, fc, fr);
      const base = (<f64>fc * <f64>ROW_FOLDS + <f64>fr) * <f64>FOLD_LEN;
      const first = blockFirstLine();
      for (let l = blockLastLine(); l >= first; l--) {
        const qa = lineQLo(l);
        for (let q = lineQHi(l); q >= qa; q--) {
          const p = bSkew ? l - bPrefix - q : l - bPrefix;
          if (readAddr(op, p, q) >= 0) {
            seen += 1;
            if (seen == n) return base + <f64>l;
          }
        }
      }
    }
  }
  return -1;
}

// gapFirst/gapLast are allocated once per operand walk; groups of the OS filter use disjoint
// address ranges [addrLo, addrHi), so they share the arrays without clearing them.
// `distinct` > 0 says no address repeats within a pass, which holds that many valid demands: then
// (addresses of earlier groups being disjoint) every demand is an insertion, and nothing is walked
// but the end of the last pass.
function walkRepeated(op: i32, passes: i32, linesPerPass: f64, fcFixed: i32, frFixed: i32, passOverFc: bool, addrLo: i32, addrHi: i32, passEntries: f64, distinct: f64): void {
  passFirstSeen.clear(); passInserted.clear(); passFlushes.clear();
  if (distinct >= cap && stallCount == 0 && countAllMisses(op, passes, fcFixed, passOverFc, distinct, 0)) return;
  if (distinct > 0 && distinct < cap && stallCount == 0) {
    // A distinct pass shorter than the window: the first pass inserts all of it and flushes at
    // most once, at its f-th demand; the second re-inserts the f demands before the flush and
    // then holds the whole pass, so later passes only hit.
    const v = distinct;
    if (inChunk + v < cap) {
      inserted += v;
      inChunk += v;
    } else {
      const f = cap - inChunk;
      const line = passOverFc ? lineFromEnd(op, 0, 1, 0, ROW_FOLDS, v - f + 1) : lineFromEnd(op, fcFixed, fcFixed + 1, 0, 1, v - f + 1);
      lastFlushCycle = issueCycle(line);
      noteFlush(lastFlushCycle);
      flushes += 1;
      inserted += passes > 1 ? v + f : v;
      inChunk = passes > 1 ? v : v - f;
    }
    nextEpoch(); // later groups demand other addresses
    return;
  }
  let skipped = false;
  for (let p = 0; p < passes; p++) {
    const flushesBefore = flushes;
    position = 0;
    // A pass shorter than the window always has a reuse gap below it (the wrap gap ≤ the pass).
    const check = p == 0 && passes > 2 && stallCount == 0 && passEntries >= cap && passEntries < 2147483647;
    if (check) {
      minGap = Infinity;
      trackGaps = true;
      if (gapLast == 0) {
        gapFirst = heap.alloc(<usize>gapSpace << 2);
        gapLast = heap.alloc(<usize>gapSpace << 2);
        memory.fill(gapLast, 0, <usize>gapSpace << 2);
      }
    }
    if (passOverFc) walkFolds(op, p, p + 1, 0, ROW_FOLDS);
    else walkFolds(op, fcFixed, fcFixed + 1, p, p + 1);
    if (check) {
      trackGaps = false;
      for (let a = addrLo; a < addrHi; a++) {
        const last = load<i32>(gapLast + (<usize>a << 2));
        if (last > 0) minGap = min(minGap, position - <f64>last + <f64>load<i32>(gapFirst + (<usize>a << 2)));
      }
      if (minGap >= cap && countAllMisses(op, passes, fcFixed, passOverFc, position, 1)) return;
    }
    if (flushes == flushesBefore) return; // the window now holds the whole pass
    if (stallCount > 0) continue; // stalls shift cycles unevenly: walk everything
    if (skipped) continue;
    const key = lastFlushPosition;
    if (passFirstSeen.has(key)) {
      const a = passFirstSeen.get(key);
      const period = p - a;
      const periods = (passes - 1 - p) / period;
      inserted += <f64>periods * (inserted - passInserted.get(key));
      flushes += <f64>periods * (flushes - passFlushes.get(key));
      lastFlushCycle += <f64>periods * <f64>period * linesPerPass;
      if (periods > 0) {
        // The skipped passes repeat the gaps of the period just walked, the last one included.
        flushMinFullGap = min(flushMinFullGap, flushLastGap);
        flushPrev = lastFlushCycle;
      }
      p += periods * period;
      skipped = true;
    } else {
      passFirstSeen.set(key, p);
      passInserted.set(key, inserted);
      passFlushes.set(key, flushes);
    }
  }
}

function walkReads(op: i32): void {
  stallCursor = 0;
  if (ROW_WISE && op == OP_IFMAP) { walkRowWiseIfmap(); return; }
  const overFc = (op == OP_IFMAP && (DF == DF_OS || DF == DF_WS)) || (op == OP_FILTER && DF == DF_IS);
  const space = op == OP_IFMAP ? <f64>H * <f64>W * <f64>CH : FILTER_SPACE;
  gapFirst = 0;
  gapLast = 0;
  gapSpace = space;
  if (overFc) {
    // a pass demands the whole ifmap matrix (OS, WS) or the whole filter matrix (IS)
    const entries = op == OP_IFMAP ? <f64>M * <f64>K : <f64>K * <f64>N;
    // Windows that do not overlap demand every ifmap word once per pass; filters always do.
    const distinct = op == OP_FILTER ? entries : (FH <= SH || OH == 1) && (FW <= SW || OW == 1) ? distinctIfmap() : -1;
    walkRepeated(op, COL_FOLDS, <f64>ROW_FOLDS * <f64>FOLD_LEN, 0, 0, true, 0, <i32>space, entries, distinct);
  } else if (op == OP_FILTER && DF == DF_OS) {
    for (let fc = 0; fc < COL_FOLDS; fc++) {
      const cu = colsUsed(fc);
      walkRepeated(op, ROW_FOLDS, <f64>FOLD_LEN, fc, 0, false, fc * C * K, (fc * C + cu) * K, <f64>K * <f64>cu, <f64>K * <f64>cu);
    }
  } else {
    // WS filter and IS ifmap: every (k, n) or (m, k) is demanded once in the whole layer, so the
    // addresses are distinct unless ifmap windows overlap; then every demand is an insertion.
    const distinct = op == OP_FILTER ? FILTER_DISTINCT : (FH <= SH || OH == 1) && (FW <= SW || OW == 1) ? distinctIfmap() : -1;
    if (distinct >= cap && stallCount == 0) {
      const more = Math.floor(distinct / cap);
      // Flushes on every cap-th demand: one cursor over the stream finds their cycles (no stalls).
      if (everyEntryValid(op)) {
        // Fold by fold, counting to the flushes that fall in it.
        let before: f64 = 0, k: f64 = 1;
        for (let fc = 0; fc < COL_FOLDS && k <= more; fc++) {
          for (let fr = 0; fr < ROW_FOLDS && k <= more; fr++) {
            setBlock(op, fc, fr);
            const entries = <f64>(bP - bPLo) * <f64>bQHi;
            const base = (<f64>fc * <f64>ROW_FOLDS + <f64>fr) * <f64>FOLD_LEN;
            while (k <= more && k * cap - 1 < before + entries) {
              noteFlush(base + <f64>lineOfEntry(k * cap - 1 - before));
              k++;
            }
            before += entries;
          }
        }
      } else {
        cursorA.start(op, 0, COL_FOLDS, 0, ROW_FOLDS, 0);
        let seen: f64 = 0;
        for (let k: f64 = 1; k <= more; k++) {
          while (seen < k * cap) { cursorA.next(); seen++; }
          noteFlush(cursorA.line);
        }
      }
      lastFlushCycle = flushPrev;
      flushes = more;
      inChunk = distinct - more * cap;
      inserted = distinct;
    } else {
      walkFolds(op, 0, COL_FOLDS, 0, ROW_FOLDS);
    }
  }
  if (gapLast != 0) {
    heap.free(gapFirst);
    heap.free(gapLast);
    gapFirst = 0;
    gapLast = 0;
  }
}

// ---- ifmap and filter in USER mode: read_buffer.py -----------------------------------------------
// The operand is prefetched in its prefetch order (fold blocks stacked and, for most operands,
// rolled out along anti-diagonals), cut into sets of ceil(words/100) valid entries. A window of
// sets is active; a demand that misses slides it by the prefetch half until it hits, each slide
// costing ceil(prefetch/bw) DRAM lines that arrive one cycle apart, and the demand line waits
// (stalls) for the last of them. Each address keeps the sorted ids of the sets that hold it.

/** Entry (row, col) of an operand's stacked prefetch matrix (create_*_prefetch_mat), -1 for padding. */
function prefetchEntry(op: i32, row: i32, col: i32): i32 {
  if (DF == DF_OS) {
    if (op == OP_IFMAP) { const fr = row / T; const m = fr * R + col; return m < M ? ifmapAddr(m, row % T) : -1; }
    const fc = row / T; const n = fc * C + col; return n < N ? filterAddr(row % T, n) : -1;
  } else if (DF == DF_WS) {
    if (op == OP_IFMAP) { const fr = row / M; const k = fr * R + col; return k < KI ? ifmapAddr(row % M, k) : -1; }
    const fc = row / K; const n = fc * C + col; return n < N ? filterAddr(row % K, n) : -1;
  }
  if (op == OP_IFMAP) { const fc = row / K; const m = fc * C + col; return m < M ? ifmapAddr(m, row % K) : -1; }
  const fr = row / N; const k = fr * R + col; return k < K ? filterAddr(k, row % N) : -1;
}

// Shape of an operand's stacked prefetch matrix, and whether it is rolled out along anti-diagonals.
let pfRows: i32 = 0, pfCols: i32 = 0, pfRolled: bool = false;

function prefetchShape(op: i32): void {
  if (DF == DF_OS) { pfRows = (op == OP_IFMAP ? ROW_FOLDS : COL_FOLDS) * T; pfCols = op == OP_IFMAP ? R : C; pfRolled = true; }
  else if (DF == DF_WS) { pfRows = op == OP_IFMAP ? (KI + R - 1) / R * M : COL_FOLDS * K; pfCols = op == OP_IFMAP ? R : C; pfRolled = op == OP_IFMAP; }
  else { pfRows = op == OP_IFMAP ? COL_FOLDS * K : ROW_FOLDS * N; pfCols = op == OP_IFMAP ? C : R; pfRolled = op == OP_FILTER; }
}

/** Entries in an operand's prefetch order (after simTraceBegin), padding included. */
export function simPrefetchLength(op: i32): f64 {
  prefetchShape(op);
  return <f64>pfRows * <f64>pfCols;
}

/** Writes an operand's prefetch order (USER mode's DRAM fetch order; -1 for padding) as i32s, without base offsets. */
export function simPrefetchOrder(out: usize, op: i32): void {
  prefetchShape(op);
  let i: usize = 0;
  if (pfRolled) {
    for (let d = 0; d < pfRows + pfCols; d++) {
      const hi = min(d, pfRows - 1);
      const lo = max(0, d - pfCols + 1);
      for (let r = hi; r >= lo; r--) store<i32>(out + (i++ << 2), prefetchEntry(op, r, d - r));
    }
  } else {
    for (let r = 0; r < pfRows; r++) for (let c = 0; c < pfCols; c++) store<i32>(out + (i++ << 2), prefetchEntry(op, r, c));
  }
}

// ---- SCALE-Sim v3 custom layouts ([layout] {Ifmap,Filter}CustomLayout: read_buffer.py's layout evaluation) ----
// The operand is prefetched in its layout's order instead: every word of the operand (the ifmap's
// H·W·C, the filter's K·C·R·S), each dimension padded (-1) to a multiple of its intraline factor,
// split into (lines, factor), the line axes first, then transposed by the layout's order. Sets hold
// `bandwidth` valid entries (one bank row each); a demand's bank is its position in its set's
// iteration order (a CPython set of the addresses: cpythonSetOrder) over bandwidth/banks, and a
// demand line costs ceil(most distinct sets any bank serves / ports) − 1 extra cycles (so −1 for a
// line that demands nothing). The layout's prefetch stalls count once, as in v2.
//
// Layout spec (i32s at simLayer's `layout`, 0 for none), per operand (ifmap at 0, filter at LAYOUT_OP):
//   [on, banks, ports, factors (3 ifmap: X, Y, C | 4 filter: K, C, R, S), order (6 | 8 axes)]
const LAYOUT_OP = 16;
let layoutSpec: usize = 0;
let layoutHashOffset: f64 = 0; // the filter's addresses hash with FilterOffset (the ifmap's without IfmapOffset)

@inline function spec(op: i32, i: i32): i32 {
  return load<i32>(layoutSpec + (<usize>(op * LAYOUT_OP + i) << 2));
}

/** Whether the spec of `op` is well formed: factors ≥ 1, the order a permutation of its axes. */
function layoutSpecValid(op: i32): bool {
  if (spec(op, 0) == 0) return true;
  const dims = op == OP_IFMAP ? 3 : 4;
  if (spec(op, 1) < 1 || spec(op, 2) < 1) return false;
  let seen = 0;
  for (let i = 0; i < dims; i++) if (spec(op, 3 + i) < 1) return false;
  for (let i = 0; i < 2 * dims; i++) {
    const a = spec(op, 3 + dims + i);
    if (a < 0 || a >= 2 * dims || (seen & (1 << a)) != 0) return false;
    seen |= 1 << a;
  }
  return true;
}

const lDim = new StaticArray<i32>(4), lF = new StaticArray<i32>(4), lShape = new StaticArray<i32>(8), lIdx = new StaticArray<i32>(8);

/** The layout's prefetch order of `op` into a new i32 array (keys: word index in H·W·C or K·C·R·S order, -1 for padding); sets layoutLength. */
let layoutLength: i32 = 0;
function layoutOrder(op: i32): usize {
  const dims = op == OP_IFMAP ? 3 : 4;
  if (op == OP_IFMAP) { lDim[0] = H; lDim[1] = W; lDim[2] = CH; } else { lDim[0] = NF; lDim[1] = CH; lDim[2] = FH; lDim[3] = FW; }
  let total: f64 = 1;
  for (let i = 0; i < dims; i++) {
    lF[i] = spec(op, 3 + i);
    const lines = (lDim[i] + lF[i] - 1) / lF[i];
    total *= <f64>lines * <f64>lF[i];
    lShape[i] = lines; lShape[dims + i] = lF[i]; // split axes: lines of every dimension, then factors
  }
  if (total >= 2147483647) unreachable();
  layoutLength = <i32>total;
  const out = heap.alloc(<usize>max(layoutLength, 1) << 2);
  const axes = 2 * dims;
  for (let j = 0; j < axes; j++) lIdx[j] = 0;
  for (let i = 0; i < layoutLength; i++) {
    // lIdx is the output position; output axis j is split axis spec(order j)
    let value = 0, valid = true;
    for (let d = 0; d < dims; d++) {
      let line = 0, within = 0;
      for (let j = 0; j < axes; j++) {
        const a = spec(op, 3 + dims + j);
        if (a == d) line = lIdx[j]; else if (a == dims + d) within = lIdx[j];
      }
      const x = line * lF[d] + within;
      if (x >= lDim[d]) valid = false;
      value = value * lDim[d] + x;
    }
    store<i32>(out + (<usize>i << 2), valid ? unholed(value, op == OP_IFMAP ? HOLE_I : HOLE_F) : -1);
    for (let j = axes - 1; j >= 0; j--) { // odometer over the output shape
      const size = lShape[spec(op, 3 + dims + j)];
      if (++lIdx[j] < size) break;
      lIdx[j] = 0;
    }
  }
  return out;
}

// CPython 3.11's set table (Objects/setobject.c) for distinct integer keys, hash = key: a new key
// goes to the first free slot of its probe sequence (10 linear slots from hash & mask while they
// fit, then i = 5i + 1 + (perturb >>= 5)); the table grows to the smallest power of two above
// 4 × used once fill·5 ≥ mask·3, re-inserting in slot order. Iteration runs over the slots.
let pyTab: usize = 0, pyTab2: usize = 0, pyCap: i32 = 0;

function pyInsert(tab: usize, mask: u64, h: u64, entry: i32): void {
  let perturb = h;
  let i = h & mask;
  while (true) {
    if (load<i32>(tab + (<usize>i << 2)) == 0) { store<i32>(tab + (<usize>i << 2), entry + 1); return; }
    if (i + 9 <= mask) {
      for (let j: u64 = 1; j <= 9; j++) {
        if (load<i32>(tab + (<usize>(i + j) << 2)) == 0) { store<i32>(tab + (<usize>(i + j) << 2), entry + 1); return; }
      }
    }
    perturb >>= 5;
    i = (i * 5 + 1 + perturb) & mask;
  }
}

/** Positions of keys[0..n) (distinct) in a CPython set built by adding them in order, + offset for hashing, written to pos. */
function cpythonSetOrder(keys: usize, n: i32, offset: f64, pos: usize): void {
  let mask: u64 = 7;
  memory.fill(pyTab, 0, 8 << 2);
  for (let e = 0; e < n; e++) {
    pyInsert(pyTab, mask, <u64><i64>(<f64>load<i32>(keys + (<usize>e << 2)) + offset), e);
    const fill = <u64>(e + 1);
    if (fill * 5 >= mask * 3) {
      const used = e + 1;
      const minUsed = used > 50000 ? used * 2 : used * 4;
      let size = 8;
      while (size <= minUsed) size <<= 1;
      memory.fill(pyTab2, 0, <usize>size << 2);
      for (let i: u64 = 0; i <= mask; i++) {
        const x = load<i32>(pyTab + (<usize>i << 2));
        if (x != 0) pyInsert(pyTab2, <u64>(size - 1), <u64><i64>(<f64>load<i32>(keys + (<usize>(x - 1) << 2)) + offset), x - 1);
      }
      const t = pyTab; pyTab = pyTab2; pyTab2 = t;
      mask = <u64>(size - 1);
    }
  }
  let p = 0;
  for (let i: u64 = 0; i <= mask; i++) {
    const x = load<i32>(pyTab + (<usize>i << 2));
    if (x != 0) store<i32>(pos + (<usize>(x - 1) << 2), p++);
  }
}

class UserReadBuffer {
  op: i32 = 0;
  rows: i32 = 0; cols: i32 = 0; rolled: bool = false;
  space: i32 = 0; // addresses 0 .. space-1
  offsets: usize = 0; // i32 × (space + 1): CSR of set ids per address, a slot per occurrence
  ids: usize = 0; // i32 × valid entries
  fill: usize = 0; // i32 × space: the slots of each address that hold ids
  numSets: i32 = 0; numActive: i32 = 0; numPrefetch: i32 = 0;
  activeStart: i32 = 0; activeEnd: i32 = 0;
  prefetchLines: f64 = 0; bw: f64 = 0;
  lastPrefetch: f64 = 0; access: f64 = 0; start: f64 = 0; ready: bool = false;
  v3: bool = false; // SCALE-Sim v3's stall rule (demand)
  port: RamulatorPort = ramulatorIfmap; // its DRAM port when Ramulator's latencies are read
  firstLineWait: f64 = 0; // with them, the first prefetch's wait, which v3 adds to the first demand line
  // custom layout: its order, each slot's position in its set, the bank bookkeeping of a demand line
  layout: bool = false;
  order: usize = 0; orderLength: i32 = 0;
  positions: usize = 0; // i32 per id slot
  banks: i32 = 1; ports: i32 = 1; perBank: i32 = 1;
  seen: usize = 0; // i32 × numSets·banks: the line stamp of a (set, bank) pair
  bankLine: usize = 0; bankCount: usize = 0; // i32 × banks: the line stamp and distinct sets of a bank
  stamp: i32 = 0; lineMost: i32 = 0;
  // the set being filled (pass 1): its first-occurrence keys and their slots
  setKeys: usize = 0; setSlots: usize = 0; setPos: usize = 0; setId: i32 = 0; setSize: i32 = 0;

  /** Visits every entry in prefetch order: pass 0 counts per address, pass 1 records set ids. */
  private scan(pass: i32, perSet: i32): i32 {
    let valid = 0;
    const rows = this.rows, cols = this.cols;
    if (this.layout) {
      for (let i = 0; i < this.orderLength; i++) valid = this.visit(pass, load<i32>(this.order + (<usize>i << 2)), valid, perSet);
    } else if (this.rolled) {
      for (let d = 0; d < rows + cols; d++) {
        const hi = min(d, rows - 1);
        const lo = max(0, d - cols + 1);
        for (let r = hi; r >= lo; r--) valid = this.visit(pass, prefetchEntry(this.op, r, d - r), valid, perSet);
      }
    } else {
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) valid = this.visit(pass, prefetchEntry(this.op, r, c), valid, perSet);
    }
    return valid;
  }

  @inline private visit(pass: i32, addr: i32, valid: i32, perSet: i32): i32 {
    if (addr < 0) return valid;
    if (pass == 0) {
      store<i32>(this.offsets + (<usize>(addr + 1) << 2), load<i32>(this.offsets + (<usize>(addr + 1) << 2)) + 1);
    } else {
      const set = valid / perSet;
      const at = this.fill + (<usize>addr << 2);
      const n = load<i32>(at);
      const begin = load<i32>(this.offsets + (<usize>addr << 2));
      if (n == 0 || load<i32>(this.ids + (<usize>(begin + n - 1) << 2)) != set) {
        store<i32>(this.ids + (<usize>(begin + n) << 2), set);
        store<i32>(at, n + 1);
        if (this.layout) {
          if (set != this.setId) { this.closeSet(); this.setId = set; }
          store<i32>(this.setKeys + (<usize>this.setSize << 2), addr);
          store<i32>(this.setSlots + (<usize>this.setSize << 2), begin + n);
          this.setSize++;
        }
      }
    }
    return valid + 1;
  }

  /** Gives each slot of the set being filled its position in the set's CPython iteration order. */
  private closeSet(): void {
    cpythonSetOrder(this.setKeys, this.setSize, this.op == OP_FILTER ? layoutHashOffset : 0, this.setPos);
    for (let e = 0; e < this.setSize; e++) {
      store<i32>(this.positions + (<usize>load<i32>(this.setSlots + (<usize>e << 2)) << 2), load<i32>(this.setPos + (<usize>e << 2)));
    }
    this.setSize = 0;
  }

  setup(op: i32, words: i32, bandwidth: i32, space: i32, v3: bool): void {
    this.op = op;
    this.v3 = v3;
    this.port = op == OP_IFMAP ? ramulatorIfmap : ramulatorFilter;
    this.space = space;
    this.bw = <f64>bandwidth;
    prefetchShape(op);
    this.rows = pfRows; this.cols = pfCols; this.rolled = pfRolled;
    this.layout = layoutSpec != 0 && spec(op, 0) != 0;
    let entries = <f64>this.rows * <f64>this.cols;
    let perSet = <i32>Math.ceil(<f64>words / 100);
    if (this.layout) {
      this.order = layoutOrder(op);
      this.orderLength = layoutLength;
      entries = <f64>layoutLength;
      perSet = bandwidth; // a set is one bank row
      this.banks = spec(op, 1); this.ports = spec(op, 2); this.perBank = bandwidth / this.banks;
      this.setKeys = heap.alloc(<usize>perSet << 2); this.setSlots = heap.alloc(<usize>perSet << 2); this.setPos = heap.alloc(<usize>perSet << 2);
      let cap = 16;
      while (cap <= 8 * perSet) cap <<= 1;
      if (cap > pyCap) {
        if (pyCap > 0) { heap.free(pyTab); heap.free(pyTab2); }
        pyTab = heap.alloc(<usize>cap << 2); pyTab2 = heap.alloc(<usize>cap << 2); pyCap = cap;
      }
      this.setId = 0; this.setSize = 0;
    }
    this.offsets = heap.alloc(<usize>(space + 1) << 2);
    memory.fill(this.offsets, 0, <usize>(space + 1) << 2);
    const valid = this.scan(0, perSet);
    for (let a = 0; a < space; a++) {
      store<i32>(this.offsets + (<usize>(a + 1) << 2), load<i32>(this.offsets + (<usize>(a + 1) << 2)) + load<i32>(this.offsets + (<usize>a << 2)));
    }
    this.ids = heap.alloc(<usize>max(valid, 1) << 2);
    this.fill = heap.alloc(<usize>space << 2);
    memory.fill(this.fill, 0, <usize>space << 2);
    if (this.layout) this.positions = heap.alloc(<usize>max(valid, 1) << 2);
    this.scan(1, perSet);
    // prepare_hashed_buffer always appends the last (possibly empty) set
    this.numSets = valid / perSet + 1;
    if (this.layout) {
      this.closeSet();
      const pairs = <usize>this.numSets * <usize>this.banks;
      this.seen = heap.alloc(pairs << 2); memory.fill(this.seen, 0, pairs << 2);
      this.bankLine = heap.alloc(<usize>this.banks << 2); memory.fill(this.bankLine, 0, <usize>this.banks << 2);
      this.bankCount = heap.alloc(<usize>this.banks << 2);
      this.stamp = 0;
    }
    const active = Math.ceil(<f64>words * 0.5);
    const prefetch = <f64>words - active;
    this.numActive = min(this.numSets, <i32>Math.ceil(active / <f64>perSet));
    this.numPrefetch = min(this.numSets - this.numActive, <i32>Math.ceil(prefetch / <f64>perSet));
    this.prefetchLines = Math.ceil(prefetch / this.bw);
    // prefetch_active_buffer, before the first demand line (issued at cycle 0)
    const fetchLines = Math.ceil(entries / this.bw);
    const initial = min(Math.ceil(active / this.bw), fetchLines);
    this.access = initial * this.bw;
    if (this.port.on) {
      // requested at cycles −initial − 1 … −2, then waited for until the latest returns
      this.lastPrefetch = this.port.serve(-initial - 1, <i32>initial, this.bw, this.bw);
      this.start = this.port.first;
      this.firstLineWait = this.lastPrefetch + 1;
    } else {
      this.start = -initial;
      this.lastPrefetch = -1;
      this.firstLineWait = 0;
    }
    this.activeStart = 0;
    this.activeEnd = this.numActive;
  }

  /**
   * The slot of `addr`'s first set in the active window, scanned as read_buffer.py scans it
   * (activeStart up, wrapping to 0 when the window wraps); -1 when the window misses it. An
   * address's slots are counted per occurrence, but a set is recorded once: only the first `fill`
   * slots hold ids, in increasing order (the rest are uninitialised heap).
   */
  private find(addr: i32): i32 {
    const begin = load<i32>(this.offsets + (<usize>addr << 2));
    const end = begin + load<i32>(this.fill + (<usize>addr << 2));
    const s = this.activeStart, e = this.activeEnd;
    for (let i = begin; i < end; i++) {
      const id = load<i32>(this.ids + (<usize>i << 2));
      if (s < e ? id >= s && id < e : id >= s) return i;
    }
    if (s >= e) for (let i = begin; i < end; i++) if (load<i32>(this.ids + (<usize>i << 2)) < e) return i;
    return -1;
  }

  /** Starts a demand line (custom layouts count its bank conflicts). */
  @inline lineBegin(): void {
    this.stamp++;
    this.lineMost = 0;
  }

  /** Ends a demand line: its offset plus the bank conflicts' extra cycles (and, on the first line, the first prefetch's wait). */
  @inline lineEnd(offset: f64): f64 {
    const wait = this.firstLineWait;
    this.firstLineWait = 0;
    return (this.layout ? offset + <f64>((this.lineMost + this.ports - 1) / this.ports - 1) : offset) + wait;
  }

  /** Serves one address demanded at `cycle`; returns the line's offset after it. */
  demand(addr: i32, cycle: f64, offset: f64): f64 {
    const key = this.layout && this.op == OP_FILTER ? realFilterAddr(addr) : addr;
    let slot = this.find(key);
    while (slot < 0) {
      this.activeStart = (this.activeStart + this.numPrefetch) % this.numSets;
      this.activeEnd = (this.activeStart + this.numActive) % this.numSets;
      this.access += this.prefetchLines * this.bw;
      // its lines are requested one a cycle after the last prefetch returned
      if (this.port.on) this.lastPrefetch = this.port.serve(this.lastPrefetch + 1, <i32>this.prefetchLines, this.bw, this.bw);
      else this.lastPrefetch += this.prefetchLines + 1;
      const stall = this.lastPrefetch - (cycle + offset);
      // v3 (read_buffer.py at fab89b7) adds the wait and then, when positive, adds it again: a
      // wait counts twice and an early arrival serves the line early (v2 fixed this in 22f88b1);
      // its layout evaluation counts it once.
      if (this.v3 && !this.layout) offset += stall;
      if (stall > 0) offset += stall;
      slot = this.find(key);
    }
    if (this.layout) {
      const bank = load<i32>(this.positions + (<usize>slot << 2)) / this.perBank;
      const pair = this.seen + ((<usize>load<i32>(this.ids + (<usize>slot << 2)) * <usize>this.banks + <usize>bank) << 2);
      if (load<i32>(pair) != this.stamp) {
        store<i32>(pair, this.stamp);
        const line = this.bankLine + (<usize>bank << 2), count = this.bankCount + (<usize>bank << 2);
        if (load<i32>(line) != this.stamp) { store<i32>(line, this.stamp); store<i32>(count, 0); }
        const n = load<i32>(count) + 1;
        store<i32>(count, n);
        if (n > this.lineMost) this.lineMost = n;
      }
    }
    return offset;
  }

  free(): void {
    heap.free(this.offsets);
    heap.free(this.ids);
    heap.free(this.fill);
    if (this.layout) {
      heap.free(this.order); heap.free(this.positions); heap.free(this.seen); heap.free(this.bankLine); heap.free(this.bankCount);
      heap.free(this.setKeys); heap.free(this.setSlots); heap.free(this.setPos);
      this.layout = false;
    }
  }
}

/** The dense filter address (n·K_DENSE + window element) of a filter operand address: the layer-wise N:M filter is condensed. */
@inline function realFilterAddr(addr: i32): i32 {
  if (SPARSE_M == 1 || ROW_WISE) return addr;
  const n = addr / K, k = addr % K;
  return n * K_DENSE + (k / SPARSE_N) * SPARSE_M + k % SPARSE_N;
}

const userIfmap = new UserReadBuffer();
const userFilter = new UserReadBuffer();
const blkI = new Block();
const blkF = new Block();
const blkO = new Block();

/** Serves one demand line of a read operand (block loaded); returns its service cycle. */
function userReadLine(buf: UserReadBuffer, op: i32, l: i32, cycle: f64): f64 {
  let offset: f64 = 1; // hit latency
  buf.lineBegin();
  if (l >= blockFirstLine() && l <= blockLastLine()) {
    const qa = lineQLo(l);
    const qb = lineQHi(l);
    for (let q = qa; q <= qb; q++) {
      const p = bSkew ? l - bPrefix - q : l - bPrefix;
      const addr = readAddr(op, p, q);
      if (addr >= 0) offset = buf.demand(addr, cycle, offset);
    }
  }
  return cycle + buf.lineEnd(offset);
}

/** Row-wise N:M: serves line l of row fold fr of the ifmap; rwValid tells whether it held a valid address. */
let rwValid: bool = false;
function userReadRowWise(fr: i32, l: i32, cycle: f64): f64 {
  let offset: f64 = 1; // hit latency
  const n = rwLine(fr, l);
  rwValid = false;
  userIfmap.lineBegin();
  for (let i = 0; i < n; i++) {
    const addr = load<i32>(rwBuf + (<usize>i << 2));
    if (addr >= 0) { rwValid = true; offset = userIfmap.demand(addr, cycle, offset); }
  }
  return cycle + userIfmap.lineEnd(offset);
}

/** Whether line l of the loaded block holds a valid address. */
@inline function lineValid(op: i32, l: i32): bool {
  return l >= blockFirstLine() && l <= blockLastLine() && lineHasValid(op, l);
}

let uSramFirst = new StaticArray<f64>(3), uSramLast = new StaticArray<f64>(3);
let uLastOfmapServed: f64 = 0; // the last demand line's ofmap service cycle

/** The whole layer line by line in USER mode: all three buffers can stall the array. */
function walkUser(out: usize, ifmapWords: i32, filterWords: i32, ifmapBandwidth: i32, filterBandwidth: i32, v3: bool): f64 {
  userIfmap.setup(OP_IFMAP, ifmapWords, ifmapBandwidth, H * W * CH, v3);
  // a custom filter layout holds every dense filter word, so its table spans K_DENSE·N
  userFilter.setup(OP_FILTER, filterWords, filterBandwidth, layoutSpec != 0 && spec(OP_FILTER, 0) != 0 ? K_DENSE * N : <i32>FILTER_SPACE, v3);
  for (let i = 0; i < 3; i++) { uSramFirst[i] = -1; uSramLast[i] = 0; }
  let stalls: f64 = 0;
  for (let fc = 0; fc < COL_FOLDS; fc++) {
    for (let fr = 0; fr < ROW_FOLDS; fr++) {
      setBlock(OP_IFMAP, fc, fr); saveBlock(blkI);
      setBlock(OP_FILTER, fc, fr); saveBlock(blkF);
      setBlock(OP_OFMAP, fc, fr); saveBlock(blkO);
      const hole = ofmapHoleLine();
      const base = (<f64>fc * <f64>ROW_FOLDS + <f64>fr) * <f64>FOLD_LEN;
      for (let l = 0; l < FOLD_LEN; l++) {
        const cycle = base + <f64>l + stalls;
        loadBlock(blkI);
        const ifmapOut = ROW_WISE ? userReadRowWise(fr, l, cycle) : userReadLine(userIfmap, OP_IFMAP, l, cycle);
        if (ROW_WISE ? rwValid : lineValid(OP_IFMAP, l)) { if (uSramFirst[0] < 0) uSramFirst[0] = ifmapOut; uSramLast[0] = ifmapOut; }
        loadBlock(blkF);
        const filterOut = userReadLine(userFilter, OP_FILTER, l, cycle);
        if (lineValid(OP_FILTER, l)) { if (uSramFirst[1] < 0) uSramFirst[1] = filterOut; uSramLast[1] = filterOut; }
        loadBlock(blkO);
        let ofmapOut = cycle;
        if (l >= blockFirstLine() && l <= blockLastLine()) {
          const v = lineQHi(l) - lineQLo(l) + 1 - (l == hole ? 1 : 0);
          if (v > 0) {
            ofmapOut = writeLine(v, cycle);
            if (uSramFirst[2] < 0) uSramFirst[2] = ofmapOut;
            uSramLast[2] = ofmapOut;
          }
        }
        if (logging) {
          logs[LOG_SERVED + OP_IFMAP].push(ifmapOut);
          logs[LOG_SERVED + OP_FILTER].push(filterOut);
          logs[LOG_SERVED + OP_OFMAP].push(ofmapOut);
        }
        stalls += max(max(ifmapOut - cycle - 1, filterOut - cycle - 1), ofmapOut - cycle);
        uLastOfmapServed = ofmapOut;
      }
    }
  }
  for (let op = 0; op < 3; op++) {
    put(out, F_SRAM_START + op, uSramFirst[op]);
    put(out, F_SRAM_STOP + op, uSramLast[op]);
  }
  put(out, F_DRAM_READS_IFMAP, userIfmap.access);
  put(out, F_DRAM_READS_FILTER, userFilter.access);
  put(out, F_DRAM_START + OP_IFMAP, userIfmap.start);
  put(out, F_DRAM_START + OP_FILTER, userFilter.start);
  put(out, F_DRAM_STOP + OP_IFMAP, userIfmap.lastPrefetch);
  put(out, F_DRAM_STOP + OP_FILTER, userFilter.lastPrefetch);
  // Every prefetch line moves `bandwidth` words, padding counted as in the DRAM read counts (with
  // Ramulator's latencies, in the cycle it returns: several can return together).
  put(out, F_DRAM_PEAK + OP_IFMAP, ramulatorIfmap.on ? ramulatorIfmap.peak : userIfmap.access > 0 ? <f64>ifmapBandwidth : 0);
  put(out, F_DRAM_PEAK + OP_FILTER, ramulatorFilter.on ? ramulatorFilter.peak : userFilter.access > 0 ? <f64>filterBandwidth : 0);
  userIfmap.free();
  userFilter.free();
  return stalls;
}

/** Distinct valid ifmap addresses (dense: channels × covered rows × covered columns). */
function distinctIfmap(): f64 {
  return IFMAP_DISTINCT;
}

/** Distinct valid addresses of the pruned ifmap matrix, counted over a byte mark per ifmap word. */
function countSparseIfmap(): f64 {
  const size = <usize>H * <usize>W * <usize>CH;
  const marks = heap.alloc(max<usize>(size, 1));
  memory.fill(marks, 0, size);
  let count: f64 = 0;
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      const a = ifmapAddr(m, k);
      if (a >= 0 && load<u8>(marks + <usize>a) == 0) { store<u8>(marks + <usize>a, 1); count++; }
    }
  }
  heap.free(marks);
  return count;
}

function covered(size: i32, f: i32, s: i32, outputs: i32): i32 {
  let count = 0;
  let reach = 0; // first index not yet counted
  for (let o = 0; o < outputs; o++) {
    const lo = max(o * s, reach);
    const hi = min(o * s + f, size);
    if (hi > lo) { count += hi - lo; reach = hi; }
  }
  return count;
}

/** DRAM reads, start and stop of one read operand into out. */
function readOperand(out: usize, op: i32, words: i32, distinct: f64, spaceSize: f64): void {
  const perSet = words / 100;
  const firstBw = <f64>(op == OP_IFMAP ? CALC_IFMAP_BW : CALC_FILTER_BW);
  cap = 50 * <f64>perSet;
  let reads: f64, start: f64, stop: f64, peak: f64;
  let flushed = false;
  // Walked when the window can fill (or to log the trace, or with words below address 0, which
  // the closed forms do not know); otherwise a closed form.
  const plain = logging || (op == OP_IFMAP ? FLOOR_I : FLOOR_F) > 0;
  if (distinct >= cap || plain) {
    stallCursor = 0;
    firstRequestLine = firstValidLine(op, op == OP_IFMAP ? FLOOR_I : FLOOR_F);
    firstRequest = firstRequestLine < 0 ? 0 : issueCycle(firstRequestLine);
    mark = 0;
    markSpace = spaceSize;
    epoch = 1; inChunk = 0; inserted = 0; flushes = 0; lastFlushCycle = 0;
    flushPrev = firstRequest - 2; flushLastGap = -1; flushMinFullGap = Infinity;
    if (plain) {
      stallCursor = 0; // walkReads resets it itself
      if (ROW_WISE && op == OP_IFMAP) walkRowWiseIfmap();
      else walkFolds(op, 0, COL_FOLDS, 0, ROW_FOLDS);
    } else {
      walkReads(op);
    }
    if (mark != 0) heap.free(mark);
    mark = 0;
    flushed = flushes > 0;
    distinct = inserted;
  }
  if (!flushed) {
    // Never fills the window: everything is prefetched before cycle 0 at firstBw (10) words per cycle.
    reads = distinct;
    const sets = Math.ceil(distinct / <f64>perSet);
    start = -Math.ceil(sets * <f64>perSet / firstBw);
    stop = -1;
    peak = min(firstBw, distinct);
  } else {
    reads = inserted;
    // The first window is prefetched at firstBw (10) words per cycle, ending 2 cycles before the first demand.
    start = firstRequest - Math.ceil(cap / firstBw);
    stop = lastFlushCycle + 1;
    // Full windows at ceil(cap / gap) words per cycle; the rest, in whole sets, over the last gap.
    // A gap of 0 cycles (two flushes in one cycle) makes SCALE-Sim divide by zero; here it counts as one cycle.
    peak = firstBw;
    if (flushMinFullGap < Infinity) peak = max(peak, Math.ceil(cap / max(flushMinFullGap, 1)));
    if (inChunk > 0) peak = max(peak, min(Math.ceil(Math.ceil(inChunk / <f64>perSet) * <f64>perSet / max(flushLastGap, 1)), inChunk));
  }
  store<f64>(out + (<usize>(op == OP_IFMAP ? F_DRAM_READS_IFMAP : F_DRAM_READS_FILTER) << 3), reads);
  store<f64>(out + (<usize>(F_DRAM_START + op) << 3), start);
  store<f64>(out + (<usize>(F_DRAM_STOP + op) << 3), stop);
  put(out, F_DRAM_PEAK + op, peak);
}

/** CALC mode: the ofmap walk (the only stalls), then the read operands' caches. */
function walkCalc(out: usize, ifmapWords: i32, filterWords: i32, lines: f64): f64 {
  let stalls: f64 = 0;
  let ofmapFirst: f64 = -1, ofmapLast: f64 = 0;
  for (let fc = 0; fc < COL_FOLDS; fc++) {
    for (let fr = 0; fr < ROW_FOLDS; fr++) {
      setBlock(OP_OFMAP, fc, fr);
      const base = (<f64>fc * <f64>ROW_FOLDS + <f64>fr) * <f64>FOLD_LEN;
      const last = blockLastLine();
      // Between the skew's ramps every line carries the same number of words; runs of such
      // lines that neither start a drain nor fill the buffer are stored in one step.
      // (none in the fold of the ofmap hole, whose line carries one word less)
      const hole = ofmapHoleLine();
      const plateauFrom = bSkew ? min(bPrefix + bPLo + bQHi - 1, bPrefix + bP - 1) : blockFirstLine();
      const plateauTo = hole >= 0 ? plateauFrom : bSkew ? max(bPrefix + bPLo + bQHi - 1, bPrefix + bP - 1) : last;
      for (let l = blockFirstLine(); l <= last; l++) {
        const v = lineQHi(l) - lineQLo(l) + 1 - (l == hole ? 1 : 0);
        if (v <= 0) continue;
        const cycle = base + <f64>l + stalls;
        if (l >= plateauFrom && l < plateauTo && ofmapFirst >= 0) {
          let n: f64;
          if (cycle < wDrainEnd) n = min(wDrainEnd - cycle, Math.ceil(wFree / <f64>v) - 1);
          else n = Math.floor((wFree - wActive) / <f64>v);
          n = min(n, <f64>(plateauTo - l));
          if (n >= 2) {
            storeWords(<i32>(n * <f64>v));
            ofmapLast = cycle + n - 1;
            l += <i32>n - 1;
            continue;
          }
        }
        const served = writeLine(v, cycle);
        if (ofmapFirst < 0) ofmapFirst = served;
        ofmapLast = served;
        if (served > cycle) {
          stalls += served - cycle;
          recordStall(base + <f64>l, stalls);
        }
      }
    }
  }
  readOperand(out, OP_IFMAP, ifmapWords, distinctIfmap(), <f64>H * <f64>W * <f64>CH);
  readOperand(out, OP_FILTER, filterWords, FILTER_DISTINCT, FILTER_SPACE);
  // SRAM first and last service cycles (reads are served one cycle after issue)
  stallCursor = 0;
  put(out, F_SRAM_START + OP_IFMAP, issueCycle(firstValidLine(OP_IFMAP)) + 1);
  stallCursor = 0;
  put(out, F_SRAM_START + OP_FILTER, issueCycle(firstValidLine(OP_FILTER)) + 1);
  stallCursor = 0;
  put(out, F_SRAM_STOP + OP_IFMAP, issueCycle(lastValidLine(OP_IFMAP)) + 1);
  stallCursor = 0;
  put(out, F_SRAM_STOP + OP_FILTER, issueCycle(lastValidLine(OP_FILTER)) + 1);
  put(out, F_SRAM_START + OP_OFMAP, ofmapFirst);
  put(out, F_SRAM_STOP + OP_OFMAP, ofmapLast);
  return stalls;
}

// ---- the layer -----------------------------------------------------------------------------------

@inline function put(out: usize, field: i32, value: f64): void {
  store<f64>(out + (<usize>field << 3), value);
}

/** Row-wise N:M: the sum over folds (in order) of the fold's non-padding filter entries / (R·C). */
function rowWiseMappingSum(denom: f64): f64 {
  let sum: f64 = 0;
  for (let fc = 0; fc < COL_FOLDS; fc++) {
    for (let fr = 0; fr < ROW_FOLDS; fr++) {
      let valid = 0;
      for (let k = fr * R; k < min(fr * R + R, K); k++) for (let n = fc * C; n < min(fc * C + C, N); n++) if (filterAddr(k, n) >= 0) valid++;
      sum += <f64>valid / denom;
    }
  }
  return sum;
}

/** Sets the layer geometry and allocates the ifmap address tables; 1 if an argument is out of range. */
function setupLayer(
  rows: i32, cols: i32, dataflow: i32,
  ifmapH: i32, ifmapW: i32, filterH: i32, filterW: i32, channels: i32, filters: i32, strideH: i32, strideW: i32,
  sparseN: i32, sparseM: i32, rowBlock: i32, rowRatios: usize, mStart: i32, mCount: i32,
): i32 {
  if (sparseN < 1 || sparseM < sparseN) return 1;
  // row-wise: WS, dense layer-wise ratio, an even block dividing 2R (whole blocks per fold)
  if (rowBlock != 0 && (dataflow != DF_WS || sparseM != 1 || rowBlock < 2 || rowBlock % 2 != 0 || rows <= 0 || (2 * rows) % rowBlock != 0)) return 1;
  if (rows <= 0 || cols <= 0 || dataflow < 0 || dataflow > 2) return 1;
  if (ifmapH <= 0 || ifmapW <= 0 || filterH <= 0 || filterW <= 0 || channels <= 0 || filters <= 0 || strideH <= 0 || strideW <= 0) return 1;
  if (filterH > ifmapH || filterW > ifmapW) return 1;
  R = rows; C = cols; DF = dataflow;
  FLOOR_I = 0; FLOOR_F = 0; HOLE_I = -1; HOLE_F = -1; HOLE_O = -1;
  H = ifmapH; W = ifmapW; FH = filterH; FW = filterW; CH = channels; NF = filters; SH = strideH; SW = strideW;
  OH = (H - FH + SH + SH - 1) / SH; // ceil((H − F + S) / S), SCALE-Sim's output size
  OW = (W - FW + SW + SW - 1) / SW;
  // krittika's cores take rows [mStart, mStart + mCount) of the ifmap operand matrix (mCount 0: all)
  const sliced = mCount != 0;
  if (mStart < 0 || mCount < 0 || (sliced && (sparseM != 1 || rowBlock != 0 || mStart + mCount > OH * OW))) return 1;
  M = sliced ? mCount : OH * OW; N = NF; K_DENSE = FH * FW * CH;
  SPARSE_N = sparseN; SPARSE_M = sparseM;
  K = (K_DENSE / SPARSE_M) * SPARSE_N + min(K_DENSE % SPARSE_M, SPARSE_N);
  KI = K;
  ROW_WISE = rowBlock != 0;
  FILTER_DISTINCT = <f64>K * <f64>N;
  FILTER_SPACE = FILTER_DISTINCT;
  if (ROW_WISE) {
    RW_B = rowBlock;
    const groups = (K_DENSE + 2 * RW_B - 1) / (2 * RW_B);
    K = groups * RW_B;
    fAddr = heap.alloc(<usize>K * <usize>N << 2);
    memory.fill(fAddr, 0xff, <usize>K * <usize>N << 2); // -1: padding
    FILTER_DISTINCT = 0;
    for (let n = 0; n < N; n++) {
      const keep = load<i32>(rowRatios + (<usize>n << 2));
      if (keep < 1 || keep > RW_B / 2) { heap.free(fAddr); fAddr = 0; ROW_WISE = false; return 1; }
      for (let blk = 0; blk < 2 * groups; blk++) {
        let row = blk * (RW_B / 2);
        for (let k = blk * RW_B; k < min(blk * RW_B + RW_B, K_DENSE); k++) {
          if (k % RW_B >= keep) continue;
          store<i32>(fAddr + ((<usize>row * <usize>N + <usize>n) << 2), n * K_DENSE + k);
          row++;
          FILTER_DISTINCT++;
        }
      }
    }
    FILTER_SPACE = <f64>K_DENSE * <f64>N;
    rwBuf = heap.alloc(<usize>R * <usize>RW_B << 2);
  }
  if (DF == DF_OS) { SR = M; SC = N; T = K; } else if (DF == DF_WS) { SR = K; SC = N; T = M; } else { SR = K; SC = M; T = N; }
  ROW_FOLDS = (SR + R - 1) / R;
  COL_FOLDS = (SC + C - 1) / C;
  FOLD_LEN = DF == DF_OS ? T + R + C - 2 : 2 * R + C + T - 2;

  // ifmap address tables
  mRow = heap.alloc(<usize>M << 2); mCol = heap.alloc(<usize>M << 2); mBase = heap.alloc(<usize>M << 2);
  kRow = heap.alloc(<usize>KI << 2); kCol = heap.alloc(<usize>KI << 2); kOff = heap.alloc(<usize>KI << 2);
  for (let m = 0; m < M; m++) {
    const r = ((m + mStart) / OW) * SH;
    const c = ((m + mStart) % OW) * SW;
    store<i32>(mRow + (<usize>m << 2), r);
    store<i32>(mCol + (<usize>m << 2), c);
    store<i32>(mBase + (<usize>m << 2), (r * W + c) * CH);
  }
  for (let k = 0; k < KI; k++) {
    const dense = (k / SPARSE_N) * SPARSE_M + k % SPARSE_N; // the k-th kept window element
    const r = dense / (FW * CH);
    const rest = dense % (FW * CH);
    const c = rest / CH;
    store<i32>(kRow + (<usize>k << 2), r);
    store<i32>(kCol + (<usize>k << 2), c);
    store<i32>(kOff + (<usize>k << 2), (r * W + c) * CH + rest % CH);
  }
  IFMAP_DISTINCT = KI == K_DENSE && !sliced ? <f64>CH * <f64>covered(H, FH, SH, OH) * <f64>covered(W, FW, SW, OW) : countSparseIfmap();

  return 0;
}

function freeLayer(): void {
  heap.free(mRow); heap.free(mCol); heap.free(mBase); heap.free(kRow); heap.free(kCol); heap.free(kOff);
  if (ROW_WISE) { heap.free(fAddr); heap.free(rwBuf); fAddr = 0; rwBuf = 0; ROW_WISE = false; }
}

/**
 * Simulates one layer as SCALE-Sim v2 does (v3 when `v3` is 1) and writes SIM_FIELD_COUNT f64
 * figures to `out`: CALC interface bandwidth when `userBandwidth` is 0, else USER mode with the
 * ofmap written at `userBandwidth` words per cycle and the ifmap and filter read at
 * `ifmapBandwidth` and `filterBandwidth` (v2: all three the same); `sparseN`:`sparseM` is v3's
 * layer-wise N:M sparsity (1:1 dense); a `rowBlock` > 0 is v3's row-wise N:M (WS), with each
 * filter column's N at `rowRatios` (i32 × filters); `layout` (USER mode) the custom layouts'
 * spec (LAYOUT_OP), their filter words hashing with `filterOffset`. Returns 0, or 1 when an
 * argument is out of range.
 */
export function simLayer(
  out: usize, rows: i32, cols: i32, ifmapWords: i32, filterWords: i32, ofmapWords: i32, dataflow: i32,
  ifmapH: i32, ifmapW: i32, filterH: i32, filterW: i32, channels: i32, filters: i32, strideH: i32, strideW: i32,
  userBandwidth: i32, ifmapBandwidth: i32, filterBandwidth: i32, v3: i32, sparseN: i32, sparseM: i32, rowBlock: i32, rowRatios: usize,
  layout: usize, filterOffset: f64, mStart: i32, mCount: i32, calcIfmapBw: i32, calcFilterBw: i32, calcOfmapBw: i32, metricCopies: i32,
  floorIfmap: i32, floorFilter: i32, floorOfmap: i32,
): i32 {
  if (metricCopies < 1 || (metricCopies > 1 && rowBlock != 0)) return 1;
  if (calcIfmapBw < 0 || calcFilterBw < 0 || calcOfmapBw < 0) return 1;
  CALC_IFMAP_BW = calcIfmapBw > 0 ? calcIfmapBw : 10;
  CALC_FILTER_BW = calcFilterBw > 0 ? calcFilterBw : 10;
  CALC_OFMAP_BW = calcOfmapBw;
  if (userBandwidth < 0 || (userBandwidth > 0 && (ifmapBandwidth <= 0 || filterBandwidth <= 0))) return 1;
  // custom layouts: USER mode only (v3's CALC buffers ignore them), banks dividing the bandwidth
  layoutSpec = userBandwidth > 0 ? layout : 0;
  layoutHashOffset = filterOffset;
  if (layoutSpec != 0) {
    if (!layoutSpecValid(OP_IFMAP) || !layoutSpecValid(OP_FILTER)) return 1;
    if (spec(OP_IFMAP, 0) != 0 && ifmapBandwidth % spec(OP_IFMAP, 1) != 0) return 1;
    if (spec(OP_FILTER, 0) != 0 && filterBandwidth % spec(OP_FILTER, 1) != 0) return 1;
  }
  if (rows <= 0 || cols <= 0 || ifmapWords < 100 || filterWords < 100 || ofmapWords <= 1 || dataflow < 0 || dataflow > 2) return 1;
  // Ramulator's latencies pace v3's USER-mode ports only
  if (ramulatorOfmap.on && (userBandwidth == 0 || v3 == 0)) return 1;
  rewindRamulator();
  if (setupLayer(rows, cols, dataflow, ifmapH, ifmapW, filterH, filterW, channels, filters, strideH, strideW, sparseN, sparseM, rowBlock, rowRatios, mStart, mCount) != 0) return 1;
  if (floorIfmap < 0 || floorFilter < 0 || floorOfmap < 0) { freeLayer(); return 1; }
  FLOOR_I = floorIfmap; FLOOR_F = floorFilter;
  HOLE_I = floorIfmap - 1 < H * W * CH ? floorIfmap - 1 : -1;
  HOLE_F = floorFilter - 1 < K_DENSE * N ? floorFilter - 1 : -1;
  HOLE_O = floorOfmap - 1 < M * N ? floorOfmap - 1 : -1;
  // holes: dense layers only (the closed forms of a sparse ifmap and filter count every word)
  if ((HOLE_I >= 0 || HOLE_F >= 0 || HOLE_O >= 0) && (SPARSE_M != 1 || ROW_WISE || mCount != 0)) { freeLayer(); return 1; }
  const folds = <f64>ROW_FOLDS * <f64>COL_FOLDS;
  const lines = folds * <f64>FOLD_LEN;

  // Per-fold metrics, summed in SCALE-Sim's order (fc outer, fr inner) so the floats agree.
  // The two sums are the lanes of one f64x2 (mapping efficiency, utilisation): each lane adds
  // the same terms in the same order as two scalar sums would, so the figures stay bit for bit.
  const utilCycles = DF == DF_OS ? FOLD_LEN : 2 * R + 2 * C + T - 3; // WS/IS: one C−1 more (quirk)
  const denom = <f64>R * <f64>C;
  const denoms = f64x2.replace_lane(f64x2.splat(denom), 1, denom * <f64>utilCycles);
  // krittika builds scalesim's per-fold lists `metricCopies` (2) times over and averages them all.
  // WS counts the fold's filter words that are not -1, so the filter hole is an idle PE.
  const holeFc = DF == DF_WS && HOLE_F >= 0 ? HOLE_F / K / C : -1, holeFr = DF == DF_WS && HOLE_F >= 0 ? HOLE_F % K / R : -1;
  let sums = f64x2.splat(0);
  for (let copy = 0; copy < metricCopies; copy++) {
    for (let fc = 0; fc < COL_FOLDS; fc++) {
      for (let fr = 0; fr < ROW_FOLDS; fr++) {
        const used = <f64>rowsUsed(fr) * <f64>colsUsed(fc);
        const mapped = fc == holeFc && fr == holeFr ? used - 1 : used;
        sums = f64x2.add(sums, f64x2.div(f64x2.replace_lane(f64x2.splat(mapped), 1, used * <f64>T), denoms));
      }
    }
  }
  const listed = folds * <f64>metricCopies;
  const utilSum = f64x2.extract_lane(sums, 1);
  // Row-wise N:M: v3's mapping efficiency counts the fold's filter entries that are not padding.
  const mapSum = ROW_WISE ? rowWiseMappingSum(denom) : f64x2.extract_lane(sums, 0);

  // ofmap write buffer, fold by fold over the lines that carry outputs
  wTotal = <f64>ofmapWords;
  wActive = Math.ceil(wTotal * 0.5);
  wDrainSize = wTotal - wActive;
  wBw = userBandwidth > 0 ? userBandwidth : CALC_OFMAP_BW > 0 ? CALC_OFMAP_BW : C;
  wDrainLines = Math.ceil(wDrainSize / <f64>wBw);
  wFree = wTotal; wLineIdx = 0; wLines = 0; wDrainStart = 0; wDrainEnd = 0;
  wAccess = 0; wFirstDrain = 0; wLastDrainEnd = 0; wMaxDrainEnd = 0; wDrained = false;
  dPeak = 0; d1End = -1; d2End = -1;
  wStored = 0;
  pqHead = 0; pqTail = 0;
  stallCount = 0;
  let stalls: f64 = 0;
  if (userBandwidth > 0) {
    stalls = walkUser(out, ifmapWords, filterWords, ifmapBandwidth, filterBandwidth, v3 != 0);
  } else {
    stalls = walkCalc(out, ifmapWords, filterWords, lines);
  }
  // Total Cycles is the last line's ofmap service cycle (SCALE-Sim's off-by-one, #125): lines − 1 +
  // stalls when only the ofmap stalls (CALC); in USER mode the last line's own read stall is not in it
  const total = userBandwidth > 0 ? uLastOfmapServed : lines - 1 + stalls;
  closePartialLine();
  let drainAt = total;
  while (wDrainStart < wLines) drainAt = drain(drainAt) + 1;

  const macs = <f64>M * <f64>N * <f64>K_DENSE; // v3 counts a sparse layer's MACs dense
  put(out, F_TOTAL, total);
  put(out, F_STALL, stalls);
  put(out, F_OVERALL_UTIL, (macs * 100) / (total * denom));
  put(out, F_MAPPING_EFF, (mapSum / listed) * 100);
  put(out, F_COMPUTE_UTIL, (utilSum / listed) * 100);
  put(out, F_MACS, macs);
  // SRAM counts are shape counts (padding of the ceil rule included).
  let ifmapReads: f64, filterReads: f64, ofmapWrites: f64;
  if (DF == DF_OS) {
    ifmapReads = <f64>M * <f64>K * <f64>COL_FOLDS;
    filterReads = <f64>K * <f64>N * <f64>ROW_FOLDS;
    ofmapWrites = <f64>M * <f64>N + folds * <f64>(R + C); // SCALE-Sim issue #166: + (R + C) per fold
  } else if (DF == DF_WS) {
    ifmapReads = <f64>M * <f64>K * <f64>COL_FOLDS;
    filterReads = <f64>K * <f64>N;
    ofmapWrites = <f64>M * <f64>N * <f64>ROW_FOLDS;
  } else {
    ifmapReads = <f64>M * <f64>K;
    filterReads = <f64>K * <f64>N * <f64>COL_FOLDS;
    ofmapWrites = <f64>M * <f64>N * <f64>ROW_FOLDS;
  }
  put(out, F_SRAM_READS_IFMAP, ifmapReads);
  put(out, F_SRAM_READS_FILTER, filterReads);
  put(out, F_SRAM_WRITES_OFMAP, ofmapWrites);
  put(out, F_DRAM_WRITES_OFMAP, wAccess);
  put(out, F_DRAM_PEAK + OP_OFMAP, ramulatorOfmap.on ? ramulatorOfmap.peak : dPeak);
  put(out, F_DRAM_START + OP_OFMAP, ramulatorOfmap.on ? ramulatorOfmap.first : wFirstDrain);
  // v2 reports the last drain's end; v3 the latest (the final drain can end before the one it follows)
  put(out, F_DRAM_STOP + OP_OFMAP, v3 != 0 ? wMaxDrainEnd : wLastDrainEnd);
  put(out, F_FOLDS, folds);
  put(out, F_LINES, lines);

  freeLayer();
  return 0;
}

// ---- traces ---------------------------------------------------------------------------------------
// SCALE-Sim-style SRAM traces for small layers: the demand line `line` of an operand, one address
// per array row or column (-1 where nothing is demanded), without the operand's base offset.

export function simTraceBegin(
  rows: i32, cols: i32, dataflow: i32,
  ifmapH: i32, ifmapW: i32, filterH: i32, filterW: i32, channels: i32, filters: i32, strideH: i32, strideW: i32,
  sparseN: i32, sparseM: i32, rowBlock: i32, rowRatios: usize,
): i32 {
  return setupLayer(rows, cols, dataflow, ifmapH, ifmapW, filterH, filterW, channels, filters, strideH, strideW, sparseN, sparseM, rowBlock, rowRatios, 0, 0);
}

/** Lines in the layer's demand (all folds), after simTraceBegin. */
export function simTraceLines(): f64 {
  return <f64>ROW_FOLDS * <f64>COL_FOLDS * <f64>FOLD_LEN;
}

/** Writes the addresses of demand line `line` of operand `op` (0 ifmap, 1 filter, 2 ofmap) as i32s; returns the width. */
export function simTraceLine(out: usize, op: i32, line: f64): i32 {
  const fold = <i32>Math.floor(line / <f64>FOLD_LEN);
  const l = <i32>(line - <f64>fold * <f64>FOLD_LEN);
  setBlock(op, fold / ROW_FOLDS, fold % ROW_FOLDS);
  const width = op == OP_OFMAP ? C : ROW_WISE && op == OP_IFMAP ? R * RW_B : (op == OP_IFMAP) == (DF != DF_IS) ? R : C;
  for (let q = 0; q < width; q++) store<i32>(out + (<usize>q << 2), -1);
  if (ROW_WISE && op == OP_IFMAP) { // row-wise N:M: R blocks of RW_B words per line (rwLine)
    const n = rwLine(fold % ROW_FOLDS, l);
    memory.copy(out, rwBuf, <usize>n << 2);
    return width;
  }
  if (l < blockFirstLine() || l > blockLastLine()) return width;
  const qb = lineQHi(l);
  for (let q = lineQLo(l); q <= qb; q++) {
    const p = bSkew ? l - bPrefix - q : l - bPrefix;
    const a = bA0 + bAp * p + bAq * q;
    const b = bB0 + bBp * p + bBq * q;
    store<i32>(out + (<usize>q << 2), op == OP_OFMAP ? a * N + b : readAddr(op, p, q));
  }
  return width;
}

export function simTraceEnd(): void {
  freeLayer();
}
