import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/node/index.js';
import { Random } from '../../src/helpers/random.js';
import { closureImprove, learnedSchedule, localImprove, pairImprove, refineCuts } from '../../src/sched/learned.js';
import { cutOrder, lastBranchFirstOrder, levelOrder } from '../../src/sched/orders.js';
import { PartialSchedule, SchedulerPolicy } from '../../src/sched/policy.js';
import { assignmentError, buildProblem, reorderProblem } from '../../src/sched/problem.js';
import { POLICY_WEIGHTS } from '../../src/sched/policy-weights.js';
import { allValidAssignments, bruteForceOptimum, referenceSimulate } from '../../src/sched/reference.js';
import { PipelineSimulator } from '../../src/sched/simulate.js';
import { SchedulerTrainer } from '../../src/sched/train.js';
import { randomProblem, randomValidAssignment, tinyTarget } from './graphs.js';

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

describe('beam search decoding', () => {
  // Both the shipped weights and an untrained network (sharper and flatter policies).
  const policies = async () => {
    const core = await getCore();
    return [new SchedulerPolicy(core, POLICY_WEIGHTS), new SchedulerPolicy(core, undefined, 7)];
  };

  it('with width 1 is greedy decoding, schedule and log-probability', async () => {
    const random = new Random(31);
    for (const policy of await policies()) {
      for (let t = 0; t < 12; t++) {
        const p = randomProblem(random, random.intBetween(1, 50), random.intBetween(1, 8));
        const greedy = policy.decode(p, 'greedy');
        const [beam, ...rest] = policy.beamSearch(p, 1);
        expect(rest).toHaveLength(0);
        expect(Array.from(beam!.assignment)).toEqual(Array.from(greedy.assignment));
        expect(beam!.logProb).toBe(greedy.logProb);
      }
      policy.dispose();
    }
  });

  it('never breaks the order, scores schedules by the policy, and is never less likely than greedy', async () => {
    const random = new Random(32);
    let moreLikely = 0;
    for (const policy of await policies()) {
      for (let t = 0; t < 12; t++) {
        const p = randomProblem(random, random.intBetween(2, 50), random.intBetween(2, 8));
        const greedy = policy.decode(p, 'greedy');
        const width = random.intBetween(2, 6);
        const beams = policy.beamSearch(p, width);
        expect(beams.length).toBeLessThanOrEqual(width);
        for (const [i, b] of beams.entries()) {
          expect(assignmentError(p, b.assignment)).toBeUndefined();
          // The beam's log-probability is the policy's, as teacher-forced scoring computes it.
          expect(policy.decode(p, 'teacher', { teacher: b.assignment, score: true }).logProb).toBeCloseTo(b.logProb, 9);
          if (i > 0) expect(b.logProb).toBeLessThanOrEqual(beams[i - 1]!.logProb);
        }
        expect(beams[0]!.logProb).toBeGreaterThanOrEqual(greedy.logProb);
        if (beams[0]!.logProb > greedy.logProb + 1e-9) moreLikely++;
      }
      policy.dispose();
    }
    // Not a formality: on some graphs the beam finds a strictly more likely schedule.
    expect(moreLikely).toBeGreaterThan(0);
  });

  it('finds the most likely schedule when the beam holds every schedule', async () => {
    const random = new Random(33);
    for (const policy of await policies()) {
      for (let t = 0; t < 6; t++) {
        const p = randomProblem(random, random.intBetween(2, 6), random.intBetween(2, 3));
        let best = -Infinity;
        let count = 0;
        for (const a of allValidAssignments(p)) {
          best = Math.max(best, policy.decode(p, 'teacher', { teacher: a, score: true }).logProb);
          count++;
        }
        expect(policy.beamSearch(p, count)[0]!.logProb).toBeCloseTo(best, 9);
      }
      policy.dispose();
    }
  });

  it('rejects a bad width and a bad decode mode by name', async () => {
    const core = await getCore();
    const [policy] = await policies();
    const p = randomProblem(new Random(3), 5, 2);
    expect(() => policy!.beamSearch(p, 0)).toThrow(/width must be an integer ≥ 1/);
    expect(() => learnedSchedule(core, p, { decode: 'best' as never })).toThrow(/decode must be one of greedy, sample, beam/);
    policy!.dispose();
  });

  it('feeds the learned scheduler: every decode mode gives a valid schedule no worse than the DP', async () => {
    const core = await getCore();
    const random = new Random(34);
    for (let t = 0; t < 6; t++) {
      const p = randomProblem(random, random.intBetween(5, 40), random.intBetween(2, 6));
      const sim = new PipelineSimulator(core, p);
      const dp = sim.contiguousDp().bottleneckSeconds;
      for (const decode of ['greedy', 'sample', 'beam'] as const) {
        const a = learnedSchedule(core, p, { decode, samples: 3, beamWidth: 3 });
        expect(assignmentError(p, a)).toBeUndefined();
        expect(sim.bottleneck(a)).toBeLessThanOrEqual(dp * (1 + 1e-12));
      }
      sim.free();
    }
  });
});

describe('level order', () => {
  // A module of two parallel branches a1→a2 and b1→b2 between a source and a concat. The
  // source's and the second convs' outputs are large, the first convs' small. On 2 cores
  // (1 µs per MAC and per byte, see tinyTarget) the best split sends only a1's and b1's small
  // outputs across: {src, a1, b1} | {a2, b2, cat}. The index order lists a branch whole, so
  // each of its cuts sends a large tensor (src's to b1, or a2's) across.
  const names = ['src', 'a1', 'a2', 'b1', 'b2', 'cat'];
  const macs = [100, 100, 100, 100, 100, 0];
  const out = [500, 10, 400, 10, 400, 20];
  const preds = [[], [0], [1], [0], [3], [2, 4]];
  const p = buildProblem(names.map((name, v) => ({ name, macs: macs[v]!, paramCount: 0, outputElements: out[v]!, preds: preds[v]! })), tinyTarget(2));

  it('is a topological order by depth, and its cuts reach the optimum the index order misses', async () => {
    const core = await getCore();
    const order = Array.from(levelOrder(p));
    expect(order.map((v) => names[v])).toEqual(['src', 'a1', 'b1', 'a2', 'b2', 'cat']);
    const best = bruteForceOptimum(p).bottleneckSeconds;
    // {src, a1, b1}: 300 µs compute + 20 bytes out; {a2, b2, cat}: 200 µs + 20 in + 20 out.
    expect(best).toBeCloseTo(320e-6, 12);
    const sim = new PipelineSimulator(core, p);
    expect(sim.bottleneck(cutOrder(core, p, order)!)).toBeCloseTo(best, 12);
    expect(sim.contiguousDp().bottleneckSeconds).toBeGreaterThan(best * 1.5);
    expect(sim.bottleneck(learnedSchedule(core, p))).toBeCloseTo(best, 12);
    expect(cutOrder(core, p, order, best * 0.99)).toBeUndefined();
    expect(Array.from(cutOrder(core, p, order)!)).toEqual([0, 0, 1, 0, 1, 1]);
    sim.free();
  });
});

describe('last-branch-first order', () => {
  // A residual block: src feeds a main path m1 → m2 → m3 and a shortcut s1 → s2, summed by add.
  // src's and s1's outputs are large, the rest small. On 2 cores the best split keeps src with
  // both its readers and s1 with s2: {src, s1, s2, m1} | {m2, m3, add}, 190 µs + 20 out against
  // 300 µs + 20 in + 1 out. The index order lists the main path first and the level order puts
  // m2 before s2, so neither has that set as a prefix.
  const names = ['src', 'm1', 'm2', 'm3', 's1', 's2', 'add'];
  const macs = [100, 50, 200, 100, 20, 20, 0];
  const out = [500, 10, 10, 10, 300, 10, 1];
  const preds = [[], [0], [1], [2], [0], [4], [3, 5]];
  const p = buildProblem(names.map((name, v) => ({ name, macs: macs[v]!, paramCount: 0, outputElements: out[v]!, preds: preds[v]! })), tinyTarget(2));

  it('enters the last-listed branch first, and its cuts reach the optimum the index and level orders miss', async () => {
    const core = await getCore();
    const order = Array.from(lastBranchFirstOrder(p));
    expect(order.map((v) => names[v])).toEqual(['src', 's1', 's2', 'm1', 'm2', 'm3', 'add']);
    const best = bruteForceOptimum(p).bottleneckSeconds;
    expect(best).toBeCloseTo(321e-6, 12);
    const sim = new PipelineSimulator(core, p);
    expect(sim.bottleneck(cutOrder(core, p, order)!)).toBeCloseTo(best, 12);
    expect(sim.contiguousDp().bottleneckSeconds).toBeGreaterThan(best * 1.2);
    expect(sim.bottleneck(cutOrder(core, p, levelOrder(p))!)).toBeGreaterThan(best * 1.2);
    expect(sim.bottleneck(learnedSchedule(core, p))).toBeCloseTo(best, 12);
    sim.free();
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

describe('two-node moves', () => {
  it('stay valid, never worsen, and escape some single-move local optima', async () => {
    const core = await getCore();
    const random = new Random(18);
    let escaped = 0;
    for (let t = 0; t < 30; t++) {
      const p = randomProblem(random, random.intBetween(4, 30), random.intBetween(2, 6));
      const sim = new PipelineSimulator(core, p);
      const stuck = localImprove(sim, p, randomValidAssignment(random, p), 50);
      const paired = pairImprove(sim, p, stuck, 20 * p.n);
      expect(assignmentError(p, paired)).toBeUndefined();
      expect(sim.bottleneck(paired)).toBeLessThanOrEqual(sim.bottleneck(stuck) * (1 + 1e-12));
      if (sim.bottleneck(paired) < sim.bottleneck(stuck) * (1 - 1e-9)) escaped++;
      // A budget of 0 simulations changes nothing.
      expect(Array.from(pairImprove(sim, p, stuck, 0))).toEqual(Array.from(stuck));
      sim.free();
    }
    expect(escaped).toBeGreaterThan(0);
  });
});

describe('branch moves', () => {
  it('move the readers of a crossing tensor together where no single or pair move helps (hand-computed)', async () => {
    const core = await getCore();
    // pre → src → {a, b, c} → join, 1 µs per MAC and per byte, 1000 B of cache: pre and join hold
    // 900 B of parameters each, so no stage can hold both. Start: {pre, src} | {a, b, c, join}:
    // stage 0 computes 90 µs and sends src's 100-byte tensor (190 µs); stage 1 computes 100 µs,
    // receives it and sends join's byte (201 µs). Moving a alone: 120 + 101 = 221 µs; two of them,
    // 252 µs; src back, 241 µs. Moving a, b and c together: 180 + 3 = 183 µs against 10 + 3 + 1 = 14.
    const node = (name: string, macs: number, out: number, params: number, preds: number[]) => ({ name, macs, outputElements: out, paramCount: params, preds });
    const nodes = [node('pre', 50, 100, 900, []), node('src', 40, 100, 0, [0]), node('a', 30, 1, 0, [1]), node('b', 30, 1, 0, [1]), node('c', 30, 1, 0, [1]), node('join', 10, 1, 900, [2, 3, 4])];
    const p = buildProblem(nodes, tinyTarget(2));
    const sim = new PipelineSimulator(core, p);
    const start = Int32Array.from([0, 0, 1, 1, 1, 1]);
    expect(sim.bottleneck(start) / 1e-6).toBeCloseTo(201, 6);
    expect(Array.from(localImprove(sim, p, start, 10))).toEqual(Array.from(start));
    expect(Array.from(pairImprove(sim, p, start, 1000))).toEqual(Array.from(start));
    const moved = closureImprove(sim, p, start, 1000);
    expect(Array.from(moved)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(sim.bottleneck(moved) / 1e-6).toBeCloseTo(183, 6);
    expect(Array.from(closureImprove(sim, p, start, 0))).toEqual(Array.from(start));
    sim.free();
  });

  it('stay valid and never worsen', async () => {
    const core = await getCore();
    const random = new Random(19);
    for (let t = 0; t < 30; t++) {
      const p = randomProblem(random, random.intBetween(4, 30), random.intBetween(2, 6));
      const sim = new PipelineSimulator(core, p);
      const stuck = localImprove(sim, p, randomValidAssignment(random, p), 50);
      const moved = closureImprove(sim, p, stuck, 20 * p.n);
      expect(assignmentError(p, moved)).toBeUndefined();
      expect(sim.bottleneck(moved)).toBeLessThanOrEqual(sim.bottleneck(stuck) * (1 + 1e-12));
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

  it('reuses the teacher labels of the instances an earlier run shares, and trains as if it had labelled them', async () => {
    const core = await getCore();
    const train = async (options: object, reuse?: ReturnType<SchedulerTrainer['state']>) => {
      const trainer = new SchedulerTrainer(core, { ...tiny, seed: 6, ...options }, undefined, reuse);
      const firstStep = trainer.step;
      while (!trainer.done) await trainer.next();
      const state = trainer.state();
      trainer.dispose();
      return { state, firstStep };
    };
    const small = await train({});
    const fresh = await train({ graphs: 4 });
    const reused = await train({ graphs: 4 }, small.state);
    expect(reused.firstStep).toBe(3);
    expect(reused.state.labels.slice(0, 3)).toEqual(small.state.labels);
    expect(reused.state.params).toBe(fresh.state.params);
    // Different instances share nothing.
    expect((await train({ graphs: 4, seed: 7 }, small.state)).firstStep).toBe(0);
  });

  it('rejects unknown options by name', async () => {
    const core = await getCore();
    expect(() => new SchedulerTrainer(core, { epochs: 3 } as never)).toThrow(/unknown option 'epochs'/);
  });
});
