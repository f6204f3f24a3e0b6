import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/node/index.js';
import { Random } from '../../src/helpers/random.js';
import { learnedSchedule, localImprove, refineCuts } from '../../src/sched/learned.js';
import { PartialSchedule, SchedulerPolicy } from '../../src/sched/policy.js';
import { assignmentError, reorderProblem } from '../../src/sched/problem.js';
import { POLICY_WEIGHTS } from '../../src/sched/policy-weights.js';
import { referenceSimulate } from '../../src/sched/reference.js';
import { PipelineSimulator } from '../../src/sched/simulate.js';
import { SchedulerTrainer } from '../../src/sched/train.js';
import { randomProblem, randomValidAssignment } from './graphs.js';

describe('scheduler policy decoding', () => {
  it('never breaks the graph order, greedy or sampled, trained or not', async () => {
    const core = await getCore();
    const random = new Random(9);
    const policy = new SchedulerPolicy(core, undefined, 3);
    for (let t = 0; t < 30; t++) {
      const p = randomProblem(random, random.intBetween(1, 60), random.intBetween(1, 8));
      for (const mode of ['greedy', 'sample'] as const) {
        const { assignment, groupStart, actions } = policy.decode(p, mode, { random });
        expect(assignmentError(p, assignment)).toBeUndefined();
        // Sampled decodes record every node's candidate group: one row per allowed stage.
        if (mode === 'sample') for (let v = 0; v < p.n; v++) expect(actions[v]!).toBeLessThan(groupStart[v + 1]! - groupStart[v]!);
      }
      expect(assignmentError(p, learnedSchedule(core, p, { samples: 2, improvePasses: 2 }))).toBeUndefined();
    }
    policy.dispose();
  });

  it('keeps the partial schedule costs equal to the simulator once every node is placed', async () => {
    const random = new Random(12);
    for (let t = 0; t < 20; t++) {
      const p = randomProblem(random, random.intBetween(2, 40), random.intBetween(1, 6));
      const state = new PartialSchedule(p);
      const predicted = new Float64Array(p.cores);
      for (let v = 0; v < p.n; v++) {
        const s = random.intBetween(state.lo(v), p.cores - 1);
        state.timesWith(v, s, predicted);
        state.place(v, s);
        for (let q = 0; q < p.cores; q++) expect(state.time(q)).toBeCloseTo(predicted[q]!, 12);
      }
      const want = referenceSimulate(p, state.stage);
      for (let q = 0; q < p.cores; q++) expect(state.time(q)).toBeCloseTo(want.stages[q]!.totalSeconds, 12);
    }
  });

  it('follows a teacher exactly in teacher mode', async () => {
    const core = await getCore();
    const p = randomProblem(new Random(4), 25, 4);
    const policy = new SchedulerPolicy(core);
    const greedy = policy.decode(p, 'greedy').assignment;
    const replay = policy.decode(p, 'teacher', { teacher: greedy });
    expect(Array.from(replay.assignment)).toEqual(Array.from(greedy));
    expect(() => policy.decode(p, 'teacher', { teacher: new Int32Array(p.n).fill(3).map((x, i) => (i === p.n - 1 ? 0 : x)) })).toThrow(/breaks the order/);
    policy.dispose();
  });
});

describe('local improvement', () => {
  it('never worsens a schedule and stays valid', async () => {
    const core = await getCore();
    const random = new Random(17);
    for (let t = 0; t < 15; t++) {
      const p = randomProblem(random, random.intBetween(2, 40), random.intBetween(2, 6));
      const start = randomValidAssignment(random, p);
      const sim = new PipelineSimulator(core, p);
      const better = localImprove(sim, p, start, 10);
      expect(assignmentError(p, better)).toBeUndefined();
      expect(sim.bottleneck(better)).toBeLessThanOrEqual(sim.bottleneck(start));
      sim.free();
    }
  });
});

describe('exact re-cutting of the policy order', () => {
  it('reordering keeps costs, rejects non-topological orders, and re-cutting never worsens', async () => {
    const core = await getCore();
    const random = new Random(23);
    for (let t = 0; t < 15; t++) {
      const p = randomProblem(random, random.intBetween(2, 30), random.intBetween(2, 6));
      const a = randomValidAssignment(random, p);
      const order = Array.from({ length: p.n }, (_, v) => v).sort((x, y) => a[x]! - a[y]! || x - y);
      const q = reorderProblem(p, order);
      const permuted = Int32Array.from(order, (v) => a[v]!);
      expect(referenceSimulate(q, permuted).bottleneckSeconds).toBeCloseTo(referenceSimulate(p, a).bottleneckSeconds, 12);
      const sim = new PipelineSimulator(core, p);
      const refined = refineCuts(core, sim, p, a);
      expect(assignmentError(p, refined)).toBeUndefined();
      expect(sim.bottleneck(refined)).toBeLessThanOrEqual(sim.bottleneck(a));
      sim.free();
    }
    const chain = randomProblem(new Random(1), 5, 2);
    expect(() => reorderProblem(chain, [1, 0, 2, 3, 4])).toThrow(/before its predecessor/);
  });

  it('ships trained weights', () => {
    expect(POLICY_WEIGHTS).toBeDefined();
    expect(POLICY_WEIGHTS!.params.length).toBeGreaterThan(1000);
  });
});

describe('training (smoke)', () => {
  const tiny = { graphs: 3, minNodes: 8, maxNodes: 10, cores: [2, 3], imitationEpochs: 3, reinforceEpochs: 2, batchGraphs: 2, samples: 2, teacherMaxNodes: 200 };

  it('is deterministic for a seed, and resuming from a checkpoint gives the same weights', async () => {
    const core = await getCore();
    const run = async (stopAt?: number) => {
      let trainer = new SchedulerTrainer(core, { ...tiny, seed: 5 });
      while (!trainer.done) {
        await trainer.next();
        if (trainer.step === stopAt) {
          const saved = JSON.parse(JSON.stringify(trainer.state()));
          trainer.dispose();
          trainer = new SchedulerTrainer(core, {}, saved);
        }
      }
      const state = trainer.state();
      trainer.dispose();
      return state;
    };
    const straight = await run();
    expect(straight.step).toBe(3 + 3 + 2);
    expect(straight.labels.every((l) => l.optimalityGap < 1e-5)).toBe(true);
    const imitation = straight.history.filter((h) => h.phase === 'imitation');
    expect(imitation[imitation.length - 1]!.loss).toBeLessThan(imitation[0]!.loss);
    const resumed = await run(4);
    expect(resumed.params).toBe(straight.params);
    expect(resumed.optimizer).toEqual(straight.optimizer);
  });

  it('rejects unknown options by name', async () => {
    const core = await getCore();
    expect(() => new SchedulerTrainer(core, { epochs: 3 } as never)).toThrow(/unknown option 'epochs'/);
  });
});
