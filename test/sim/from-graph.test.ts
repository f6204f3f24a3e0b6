// Zoo models → SCALE-Sim rows: the rows carry exactly the model's MACs and output sizes.
import { describe, expect, it } from 'vitest';
import { zooModel } from '../../src/graph/zoo/index.js';
import { networkOf } from '../../src/codesign/layers.js';
import { graphTopology } from '../../src/sim/from-graph.js';
import { layerGemm } from '../../src/sim/types.js';

describe('graphTopology', () => {
  it.each(['resnet50', 'mobilenet', 'alexnet', 'mobilenetv2'])('%s: same MACs as the graph, true output sizes', (name) => {
    const graph = zooModel(name);
    const { layers, skipped } = graphTopology(graph);
    expect(skipped).toEqual([]);
    const rowMacs = layers.reduce((a, l) => {
      const g = layerGemm(l);
      return a + g.m * g.n * g.k;
    }, 0);
    const graphMacs = graph.nodes.filter((n) => ['Conv', 'Gemm', 'MatMul'].includes(n.op)).reduce((a, n) => a + n.macs, 0);
    expect(rowMacs).toBe(graphMacs);
    for (const node of graph.nodes.filter((n) => n.op === 'Conv')) {
      const layer = layers.find((l) => l.name === node.name || l.name === `${node.name}/g0`)!;
      const g = layerGemm(layer);
      expect([g.ofmapHeight, g.ofmapWidth]).toEqual(node.outputs[0]!.shape.slice(2));
    }
  });

  it('expands a depthwise conv into one single-channel, single-filter layer per channel', () => {
    const { layers } = graphTopology(zooModel('mobilenet'));
    const dw = layers.filter((l) => l.name.includes('/g'));
    expect(dw.length).toBeGreaterThan(0);
    expect(dw.every((l) => l.channels === 1 && l.numFilters === 1)).toBe(true);
  });

  it.each(['resnet18', 'mobilenetv2', 'vgg16'])('%s: co-design\'s network is these rows merged by shape, with multiplicities', (name) => {
    const graph = zooModel(name);
    const key = (l: { ifmapHeight: number; ifmapWidth: number; filterHeight: number; filterWidth: number; channels: number; numFilters: number; strideHeight: number; strideWidth: number }) =>
      [l.ifmapHeight, l.ifmapWidth, l.filterHeight, l.filterWidth, l.channels, l.numFilters, l.strideHeight, l.strideWidth].join(',');
    const rows = new Map<string, number>();
    for (const l of graphTopology(graph).layers) rows.set(key(l), (rows.get(key(l)) ?? 0) + 1);
    const network = networkOf(graph);
    expect(new Map(network.layers.map((l) => [key(l.layer), l.count]))).toEqual(rows);
  });
});

