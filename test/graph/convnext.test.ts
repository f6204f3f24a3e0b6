// ConvNeXt-Tiny as PyTorch exports it: broadcast weights of elementwise ops (LayerNorm's affine
// scale and shift, the layer scale) and the exporter's Identity copies of shared weights.
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/graph/onnx.js';
import { totals } from '../../src/graph/index.js';
import { verify } from '../../src/graph/build.js';
import { readModel } from '../helpers/fixtures.js';

// torch: sum(p.numel() for p in torchvision.models.convnext_tiny().parameters())
const TORCH_PARAMS = 28_589_128;

describe('ConvNeXt-Tiny import', () => {
  for (const file of ['convnext_tiny.onnx', 'convnext_tiny_noweights.onnx']) {
    it(`${file}: torch's parameter count, one data input, and no Identity layer`, () => {
      const g = importOnnx(readModel(file), { source: file });
      verify(g);
      expect(totals(g).params).toBe(TORCH_PARAMS);
      expect(g.inputs.map((i) => i.name)).toEqual(['input']);
      expect(g.nodes.filter((n) => n.op === 'Identity')).toEqual([]);
      // Weights of Mul/Add read as parameters: the first block's LayerNorm scale and shift (96 each).
      const norm = g.nodes.filter((n) => n.name.startsWith('/features/features.0/features.0.1/') && (n.op === 'Mul' || n.op === 'Add'));
      expect(norm.reduce((s, n) => s + n.params, 0)).toBe(2 * 96);
    });
  }

  it('the weight-stripped and the weights-as-inputs exports import to the same graph', () => {
    const a = importOnnx(readModel('convnext_tiny.onnx'), { source: 'a', name: 'convnext' });
    const b = importOnnx(readModel('convnext_tiny_noweights.onnx'), { source: 'b', name: 'convnext' });
    expect(totals(b)).toEqual(totals(a));
    expect(b.nodes.map((n) => [n.name, n.op, n.params, n.macs])).toEqual(a.nodes.map((n) => [n.name, n.op, n.params, n.macs]));
  });
});
