import { describe, expect, it } from 'vitest';
import {
  ALEXNET_CONVS, RESNET18_CONVS, VGG16_CONVS, ZOO, foldBatchNorm, totals, verify, zooModel,
  type ConvsetLayer, type Graph,
} from '../../src/graph/index.js';
import { ZOO_TOTALS } from '../../src/graph/zoo/generated/totals.js';
import { exportOnnx, importOnnx } from '../../src/graph/onnx.js';
import { readModel } from '../helpers/fixtures.js';


/** Conv and Gemm layers as comparable signatures: op, input shape, weight shape, output shape, MACs. */
function layerSignatures(g: Graph): string[] {
  return g.nodes
    .filter((n) => n.op === 'Conv' || n.op === 'Gemm')
    .map((n) => `${n.op} ${n.inputs[0]!.shape.join('x')} w${n.inputs[1]!.shape.join('x')} -> ${n.outputs[0]!.shape.join('x')} ${n.macs}`)
    .sort();
}

const convKey = (l: ConvsetLayer): string => `${l.inChannels}@${l.size} -> ${l.outChannels} k${l.kernel} s${l.stride} p${l.pad}`;
function convKeys(g: Graph): Set<string> {
  return new Set(
    g.nodes.filter((n) => n.op === 'Conv').map((n) => {
      const [, c, size] = n.inputs[0]!.shape;
      const w = n.inputs[1]!.shape;
      const strides = n.attributes['strides'] as number[];
      const pads = n.attributes['pads'] as number[];
      return `${c}@${size} -> ${w[0]} k${w[2]} s${strides[0]} p${pads[0]}`;
    }),
  );
}

describe('model zoo', () => {
  it('names are lower case without separators', () => {
    for (const e of ZOO) expect(e.name).toMatch(/^[a-z0-9]+$/);
  });

  it.each(ZOO.map((e) => [e.name, e] as const))('%s meets its published totals', (_, entry) => {
    const g = entry.build();
    verify(g);
    const t = totals(g);
    expect(t.params).toBe(entry.params);
    if (entry.macs !== undefined) expect(Math.abs(t.macs / entry.macs - 1)).toBeLessThan(0.005);
  });

  it('the stored totals (src/graph/zoo/generated/totals.ts, which mapwise zoo lists) are the built graphs\' (rerun scripts/gen-zoo-totals.js when not)', () => {
    expect(Object.keys(ZOO_TOTALS)).toEqual(ZOO.map((e) => e.name));
    for (const e of ZOO) {
      const { nodes, params, paramBytes, macs, peakActivationBytes } = totals(e.build());
      expect(ZOO_TOTALS[e.name], e.name).toEqual({ nodes, params, paramBytes, macs, peakActivationBytes });
    }
  });

  it('ResNet-50 has 25,557,032 parameters and about 4.09 GMACs', () => {
    const t = totals(zooModel('resnet50'));
    expect(t.params).toBe(25_557_032);
    expect(t.macs / 1e9).toBeCloseTo(4.09, 2);
  });

  // Keras counts BN moving mean and variance as parameters (non-trainable); torch, and the zoo, do not.
  it.each([
    ['mobilenet', 4_253_864],
    ['xception', 22_910_480],
    ['inceptionresnetv2', 55_873_736],
    ['resnet50v2', 25_613_800],
    ['resnet152v2', 60_380_648],
  ])('%s meets Keras Applications\' total, %i, with its BN moving statistics (2 per channel) added back', (name, keras) => {
    const g = zooModel(name);
    const bnChannels = g.nodes.filter((n) => n.op === 'BatchNormalization').reduce((s, n) => s + n.inputs[0]!.shape[1]!, 0);
    expect(totals(g).params + 2 * bnChannels).toBe(keras);
  });

  it('rejects an unknown name, listing the known ones', () => {
    expect(() => zooModel('resnet51')).toThrow(/no built-in model 'resnet51'; known: alexnet, vgg16/);
  });
});

describe('zoo against the importer on the real exports', () => {
  const imported = (file: string): Graph => importOnnx(readModel(file), { source: file });

  it('squeezenet11 equals squeezenet1_1.onnx layer by layer', () => {
    const zoo = zooModel('squeezenet11');
    const file = imported('squeezenet1_1.onnx');
    expect(totals(zoo).params).toBe(totals(file).params);
    expect(totals(zoo).macs).toBe(totals(file).macs);
    expect(layerSignatures(zoo)).toEqual(layerSignatures(file));
    expect(totals(zoo).opCounts).toEqual(totals(file).opCounts);
  });

  // The sized exports come from scripts/make-zoo-fixtures.py (torchvision at that input size).
  it.each([
    ['mobilenetv2', 'mobilenet_v2.onnx', undefined],
    ['resnet18', 'resnet18_noweights.onnx', undefined],
    ['googlenet', 'googlenet.onnx', undefined],
    ['googlenet', 'googlenet_160.onnx', 160],
    ['resnet50', 'resnet50_299.onnx', 299],
    ['mobilenetv2', 'mobilenet_v2_160.onnx', 160],
  ])('%s with batch norm folded equals %s layer by layer (size %s)', (name, file, size) => {
    const zoo = zooModel(name, size);
    const folded = foldBatchNorm(zoo);
    verify(folded);
    const real = imported(file);
    const bnChannels = zoo.nodes.filter((n) => n.op === 'BatchNormalization').reduce((s, n) => s + n.inputs[0]!.shape[1]!, 0);
    expect(totals(folded).params).toBe(totals(zoo).params - bnChannels);
    expect(totals(folded).params).toBe(totals(real).params);
    expect(totals(folded).macs).toBe(totals(real).macs);
    expect(layerSignatures(folded)).toEqual(layerSignatures(real));
    expect(totals(folded).opCounts['BatchNormalization']).toBeUndefined();
    expect(folded.nodes.length).toBe(real.nodes.length);
  });
});

describe('conv layer sets of tuning papers', () => {
  it('AlexNet: the 5 conv layers of the zoo model', () => {
    expect([...convKeys(zooModel('alexnet'))].sort()).toEqual(ALEXNET_CONVS.map(convKey).sort());
  });

  it('VGG-16: its 13 conv layers reduce to the 9 distinct ones', () => {
    const vgg = zooModel('vgg16');
    expect(vgg.nodes.filter((n) => n.op === 'Conv').length).toBe(13);
    expect([...convKeys(vgg)].sort()).toEqual(VGG16_CONVS.map(convKey).sort());
  });

  it('ResNet-18: AutoTVM C1-C12 are the torchvision layers plus the 1x1 64->64 of its MXNet variant', () => {
    const keys = convKeys(zooModel('resnet18'));
    const missing = RESNET18_CONVS.filter((l) => !keys.has(convKey(l))).map((l) => l.name);
    expect(missing).toEqual(['resnet18.c3']);
    expect(keys.size).toBe(11);
  });

  it('convs graphs have one independent Conv node per layer with hand-computed MACs', () => {
    const g = zooModel('resnet18convs');
    verify(g);
    expect(g.edges).toEqual([]);
    // C1: 64 x 112 x 112 outputs x 3 x 7 x 7 taps
    expect(g.nodes[0]!.macs).toBe(64 * 112 * 112 * 3 * 49);
    expect(g.nodes.map((n) => n.outputs[0]!.shape[2])).toEqual([112, 56, 56, 28, 28, 28, 14, 14, 14, 7, 7, 7]);
  });
});

describe('zoo through ONNX and back', () => {
  it.each(ZOO.map((e) => [e.name, e] as const))('%s exports to ONNX and imports to the same graph', (_, entry) => {
    const zoo = entry.build();
    const bytes = exportOnnx(zoo);
    const back = importOnnx(bytes, { source: `${entry.name}.onnx` });
    verify(back);
    expect(back.nodes.map((n) => [n.name, n.op, n.outputs[0]!.shape, n.params, n.macs])).toEqual(
      zoo.nodes.map((n) => [n.name, n.op, n.outputs[0]!.shape, n.params, n.macs]),
    );
    expect(back.edges).toEqual(zoo.edges);
    // Without weight data the file is small: shapes only.
    expect(bytes.length).toBeLessThan(300_000);
  });
});

describe('zoo models at other input sizes (NAME@SIZE)', () => {
  const sized = ZOO.filter((e) => e.size !== undefined);

  it.each(sized.map((e) => [e.name, e] as const))('%s builds down to its minimum size and refuses one pixel less', (_, entry) => {
    const g = zooModel(entry.name, entry.minSize);
    verify(g);
    expect(g.name).toBe(entry.minSize === entry.size ? entry.name : `${entry.name}@${entry.minSize}`);
    expect(g.inputs[0]!.shape).toEqual([1, 3, entry.minSize, entry.minSize]);
    // Weights do not depend on the input size (the classifiers pool globally before their FC layers).
    expect(totals(g).params).toBe(entry.params);
    expect(() => zooModel(entry.name, entry.minSize! - 1)).toThrow(new RegExp(`^${entry.name}@${entry.minSize! - 1}: .*at least ${entry.minSize}x${entry.minSize}`));
  });

  it('the default size gives the default graph, under its plain name', () => {
    expect(zooModel('resnet50', 224)).toEqual(zooModel('resnet50'));
  });

  it('ResNet-50 at 299: the stem convolution and the last feature map by hand', () => {
    const g = zooModel('resnet50', 299);
    // 7x7/2 with padding 3: (299 + 6 - 7) / 2 + 1 = 150 outputs per side.
    expect(g.nodes[0]!.outputs[0]!.shape).toEqual([1, 64, 150, 150]);
    expect(g.nodes[0]!.macs).toBe(64 * 150 * 150 * 3 * 49);
    // Then 150 -> 75 (max pool) -> 38 -> 19 -> 10 (each stride-2 3x3 with padding 1 rounds up).
    expect(g.nodes.find((n) => n.op === 'GlobalAveragePool')!.inputs[0]!.shape).toEqual([1, 2048, 10, 10]);
    expect(g.nodes.at(-1)!.outputs[0]!.shape).toEqual([1, 1000]);
  });

  it('AlexNet and VGG take sizes where torchvision\'s adaptive pool is a plain average pool', () => {
    const big = zooModel('vgg16', 448);
    expect(totals(big).params).toBe(138_357_544);
    const pool = big.nodes.find((n) => n.op === 'AveragePool')!;
    expect(pool.inputs[0]!.shape).toEqual([1, 512, 14, 14]);
    expect(pool.outputs[0]!.shape).toEqual([1, 512, 7, 7]);
    expect(() => zooModel('vgg16', 300)).toThrow(/^vgg16@300: vgg16 cannot take a 300x300 input: its last feature map, 9x9, is not a multiple of the 7x7/);
    expect(() => zooModel('alexnet', 222)).toThrow(/^alexnet@222: .*at least 223x223/);
  });

  it('refuses sizes that are no sizes, and sizes on the fixed-shape conv sets', () => {
    expect(() => zooModel('resnet50', 299.5)).toThrow(/^resnet50@299.5: the size must be a whole number of pixels up to 4096/);
    expect(() => zooModel('resnet50', 5000)).toThrow(/up to 4096/);
    expect(() => zooModel('vgg16convs', 224)).toThrow(/^vgg16convs@224: vgg16convs has fixed layer shapes and takes no @size/);
  });
});
