// Direct 2-D convolution (NHWC activations) without im2col, after XNNPACK's indirect GEMM:
// an indirection buffer gives, for every output pixel and kernel tap, a pointer to the input
// pixel's channel row (or to a row of zeros when the tap falls into the padding), so stride,
// dilation and padding cost nothing inside the micro-kernel. Weights are packed once per
// layer into blocks of nr output channels:
//
//   packed: [group][oc block of nr][tap = kh·kw][ic of the group][nr]   (zero-padded to nr)
//   ind:    [pixel block of mr][tap][mr pointers]                    (last pixel repeated)
//
// The schedule picks the micro-kernel (mr × nr register block, unroll of the ic loop; see
// generated/conv-micro.ts) and the cache tiles: tileOC output channels, tileP output pixels,
// tileIC input channels per reduction slice, visited in one of six loop orders.
import { convMicro, convVariantMR, convVariantNR, CONV_STAGE_BYTES, CONV_VARIANTS } from './generated/conv-micro';
import { addTensors, biasResidualClamp } from './ops';
import { unaryMap } from './tensor';
import { madd } from './vec';
import { dwMicro, dwVariantMR, dwVariantNR, DW_VARIANTS } from './generated/dw-micro';

// Error codes returned by the drivers (0 is success), shared with src/core/kernels.ts.
import { BAD_LAYOUT, BAD_SHAPE, BAD_VARIANT, PLAN_ERROR_LIMIT, U_CLIP, U_RELU } from '../generated/shared';

// Packed weights of every group at most this size run with the groups innermost (convRun).
const GROUPS_INNER_BYTES: usize = 256 << 10;

/** Floats of the packed weights of a conv layer for register blocks of nr channels. */
export function convPackedLength(oc: i32, cg: i32, kh: i32, kw: i32, groups: i32, nr: i32): i32 {
  const ocg = oc / groups;
  return groups * ((ocg + nr - 1) / nr) * nr * kh * kw * cg;
}

/** Packs OIHW weights ([oc][cg][kh][kw]) for the conv micro-kernels of width nr. */
export function convPackWeights(src: usize, dst: usize, oc: i32, cg: i32, kh: i32, kw: i32, groups: i32, nr: i32): void {
  const ocg = oc / groups;
  const blocks = (ocg + nr - 1) / nr;
  const taps = kh * kw;
  let d = dst;
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < blocks; b++) {
      for (let t = 0; t < taps; t++) {
        for (let ic = 0; ic < cg; ic++) {
          for (let j = 0; j < nr; j++) {
            const o = b * nr + j;
            const v: f32 = o < ocg ? load<f32>(src + (<usize>(((g * ocg + o) * cg + ic) * taps + t) << 2)) : 0;
            store<f32>(d, v);
            d += 4;
          }
        }
      }
    }
  }
}

// Pointers to each output pixel's input rows, one per tap; pixel blocks of mr, the last block
// padded by repeating its last pixel (computed, never stored).
function buildIndirection(inp: usize, zero: usize, n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, dh: i32, dw: i32, mr: i32): usize {
  const pixels = n * ho * wo;
  const blocks = (pixels + mr - 1) / mr;
  const taps = kh * kw;
  const ind = heap.alloc(<usize>blocks * <usize>taps * <usize>mr << 2);
  for (let blk = 0; blk < blocks; blk++) {
    for (let i = 0; i < mr; i++) {
      const p = min(blk * mr + i, pixels - 1);
      const b = p / (ho * wo);
      const rem = p - b * ho * wo;
      const oh = rem / wo;
      const ow = rem - oh * wo;
      for (let r = 0; r < kh; r++) {
        const ih = oh * sh - padTop + r * dh;
        for (let s = 0; s < kw; s++) {
          const iw = ow * sw - padLeft + s * dw;
          const ptr: usize = ih >= 0 && ih < h && iw >= 0 && iw < w
            ? inp + (<usize>(((b * h + ih) * w + iw) * c) << 2)
            : zero;
          store<usize>(ind + (<usize>((blk * taps + r * kw + s) * mr + i) << 2), ptr);
        }
      }
    }
  }
  return ind;
}

// Decodes the linear tile index `x` in the loop order `order` (0..5: the permutations of
// oc, pixel, ic tiles listed outermost first) into the three tile indices.
// @ts-ignore: decorator
@inline function orderDims(order: i32): i32 {
  // Each permutation packed as three 2-bit dimension ids (0 oc, 1 pixel, 2 ic), outermost first.
  switch (order) {
    case 0: return 0 | (1 << 2) | (2 << 4); // oc, p, ic
    case 1: return 0 | (2 << 2) | (1 << 4); // oc, ic, p
    case 2: return 1 | (0 << 2) | (2 << 4); // p, oc, ic
    case 3: return 1 | (2 << 2) | (0 << 4); // p, ic, oc
    case 4: return 2 | (0 << 2) | (1 << 4); // ic, oc, p
    default: return 2 | (1 << 2) | (0 << 4); // ic, p, oc
  }
}

// A conv layer in steps, so that several threads can share one call and a session can plan its
// layers once: `convPlan` (the calling thread: it allocates the indirection, the zero-bordered
// input copy and one edge-staging tile per part; the addresses it is given must stay valid),
// then for every call `convPrepare(plan)` (the calling thread: the input into its padded copy,
// when the plan has one) and `convRun(plan, part, parts)` (any thread, allocation-free: its share
// of the output, epilogue applied), and at the end `planRelease`. One thread runs part 0 of 1.
//
// The epilogue is what follows the conv in the graph, done on each part's output while it is
// in cache: + bias[oc], + residual (same shape as the output), then an activation (a U_* code
// of unaryMap with its parameters; negative for none). 0 for bias or residual means none.
@unmanaged export class ConvPlan {
  out: usize; wpk: usize; ind: usize; zero: usize; padded: usize; stage: usize;
  bias: usize; residual: usize;
  // Depthwise only: the weights of the last four channels, [tap][4], for a channel tail (dwTail).
  tailW: usize;
  // The input and where convPrepare copies it: n images of h rows of w·c floats into rows of
  // wp·c floats, the first at row padTop, column padLeft of a zero-bordered hp × wp image.
  inp: usize; n: i32; h: i32; w: i32; c: i32; hp: i32; wp: i32; padTop: i32; padLeft: i32;
  pixels: i32; oc: i32; groups: i32; cg: i32; ocg: i32; taps: i32;
  // Floats from one output pixel to the next: oc, or more when the output is a channel slice of a
  // wider tensor (a Concat's, written in place).
  outStride: i32;
  variant: i32; mr: i32; nr: i32; tileOC: i32; tileP: i32; tileIC: i32; order: i32; maxParts: i32;
  act: i32; actA: f32; actB: f32;
  // Winograd only (winograd.ts): output tiles of tile×tile from input tiles of alpha×alpha, the
  // output's size in pixels and in tiles, tiles per band, and each part's scratch of scratchBytes.
  tile: i32; alpha: i32; ho: i32; wo: i32; tilesH: i32; tilesW: i32; band: i32; scratch: usize; scratchBytes: usize;
}

export function newPlan(out: usize, wpk: usize, pixels: i32, oc: i32, variant: i32, mr: i32, nr: i32, maxParts: i32, outStride: i32,
  bias: usize, residual: usize, act: i32, actA: f32, actB: f32): ConvPlan {
  const plan = changetype<ConvPlan>(heap.alloc(offsetof<ConvPlan>()));
  memory.fill(changetype<usize>(plan), 0, offsetof<ConvPlan>());
  plan.out = out; plan.wpk = wpk; plan.pixels = pixels; plan.oc = oc;
  plan.variant = variant; plan.mr = mr; plan.nr = nr; plan.maxParts = max(1, maxParts); plan.outStride = outStride;
  plan.bias = bias; plan.residual = residual; plan.act = act; plan.actA = actA; plan.actB = actB;
  return plan;
}

/** Frees a plan of convPlan, dwPlan or wgPlan and its buffers. */
export function planRelease(p: usize): void {
  if (p < PLAN_ERROR_LIMIT) return;
  const plan = changetype<ConvPlan>(p);
  if (plan.ind) heap.free(plan.ind);
  if (plan.zero) heap.free(plan.zero);
  if (plan.padded) heap.free(plan.padded);
  if (plan.stage) heap.free(plan.stage);
  if (plan.tailW) heap.free(plan.tailW);
  if (plan.scratch) heap.free(plan.scratch);
  heap.free(p);
}

/**
 * Plans out[n][ho][wo][oc] = Σ in[n][ih][iw][g·cg + ic] · w[oc][ic][r][s] over the group's
 * channels, then the epilogue, for up to `maxParts` parts. `wpk` comes from convPackWeights
 * with nr of the variant. Returns the plan's address, or an error code (BAD_*, below
 * PLAN_ERROR_LIMIT, which the heap's addresses never are).
 *
 * `layout` 1 (groups 1, horizontal dilation 1 only) first copies the input into a zero-padded
 * NHWC buffer; then a kernel row's kw taps are kw·c contiguous floats, in the same order as
 * the packed weights [r][s][ic], so the micro-kernel sees kh taps of kw·c channels: longer
 * reductions, fewer pointer loads. Layout 0 reads the input in place through the indirection.
 */
export function convPlan(inp: usize, wpk: usize, out: usize,
  n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32, oc: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, dh: i32, dw: i32, groups: i32,
  variant: i32, tileOC: i32, tileP: i32, tileIC: i32, order: i32, layout: i32, maxParts: i32, outStride: i32,
  bias: usize, residual: usize, act: i32, actA: f32, actB: f32): usize {
  if (variant < 0 || variant >= CONV_VARIANTS) return BAD_VARIANT;
  if (groups <= 0 || c % groups != 0 || oc % groups != 0 || kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || dh <= 0 || dw <= 0 || outStride < oc) return BAD_SHAPE;
  if (layout != 0 && (groups != 1 || dw != 1)) return BAD_LAYOUT;
  const mr = convVariantMR(variant);
  const nr = convVariantNR(variant);
  const plan = newPlan(out, wpk, max(0, n * ho * wo), max(0, oc), variant, mr, nr, maxParts, outStride, bias, residual, act, actA, actB);
  plan.groups = groups;
  plan.cg = c / groups;
  plan.ocg = oc / groups;
  plan.taps = kh * kw;
  plan.tileOC = tileOC; plan.tileP = tileP; plan.tileIC = tileIC; plan.order = order;
  if (plan.pixels == 0 || plan.oc == 0) return changetype<usize>(plan);
  plan.stage = heap.alloc(<usize>plan.maxParts * CONV_STAGE_BYTES);
  plan.zero = heap.alloc(<usize>max(c, 4) << 2);
  memory.fill(plan.zero, 0, <usize>max(c, 4) << 2);
  if (layout == 0) {
    plan.ind = buildIndirection(inp, plan.zero, n, h, w, c, ho, wo, kh, kw, sh, sw, padTop, padLeft, dh, dw, mr);
  } else {
    // Rows -padTop … last row read, columns -padLeft … last column read, all in bounds.
    const hp = max(h + padTop, (ho - 1) * sh + (kh - 1) * dh + 1);
    const wp = max(w + padLeft, (wo - 1) * sw + kw);
    const bytes = <usize>n * <usize>hp * <usize>wp * <usize>c << 2;
    plan.padded = heap.alloc(bytes);
    memory.fill(plan.padded, 0, bytes); // the border; convPrepare copies the interior each call
    plan.inp = inp; plan.n = n; plan.h = h; plan.w = w; plan.c = c; plan.hp = hp; plan.wp = wp; plan.padTop = padTop; plan.padLeft = padLeft;
    plan.ind = buildIndirection(plan.padded, plan.zero, n, hp, wp, c, ho, wo, kh, 1, sh, sw, 0, 0, dh, 1, mr);
    plan.taps = kh;
    plan.cg = kw * c;
  }
  return changetype<usize>(plan);
}

// How a part's share is cut: along pixel blocks, or along output-channel blocks where that
// divides the work more evenly (a 7×7 layer has few pixel blocks and many channel blocks).
// @ts-ignore: decorator
@inline function splitsPixels(pBlocks: i32, cBlocks: i32, parts: i32): bool {
  // Compare the largest share's excess over an even split: ceil(b/parts)·parts / b.
  const pLoad = <i64>((pBlocks + parts - 1) / parts) * <i64>cBlocks;
  const cLoad = <i64>((cBlocks + parts - 1) / parts) * <i64>pBlocks;
  return pLoad <= cLoad;
}

// Where packed weights' block (a group's oc block `block`, counted over all groups) holds input channel ic0 of its first tap.
// @ts-ignore: decorator
@inline function packedBlock(wpk: usize, block: i32, taps: i32, cg: i32, ic0: i32, nr: i32): usize {
  return wpk + (((<usize>block * <usize>taps) * <usize>cg + <usize>ic0) * <usize>nr << 2);
}

/** Runs part `part` of `parts` (≤ the plan's maxParts) of a convPlan. */
export function convRun(p: usize, part: i32, parts: i32): void {
  const plan = changetype<ConvPlan>(p);
  const pixels = plan.pixels;
  if (pixels == 0 || plan.oc == 0 || part >= parts) return;
  const mr = plan.mr, nr = plan.nr, taps = plan.taps, cg = plan.cg, ocg = plan.ocg, groups = plan.groups;
  const pBlocks = (pixels + mr - 1) / mr;
  const ocBlocks = (ocg + nr - 1) / nr;
  let pbLo = 0, pbHi = pBlocks, jbLo = 0, jbHi = ocBlocks;
  if (splitsPixels(pBlocks, ocBlocks, parts)) {
    pbLo = pBlocks * part / parts; pbHi = pBlocks * (part + 1) / parts;
  } else {
    jbLo = ocBlocks * part / parts; jbHi = ocBlocks * (part + 1) / parts;
  }
  const stage = plan.stage + <usize>part * CONV_STAGE_BYTES;
  const tOC = max(1, plan.tileOC / nr);     // oc blocks per tile
  const tP = max(1, plan.tileP / mr);       // pixel blocks per tile
  const tIC = plan.tileIC <= 0 ? cg : min(plan.tileIC, cg);
  const nTo = (ocBlocks + tOC - 1) / tOC;
  const nTp = (pBlocks + tP - 1) / tP;
  const nTi = (cg + tIC - 1) / tIC;
  const dims = orderDims(plan.order);
  const d0 = dims & 3, d1 = (dims >> 2) & 3, d2 = (dims >> 4) & 3;
  const size0 = d0 == 0 ? nTo : d0 == 1 ? nTp : nTi;
  const size1 = d1 == 0 ? nTo : d1 == 1 ? nTp : nTi;
  const size2 = d2 == 0 ? nTo : d2 == 1 ? nTp : nTi;
  const oc = plan.oc, out = plan.out, wpk = plan.wpk, ind = plan.ind, variant = plan.variant;
  const ldo = <usize>plan.outStride << 2;
  const wTap = <usize>cg * <usize>nr << 2;
  const indBlock = <usize>taps * <usize>mr << 2;

  // One pixel per block, one tap, 16 channels per block (a dense layer at batch 1): two blocks at
  // a time, each a weight stream of its own (see densePair).
  const pairs = mr == 1 && nr == 16 && taps == 1;
  // Narrow groups innermost: a pixel block's input rows and every group's weights stay in cache
  // while all groups use them (groups outermost streamed ResNeXt's first grouped layers' input
  // once a group, 16 of every 64 bytes used: 9 GFLOP/s). Wide groups, whose weights together
  // overflow the cache, stay outermost. Each output sums its tiles in the same order either way.
  const groupsInner = <usize>groups * <usize>ocBlocks * wTap * <usize>taps <= GROUPS_INNER_BYTES ? groups : 1;
  for (let gOuter = 0; gOuter < groups; gOuter += groupsInner) {
    for (let x0 = 0; x0 < size0; x0++) {
      for (let x1 = 0; x1 < size1; x1++) {
        for (let x2 = 0; x2 < size2; x2++) {
          const to = d0 == 0 ? x0 : d1 == 0 ? x1 : x2;
          const tp = d0 == 1 ? x0 : d1 == 1 ? x1 : x2;
          const ti = d0 == 2 ? x0 : d1 == 2 ? x1 : x2;
          const pbStart = max(tp * tP, pbLo), pbEnd = min(pbHi, (tp + 1) * tP);
          const jbStart = max(to * tOC, jbLo), jbEnd = min(jbHi, (to + 1) * tOC);
          if (pbStart >= pbEnd || jbStart >= jbEnd) continue;
          const ic0 = ti * tIC;
          const kc = min(tIC, cg - ic0);
          const accumulate = ti > 0;
          if (groupsInner == 1 && !pairs) {
            // A column of blocks at a time: the tile's full pixel blocks in one call, then the
            // last one alone when it is partial (as is every block of a partial column).
            const icOff = <usize>(gOuter * cg + ic0) << 2;
            const fullEnd = min(pbEnd, pixels / mr);
            for (let jb = jbStart; jb < jbEnd; jb++) {
              const cols = min(nr, ocg - jb * nr);
              const wPtr = packedBlock(wpk, gOuter * ocBlocks + jb, taps, cg, ic0, nr);
              const outCol = out + (<usize>(gOuter * ocg + jb * nr) << 2);
              let pb = pbStart;
              if (cols == nr && fullEnd > pbStart) {
                convMicro(variant, ind + <usize>pbStart * indBlock, taps, kc, icOff, wPtr, wTap, outCol + <usize>(pbStart * mr) * ldo, ldo, mr, nr, accumulate, stage, fullEnd - pbStart);
                pb = fullEnd;
              }
              for (; pb < pbEnd; pb++) {
                convMicro(variant, ind + <usize>pb * indBlock, taps, kc, icOff, wPtr, wTap, outCol + <usize>(pb * mr) * ldo, ldo, min(mr, pixels - pb * mr), cols, accumulate, stage);
              }
            }
          } else for (let pb = pbStart; pb < pbEnd; pb++) {
            const rows = min(mr, pixels - pb * mr);
            const indPtr = ind + <usize>pb * indBlock;
            for (let g = gOuter; g < gOuter + groupsInner; g++) {
              const icOff = <usize>(g * cg + ic0) << 2;
              const outRow = out + (<usize>(pb * mr) * ldo) + (<usize>(g * ocg) << 2);
              for (let jb = jbStart; jb < jbEnd; jb++) {
                const cols = min(nr, ocg - jb * nr);
                const wPtr = packedBlock(wpk, g * ocBlocks + jb, taps, cg, ic0, nr);
                if (pairs && jb + 1 < jbEnd && (jb + 2) * nr <= ocg) {
                  densePair(load<usize>(indPtr) + icOff, kc, wPtr, wPtr + wTap, outRow + (<usize>(jb * nr) << 2), accumulate);
                  jb++;
                  continue;
                }
                convMicro(variant, indPtr, taps, kc, icOff, wPtr, wTap, outRow + (<usize>(jb * nr) << 2), ldo, rows, cols, accumulate, stage);
              }
            }
          }
          // A tile whose last input channels are in: its epilogue now, while its outputs are in
          // cache (a pass over the whole part afterwards read a large layer's outputs back from memory).
          if (ti == nTi - 1) {
            const p0 = pbStart * mr, p1 = min(pixels, pbEnd * mr);
            // Whole groups of whole vectors are one run of channels, their lanes where each group's are.
            if (jbStart == 0 && jbEnd == ocBlocks && ocg % 4 == 0) epilogue(plan, p0, p1, gOuter * ocg, (gOuter + groupsInner) * ocg);
            else for (let g = gOuter; g < gOuter + groupsInner; g++) epilogue(plan, p0, p1, g * ocg + jbStart * nr, g * ocg + min(ocg, jbEnd * nr));
          }
        }
      }
    }
  }
}

/**
 * Two adjacent 16-channel blocks of one output pixel over kc input channels, as the 1×16
 * micro-kernel computes each (the same sums in the same order, so the same bits): their packed
 * weights are two streams kc·64 bytes apart, which the hardware prefetches side by side. A
 * one-pixel dense layer only streams its weights, and a bare wasm read loop streams 10 GB/s from
 * one stream against 12-13 from two or more.
 */
function densePair(x: usize, kc: i32, w0: usize, w1: usize, out: usize, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  if (accumulate) {
    c0 = v128.load(out, 0); c1 = v128.load(out, 16); c2 = v128.load(out, 32); c3 = v128.load(out, 48);
    c4 = v128.load(out, 64); c5 = v128.load(out, 80); c6 = v128.load(out, 96); c7 = v128.load(out, 112);
  }
  let a = x, p0 = w0, p1 = w1;
  for (let k = 0; k < kc; k++) {
    const s = v128.load32_splat(a);
    c0 = madd(s, v128.load(p0, 0), c0); c1 = madd(s, v128.load(p0, 16), c1);
    c2 = madd(s, v128.load(p0, 32), c2); c3 = madd(s, v128.load(p0, 48), c3);
    c4 = madd(s, v128.load(p1, 0), c4); c5 = madd(s, v128.load(p1, 16), c5);
    c6 = madd(s, v128.load(p1, 32), c6); c7 = madd(s, v128.load(p1, 48), c7);
    a += 4; p0 += 64; p1 += 64;
  }
  v128.store(out, c0, 0); v128.store(out, c1, 16); v128.store(out, c2, 32); v128.store(out, c3, 48);
  v128.store(out, c4, 64); v128.store(out, c5, 80); v128.store(out, c6, 96); v128.store(out, c7, 112);
}

// The plan's epilogue on output rows [p0, p1), channels [c0, c1). Callers start a segment at a
// register block's first channel (nr is a multiple of 4) counted from its group's first, or at a
// depthwise tail's last vector, so an output value takes the same path (SIMD lanes or scalar
// tail) however the layer's rows are split: results do not depend on the thread count.
export function epilogue(plan: ConvPlan, p0: i32, p1: i32, c0: i32, c1: i32): void {
  const bias = plan.bias, residual = plan.residual, act = plan.act;
  if ((bias == 0 && residual == 0 && act < 0) || c0 >= c1) return;
  const len = c1 - c0;
  const ld = <usize>plan.outStride << 2;
  const ldResidual = <usize>plan.oc << 2;
  const col = <usize>c0 << 2;
  // Bias, residual and a clamp (ReLU, Clip or none) in one pass a row.
  if (bias && (act < 0 || act == U_RELU || act == U_CLIP)) {
    const lo: f32 = act < 0 ? -Infinity : act == U_RELU ? 0 : plan.actA;
    const hi: f32 = act == U_CLIP ? plan.actB : Infinity;
    for (let p = p0; p < p1; p++) {
      biasResidualClamp(plan.out + <usize>p * ld + col, bias + col, residual ? residual + <usize>p * ldResidual + col : 0, len, lo, hi);
    }
    return;
  }
  // Rows that follow each other in memory take their activation in one call, whose unrolled loop
  // then runs on: a row's own call spent a short row in its vector and scalar tails. In whole
  // vectors only, so every element takes the same path whatever the split between threads.
  const oneSpan = act >= 0 && <usize>len << 2 == ld && (len & 3) == 0;
  for (let p = p0; p < p1; p++) {
    const row = plan.out + <usize>p * ld + col;
    if (bias) addTensors(row, bias + col, row, len);
    if (residual) addTensors(row, residual + <usize>p * ldResidual + col, row, len);
    if (act >= 0 && !oneSpan) unaryMap(row, row, len, act, plan.actA, plan.actB);
  }
  if (oneSpan) {
    const first = plan.out + <usize>p0 * ld + col;
    unaryMap(first, first, (p1 - p0) * len, act, plan.actA, plan.actB);
  }
}

/** Copies the input into the plan's zero-bordered copy, if it has one (the calling thread, before convRun). */
export function convPrepare(p: usize): void {
  const plan = changetype<ConvPlan>(p);
  if (!plan.padded) return;
  const c = plan.c, w = plan.w, wp = plan.wp;
  const rowBytes = <usize>w * <usize>c << 2;
  for (let b = 0; b < plan.n; b++) {
    for (let y = 0; y < plan.h; y++) {
      const to = plan.padded + (<usize>(((b * plan.hp + y + plan.padTop) * wp + plan.padLeft) * c) << 2);
      memory.copy(to, plan.inp + (<usize>((b * plan.h + y) * w * c) << 2), rowBytes);
    }
  }
}

/** Floats of the packed depthwise weights for channel blocks of nr. */
export function dwPackedLength(c: i32, kh: i32, kw: i32, nr: i32): i32 {
  return ((c + nr - 1) / nr) * nr * kh * kw;
}

/** Packs depthwise weights ([c][1][kh][kw]) as [channel block][tap][nr], zero-padded. */
export function dwPackWeights(src: usize, dst: usize, c: i32, kh: i32, kw: i32, nr: i32): void {
  const blocks = (c + nr - 1) / nr;
  const taps = kh * kw;
  let d = dst;
  for (let b = 0; b < blocks; b++) {
    for (let t = 0; t < taps; t++) {
      for (let j = 0; j < nr; j++) {
        const ch = b * nr + j;
        store<f32>(d, ch < c ? load<f32>(src + (<usize>(ch * taps + t) << 2)) : 0);
        d += 4;
      }
    }
  }
}

/**
 * Plans a depthwise convolution (groups = channels, one output channel each), NHWC, then the
 * epilogue, for up to `maxParts` parts (as convPlan; run with dwRun, free with planRelease).
 * The schedule is the micro-kernel (mr pixels × nr channels), tiles of tileC channels × tileP
 * pixels and whether channel tiles (order 0) or pixel tiles (order 1) are outermost.
 */
export function dwPlan(inp: usize, wpk: usize, out: usize,
  n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, dh: i32, dw: i32,
  variant: i32, tileC: i32, tileP: i32, order: i32, maxParts: i32, outStride: i32,
  bias: usize, residual: usize, act: i32, actA: f32, actB: f32): usize {
  if (variant < 0 || variant >= DW_VARIANTS) return BAD_VARIANT;
  if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || dh <= 0 || dw <= 0 || outStride < c) return BAD_SHAPE;
  const mr = dwVariantMR(variant);
  const nr = dwVariantNR(variant);
  const plan = newPlan(out, wpk, max(0, n * ho * wo), max(0, c), variant, mr, nr, maxParts, outStride, bias, residual, act, actA, actB);
  plan.groups = 1; plan.ocg = plan.oc;
  plan.taps = kh * kw;
  plan.tileOC = tileC; plan.tileP = tileP; plan.order = order;
  if (plan.pixels == 0 || plan.oc == 0) return changetype<usize>(plan);
  plan.zero = heap.alloc(<usize>(c + nr) << 2);
  memory.fill(plan.zero, 0, <usize>(c + nr) << 2);
  plan.ind = buildIndirection(inp, plan.zero, n, h, w, c, ho, wo, kh, kw, sh, sw, padTop, padLeft, dh, dw, mr);
  if (c % nr != 0 && c >= 4) {
    // Channels c-4 … c-1 may straddle two packed blocks: their weights side by side, per tap.
    plan.tailW = heap.alloc(<usize>plan.taps << 4);
    for (let t = 0; t < plan.taps; t++) {
      for (let j = 0; j < 4; j++) {
        const ch = c - 4 + j, blk = ch / nr;
        store<f32>(plan.tailW + (<usize>(t * 4 + j) << 2), load<f32>(wpk + (<usize>((blk * plan.taps + t) * nr + ch - blk * nr) << 2)));
      }
    }
  }
  return changetype<usize>(plan);
}

// The channels past the last whole block, c0 … c-1, of output pixels p0 … p1-1, four at a time:
// where fewer than four remain, the last vector is channels c-4 … c-1 (weights from tailW),
// recomputing a few channels with the very arithmetic that gave them, so nothing reads past a
// pixel's channels. Fewer than four channels in all: one at a time.
function dwTail(plan: ConvPlan, c0: i32, p0: i32, p1: i32): void {
  const c = plan.oc, mr = plan.mr, nr = plan.nr, taps = plan.taps, ind = plan.ind;
  const ldo = <usize>plan.outStride << 2;
  const wBlock = plan.wpk + (<usize>(c0 * taps) << 2);
  for (let p = p0; p < p1; p++) {
    const blk = p / mr;
    const rows = ind + (<usize>(blk * taps * mr + p - blk * mr) << 2); // tap t's pointer at rows + t·mr·4
    const o = plan.out + <usize>p * ldo;
    if (c < 4) {
      for (let ch = c0; ch < c; ch++) {
        let sum: f32 = 0;
        for (let t = 0; t < taps; t++) sum += load<f32>(load<usize>(rows + (<usize>(t * mr) << 2)) + (<usize>ch << 2)) * load<f32>(wBlock + (<usize>(t * nr + ch - c0) << 2));
        store<f32>(o + (<usize>ch << 2), sum);
      }
      continue;
    }
    for (let ch = c0; ch < c; ch += 4) {
      const at = min(ch, c - 4);
      const w = at == ch ? wBlock + (<usize>(ch - c0) << 2) : plan.tailW;
      const wStep: usize = at == ch ? <usize>nr << 2 : 16;
      let acc = f32x4.splat(0);
      for (let t = 0; t < taps; t++) {
        acc = madd(v128.load(load<usize>(rows + (<usize>(t * mr) << 2)) + (<usize>at << 2)), v128.load(w + <usize>t * wStep), acc);
      }
      v128.store(o + (<usize>at << 2), acc);
    }
  }
}

/** Runs part `part` of `parts` of a dwPlan: a contiguous share of the pixel blocks. */
export function dwRun(p: usize, part: i32, parts: i32): void {
  const plan = changetype<ConvPlan>(p);
  const pixels = plan.pixels, c = plan.oc;
  if (pixels == 0 || c == 0 || part >= parts) return;
  const mr = plan.mr, nr = plan.nr, taps = plan.taps, ind = plan.ind, wpk = plan.wpk, out = plan.out, variant = plan.variant;
  const pBlocks = (pixels + mr - 1) / mr;
  const pbLo = pBlocks * part / parts, pbHi = pBlocks * (part + 1) / parts;
  const cFull = c / nr;                 // channel blocks without a tail
  const tC = max(1, plan.tileOC / nr);
  const tP = max(1, plan.tileP / mr);
  const nTc = (cFull + tC - 1) / tC;
  const nTp = (pBlocks + tP - 1) / tP;
  const ldo = <usize>plan.outStride << 2;
  const indBlock = <usize>taps * <usize>mr << 2;
  const outer = plan.order == 0 ? nTc : nTp;
  const inner = plan.order == 0 ? nTp : nTc;
  for (let x0 = 0; x0 < outer; x0++) {
    for (let x1 = 0; x1 < inner; x1++) {
      const tc = plan.order == 0 ? x0 : x1;
      const tp = plan.order == 0 ? x1 : x0;
      const pbStart = max(pbLo, tp * tP), pbEnd = min(pbHi, (tp + 1) * tP);
      const cbEnd = min(cFull, (tc + 1) * tC);
      for (let pb = pbStart; pb < pbEnd; pb++) {
        const rows = min(mr, pixels - pb * mr);
        const indPtr = ind + <usize>pb * indBlock;
        const outRow = out + <usize>(pb * mr) * ldo;
        for (let cb = tc * tC; cb < cbEnd; cb++) {
          dwMicro(variant, indPtr, taps, <usize>(cb * nr) << 2, wpk + (<usize>(cb * taps * nr) << 2), outRow + (<usize>(cb * nr) << 2), ldo, rows);
        }
      }
      // The tile's epilogue while its outputs are in cache.
      if (pbStart < pbEnd && tc * tC < cbEnd) epilogue(plan, pbStart * mr, min(pixels, pbEnd * mr), tc * tC * nr, cbEnd * nr);
    }
  }
  const p0 = pbLo * mr, p1 = min(pixels, pbHi * mr);
  if (cFull * nr < c) {
    dwTail(plan, cFull * nr, p0, p1);
    // The tail's last vector may have recomputed the last block's final channels (c-4 …): their epilogue again.
    epilogue(plan, p0, p1, c >= 4 ? min(cFull * nr, c - 4) : cFull * nr, c);
  }
}

/** Number of generated conv variants and their register blocks, for checks on the TS side. */
export function convVariantCount(): i32 { return CONV_VARIANTS; }
export function convVariantRows(v: i32): i32 { return convVariantMR(v); }
export function convVariantCols(v: i32): i32 { return convVariantNR(v); }
export function dwVariantCount(): i32 { return DW_VARIANTS; }

/**
 * The multiply-add peak: `iters` rounds of 96 flop, returning a value that depends on every chain
 * so nothing is optimised away. With fused multiply-add (relaxed SIMD), 12 independent chains
 * a = a·y + x in registers, enough to cover its latency. Without, a multiply-add is a multiply
 * then an add, and as in a conv's micro-kernel only the add extends a chain: 12 accumulators
 * a += w·y with w loaded from a few L1-resident vectors (distinct loads, so the products are
 * neither hoisted nor shared). Chains a = a·y + x would put the multiply on the chain too and
 * understate a CPU whose multiplies and adds share ports.
 */
export function peakMadd(iters: i32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) return peakFused(iters);
  const w = heap.alloc(12 * 16);
  for (let k = 0; k < 12; k++) v128.store(w + <usize>k * 16, f32x4.splat(<f32>(k + 1) * 1e-9));
  const y = f32x4.splat(0.5);
  let a0 = f32x4.splat(0.1), a1 = f32x4.splat(0.2), a2 = f32x4.splat(0.3), a3 = f32x4.splat(0.4);
  let a4 = f32x4.splat(0.5), a5 = f32x4.splat(0.6), a6 = f32x4.splat(0.7), a7 = f32x4.splat(0.8);
  let a8 = f32x4.splat(0.9), a9 = f32x4.splat(1.0), a10 = f32x4.splat(1.1), a11 = f32x4.splat(1.2);
  for (let i = 0; i < iters; i++) {
    a0 = madd(v128.load(w), y, a0); a1 = madd(v128.load(w, 16), y, a1); a2 = madd(v128.load(w, 32), y, a2); a3 = madd(v128.load(w, 48), y, a3);
    a4 = madd(v128.load(w, 64), y, a4); a5 = madd(v128.load(w, 80), y, a5); a6 = madd(v128.load(w, 96), y, a6); a7 = madd(v128.load(w, 112), y, a7);
    a8 = madd(v128.load(w, 128), y, a8); a9 = madd(v128.load(w, 144), y, a9); a10 = madd(v128.load(w, 160), y, a10); a11 = madd(v128.load(w, 176), y, a11);
  }
  heap.free(w);
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 3);
}

function peakFused(iters: i32): f32 {
  const x = f32x4.splat(1e-3), y = f32x4.splat(0.9999);
  let a0 = f32x4.splat(0.1), a1 = f32x4.splat(0.2), a2 = f32x4.splat(0.3), a3 = f32x4.splat(0.4);
  let a4 = f32x4.splat(0.5), a5 = f32x4.splat(0.6), a6 = f32x4.splat(0.7), a7 = f32x4.splat(0.8);
  let a8 = f32x4.splat(0.9), a9 = f32x4.splat(1.0), a10 = f32x4.splat(1.1), a11 = f32x4.splat(1.2);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, y, x); a1 = madd(a1, y, x); a2 = madd(a2, y, x); a3 = madd(a3, y, x);
    a4 = madd(a4, y, x); a5 = madd(a5, y, x); a6 = madd(a6, y, x); a7 = madd(a7, y, x);
    a8 = madd(a8, y, x); a9 = madd(a9, y, x); a10 = madd(a10, y, x); a11 = madd(a11, y, x);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 3);
}
