// Single-precision GEMM, C[m×n] = A[m×k] · B[k×n], all row-major.
//
// Register-blocked à la GotoBLAS: B is packed once into column panels of NR floats
// (zero-padded at the right edge), the reduction is split into KC-deep slices so one
// packed panel slice (KC·NR·4 bytes) stays in L1 while A streams from L2, and a 4×8
// micro-kernel keeps eight v128 accumulators in registers.
//
//   packed B:  panel 0: [p=0: b00..b07][p=1: b10..b17] … [p=k-1: …]   panel 1: …
import { madd } from './vec';

const MR = 4;
const NR = 8;
const KC = 256;

// Staging area for tiles that overhang the right edge of C.
const edgeTile = memory.data(MR * NR * 4, 16);

export function gemm(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) { memory.fill(c, 0, <usize>m * <usize>n << 2); return; }
  const panels = (n + NR - 1) / NR;
  const packed = heap.alloc(<usize>panels * <usize>k * NR << 2);
  packPanels(b, packed, n, k, panels);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const accumulate = p0 > 0;
    for (let jp = 0; jp < panels; jp++) {
      const j = jp * NR;
      const cols = min(NR, n - j);
      const panel = packed + ((<usize>jp * <usize>k + <usize>p0) * NR << 2);
      let i = 0;
      for (; i + MR <= m; i += MR) {
        tile4x8(a + ((<usize>i * <usize>k + <usize>p0) << 2), k, panel, kc,
          c + ((<usize>i * <usize>n + <usize>j) << 2), n, cols, accumulate);
      }
      for (; i < m; i++) {
        tile1x8(a + ((<usize>i * <usize>k + <usize>p0) << 2), panel, kc,
          c + ((<usize>i * <usize>n + <usize>j) << 2), cols, accumulate);
      }
    }
  }
  heap.free(packed);
}

function packPanels(b: usize, packed: usize, n: i32, k: i32, panels: i32): void {
  let dst = packed;
  for (let jp = 0; jp < panels; jp++) {
    const j = jp * NR;
    const cols = min(NR, n - j);
    for (let p = 0; p < k; p++) {
      const src = b + ((<usize>p * <usize>n + <usize>j) << 2);
      if (cols == NR) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      } else {
        for (let q = 0; q < NR; q++) store<f32>(dst + (<usize>q << 2), q < cols ? load<f32>(src + (<usize>q << 2)) : 0);
      }
      dst += NR << 2;
    }
  }
}

// Copies a C tile with `cols` valid columns into the dense MR×NR staging area (or back).
function stageIn(c: usize, ldc: i32, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      store<f32>(edgeTile + ((<usize>(r * NR + q)) << 2), load<f32>(c + ((<usize>r * <usize>ldc + <usize>q) << 2)));
    }
  }
}

function stageOut(c: usize, ldc: i32, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      store<f32>(c + ((<usize>r * <usize>ldc + <usize>q) << 2), load<f32>(edgeTile + ((<usize>(r * NR + q)) << 2)));
    }
  }
}

function tile4x8(a: usize, lda: i32, panel: usize, kc: i32, c: usize, ldc: i32, cols: i32, accumulate: bool): void {
  const rowBytes = <usize>lda << 2;
  const ldcBytes = <usize>ldc << 2;
  // Where the accumulators come from and go to: C itself, or the staging area at an edge.
  const full = cols == NR;
  if (!full && accumulate) stageIn(c, ldc, MR, cols);
  const t = full ? c : edgeTile;
  const tStride: usize = full ? ldcBytes : NR << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (accumulate) {
    c00 = v128.load(t); c01 = v128.load(t, 16);
    c10 = v128.load(t + tStride); c11 = v128.load(t + tStride, 16);
    c20 = v128.load(t + 2 * tStride); c21 = v128.load(t + 2 * tStride, 16);
    c30 = v128.load(t + 3 * tStride); c31 = v128.load(t + 3 * tStride, 16);
  }
  let a0 = a, bp = panel;
  const aEnd = a + (<usize>kc << 2);
  while (a0 < aEnd) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let s = v128.load32_splat(a0);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(a0 + rowBytes);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(a0 + 2 * rowBytes);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(a0 + 3 * rowBytes);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    a0 += 4;
    bp += NR << 2;
  }
  v128.store(t, c00); v128.store(t, c01, 16);
  v128.store(t + tStride, c10); v128.store(t + tStride, c11, 16);
  v128.store(t + 2 * tStride, c20); v128.store(t + 2 * tStride, c21, 16);
  v128.store(t + 3 * tStride, c30); v128.store(t + 3 * tStride, c31, 16);
  if (!full) stageOut(c, ldc, MR, cols);
}

function tile1x8(a: usize, panel: usize, kc: i32, c: usize, cols: i32, accumulate: bool): void {
  const full = cols == NR;
  if (!full && accumulate) stageIn(c, NR, 1, cols);
  const t = full ? c : edgeTile;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  if (accumulate) { c0 = v128.load(t); c1 = v128.load(t, 16); }
  let bp = panel;
  for (let p = 0; p < kc; p++) {
    const s = v128.load32_splat(a + (<usize>p << 2));
    c0 = madd(s, v128.load(bp), c0);
    c1 = madd(s, v128.load(bp, 16), c1);
    bp += NR << 2;
  }
  v128.store(t, c0); v128.store(t, c1, 16);
  if (!full) stageOut(c, NR, 1, cols);
}
