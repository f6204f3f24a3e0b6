// ARCO, the GA and random search run as tuners of the joint space through the tuning loop, so a
// resumed run is a replay of its log: it ends as the uninterrupted run does, without simulating
// what the log holds.
import { afterAll, describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Arco, CodesignProblem, codesignTarget, GeneticJointTuner, type JointTuner, RandomJointTuner, runJointTuner } from '../../src/codesign/index.js';
import { MappingModel } from '../../src/sim/mapping.js';
import { Simulator } from '../../src/sim/simulate.js';
import { parseRecords, formatRecord, type TuningRecord } from '../../src/tune/records.js';
import { SMALL_HW, small } from './small-network.js';

const core = await getCore();
const sim = new Simulator(core);
afterAll(() => sim.free());

const target = codesignTarget({ maxPEs: 256, maxSramBytes: 48 * 1024, defaultHardware: SMALL_HW });

/** A problem whose mapping model counts what it really simulates. */
function countingProblem(): { problem: CodesignProblem; simulated: () => number } {
  const model = new MappingModel(sim);
  let simulated = 0;
  const evaluate = model.evaluate.bind(model);
  model.evaluate = (...args) => {
    simulated++;
    return evaluate(...args);
  };
  return { problem: new CodesignProblem(model, small, target), simulated: () => simulated };
}

const BUDGET = 160;
const STRATEGIES: [string, (p: CodesignProblem) => JointTuner][] = [
  ['arco', (p) => new Arco(core, p, 11, BUDGET, { episodes: 12 })],
  ['ga', (p) => new GeneticJointTuner(p, 11, BUDGET)],
  ['random', (p) => new RandomJointTuner(p, 11, BUDGET)],
];

async function run(make: (p: CodesignProblem) => JointTuner, previous?: TuningRecord[]) {
  const { problem, simulated } = countingProblem();
  const tuner = make(problem);
  const records: TuningRecord[] = [];
  try {
    const result = await runJointTuner(tuner, { budget: BUDGET, seed: 11, previous, onRecords: (r) => void records.push(...r) });
    return { result, records, simulated: simulated() };
  } finally {
    if (tuner instanceof Arco) tuner.dispose();
  }
}

const sameTrial = (r: TuningRecord) => [r.workload, r.tuner, r.seed, r.batch, r.config.point.join(), r.result.costs.join(), r.result.errorCode];

describe('co-design strategies as tuners of the joint space', () => {
  it.each(STRATEGIES)('%s resumed from a log cut mid-run ends as the uninterrupted run, simulating only what the log lacks', async (_name, make) => {
    const whole = await run(make);
    expect(whole.result.simulatorCalls).toBeGreaterThan(BUDGET / 2);
    // The simulator ran once per call the search was charged (the mapping model's invalid results aside: none here).
    expect(whole.simulated).toBe(whole.result.simulatorCalls);
    const batches = [...new Set(whole.records.map((r) => r.batch))];
    expect(batches.length).toBeGreaterThanOrEqual(3);
    // The log as a crash mid-run leaves it, written and read back as a file is.
    const cut = batches[Math.floor(batches.length / 2)]!;
    const logged = parseRecords(whole.records.filter((r) => r.batch < cut).map(formatRecord).join('\n')).records;
    const loggedCalls = logged.reduce((s, r) => s + ((r.result as { simulated?: unknown[] }).simulated?.length ?? 0), 0);
    expect(loggedCalls).toBeGreaterThan(0);

    const resumed = await run(make, logged);
    expect([...logged, ...resumed.records].map(sameTrial)).toEqual(whole.records.map(sameTrial));
    expect(resumed.simulated).toBe(whole.simulated - loggedCalls);
    expect(resumed.result.simulatorCalls).toBe(whole.result.simulatorCalls);
    expect(resumed.result.best?.config).toEqual(whole.result.best?.config);
    expect(resumed.result.best?.evaluation.cycles).toBe(whole.result.best?.evaluation.cycles);
    expect(resumed.result.stats).toEqual(whole.result.stats);
    expect(resumed.result.history.map((h) => [h.calls, h.bestThroughput])).toEqual(whole.result.history.map((h) => [h.calls, h.bestThroughput]));
  });

  it('refuses a log its search does not propose, naming the resume', async () => {
    const whole = await run(STRATEGIES[1]![1]);
    const tampered = whole.records.filter((r) => r.batch === 0).map((r, i) => (i === 0 ? { ...r, config: { ...r.config, point: r.config.point.map((x, k) => (k === 0 ? (x + 1) % 7 : x)) } } : r));
    await expect(run(STRATEGIES[1]![1], tampered)).rejects.toThrow(/cannot resume: a batch of the log is not what ga proposes here/);
    // Another strategy's log: the tuning loop refuses it before replaying anything.
    await expect(run(STRATEGIES[2]![1], whole.records)).rejects.toThrow(/the log's trials come from tuner ga/);
  });

  it('refuses a logged layer result that names no layer of the network', async () => {
    const whole = await run(STRATEGIES[2]![1]);
    const first = whole.records[0]!;
    const broken = { ...first, result: { ...first.result, simulated: [{ layer: 9, result: { valid: true, totalCycles: 5 } }] } } as TuningRecord;
    await expect(run(STRATEGIES[2]![1], [broken, ...whole.records.slice(1).filter((r) => r.batch === first.batch)])).rejects.toThrow(/simulated layers must name a layer of small \(0…3\)/);
  });
});
