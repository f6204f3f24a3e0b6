// Plain TypeScript references for the tensor kernels: the obvious loops, in double precision.
// The judges of the kernel tests and of the real measurer's first run.
import { type ConvShape, convOutputSize } from './kernels.js';

/** NHWC input, OIHW weights ([oc][c/groups][kh][kw]) → NHWC output. */
export function referenceConv2d(s: ConvShape, x: ArrayLike<number>, w: ArrayLike<number>): Float32Array {
  const { ho, wo } = convOutputSize(s);
  const cg = s.c / s.groups;
  const ocg = s.oc / s.groups;
  const y = new Float32Array(s.n * ho * wo * s.oc);
  for (let b = 0; b < s.n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        for (let o = 0; o < s.oc; o++) {
          const g = Math.floor(o / ocg);
          let sum = 0;
          for (let r = 0; r < s.kh; r++) {
            const ih = oh * s.strideH - s.padTop + r * s.dilationH;
            if (ih < 0 || ih >= s.h) continue;
            for (let q = 0; q < s.kw; q++) {
              const iw = ow * s.strideW - s.padLeft + q * s.dilationW;
              if (iw < 0 || iw >= s.w) continue;
              const xBase = ((b * s.h + ih) * s.w + iw) * s.c + g * cg;
              for (let i = 0; i < cg; i++) sum += x[xBase + i]! * w[((o * cg + i) * s.kh + r) * s.kw + q]!;
            }
          }
          y[((b * ho + oh) * wo + ow) * s.oc + o] = sum;
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
