// The Winograd layouts (F(4×4, 3×3), F(2×2, 3×3) and F(2×2, 5×5), assembly/kernels/winograd.ts) against the
// TypeScript reference conv in every flavour: every register block on random shapes (edge
// tiles, padding, batches, bands), the epilogue and channel-slice outputs, and parts that give
// the same bits.
import { describe, expect, it } from 'vitest';
import { detectFeatures, FLAVOURS, getCore } from '../../src/node/index.js';
import { Random } from '../../src/helpers/random.js';
import {
  type ConvSchedule, type ConvShape, convShape, inputLength, Kernels, outputLength, weightLength, WINOGRAD_FORMS, winogradLayouts,
} from '../../src/core/kernels.js';
import { referenceConv2d } from '../../src/core/kernels-reference.js';
import { CONV_VARIANTS } from '../../src/core/generated/variants.js';

const available = FLAVOURS.filter((f) => f !== 'relaxed' || detectFeatures().relaxedSimd);
// Error as the e2e bench states it: max |y − reference| / max |reference|. F(4×4, 3×3)'s
// transforms (coefficients up to 8 and 1/24) lose more than the direct sum: up to 6e-6 on these
// shapes, where the direct conv and F(2×2, 3×3) stay below 1e-6; F(2×2, 5×5) (coefficients up
// to 16 and 1/24) loses about as much as F(4×4, 3×3); whole networks stay near 1e-6 (models.test.ts).
const TOLERANCE = 2e-5;

function scaledError(actual: Float32Array, expected: Float32Array): number {
  let err = 0, scale = 0;
  expected.forEach((e, i) => {
    err = Math.max(err, Math.abs(actual[i]! - e));
    scale = Math.max(scale, Math.abs(e));
  });
  return Number.isFinite(err) ? err / scale : Number.POSITIVE_INFINITY;
}

function winogradShape(random: Random, k: number): ConvShape {
  const [padTop, padLeft, padBottom, padRight] = Array.from({ length: 4 }, () => random.int(k));
  return convShape({
    n: random.intBetween(1, 2), h: random.intBetween(Math.max(1, k - padTop - padBottom), 14), w: random.intBetween(Math.max(1, k - padLeft - padRight), 14),
    c: 4 * random.intBetween(1, 12), oc: 4 * random.intBetween(1, 12), k, padTop, padLeft, padBottom, padRight,
  });
}

const cases = available.flatMap((flavour) => Object.entries(WINOGRAD_FORMS).map(([layout, { tile, kernel: k }]) => ({ flavour, layout: Number(layout), tile, k })));

describe.each(cases)('Winograd F($tile×$tile, $k×$k) in the $flavour flavour', ({ flavour, layout, k }) => {
  const schedule = (variant: number, band: number): ConvSchedule => ({ kind: 'conv', variant, tileOC: 8, tileP: band, tileIC: 64, order: 0, layout });

  it('every register block matches the direct reference on random shapes (edge tiles, padding, batches, bands)', async () => {
    const kernels = new Kernels(await getCore(flavour));
    const random = new Random(41);
    for (let v = 0; v < CONV_VARIANTS.length; v++) {
      for (let rep = 0; rep < 2; rep++) {
        const shape = winogradShape(random, k);
        const x = random.floats(inputLength(shape));
        const w = random.floats(weightLength(shape));
        const s = schedule(v, random.intBetween(1, 20));
        const err = scaledError(kernels.conv2d(shape, x, w, s), referenceConv2d(shape, x, w));
        expect(err, `variant ${v} ${JSON.stringify(shape)} band ${s.tileP}`).toBeLessThan(TOLERANCE);
      }
    }
  });

  it('applies bias, residual and activation, and writes a channel slice of a wider output', async () => {
    const core = await getCore(flavour);
    const kernels = new Kernels(core);
    const random = new Random(42);
    const shape = convShape({ h: 9, w: 10, c: 12, oc: 20, k, pad: k >> 1 });
    const [x, w, bias] = [random.floats(inputLength(shape)), random.floats(weightLength(shape)), random.floats(shape.oc)];
    const residual = random.floats(outputLength(shape));
    const conv = referenceConv2d(shape, x, w);
    const stride = 28, offset = 5; // the output is channels 5..24 of a 28-channel tensor
    const expected = new Float32Array(outputLength(shape) / shape.oc * stride).fill(7);
    conv.forEach((value, i) => {
      const p = Math.floor(i / shape.oc), ch = i % shape.oc;
      expected[p * stride + offset + ch] = Math.max(0, value + bias[ch]! + residual[i]!);
    });
    const s = schedule(2, 6);
    const [xb, wb, bb, rb, yb] = [core.f32From(x), core.f32From(w), core.f32From(bias), core.f32From(residual), core.f32From(new Float32Array(expected.length).fill(7))];
    const packed = kernels.packConv(shape, wb, s);
    try {
      const out = { ptr: yb.ptr + offset * 4, length: yb.length - offset };
      const plan = kernels.planConv(shape, xb, packed, out, s, { bias: bb.ptr, residual: rb.ptr, activation: { kind: 'relu', a: 0, b: 0 } }, 1, stride);
      kernels.runConv(plan);
      kernels.releaseConv(plan);
      expect(scaledError(core.read(yb), expected)).toBeLessThan(TOLERANCE);
    } finally {
      core.free(xb, wb, bb, rb, yb, packed.buffer);
    }
  });

  it('any number of parts gives the same bits, split by bands or by output channels', async () => {
    const core = await getCore(flavour);
    const kernels = new Kernels(core);
    const random = new Random(43);
    // 13×13: 16 or 49 tiles in several bands (parts take bands); 5×5: 4 or 9 tiles in 1 band of
    // 16 (parts take channel blocks).
    for (const [shape, band] of [[convShape({ h: 13, w: 13, c: 16, oc: 24, k, pad: k >> 1 }), 4], [convShape({ h: 5, w: 5, c: 32, oc: 64, k, pad: k >> 1 }), 16]] as const) {
      const s = schedule(0, band);
      const [xb, wb, yb] = [core.f32From(random.floats(inputLength(shape))), core.f32From(random.floats(weightLength(shape))), core.allocF32(outputLength(shape))];
      const packed = kernels.packConv(shape, wb, s);
      try {
        const runParts = (parts: number): Float32Array => {
          core.view(yb).fill(Number.NaN);
          const plan = kernels.planConv(shape, xb, packed, yb, s, {}, parts);
          for (let part = parts - 1; part >= 0; part--) core.exports.wgRun(plan.ptr, part, parts);
          kernels.releaseConv(plan);
          return core.read(yb);
        };
        const one = runParts(1);
        expect(one.every(Number.isFinite)).toBe(true);
        for (const parts of [2, 3, 5]) expect(runParts(parts), `${parts} parts, ${shape.h}×${shape.w}`).toEqual(one);
      } finally {
        core.free(xb, wb, yb, packed.buffer);
      }
    }
  });

  it('refuses the layers it cannot run', async () => {
    const kernels = new Kernels(await getCore(flavour));
    const ones = (n: number): number[] => new Array<number>(n).fill(1);
    const other = k === 3 ? 5 : 3;
    for (const shape of [
      convShape({ h: 8, w: 8, c: 4, oc: 4, k, stride: 2 }),
      convShape({ h: 8, w: 8, c: 4, oc: 4, k: other }),
      convShape({ h: 8, w: 8, c: 6, oc: 4, k }),
      convShape({ h: 8, w: 8, c: 8, oc: 8, k, groups: 2 }),
      convShape({ h: 8, w: 8, c: 4, oc: 4, k: 7 }),
    ]) {
      expect(winogradLayouts(shape)).not.toContain(layout);
      expect(() => kernels.conv2d(shape, ones(inputLength(shape)), ones(weightLength(shape)), schedule(0, 4)), JSON.stringify(shape)).toThrow(new RegExp(`Winograd F\\(\\d×\\d, ${k}×${k}\\) needs a ${k}×${k}, stride-1`));
    }
    expect(winogradLayouts(convShape({ h: 8, w: 8, c: 4, oc: 4, k }))).toContain(layout);
  });
});
