import { describe, expect, it } from 'vitest';
import { dnnLikeGraph, layeredDag, totals, zooModel } from '../../src/graph/index.js';
import { loadModel } from '../../src/node/models.js';

describe('loadModel', () => {
  it('resolves zoo names as users write them', async () => {
    expect(await loadModel('ResNet-50')).toEqual(zooModel('resnet50'));
    expect(await loadModel('efficientnet_b0')).toEqual(zooModel('efficientnetb0'));
    expect(await loadModel('ResNet-50@299')).toEqual(zooModel('resnet50', 299));
  });

  it('resolves generator specs to the seeded generators', async () => {
    expect(await loadModel('synthetic:30:7')).toEqual(layeredDag({ nodes: 30, levels: 15, seed: 7 }));
    expect(await loadModel('synthetic:50:2:20')).toEqual(layeredDag({ nodes: 50, levels: 20, seed: 2 }));
    expect(await loadModel('dnnlike:12:3')).toEqual(dnnLikeGraph({ blocks: 12, seed: 3 }));
    await expect(loadModel('synthetic:5:1:9')).rejects.toThrow(/model 'synthetic:5:1:9': LEVELS must be a whole number from 1 to 5, got '9'/);
  });

  it('reads ONNX files by path, naming the graph after the file', async () => {
    const g = await loadModel('test/fixtures/models/resnet18_noweights.onnx');
    expect(g.name).toBe('resnet18_noweights');
    expect(totals(g).params).toBe(11_684_712);
  });

  it('names what it accepts when nothing matches, and the path when a file is unreadable', async () => {
    await expect(loadModel('resnet51')).rejects.toThrow(/'resnet51' is neither a built-in model \(alexnet.*\) nor a file; expected NAME\[@SIZE\].*synthetic:N\[:SEED\[:LEVELS\]\]/);
    await expect(loadModel('models/none.onnx')).rejects.toThrow(/cannot read 'models\/none\.onnx'/);
  });
});
