// Winograd convolution F(m×m, r×r) (Lavin & Gray, "Fast Algorithms for Convolutional Neural
// Networks", CVPR 2016) for layers of stride 1, dilation 1 and one group, channels in fours:
// F(4×4, 3×3) and F(2×2, 3×3) for 3×3 kernels, F(2×2, 5×5) for 5×5 ones. Each α×α input tile d
// (α = m + r - 1; tiles overlap by r - 1) gives an m×m output tile Aᵀ[U ⊙ (Bᵀ d B)]A with
// U = G g Gᵀ, so the α² elementwise products summed over input channels are α² GEMMs of
// (tiles × c) by (c × oc): F(4×4, 3×3) spends 36·c·oc multiply-adds per 16 outputs, F(2×2, 3×3)
// 16·c·oc per 4 and F(2×2, 5×5) 36·c·oc per 4, where the direct conv spends 144·c·oc, 36·c·oc
// and 100·c·oc. F(4×4, 3×3) and F(2×2, 5×5) share α = 6, the points 0, ±1, ±2, ∞ and so Bᵀ; their
// G and Aᵀ differ. F(2×2, 3×3) keeps 16 transformed weights per 3×3 kernel instead of 36, for
// layers with few tiles, where the weights' traffic weighs most. The GEMMs run on the direct
// conv's micro-kernels (one tap, one pointer per tile), so the register block is the schedule's.
// A part works in bands of `band` tiles through a scratch of its own: the band's input transform
// V[tile][ξ][c], the GEMMs into M[tile][ξ][oc], the output transform into the output, then the
// conv's epilogue pixel by pixel.
//
//   packed: [ξ = α·row + column][oc block of nr][c][nr]   (U, zero-padded to nr)
import { convMicro, convVariantMR, convVariantNR, CONV_STAGE_BYTES, CONV_VARIANTS } from './generated/conv-micro';
import { ConvPlan, epilogue, newPlan } from './conv';
import { madd } from './vec';
import { BAD_SHAPE, BAD_VARIANT } from '../generated/shared';

// The most elements a transformed tile has (F(4×4): 6×6), for the scratch's fixed parts.
const XI_MAX = 36;

/** Floats of the transformed, packed weights of a kernel×kernel layer for F(tile×tile) and register blocks of nr channels. */
export function wgPackedLength(oc: i32, c: i32, nr: i32, tile: i32, kernel: i32): i32 {
  const alpha = tile + kernel - 1;
  return alpha * alpha * ((oc + nr - 1) / nr) * nr * c;
}

/** Whether F(tile×tile, kernel×kernel) is one of the forms built here. */
// @ts-ignore: decorator
@inline function wgForm(tile: i32, kernel: i32): bool {
  return (kernel == 3 && (tile == 4 || tile == 2)) || (kernel == 5 && tile == 2);
}

// G x of three vectors (G is 6×3), stored at dst, dst + step, …, dst + 5·step.
// @ts-ignore: decorator
@inline function weightRows(x0: v128, x1: v128, x2: v128, dst: usize, step: usize): void {
  const sum = f32x4.add(x0, x2);
  const quarter = f32x4.mul(x0, f32x4.splat(0.25));
  const even = madd(x2, f32x4.splat(1.0 / 6), f32x4.mul(x0, f32x4.splat(1.0 / 24)));
  const odd = f32x4.mul(x1, f32x4.splat(1.0 / 12));
  v128.store(dst, quarter);
  v128.store(dst + step, f32x4.mul(f32x4.add(sum, x1), f32x4.splat(-1.0 / 6)));
  v128.store(dst + 2 * step, f32x4.mul(f32x4.sub(sum, x1), f32x4.splat(-1.0 / 6)));
  v128.store(dst + 3 * step, f32x4.add(even, odd));
  v128.store(dst + 4 * step, f32x4.sub(even, odd));
  v128.store(dst + 5 * step, x2);
}

// F(2×2)'s G x (G is 4×3), stored at dst, dst + step, dst + 2·step, dst + 3·step.
// @ts-ignore: decorator
@inline function weightRows2(x0: v128, x1: v128, x2: v128, dst: usize, step: usize): void {
  const half = f32x4.splat(0.5);
  const sum = f32x4.mul(f32x4.add(x0, x2), half);
  v128.store(dst, x0);
  v128.store(dst + step, madd(x1, half, sum));
  v128.store(dst + 2 * step, f32x4.sub(sum, f32x4.mul(x1, half)));
  v128.store(dst + 3 * step, x2);
}

// F(2×2, 5×5)'s G x of five vectors (G is 6×5: the points 0, 1, -1, 2, -2 with F(4×4, 3×3)'s
// scales 1/4, -1/6, -1/6, 1/24, 1/24, then ∞), stored at dst, dst + step, …, dst + 5·step.
// @ts-ignore: decorator
@inline function weightRows5(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, dst: usize, step: usize): void {
  const even = f32x4.add(f32x4.add(x0, x2), x4), odd = f32x4.add(x1, x3);
  const even2 = madd(x4, f32x4.splat(16), madd(x2, f32x4.splat(4), x0)), odd2 = madd(x3, f32x4.splat(8), f32x4.mul(x1, f32x4.splat(2)));
  const sixth = f32x4.splat(-1.0 / 6), twentyFourth = f32x4.splat(1.0 / 24);
  v128.store(dst, f32x4.mul(x0, f32x4.splat(0.25)));
  v128.store(dst + step, f32x4.mul(f32x4.add(even, odd), sixth));
  v128.store(dst + 2 * step, f32x4.mul(f32x4.sub(even, odd), sixth));
  v128.store(dst + 3 * step, f32x4.mul(f32x4.add(even2, odd2), twentyFourth));
  v128.store(dst + 4 * step, f32x4.mul(f32x4.sub(even2, odd2), twentyFourth));
  v128.store(dst + 5 * step, x4);
}

// G x of the form's `kernel` vectors at x (`stride` bytes apart), stored at dst, dst + step, ….
// @ts-ignore: decorator
@inline function weightTransform(tile: i32, kernel: i32, x: usize, stride: usize, dst: usize, step: usize): void {
  if (kernel == 5) weightRows5(v128.load(x), v128.load(x + stride), v128.load(x + 2 * stride), v128.load(x + 3 * stride), v128.load(x + 4 * stride), dst, step);
  else if (tile == 4) weightRows(v128.load(x), v128.load(x + stride), v128.load(x + 2 * stride), dst, step);
  else weightRows2(v128.load(x), v128.load(x + stride), v128.load(x + 2 * stride), dst, step);
}

/**
 * Transforms OIHW weights ([oc][c][kernel][kernel], oc a multiple of four) into
 * F(tile×tile, kernel×kernel)'s U = G g Gᵀ and packs them for width nr, four output channels (one
 * vector of a packed row) at a time.
 */
export function wgPackWeights(src: usize, dst: usize, oc: i32, c: i32, nr: i32, tile: i32, kernel: i32): void {
  if (!wgForm(tile, kernel)) return;
  const blocks = (oc + nr - 1) / nr;
  const alpha = tile + kernel - 1, taps = kernel * kernel;
  if (oc % nr != 0) memory.fill(dst, 0, <usize>wgPackedLength(oc, c, nr, tile, kernel) << 2); // the last block's empty columns
  const g4 = heap.alloc(<usize>taps * 16); // the kernel of four output channels, tap by tap
  const t = heap.alloc(<usize>(alpha * kernel) * 16); // G g: α rows × kernel vectors
  const tapStride = <usize>(c * taps) << 2; // from one output channel's weights to the next's
  const xiStride = <usize>blocks * <usize>c * <usize>nr << 2;
  const tRow = <usize>kernel * 16;
  // Block by block, input channel by input channel, so that each of the α² packed matrices is
  // written in order, nr floats at a time (channel-major order would scatter its writes).
  for (let b = 0; b < blocks; b++) {
    for (let ic = 0; ic < c; ic++) {
      for (let j = 0; j < min(nr, oc - b * nr); j += 4) {
        const g = src + (<usize>(((b * nr + j) * c + ic) * taps) << 2);
        for (let tap = 0; tap < taps; tap++) v128.store(g4 + <usize>tap * 16, gather(g + (<usize>tap << 2), tapStride));
        // Columns of the kernel (taps kernel apart) into t's α rows, then each row of t.
        for (let col = 0; col < kernel; col++) weightTransform(tile, kernel, g4 + <usize>col * 16, tRow, t + <usize>col * 16, tRow);
        const out = dst + (<usize>((b * c + ic) * nr + j) << 2);
        for (let r = 0; r < alpha; r++) weightTransform(tile, kernel, t + <usize>r * tRow, 16, out + <usize>(r * alpha) * xiStride, xiStride);
      }
    }
  }
  heap.free(t);
  heap.free(g4);
}

// Four floats `stride` bytes apart as one vector.
// @ts-ignore: decorator
@inline function gather(at: usize, stride: usize): v128 {
  return f32x4(load<f32>(at), load<f32>(at + stride), load<f32>(at + 2 * stride), load<f32>(at + 3 * stride));
}

// Bᵀx of six vectors, stored at dst, dst + step, …: Bᵀ's rows with common terms shared.
// @ts-ignore: decorator
@inline function inputRows(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, dst: usize, step: usize): void {
  const four = f32x4.splat(4), minusFour = f32x4.splat(-4), two = f32x4.splat(2), minusTwo = f32x4.splat(-2);
  const x42 = f32x4.sub(x4, x2);
  v128.store(dst, madd(f32x4.sub(x0, x2), four, x42));                        // 4x0 - 5x2 + x4
  v128.store(dst + step, madd(f32x4.add(x1, x2), minusFour, f32x4.add(x3, x4)));   // -4x1 - 4x2 + x3 + x4
  v128.store(dst + 2 * step, madd(f32x4.sub(x1, x2), four, f32x4.sub(x4, x3))); // 4x1 - 4x2 - x3 + x4
  const x31 = f32x4.sub(x3, x1);
  v128.store(dst + 3 * step, madd(x31, two, x42));                            // -2x1 - x2 + 2x3 + x4
  v128.store(dst + 4 * step, madd(x31, minusTwo, x42));                       // 2x1 - x2 - 2x3 + x4
  v128.store(dst + 5 * step, madd(f32x4.sub(x1, x3), four, f32x4.sub(x5, x3))); // 4x1 - 5x3 + x5
}

// Aᵀx of six vectors, stored at dst, dst + step, dst + 2·step, dst + 3·step.
// @ts-ignore: decorator
@inline function outputRows(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, dst: usize, step: usize): void {
  const s12 = f32x4.add(x1, x2), d12 = f32x4.sub(x1, x2);
  const s34 = f32x4.add(x3, x4), d34 = f32x4.sub(x3, x4);
  v128.store(dst, f32x4.add(f32x4.add(x0, s12), s34));
  v128.store(dst + step, madd(d34, f32x4.splat(2), d12));
  v128.store(dst + 2 * step, madd(s34, f32x4.splat(4), s12));
  v128.store(dst + 3 * step, madd(d34, f32x4.splat(8), f32x4.add(d12, x5)));
}

// F(2×2)'s Bᵀx of four vectors.
// @ts-ignore: decorator
@inline function inputRows2(x0: v128, x1: v128, x2: v128, x3: v128, dst: usize, step: usize): void {
  v128.store(dst, f32x4.sub(x0, x2));
  v128.store(dst + step, f32x4.add(x1, x2));
  v128.store(dst + 2 * step, f32x4.sub(x2, x1));
  v128.store(dst + 3 * step, f32x4.sub(x1, x3));
}

// F(2×2, 5×5)'s Aᵀx of six vectors, stored at dst and dst + step.
// @ts-ignore: decorator
@inline function outputRows25(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, dst: usize, step: usize): void {
  const d12 = f32x4.sub(x1, x2), d34 = f32x4.sub(x3, x4);
  v128.store(dst, f32x4.add(f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3)), x4));
  v128.store(dst + step, f32x4.add(madd(d34, f32x4.splat(2), d12), x5));
}

// Aᵀx of six vectors for an output tile of 4 (F(4×4, 3×3)) or 2 (F(2×2, 5×5)).
// @ts-ignore: decorator
@inline function outputRows6(tile: i32, x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, dst: usize, step: usize): void {
  if (tile == 4) outputRows(x0, x1, x2, x3, x4, x5, dst, step);
  else outputRows25(x0, x1, x2, x3, x4, x5, dst, step);
}

// F(2×2)'s Aᵀx of four vectors, stored at dst and dst + step.
// @ts-ignore: decorator
@inline function outputRows2(x0: v128, x1: v128, x2: v128, x3: v128, dst: usize, step: usize): void {
  v128.store(dst, f32x4.add(f32x4.add(x0, x1), x2));
  v128.store(dst + step, f32x4.sub(f32x4.sub(x1, x2), x3));
}

/**
 * Plans a kernel×kernel, stride-1 conv of one group (c and oc multiples of four) as
 * F(tile×tile, kernel×kernel) Winograd (tile 4 or 2 for kernel 3, tile 2 for kernel 5), then the
 * epilogue, for up to `maxParts` parts; as convPlan otherwise (run with wgRun, free with
 * planRelease). `wpk` comes from wgPackWeights with nr of the variant; `band` is the tiles a
 * part transforms and multiplies at once (rounded up to the register block's rows).
 */
export function wgPlan(inp: usize, wpk: usize, out: usize, n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32, oc: i32,
  padTop: i32, padLeft: i32, tile: i32, kernel: i32, variant: i32, band: i32, maxParts: i32, outStride: i32,
  bias: usize, residual: usize, act: i32, actA: f32, actB: f32): usize {
  if (variant < 0 || variant >= CONV_VARIANTS) return BAD_VARIANT;
  if (!wgForm(tile, kernel) || c <= 0 || c % 4 != 0 || oc % 4 != 0 || outStride < oc || n < 0 || ho < 0 || wo < 0 || padTop < 0 || padLeft < 0) return BAD_SHAPE;
  const mr = convVariantMR(variant);
  const plan = newPlan(out, wpk, max(0, n * ho * wo), max(0, oc), variant, mr, convVariantNR(variant), maxParts, outStride, bias, residual, act, actA, actB);
  plan.inp = inp; plan.n = n; plan.h = h; plan.w = w; plan.c = c; plan.padTop = padTop; plan.padLeft = padLeft;
  plan.tile = tile; plan.alpha = tile + kernel - 1; plan.ho = ho; plan.wo = wo; plan.tilesH = (ho + tile - 1) / tile; plan.tilesW = (wo + tile - 1) / tile;
  const xi = plan.alpha * plan.alpha;
  // No band larger than the layer: its scratch would only hold empty tiles.
  plan.band = (max(1, min(band, n * plan.tilesH * plan.tilesW)) + mr - 1) / mr * mr;
  if (plan.pixels == 0 || plan.oc == 0) return changetype<usize>(plan);
  plan.zero = heap.alloc(<usize>c << 2);
  memory.fill(plan.zero, 0, <usize>c << 2);
  // Per part: the band's tile pointers, an edge-staging tile, transform vectors, a tile's input
  // pointers, then V and M (16-byte aligned).
  const head = (<usize>plan.band << 2) + CONV_STAGE_BYTES + XI_MAX * 16 + XI_MAX * 4;
  const alignedHead = (head + 15) & ~15;
  plan.scratchBytes = alignedHead + (<usize>plan.band * <usize>xi * <usize>(c + oc) << 2);
  plan.scratch = heap.alloc(<usize>plan.maxParts * plan.scratchBytes + 16);
  for (let part = 0; part < plan.maxParts; part++) {
    const s = scratchOf(plan, part);
    const v = s + alignedHead;
    for (let i = 0; i < plan.band; i++) store<usize>(s + (<usize>i << 2), v + (<usize>i * <usize>xi * <usize>c << 2));
    memory.fill(v, 0, <usize>plan.band * <usize>xi * <usize>(c + oc) << 2); // rows past the last tile stay finite
  }
  return changetype<usize>(plan);
}

// @ts-ignore: decorator
@inline function scratchOf(plan: ConvPlan, part: i32): usize {
  return ((plan.scratch + 15) & ~15) + <usize>part * plan.scratchBytes;
}

// The input transform of one channel costs about as much as the GEMMs of this many output
// channels (fitted to 64- and 128-channel F(4×4) layers at two threads: 0.24 and 0.16 of their time).
const TRANSFORM_AS_OUTPUT_CHANNELS = 20;

// Whether parts take bands of tiles rather than output-channel blocks: the one whose largest
// share is smaller, where a channel split repeats the band's input transform in every part
// (splitting a 64-channel layer at 56×56 by channels ran 1.6× on two threads, by bands 1.8×).
// @ts-ignore: decorator
@inline function splitsBands(bands: i32, ocBlocks: i32, nr: i32, oc: i32, parts: i32): bool {
  const bandLoad = <i64>((bands + parts - 1) / parts) * <i64>(TRANSFORM_AS_OUTPUT_CHANNELS + oc);
  const channelLoad = <i64>bands * <i64>(TRANSFORM_AS_OUTPUT_CHANNELS + (ocBlocks + parts - 1) / parts * nr);
  return bandLoad <= channelLoad;
}

/** Runs part `part` of `parts` of a wgPlan: bands of tiles, or output-channel blocks where those divide the work more evenly. */
export function wgRun(p: usize, part: i32, parts: i32): void {
  const plan = changetype<ConvPlan>(p);
  if (plan.pixels == 0 || plan.oc == 0 || part >= parts) return;
  const c = plan.c, oc = plan.oc, mr = plan.mr, nr = plan.nr, band = plan.band, variant = plan.variant;
  const xiCount = plan.alpha * plan.alpha;
  const tiles = plan.n * plan.tilesH * plan.tilesW;
  const bands = (tiles + band - 1) / band;
  const ocBlocks = (oc + nr - 1) / nr;
  let bLo = 0, bHi = bands, jbLo = 0, jbHi = ocBlocks;
  if (splitsBands(bands, ocBlocks, nr, oc, parts)) {
    bLo = bands * part / parts; bHi = bands * (part + 1) / parts;
  } else {
    jbLo = ocBlocks * part / parts; jbHi = ocBlocks * (part + 1) / parts;
  }
  const s = scratchOf(plan, part);
  const ind = s, stage = s + (<usize>band << 2), tmp = stage + CONV_STAGE_BYTES, ptrs = tmp + XI_MAX * 16;
  const v = (ptrs + XI_MAX * 4 + 15) & ~15;
  const m = v + (<usize>band * <usize>xiCount * <usize>c << 2);
  const ldm = <usize>(xiCount * oc) << 2;
  const wBlock = <usize>c * <usize>nr << 2;
  for (let b = bLo; b < bHi; b++) {
    const t0 = b * band, count = min(band, tiles - t0);
    for (let i = 0; i < count; i++) inputTile(plan, t0 + i, v + (<usize>i * <usize>xiCount * <usize>c << 2), ptrs, tmp);
    for (let xi = 0; xi < xiCount; xi++) {
      for (let jb = jbLo; jb < jbHi; jb++) {
        const cols = min(nr, oc - jb * nr);
        const wPtr = plan.wpk + <usize>(xi * ocBlocks + jb) * wBlock;
        const mCol = m + (<usize>(xi * oc + jb * nr) << 2);
        // The band's full blocks of tiles in one call (see convRun), then a partial one alone.
        const full = cols == nr ? count / mr : 0;
        if (full > 0) convMicro(variant, ind, 1, c, <usize>(xi * c) << 2, wPtr, wBlock, mCol, ldm, mr, nr, false, stage, full);
        for (let pb = full; pb * mr < count; pb++) {
          convMicro(variant, ind + (<usize>(pb * mr) << 2), 1, c, <usize>(xi * c) << 2, wPtr, wBlock,
            mCol + <usize>(pb * mr) * ldm, ldm, min(mr, count - pb * mr), cols, false, stage);
        }
      }
    }
    const c0 = jbLo * nr, c1 = min(oc, jbHi * nr);
    for (let i = 0; i < count; i++) outputTile(plan, t0 + i, m + <usize>i * ldm, tmp, c0, c1);
  }
}

// Tile `t`'s Bᵀ d B for every input channel into v[ξ][c]. Taps in the padding read a zero row.
function inputTile(plan: ConvPlan, t: i32, v: usize, ptrs: usize, tmp: usize): void {
  const tile = plan.tile, alpha = plan.alpha;
  const perImage = plan.tilesH * plan.tilesW;
  const img = t / perImage, rem = t - img * perImage;
  const ty = rem / plan.tilesW, tx = rem - ty * plan.tilesW;
  const h = plan.h, w = plan.w, c = plan.c;
  for (let i = 0; i < alpha; i++) {
    const ih = ty * tile - plan.padTop + i;
    for (let j = 0; j < alpha; j++) {
      const iw = tx * tile - plan.padLeft + j;
      store<usize>(ptrs + (<usize>(i * alpha + j) << 2), ih >= 0 && ih < h && iw >= 0 && iw < w
        ? plan.inp + (<usize>(((img * h + ih) * w + iw) * c) << 2)
        : plan.zero);
    }
  }
  const vStep = <usize>c << 2;
  const tmpRow = <usize>alpha * 16;
  for (let ch = 0; ch < c; ch += 4) {
    const off = <usize>ch << 2;
    // Rows: tmp[i][k] = (Bᵀ applied to row i of d)[k]; then columns: v[α·l + k] = (Bᵀ applied
    // to column k of tmp)[l].
    if (alpha == 6) {
      for (let i = 0; i < 6; i++) {
        const r = ptrs + (<usize>(i * 6) << 2);
        inputRows(v128.load(load<usize>(r) + off), v128.load(load<usize>(r, 4) + off), v128.load(load<usize>(r, 8) + off),
          v128.load(load<usize>(r, 12) + off), v128.load(load<usize>(r, 16) + off), v128.load(load<usize>(r, 20) + off),
          tmp + <usize>i * tmpRow, 16);
      }
      for (let k = 0; k < 6; k++) {
        const col = tmp + <usize>k * 16;
        inputRows(v128.load(col), v128.load(col, 96), v128.load(col, 192), v128.load(col, 288), v128.load(col, 384), v128.load(col, 480),
          v + <usize>k * vStep + off, 6 * vStep);
      }
    } else {
      for (let i = 0; i < 4; i++) {
        const r = ptrs + (<usize>(i * 4) << 2);
        inputRows2(v128.load(load<usize>(r) + off), v128.load(load<usize>(r, 4) + off), v128.load(load<usize>(r, 8) + off),
          v128.load(load<usize>(r, 12) + off), tmp + <usize>i * tmpRow, 16);
      }
      for (let k = 0; k < 4; k++) {
        const col = tmp + <usize>k * 16;
        inputRows2(v128.load(col), v128.load(col, 64), v128.load(col, 128), v128.load(col, 192), v + <usize>k * vStep + off, 4 * vStep);
      }
    }
  }
}

// Tile `t`'s Aᵀ M A for output channels [c0, c1) into the output pixels inside the image, then
// the epilogue on each of those pixels.
function outputTile(plan: ConvPlan, t: i32, m: usize, tmp: usize, c0: i32, c1: i32): void {
  const tile = plan.tile;
  const perImage = plan.tilesH * plan.tilesW;
  const img = t / perImage, rem = t - img * perImage;
  const ty = rem / plan.tilesW, tx = rem - ty * plan.tilesW;
  const rows = min(tile, plan.ho - ty * tile), cols = min(tile, plan.wo - tx * tile);
  const mStep = <usize>plan.oc << 2;
  const ldo = <usize>plan.outStride << 2;
  const rowStep = <usize>plan.wo * ldo;
  const first = (img * plan.ho + ty * tile) * plan.wo + tx * tile; // the tile's top-left output pixel
  const tmpRow = <usize>tile * 16;
  const spare = tmp + <usize>plan.alpha * tmpRow; // an edge tile's column, before it is stored
  for (let ch = c0; ch < c1; ch += 4) {
    const off = <usize>ch << 2;
    // Rows: tmp[i][k] = (Aᵀ applied to row i of M)[k], k < tile; then output row l, column k =
    // (Aᵀ applied to column k of tmp)[l], straight to the output for a full tile.
    if (plan.alpha == 6) {
      // F(4×4, 3×3) or F(2×2, 5×5).
      for (let i = 0; i < 6; i++) {
        const r = m + <usize>(i * 6) * mStep + off;
        outputRows6(tile, v128.load(r), v128.load(r + mStep), v128.load(r + 2 * mStep), v128.load(r + 3 * mStep), v128.load(r + 4 * mStep), v128.load(r + 5 * mStep),
          tmp + <usize>i * tmpRow, 16);
      }
      for (let k = 0; k < cols; k++) {
        const col = tmp + <usize>k * 16;
        const px = plan.out + <usize>(first + k) * ldo + off;
        const full = rows == tile;
        outputRows6(tile, v128.load(col), v128.load(col + tmpRow), v128.load(col + 2 * tmpRow), v128.load(col + 3 * tmpRow), v128.load(col + 4 * tmpRow), v128.load(col + 5 * tmpRow),
          full ? px : spare, full ? rowStep : 16);
        if (!full) for (let l = 0; l < rows; l++) v128.store(px + <usize>l * rowStep, v128.load(spare + <usize>l * 16));
      }
    } else {
      for (let i = 0; i < 4; i++) {
        const r = m + <usize>(i * 4) * mStep + off;
        outputRows2(v128.load(r), v128.load(r + mStep), v128.load(r + 2 * mStep), v128.load(r + 3 * mStep), tmp + <usize>i * tmpRow, 16);
      }
      for (let k = 0; k < cols; k++) {
        const col = tmp + <usize>k * 16;
        const px = plan.out + <usize>(first + k) * ldo + off;
        const full = rows == 2;
        outputRows2(v128.load(col), v128.load(col, 32), v128.load(col, 64), v128.load(col, 96), full ? px : spare, full ? rowStep : 16);
        if (!full) v128.store(px, v128.load(spare));
      }
    }
  }
  for (let l = 0; l < rows; l++) epilogue(plan, first + l * plan.wo, first + l * plan.wo + cols, c0, c1);
}
