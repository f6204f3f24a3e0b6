import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { runTuning } from '../../src/tune/loop.js';
import { ChameleonTuner } from '../../src/tune/tuners/chameleon.js';
import { RandomTuner } from '../../src/tune/tuners/random.js';
import { BowlMeasurer, bowlSpace, TARGET } from './synthetic-space.js';

describe('Chameleon', () => {
  it('finds the known optimum, measuring fewer points per round than AutoTVM', async () => {
    const core = await getCore();
    const measurer = new BowlMeasurer();
    const tuner = new ChameleonTuner(core, bowlSpace(), 3);
    const result = await runTuning({ workload: 'bowl', space: bowlSpace(), measurer, tuner, trials: 320, batchSize: 64, seed: 3 });
    expect(result.best?.point).toEqual(TARGET);
    expect(result.trials / measurer.calls).toBeLessThan(32); // AutoTVM measures 64 a round
    expect(new Set(measurer.measuredKeys).size).toBe(measurer.measuredKeys.length);
    expect(tuner.chosenK.every((k) => k >= 8 && k <= 64)).toBe(true);
  });

  it.each([
    ['RL without sampling', { sampling: false }],
    ['sampling without RL', { rl: false }],
  ])('%s also beats random search at equal budget', async (_name, options) => {
    const core = await getCore();
    const space = bowlSpace([16, 16, 8, 8, 6]);
    const run = async (tuner: ChameleonTuner | RandomTuner) => (await runTuning({ workload: 'bowl', space, measurer: new BowlMeasurer(), tuner, trials: 192, batchSize: 64, seed: 5 })).best!.cost;
    const ablation = await run(new ChameleonTuner(core, space, 5, options));
    expect(ablation).toBeLessThan(await run(new RandomTuner(space, 5)));
  });
});
