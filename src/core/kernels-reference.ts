// Plain TypeScript references for the tensor kernels: the obvious loops, in double precision.
// The judges of the kernel tests and of the real measurer's first run.
import { type ConvShape, convOutputSize } from './kernels.js';

/** NHWC input, OIHW weights ([oc][c/groups][kh][kw]) → NHWC output. */
export function referenceConv2d(s: ConvShape, x: ArrayLike<number>, w: ArrayLike<number>): Float32Array {
  const { ho, wo } = convOutputSize(s);
  const cg = s.c / s.groups;
  const ocg = s.oc / s.groups;
  const taps = s.kh * s.kw;
  // Each output's sum runs over (r, q, i) in that order, as the plain seven loops would. For
  // speed (the tuner's measurer computes this once per layer): typed copies, the weights as
  // [o][r][q][i] so that the innermost loop reads both operands contiguously, and four output
  // channels at a time, four independent sums (2-3× the plain loops).
  const xs = Float64Array.from(x);
  const ws = new Float64Array(s.oc * taps * cg);
  for (let o = 0; o < s.oc; o++) for (let i = 0; i < cg; i++) for (let t = 0; t < taps; t++) ws[(o * taps + t) * cg + i] = w[(o * cg + i) * taps + t]!;
  const y = new Float32Array(s.n * ho * wo * s.oc);
  const sums = new Float64Array(4);
  for (let b = 0; b < s.n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        for (let g = 0; g < s.groups; g++) for (let o0 = g * ocg; o0 < (g + 1) * ocg; o0 += 4) {
          const count = Math.min(4, (g + 1) * ocg - o0); // channels of this group from o0
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let r = 0; r < s.kh; r++) {
            const ih = oh * s.strideH - s.padTop + r * s.dilationH;
            if (ih < 0 || ih >= s.h) continue;
            for (let q = 0; q < s.kw; q++) {
              const iw = ow * s.strideW - s.padLeft + q * s.dilationW;
              if (iw < 0 || iw >= s.w) continue;
              const xBase = ((b * s.h + ih) * s.w + iw) * s.c + g * cg;
              const w0 = (o0 * taps + r * s.kw + q) * cg, stride = taps * cg;
              // Rows past the group's last channel read another channel's weights (or index 0); their sums are dropped.
              const w1 = count > 1 ? w0 + stride : 0, w2 = count > 2 ? w0 + 2 * stride : 0, w3 = count > 3 ? w0 + 3 * stride : 0;
              for (let i = 0; i < cg; i++) {
                const v = xs[xBase + i]!;
                s0 += v * ws[w0 + i]!;
                s1 += v * ws[w1 + i]!;
                s2 += v * ws[w2 + i]!;
                s3 += v * ws[w3 + i]!;
              }
            }
          }
          sums[0] = s0; sums[1] = s1; sums[2] = s2; sums[3] = s3;
          const at = ((b * ho + oh) * wo + ow) * s.oc + o0;
          for (let j = 0; j < count; j++) y[at + j] = sums[j]!;
        }
      }
    }
  }
  return y;
}

/** Max or average pooling (padding excluded from the average; empty windows give 0), NHWC. */
export function referencePool(s: ConvShape, x: ArrayLike<number>, kind: 'max' | 'avg'): Float32Array {
  const { ho, wo } = convOutputSize(s);
  const y = new Float32Array(s.n * ho * wo * s.c);
  for (let b = 0; b < s.n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        for (let ch = 0; ch < s.c; ch++) {
          let acc = kind === 'max' ? -Infinity : 0;
          let count = 0;
          for (let r = 0; r < s.kh; r++) {
            const ih = oh * s.strideH - s.padTop + r;
            for (let q = 0; q < s.kw; q++) {
              const iw = ow * s.strideW - s.padLeft + q;
              if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) continue;
              const v = x[((b * s.h + ih) * s.w + iw) * s.c + ch]!;
              acc = kind === 'max' ? Math.max(acc, v) : acc + v;
              count++;
            }
          }
          y[((b * ho + oh) * wo + ow) * s.c + ch] = count === 0 ? 0 : kind === 'max' ? acc : acc / count;
        }
      }
    }
  }
  return y;
}
