import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/node/index.js';
import { Random } from '../../src/helpers/random.js';
import { exactSchedule, loadHighs, buildPipelineMilp, milpSolutionOf } from '../../src/sched/exact.js';
import { buildProblem } from '../../src/sched/problem.js';
import { bruteForceOptimum, referenceSimulate } from '../../src/sched/reference.js';
import { runScheduler } from '../../src/sched/schedule.js';
import { problemFromGraph } from '../../src/sched/from-graph.js';
import { pipelineTarget } from '../../src/hw/pipeline.js';
import { zooModel } from '../../src/graph/zoo/index.js';
import { randomProblem, randomValidAssignment, tinyTarget } from './graphs.js';

describe('exact MILP scheduler (HiGHS)', () => {
  it('finds the brute-force optimum on tiny random graphs', async () => {
    const core = await getCore();
    const random = new Random(21);
    for (let trial = 0; trial < 25; trial++) {
      const k = random.intBetween(1, 3);
      const p = randomProblem(random, random.intBetween(1, 7), k);
      const want = bruteForceOptimum(p);
      const got = await exactSchedule(core, p, { timeLimitSeconds: 20 });
      expect(got.status).toBe('optimal');
      expect(referenceSimulate(p, got.assignment).bottleneckSeconds).toBeCloseTo(got.bottleneckSeconds, 12);
      expect(got.bottleneckSeconds / want.bottleneckSeconds).toBeCloseTo(1, 5);
      expect(got.optimalityGap).toBeLessThan(1e-5);
      expect(got.lowerBoundSeconds).toBeLessThanOrEqual(want.bottleneckSeconds * (1 + 1e-6));
    }
  });

  it('beats contiguous segments when the best stages interleave the index order', async () => {
    const core = await getCore();
    // Four independent nodes listed 300, 300, 100, 100 µs: any cut of that order leaves one
    // stage ≥ 500 µs, while {a, c} | {b, d} gives 400 µs.
    const macs = [300, 300, 100, 100];
    const nodes = macs.map((m, i) => ({ name: 'abcd'[i]!, macs: m, paramCount: 0, outputElements: 0, preds: [] }));
    const p = buildProblem(nodes, tinyTarget(2));
    const dp = await runScheduler(core, p, { scheduler: 'dp' });
    const exact = await runScheduler(core, p, { scheduler: 'exact', timeLimitSeconds: 10 });
    expect(dp.bottleneckSeconds).toBeCloseTo(500e-6, 12);
    expect(exact.bottleneckSeconds).toBeCloseTo(400e-6, 12);
    expect(exact.assignment.a).not.toBe(exact.assignment.b);
    expect(exact.optimalityGap).toBeLessThan(1e-5);
  });

  it('encodes a schedule as a feasible MILP point whose T is its bottleneck', async () => {
    const highs = await loadHighs();
    const random = new Random(4);
    for (let t = 0; t < 10; t++) {
      const p = randomProblem(random, 12, random.intBetween(2, 5));
      const milp = buildPipelineMilp(p, highs);
      const a = randomValidAssignment(random, p);
      const x = milpSolutionOf(p, milp, a);
      expect(x[0]! / 1e6).toBeCloseTo(referenceSimulate(p, a).bottleneckSeconds, 9);
      const { starts, indices, values } = milp.model.matrix;
      for (let r = 0; r < milp.model.numRows; r++) {
        let act = 0;
        for (let i = starts[r]!; i < starts[r + 1]!; i++) act += values[i]! * x[indices[i]!]!;
        expect(act).toBeGreaterThanOrEqual(Number(milp.model.rowLower[r]) - 1e-6);
        expect(act).toBeLessThanOrEqual(Number(milp.model.rowUpper[r]) + 1e-6);
      }
    }
  });

  it('turns a HiGHS solve error into a result: its incumbent, re-costed, and a trivial bound', async () => {
    const core = await getCore();
    const real = await loadHighs();
    // HiGHS finishes, then reports a solve error (as it does on a rare numerically awkward
    // instance: "claims optimality, but with primal infeasibilities").
    const failing = {
      infinity: real.infinity,
      constants: real.constants,
      createModel: (data: Parameters<typeof real.createModel>[0]) => {
        const model = real.createModel(data);
        return new Proxy(model, {
          get: (target, key) => {
            if (key === 'run') return () => {
              target.run();
              throw new Error('run failed with HiGHS status -1');
            };
            const value = Reflect.get(target, key);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      },
    } as unknown as Awaited<ReturnType<typeof loadHighs>>;
    const random = new Random(22);
    for (let trial = 0; trial < 5; trial++) {
      const p = randomProblem(random, random.intBetween(3, 7), random.intBetween(2, 3));
      const want = bruteForceOptimum(p).bottleneckSeconds;
      const got = await exactSchedule(core, p, { timeLimitSeconds: 20, highs: failing });
      expect(got.status).toBe('solve-error');
      expect(referenceSimulate(p, got.assignment).bottleneckSeconds).toBeCloseTo(got.bottleneckSeconds, 12);
      expect(got.bottleneckSeconds).toBeGreaterThanOrEqual(want * (1 - 1e-9));
      expect(got.lowerBoundSeconds).toBeLessThanOrEqual(want * (1 + 1e-9));
      expect(got.optimalityGap).toBeGreaterThanOrEqual(0);
    }
  });

  it('returns its best schedule with a gap when the time limit hits', async () => {
    const core = await getCore();
    const p = randomProblem(new Random(8), 120, 6);
    const result = await runScheduler(core, p, { scheduler: 'exact', timeLimitSeconds: 0.05 });
    expect(result.status).toMatch(/time-limit|optimal/);
    expect(result.optimalityGap).toBeGreaterThanOrEqual(0);
    expect(result.optimalityGap).toBeLessThanOrEqual(1);
    expect(result.solveSeconds).toBeLessThan(5);
    expect(referenceSimulate(p, Object.values(result.assignment)).bottleneckSeconds).toBeCloseTo(result.bottleneckSeconds, 12);
    await expect(runScheduler(core, p, { scheduler: 'exact', timeLimitSeconds: 0 })).rejects.toThrow(/timeLimitSeconds must be > 0/);
  });

  it('reports its progress while it searches', async () => {
    const core = await getCore();
    const p = randomProblem(new Random(8), 120, 6);
    const events: { seconds: number; bestSeconds: number; boundSeconds: number }[] = [];
    const result = await exactSchedule(core, p, { timeLimitSeconds: 2, onProgress: (e) => events.push(e) });
    expect(events.length).toBeGreaterThan(2);
    for (let i = 1; i < events.length; i++) expect(events[i]!.seconds - events[i - 1]!.seconds).toBeGreaterThanOrEqual(0.2);
    for (const e of events) expect(e.boundSeconds).toBeLessThanOrEqual(e.bestSeconds);
    // The result's bottleneck is the simulator's figure, the event's the MILP objective: equal up to rounding.
    expect(result.bottleneckSeconds).toBeLessThanOrEqual(events.at(-1)!.bestSeconds * (1 + 1e-9));
    expect(result.lowerBoundSeconds).toBeGreaterThanOrEqual(events.at(-1)!.boundSeconds * (1 - 1e-9));
  }, 60_000);

  it('never states a bound below the trivial one, even when HiGHS has proved nothing yet', async () => {
    const core = await getCore();
    const p = problemFromGraph(zooModel('densenet201'), pipelineTarget({ cores: 8 }));
    const result = await exactSchedule(core, p, { timeLimitSeconds: 0.5 });
    // The trivial bound by hand: no stage can beat the average of the nodes' compute over the cores.
    let compute = 0;
    for (let v = 0; v < p.n; v++) compute += p.computeSeconds[v]!;
    expect(result.lowerBoundSeconds).toBeGreaterThanOrEqual((compute / 8) * (1 - 1e-6));
    expect(result.optimalityGap).toBeLessThan(1);
  }, 60_000);
});
