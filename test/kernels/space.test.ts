// Knob spaces: index ↔ point ↔ config round trips, legality by construction (random configs
// run and agree with the reference), features, and rejection of bad configs.
import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/node/index.js';
import { Random } from '../../src/helpers/random.js';
import { inputLength, Kernels, weightLength } from '../../src/core/kernels.js';
import { referenceConv2d } from '../../src/core/kernels-reference.js';
import { maxRelativeError } from '../../src/core/reference.js';
import { convTask, denseTask, MOBILENETV2_DEPTHWISE, RESNET18_CONV, spaceFor, type Task, taskKey, untunedConfig } from '../../src/tune/space/index.js';
import { pointAt, pointIndex, spaceSize } from '../../src/base/search-space.js';

describe('kernel knob spaces', () => {
  it('lists the 12 distinct ResNet-18 conv layers with their FLOPs', () => {
    expect(RESNET18_CONV).toHaveLength(12);
    expect(new Set(RESNET18_CONV.map(taskKey)).size).toBe(12);
    // C2: 56×56 output, 64→64, 3×3: 2·56·56·64·64·9
    expect(RESNET18_CONV[1]!.flops).toBe(2 * 56 * 56 * 64 * 64 * 9);
    expect(RESNET18_CONV[0]!.kind).toBe('conv2d');
    expect(MOBILENETV2_DEPTHWISE.every((t) => t.kind === 'depthwise')).toBe(true);
  });

  it('numbers configs by mixed radix and maps them back', () => {
    const space = spaceFor(RESNET18_CONV[5]!);
    expect(space.size).toBe(space.knobs.reduce((p, k) => p * k.values.length, 1));
    expect(space.size).toBe(spaceSize(space));
    expect(space.size).toBeGreaterThan(10_000);
    const random = new Random(3);
    for (let i = 0; i < 200; i++) {
      const index = random.int(space.size);
      const config = space.get(index);
      expect(space.indexOf(config)).toBe(index);
      expect(pointIndex(space, space.point(config))).toBe(index);
      expect(space.config(pointAt(space, index))).toEqual(config);
      expect(space.features(space.point(config))).toHaveLength(space.featureNames.length);
    }
    expect(space.contains(space.defaultConfig)).toBe(true);
    expect(space.knobs.find((k) => k.name === 'block')!.labels![space.defaultConfig.block!]).toBe('4x8');
    // A 3×3 stride-1 layer: in place, zero-padded, and both Winograd tiles; strided, no Winograd; 1×1, in place only.
    const layouts = (task: Task): number[] => spaceFor(task).knobs.find((k) => k.name === 'layout')!.values;
    expect(RESNET18_CONV[5]!.shape).toMatchObject({ kh: 3, kw: 3, strideH: 1 });
    expect(layouts(RESNET18_CONV[5]!)).toEqual([0, 1, 2, 3]);
    expect(layouts(RESNET18_CONV.find((t) => t.shape.kh === 3 && t.shape.strideH === 2)!)).toEqual([0, 1]);
    expect(layouts(RESNET18_CONV.find((t) => t.shape.kh === 1)!)).toEqual([0]);
    // A 5×5 stride-1 layer (AlexNet's conv2): in place, zero-padded and F(2×2, 5×5), which it runs untuned.
    const alexnet2 = convTask('alexnet-conv2', { h: 27, w: 27, c: 64, oc: 192, k: 5, pad: 2 });
    expect(layouts(alexnet2)).toEqual([0, 1, 4]);
    expect(untunedConfig(spaceFor(alexnet2)).layout).toBe(4);
    expect(layouts(convTask('strided-5x5', { h: 27, w: 27, c: 64, oc: 192, k: 5, pad: 2, stride: 2 }))).toEqual([0, 1]);
    // Untuned tiles hold at most 512 KiB of packed weights (output-channel blocks × nr × taps × channels × 4).
    const tileWeightBytes = (task: Task): number => {
      const space = spaceFor(task);
      const config = untunedConfig(space);
      const nr = Number(space.knobs.find((k) => k.name === 'block')!.labels![config.block!]!.split('x')[1]);
      return config.ocTile! * nr * task.shape.kh * task.shape.kw * Math.min(config.icTile!, task.shape.c / task.shape.groups) * 4;
    };
    const wide = convTask('wide-stride-2', { h: 7, w: 7, c: 1024, oc: 1024, k: 3, pad: 1, stride: 2 });
    expect(untunedConfig(spaceFor(wide)).ocTile).toBeLessThan(spaceFor(wide).defaultConfig.ocTile!);
    expect(tileWeightBytes(wide)).toBeLessThanOrEqual(512 * 1024);
    const small = RESNET18_CONV.find((t) => t.shape.kh === 3 && t.shape.strideH === 2 && t.shape.c === 64)!;
    expect(untunedConfig(spaceFor(small)).ocTile).toBe(spaceFor(small).defaultConfig.ocTile);
    // Winograd untuned: F(4×4) unless F(2×2) costs less (multiply-adds or streamed transformed weights,
    // whichever is longer); F(4×4) in bands of four register blocks while its weights take at most
    // 2 MiB, of one up to 20 MiB.
    const winograd = (c: number, hw: number): { layout: number; block: string; pTile: number } => {
      const space = spaceFor(convTask(`w${c}x${hw}`, { h: hw, w: hw, c, oc: c, k: 3, pad: 1 }));
      const config = untunedConfig(space);
      return { layout: config.layout!, block: space.knobs.find((k) => k.name === 'block')!.labels![config.block!]!, pTile: config.pTile! };
    };
    // 256 at 14×14: 16 tiles, 9.4 MB of weights.
    expect(winograd(256, 14)).toEqual({ layout: 2, block: '2x16', pTile: 1 });
    // 64 at 56×56: 0.59 MB of weights, four blocks; 128 at 28×28: 2.36 MB, one.
    expect(winograd(64, 56)).toEqual({ layout: 2, block: '2x16', pTile: 4 });
    expect(winograd(128, 28).pTile).toBe(1);
    // 512 at 7×7: 4 tiles share each of 37.7 MB of weights (as 62.9M multiply-adds of streaming against
    // F(2×2)'s 67.1M multiply-adds): F(4×4) on 4×8, in one long band.
    expect(winograd(512, 7)).toMatchObject({ layout: 2, block: '4x8' });
    expect(winograd(512, 7).pTile).toBeGreaterThan(1);
    // 512 at 14×14: 37.7 MB, past 20 MiB: long bands.
    expect(winograd(512, 14)).toMatchObject({ layout: 2, block: '4x8' });
    expect(winograd(512, 14).pTile).toBeGreaterThan(1);
    // 1024 at 4×4: one tile of F(4×4) streams 151 MB (252M multiply-adds), F(2×2)'s 4 tiles 67 MB (112M).
    expect(winograd(1024, 4).layout).toBe(3);
    // A one-pixel dense layer reads its weights once: its tiles keep several 1×16 blocks, which run in pairs.
    const fc = denseTask('alexnet-fc6', 1, 9216, 4096);
    const fcConfig = untunedConfig(spaceFor(fc));
    expect(spaceFor(fc).knobs.find((k) => k.name === 'block')!.labels![fcConfig.block!]).toBe('1x16');
    expect(fcConfig.ocTile).toBeGreaterThanOrEqual(2);
    expect(spaceFor(MOBILENETV2_DEPTHWISE[0]!).knobs.map((k) => k.name)).toEqual(['block', 'cTile', 'pTile', 'order']);
  });

  it('rejects unknown knobs, missing knobs and illegal values by name', () => {
    const space = spaceFor(RESNET18_CONV[1]!);
    expect(() => space.check({ ...space.defaultConfig, tile: 3 })).toThrow(/unknown knob 'tile'/);
    const { order: _order, ...missing } = space.defaultConfig;
    expect(() => space.check(missing)).toThrow(/missing knob 'order'/);
    expect(() => space.check({ ...space.defaultConfig, order: 9 })).toThrow(/order=9 is not one of/);
    expect(() => space.get(space.size)).toThrow(/outside/);
  });

  it('every random config of conv, grouped, dense and depthwise tasks runs and matches the reference', async () => {
    const kernels = new Kernels(await getCore());
    const random = new Random(4);
    const tasks = [
      convTask('odd', { h: 11, w: 9, c: 21, oc: 19, k: 3, stride: 2, pad: 1 }),
      convTask('grouped', { h: 6, w: 6, c: 12, oc: 18, k: 3, pad: 1, groups: 3 }),
      convTask('dw', { h: 9, w: 9, c: 22, oc: 22, k: 3, stride: 2, pad: 1, groups: 22 }),
      denseTask('fc', 3, 50, 33),
    ];
    for (const task of tasks) {
      const space = spaceFor(task);
      const x = random.floats(inputLength(task.shape));
      const w = random.floats(weightLength(task.shape));
      const expected = referenceConv2d(task.shape, x, w);
      for (let i = 0; i < 25; i++) {
        const config = i === 0 ? space.defaultConfig : space.random(random);
        const got = kernels.conv2d(task.shape, x, w, space.schedule(config));
        expect(maxRelativeError(got, expected), `${task.name} ${JSON.stringify(config)}`).toBeLessThan(1e-4);
      }
    }
  });
});
