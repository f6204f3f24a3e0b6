// The report plots as drawn (SVG from vega's headless renderer): layer labels that tell layers
// apart, legends in whole units, and the on-chip memory label clear of the bars.
import { describe, expect, it } from 'vitest';
import { tradeoffOf, tradeoffSpec } from '../../src/codesign/plot.js';
import type { CodesignRun } from '../../src/codesign/run.js';
import { importOnnx } from '../../src/graph/onnx.js';
import { shortLabels, stageMemorySpec, utilizationSpec } from '../../src/report/plots.js';
import { renderSvg } from '../../src/report/vega.js';
import { readModel } from '../helpers/fixtures.js';

const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('report plots', () => {
  it('shortLabels keeps the fewest trailing path segments that tell layers apart', () => {
    expect(shortLabels([
      '/features/features.1/features.1.0/block/block.0/Conv',
      '/features/features.1/features.1.1/block/block.0/Conv',
      '/features/features.2/features.2.1/Conv',
      '/classifier/classifier.2/Gemm',
      'resnet18.c3',
    ])).toEqual(['features.1.0/block.0/Conv', 'features.1.1/block.0/Conv', 'features.2.1/Conv', 'Gemm', 'resnet18.c3']);
    expect(shortLabels(['a/Conv', 'b/a/Conv'])).toEqual(['a/Conv', 'b/a/Conv']);
  });

  it('labels every MobileNetV2 layer of the utilisation plot uniquely and in full', async () => {
    const g = importOnnx(readModel('mobilenet_v2.onnx'), { source: 'mobilenet_v2.onnx' });
    const layers = g.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm').map((n, i) => ({ layer: n.name, utilization: (i * 7) % 100 }));
    const labels = shortLabels(layers.map((l) => l.layer));
    expect(new Set(labels).size).toBe(layers.length);
    labels.forEach((label, i) => expect(label.split('/').every((part) => layers[i]!.layer.split('/').includes(part))).toBe(true));
    const drawn = texts(await renderSvg(utilizationSpec('u', layers)));
    for (const label of labels) expect(drawn).toContain(label);
    expect(drawn.some((t) => t.includes('…'))).toBe(false);
  });

  it('writes SRAM KiB in whole numbers in the trade-off legend', async () => {
    const run = { strategy: 'ga', best: undefined, perHardware: [{ hardware: [3, 3, 4, 4, 4, 0], throughputPerSecond: 100 }, { hardware: [4, 2, 4, 4, 4, 1], throughputPerSecond: 120 }] } as unknown as CodesignRun;
    const drawn = texts(await renderSvg(tradeoffSpec('t', [tradeoffOf(run)])));
    expect(drawn).toContain('192'); // 3 × 64 KiB
    expect(drawn.some((t) => /^\d+\.\d+$/.test(t) && t.startsWith('192'))).toBe(false);
  });

  it('puts the on-chip memory label right of the bars', async () => {
    const svg = await renderSvg(stageMemorySpec('m', [{ stage: 0, paramMiB: 9 }, { stage: 1, paramMiB: 3 }, { stage: 2, paramMiB: 7 }, { stage: 3, paramMiB: 8.5 }], 8));
    const label = /<text[^>]*text-anchor="start"[^>]*transform="translate\(([\d.]+),[\d.]+\)"[^>]*>on-chip memory 8 MiB<\/text>/.exec(svg);
    expect(label).not.toBeNull();
    expect(Number(label![1])).toBeGreaterThanOrEqual(360); // the plot area is 360 px wide
  });
});
