// Every generated conv/depthwise variant against the TypeScript reference, in every flavour
// this engine runs, on random shapes: odd sizes, stride 2, padding, dilation, groups, 1×1,
// depthwise, dense — and every loop order and tile split on a few of them.
import { describe, expect, it } from 'vitest';
import { detectFeatures, FLAVOURS, getCore } from '../../src/node/index.js';
import { maxRelativeError } from '../../src/core/reference.js';
import { Random } from '../../src/helpers/random.js';
import {
  type ConvSchedule, type ConvShape, convShape, type DepthwiseSchedule, denseShape, inputLength, Kernels, WINOGRAD_5X5_LAYOUT, weightLength,
} from '../../src/core/kernels.js';
import { referenceConv2d } from '../../src/core/kernels-reference.js';
import { CONV_VARIANTS, DEPTHWISE_VARIANTS } from '../../src/core/generated/variants.js';

const available = FLAVOURS.filter((f) => f !== 'relaxed' || detectFeatures().relaxedSimd);
const TOLERANCE = 1e-4;

function randomShape(random: Random, options: { groups?: 'none' | 'grouped' | 'depthwise' } = {}): ConvShape {
  const k = random.pick([1, 2, 3, 5]);
  const stride = random.pick([1, 1, 2, 3]);
  const dilation = random.pick([1, 1, 1, 2]);
  const extent = dilation * (k - 1) + 1;
  const h = random.intBetween(Math.max(1, extent - 2), 13);
  const w = random.intBetween(Math.max(1, extent - 2), 13);
  const pad = Math.max(random.pick([0, 1, 2]), Math.ceil((extent - Math.min(h, w)) / 2));
  let groups = 1;
  let cg = random.intBetween(1, 19);
  let ocg = random.intBetween(1, 27);
  if (options.groups === 'grouped') groups = random.intBetween(2, 4);
  if (options.groups === 'depthwise') {
    groups = random.intBetween(1, 37);
    cg = 1;
    ocg = 1;
  }
  return convShape({ n: random.intBetween(1, 2), h, w, c: groups * cg, oc: groups * ocg, k, stride, pad, dilation, groups });
}

function check(kernels: Kernels, shape: ConvShape, schedule: ConvSchedule | DepthwiseSchedule, random: Random): number {
  const x = random.floats(inputLength(shape));
  const w = random.floats(weightLength(shape));
  return maxRelativeError(kernels.conv2d(shape, x, w, schedule), referenceConv2d(shape, x, w));
}

describe.each(available)('conv kernels in the %s flavour', (flavour) => {
  it('the core holds the generated variants the knob spaces list (no stale build)', async () => {
    const e = (await getCore(flavour)).exports;
    expect(e.convVariantCount()).toBe(CONV_VARIANTS.length);
    expect(e.dwVariantCount()).toBe(DEPTHWISE_VARIANTS.length);
    CONV_VARIANTS.forEach((v, i) => {
      expect([e.convVariantRows(i), e.convVariantCols(i)]).toEqual([v.mr, v.nr]);
    });
  });

  it('every conv variant matches the reference on random shapes (groups, stride, padding, dilation)', async () => {
    const kernels = new Kernels(await getCore(flavour));
    const random = new Random(6);
    for (let v = 0; v < CONV_VARIANTS.length; v++) {
      const { mr, nr } = CONV_VARIANTS[v]!;
      for (const groups of ['none', 'grouped'] as const) {
        const shape = randomShape(random, { groups });
        const schedule: ConvSchedule = {
          kind: 'conv', variant: v, tileOC: nr * random.intBetween(1, 3), tileP: mr * random.intBetween(1, 9),
          tileIC: random.intBetween(1, 20), order: random.int(6),
          layout: groups === 'none' && shape.dilationW === 1 ? random.int(2) : 0,
        };
        const err = check(kernels, shape, schedule, random);
        expect(err, `variant ${v} ${JSON.stringify(shape)} ${JSON.stringify(schedule)}`).toBeLessThan(TOLERANCE);
      }
    }
  });

  it('every loop order and tile split gives the same answer on a ResNet-like layer', async () => {
    const kernels = new Kernels(await getCore(flavour));
    const random = new Random(7);
    const shape = convShape({ h: 9, w: 11, c: 40, oc: 24, k: 3, stride: 2, pad: 1 });
    const x = random.floats(inputLength(shape));
    const w = random.floats(weightLength(shape));
    const expected = referenceConv2d(shape, x, w);
    for (let order = 0; order < 6; order++) {
      for (const [tileIC, layout] of [[40, 0], [16, 0], [7, 0], [120, 1], [50, 1], [7, 1]] as const) {
        const schedule: ConvSchedule = { kind: 'conv', variant: order * 7 % CONV_VARIANTS.length, tileOC: 8, tileP: 12, tileIC, order, layout };
        expect(maxRelativeError(kernels.conv2d(shape, x, w, schedule), expected), `order ${order} tileIC ${tileIC} layout ${layout}`).toBeLessThan(TOLERANCE);
      }
    }
  });

  it('every depthwise variant matches the reference, channel tails included', async () => {
    const kernels = new Kernels(await getCore(flavour));
    const random = new Random(8);
    for (let v = 0; v < DEPTHWISE_VARIANTS.length; v++) {
      const { mr, nr } = DEPTHWISE_VARIANTS[v]!;
      for (let rep = 0; rep < 2; rep++) {
        const shape = randomShape(random, { groups: 'depthwise' });
        const schedule: DepthwiseSchedule = {
          kind: 'depthwise', variant: v, tileC: nr * random.intBetween(1, 3), tileP: mr * random.intBetween(1, 9), order: random.int(2),
        };
        const err = check(kernels, shape, schedule, random);
        expect(err, `variant ${v} ${JSON.stringify(shape)} ${JSON.stringify(schedule)}`).toBeLessThan(TOLERANCE);
      }
    }
  });

  it('a depthwise layer also runs through the general grouped kernel', async () => {
    const kernels = new Kernels(await getCore(flavour));
    const random = new Random(9);
    const shape = convShape({ h: 10, w: 7, c: 13, oc: 13, k: 3, stride: 2, pad: 1, groups: 13 });
    const schedule: ConvSchedule = { kind: 'conv', variant: 3, tileOC: 4, tileP: 5, tileIC: 1, order: 2, layout: 0 };
    expect(check(kernels, shape, schedule, random)).toBeLessThan(TOLERANCE);
  });

  it('dense is a 1×1 convolution: y = x · Wᵀ on a hand-made case and random ones', async () => {
    const kernels = new Kernels(await getCore(flavour));
    const schedule: ConvSchedule = { kind: 'conv', variant: 0, tileOC: 8, tileP: 4, tileIC: 64, order: 0, layout: 0 };
    // x = [1 2; 3 4] (2 samples × 2 features), W = [1 0; 0 1; 1 1] (3 out × 2 in)
    expect(Array.from(kernels.dense([1, 2, 3, 4], [1, 0, 0, 1, 1, 1], 2, 2, 3, schedule))).toEqual([1, 2, 3, 3, 4, 7]);
    const random = new Random(10);
    for (let rep = 0; rep < 5; rep++) {
      const [batch, inF, outF] = [random.intBetween(1, 9), random.intBetween(1, 70), random.intBetween(1, 40)];
      const x = random.floats(batch * inF);
      const w = random.floats(outF * inF);
      const expected = referenceConv2d(denseShape(batch, inF, outF), x, w);
      const variant = random.int(CONV_VARIANTS.length);
      const s: ConvSchedule = { kind: 'conv', variant, tileOC: 16, tileP: 8, tileIC: 32, order: random.int(6), layout: 0 };
      expect(maxRelativeError(kernels.dense(x, w, batch, inF, outF, s), expected)).toBeLessThan(TOLERANCE);
    }
  });

  it('a one-pixel dense layer runs two 16-channel blocks at a time with the bits of one at a time: full, partial and odd block counts, reduction slices', async () => {
    const kernels = new Kernels(await getCore(flavour));
    const random = new Random(12);
    const oneByOne = CONV_VARIANTS.findIndex((v) => v.mr === 1 && v.nr === 16);
    for (const [inF, outF] of [[300, 80], [300, 72], [129, 32], [64, 16], [517, 112]] as const) {
      const x = random.floats(inF);
      const w = random.floats(outF * inF);
      const expected = referenceConv2d(denseShape(1, inF, outF), x, w);
      const single = (tileIC: number): Float32Array => kernels.dense(x, w, 1, inF, outF, { kind: 'conv', variant: oneByOne, tileOC: 16, tileP: 1, tileIC, order: 0, layout: 0 });
      for (const tileIC of [inF, 100, 33]) {
        const alone = single(tileIC);
        expect(maxRelativeError(alone, expected)).toBeLessThan(TOLERANCE);
        for (const [tileOC, order] of [[32, 0], [128, 4], [48, 2]] as const) {
          const paired = kernels.dense(x, w, 1, inF, outF, { kind: 'conv', variant: oneByOne, tileOC, tileP: 1, tileIC, order, layout: 0 });
          expect(Array.from(paired), `${inF}→${outF} tileIC ${tileIC} tileOC ${tileOC}`).toEqual(Array.from(alone));
        }
      }
    }
  });

  it('packs subnormal weights as zeros, in every layout (Winograd\'s three forms) and in depthwise', async () => {
    const core = await getCore(flavour);
    const kernels = new Kernels(core);
    const subnormal = (v: number): boolean => v !== 0 && Math.abs(v) < 1.1754944e-38;
    const cases: [ConvShape, ConvSchedule | DepthwiseSchedule][] = [0, 1, 2, 3].map((layout) => [
      convShape({ h: 6, w: 6, c: 8, oc: 8, k: 3, pad: 1 }), { kind: 'conv', variant: 0, tileOC: 8, tileP: 8, tileIC: 8, order: 0, layout },
    ]);
    cases.push([convShape({ h: 6, w: 6, c: 8, oc: 8, k: 5, pad: 2 }), { kind: 'conv', variant: 0, tileOC: 8, tileP: 8, tileIC: 8, order: 0, layout: WINOGRAD_5X5_LAYOUT }]);
    cases.push([convShape({ h: 6, w: 6, c: 8, oc: 8, k: 3, pad: 1, groups: 8 }), { kind: 'depthwise', variant: 0, tileC: 8, tileP: 8, order: 0 }]);
    for (const [shape, schedule] of cases) {
      const weights = new Float32Array(weightLength(shape)).map((_, i) => (i % 3 === 0 ? (i % 2 ? 1e-40 : -3e-39) : (i % 7) - 3));
      expect(weights.some(subnormal)).toBe(true);
      const unpacked = core.f32From(weights);
      const packed = kernels.packConv(shape, unpacked, schedule);
      const values = Array.from(core.read(packed.buffer));
      core.free(unpacked, packed.buffer);
      expect(values.filter(subnormal), JSON.stringify(schedule)).toEqual([]);
      expect(values.some((v) => Math.abs(v) >= 0.5)).toBe(true);
    }
  });

  it('rejects a schedule whose packing does not match, and unknown variants', async () => {
    const kernels = new Kernels(await getCore(flavour));
    const shape = convShape({ h: 4, w: 4, c: 4, oc: 4, k: 1 });
    const ones = new Array(64).fill(1);
    expect(() => kernels.conv2d(shape, ones, ones.slice(0, 16), { kind: 'conv', variant: 999, tileOC: 8, tileP: 4, tileIC: 4, order: 0, layout: 0 }))
      .toThrow(/no variant 999/);
    const grouped = convShape({ h: 4, w: 4, c: 4, oc: 4, k: 3, pad: 1, groups: 2 });
    expect(() => kernels.conv2d(grouped, ones, new Array(72).fill(1), { kind: 'conv', variant: 0, tileOC: 8, tileP: 4, tileIC: 4, order: 0, layout: 1 }))
      .toThrow(/padded layout needs groups 1/);
    expect(() => convShape({ h: 4, w: 4, c: 6, oc: 4, k: 1, groups: 4 })).toThrow(/groups 4 must divide/);
    expect(() => convShape({ h: 4, w: 4, c: 4, oc: 4, k: 1, strides: 2 } as never)).toThrow(/unknown option 'strides'/);
  });
});

// The reference the kernels and the tuner's measurer are checked against: against its
// definition written as the plain seven loops, bit for bit, and a case worked by hand.
describe('referenceConv2d', () => {
  function sevenLoops(s: ConvShape, x: Float32Array, w: Float32Array): Float32Array {
    const ho = Math.floor((s.h + s.padTop + s.padBottom - s.dilationH * (s.kh - 1) - 1) / s.strideH) + 1;
    const wo = Math.floor((s.w + s.padLeft + s.padRight - s.dilationW * (s.kw - 1) - 1) / s.strideW) + 1;
    const cg = s.c / s.groups, ocg = s.oc / s.groups;
    const y = new Float32Array(s.n * ho * wo * s.oc);
    for (let b = 0; b < s.n; b++) for (let oh = 0; oh < ho; oh++) for (let ow = 0; ow < wo; ow++) for (let o = 0; o < s.oc; o++) {
      let sum = 0;
      for (let r = 0; r < s.kh; r++) for (let q = 0; q < s.kw; q++) for (let i = 0; i < cg; i++) {
        const ih = oh * s.strideH - s.padTop + r * s.dilationH, iw = ow * s.strideW - s.padLeft + q * s.dilationW;
        if (ih >= 0 && ih < s.h && iw >= 0 && iw < s.w) sum += x[((b * s.h + ih) * s.w + iw) * s.c + Math.floor(o / ocg) * cg + i]! * w[((o * cg + i) * s.kh + r) * s.kw + q]!;
      }
      y[((b * ho + oh) * wo + ow) * s.oc + o] = sum;
    }
    return y;
  }

  it('gives the seven loops\' bits on random shapes, grouped and depthwise ones included', () => {
    const random = new Random(29);
    for (let trial = 0; trial < 60; trial++) {
      const shape = randomShape(random, { groups: random.pick(['none', 'grouped', 'depthwise'] as const) });
      const x = random.floats(inputLength(shape));
      const w = random.floats(weightLength(shape));
      expect(Array.from(referenceConv2d(shape, x, w)), JSON.stringify(shape)).toEqual(Array.from(sevenLoops(shape, x, w)));
    }
  });

  it('sums a 2×2 kernel over a 3×3 image by hand', () => {
    // Input 1..9 (one channel), kernel [[1, 2], [3, 4]], no padding: 1+4+12+20 = 37, 2+6+15+24 = 47, ...
    const y = referenceConv2d(convShape({ h: 3, w: 3, c: 1, oc: 1, k: 2 }), Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), Float32Array.of(1, 2, 3, 4));
    expect(Array.from(y)).toEqual([37, 47, 67, 77]);
  });
});
