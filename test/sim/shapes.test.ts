// Each distinct layer shape is simulated once (Simulator.results, and so the simulate facade): the
// figures equal simulating every layer on its own (Simulator.network), and the work the edge
// limits (progress `cycles`) counts only the shapes simulated.
import { afterAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.js';
import { getCore } from '../../src/core/load.js';
import { SYSTOLIC_PRESETS } from '../../src/hw/systolic.js';
import { scalesimNetwork } from '../../src/sim/networks.js';
import { Simulator } from '../../src/sim/simulate.js';
import type { ConvLayer } from '../../src/sim/types.js';

const sim = new Simulator(await getCore());
afterAll(() => sim.free());

const resnet18 = scalesimNetwork('resnet18');

describe('each distinct layer shape is simulated once', () => {
  it.each(['os', 'ws', 'is'] as const)('ResNet-18 (%s): the figures of simulating every layer on its own, under each layer\'s name', (dataflow) => {
    const config = { ...SYSTOLIC_PRESETS.scale, dataflow };
    const alone = resnet18.map((layer) => sim.layer(config, layer));
    expect([...sim.results(config, resnet18)].map((r) => r.result)).toEqual(alone);
  });

  it('simulates ResNet-18\'s 12 shapes of its 21 layers (hand count: Conv1; the four 56×56 3×3 convs alike; per later stage a strided 3×3, three alike 3×3 and a 1×1 shortcut; FC)', () => {
    const flags = [...sim.results(SYSTOLIC_PRESETS.scale, resnet18)].map((r) => r.simulated);
    expect(resnet18).toHaveLength(21);
    expect(flags.filter(Boolean)).toHaveLength(12);
  });

  it('the copies are independent objects: changing one layer\'s figures changes no other', () => {
    const twice: ConvLayer[] = [resnet18[1]!, { ...resnet18[1]!, name: 'again' }];
    const [first, copy] = [...sim.results(SYSTOLIC_PRESETS.scale, twice)].map((r) => r.result);
    expect(copy!.name).toBe('again');
    copy!.sramReads.ifmap = -1;
    expect(first!.sramReads.ifmap).toBeGreaterThan(0);
  });

  it('simulate reports the whole network and, as its work, the cycles of the shapes it simulated', async () => {
    let cycles = 0;
    const report = await simulate('scalesim:resnet18', { onProgress: (e) => (cycles = e.cycles ?? 0) });
    const simulated = [...sim.results(report.config, resnet18)].filter((r) => r.simulated).reduce((s, r) => s + r.result.totalCycles, 0);
    const everyLayer = resnet18.reduce((s, layer) => s + sim.layer(report.config, layer).totalCycles, 0);
    expect(report.totals.totalCycles).toBe(everyLayer);
    expect(cycles).toBe(simulated);
    expect(cycles).toBeLessThan(everyLayer);
  });
});
