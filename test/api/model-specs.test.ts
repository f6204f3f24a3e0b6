// The facades take model specs in the one grammar (src/graph/model-spec.ts), NAME@SIZE included,
// and give the same results as for the graph the spec names.
import { describe, expect, it } from 'vitest';
import { schedule, simulate, zooModel } from '../../src/node/index.js';

describe('model specs in the library facades', () => {
  it('schedule and simulate take NAME@SIZE and equal the calls on the sized graph', async () => {
    const byName = await schedule('GoogLeNet@160', { cores: 3, scheduler: 'dp' });
    const byGraph = await schedule(zooModel('googlenet', 160), { cores: 3, scheduler: 'dp' });
    expect(byName.model).toBe('googlenet@160');
    expect(byName.stages).toEqual(byGraph.stages);
    const sim = await simulate('mobilenetv2@160', { target: 'systolic:google' });
    expect(sim.totals).toEqual((await simulate(zooModel('mobilenetv2', 160), { target: 'systolic:google' })).totals);
    // A smaller input is less work than the model's own 224x224.
    expect(sim.totals.macs).toBeLessThan((await simulate('mobilenetv2', { target: 'systolic:google' })).totals.macs);
  });

  it('refuse what a facade cannot take, naming the facade and the reason', async () => {
    await expect(schedule('resnet50@16')).rejects.toThrow(/^schedule: model 'resnet50@16': resnet50 downsamples too much for a 16x16 input; it takes at least 32x32/);
    await expect(schedule('scalesim:alexnet')).rejects.toThrow(/^schedule: model 'scalesim:alexnet': one of the topologies SCALE-Sim bundles is not accepted here/);
    await expect(simulate('net.onnx')).rejects.toThrow(/^simulate: model 'net\.onnx': an ONNX file is not accepted here.*\(ONNX bytes go through importOnnx\)$/);
    await expect(simulate('synthetic:0')).rejects.toThrow(/^simulate: model 'synthetic:0': N \(nodes\) must be a whole number from 1 to 100000/);
  });
});
