// The baselines users have: the compiler's --num_segments split and Coral's profiling-based
// partitioner, on the graph the device runs; and two forms of one network scheduling alike.
import { describe, expect, it } from 'vitest';
import { getCore, loadModel } from '../../src/node/index.js';
import { Random } from '../../src/helpers/random.js';
import { pipelineTarget } from '../../src/hw/pipeline.js';
import { compilerSchedule } from '../../src/sched/compiler.js';
import { problemFromGraph } from '../../src/sched/from-graph.js';
import { assignmentFromCuts, buildProblem } from '../../src/sched/problem.js';
import { contiguousSegmentSeconds, profilingSchedule } from '../../src/sched/profiling.js';
import { bruteForceContiguous, referenceSimulate } from '../../src/sched/reference.js';
import { runScheduler } from '../../src/sched/schedule.js';
import { randomNodes, tinyTarget } from './graphs.js';

const us = 1e-6;
const extras = { invocationSeconds: 20 * us, vectorElementSeconds: 1 * us, convUtilisation: 0.5, lowReuseUtilisation: 0.25 };

describe('profiling-based partitioner', () => {
  it('costs a contiguous segment as the simulator costs that stage', () => {
    const random = new Random(5);
    for (let t = 0; t < 40; t++) {
      const k = random.intBetween(1, 5);
      const p = buildProblem(randomNodes(random, random.intBetween(k, 25)), tinyTarget(k, extras));
      // K−1 distinct random cuts inside, so that no segment is empty.
      const inner = new Set<number>();
      while (inner.size < k - 1) inner.add(random.intBetween(1, p.n - 1));
      const cuts = [0, ...[...inner].sort((a, b) => a - b), p.n];
      const want = referenceSimulate(p, assignmentFromCuts(p.n, cuts));
      const seconds = contiguousSegmentSeconds(p);
      for (let s = 0; s < k; s++) expect(seconds(cuts[s]!, cuts[s + 1]!)).toBeCloseTo(want.stages[s]!.totalSeconds, 12);
    }
  });

  it('rebalances a split whose parameters balance but whose compute does not, as libcoral bisects', () => {
    // Compute at the front, parameters at the back (a CNN's shape): 8 ops of 100 MACs without
    // parameters, then 2 ops of 1 MAC with 400 parameters each, a chain of 10-byte tensors. The
    // compiler's 2-way split (at most 401 parameter bytes before the cut, one op left for the
    // last segment) is ops 0–8 | 9: 801 + 10 µs against 1 + 10 + 10 µs. Bisecting the target
    // between 21 and 811 µs, the first target (416 µs) is met by ops 0–3 (400 + 10 µs) with the
    // rest at 400 + 2 + 10 + 10 = 422 µs; no later target beats that before the bounds close.
    const nodes = Array.from({ length: 10 }, (_, v) => ({ name: `n${v}`, macs: v < 8 ? 100 : 1, paramCount: v < 8 ? 0 : 400, outputElements: 10, preds: v ? [v - 1] : [] }));
    const p = buildProblem(nodes, tinyTarget(2));
    expect(Array.from(compilerSchedule(p))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const a = profilingSchedule(p, { diffThresholdSeconds: 1 * us });
    expect(Array.from(a)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(referenceSimulate(p, a).bottleneckSeconds / us).toBeCloseTo(422, 6);
    expect(bruteForceContiguous(p) / us).toBeCloseTo(422, 6);
  });

  it('never does worse than the compiler split it starts from, nor better than the best contiguous split', () => {
    const random = new Random(9);
    for (let t = 0; t < 40; t++) {
      const k = random.intBetween(2, 4);
      const p = buildProblem(randomNodes(random, random.intBetween(k, 9)), tinyTarget(k, extras));
      const profiled = referenceSimulate(p, profilingSchedule(p, { diffThresholdSeconds: 0.1 * us })).bottleneckSeconds;
      expect(profiled).toBeLessThanOrEqual(referenceSimulate(p, compilerSchedule(p)).bottleneckSeconds * (1 + 1e-12));
      expect(profiled).toBeGreaterThanOrEqual(bruteForceContiguous(p) * (1 - 1e-12));
    }
  });
});

describe('the deployment graph', () => {
  it('schedules the zoo and the torchvision ONNX export of one network within 1% of each other', async () => {
    const core = await getCore();
    // ResNet-50 is the case: BatchNorm as nodes in the zoo, folded in the export.
    const pairs = [['resnet50@299', 'resnet50_299'], ['resnet18', 'resnet18_noweights'], ['mobilenetv2', 'mobilenet_v2'], ['squeezenet11', 'squeezenet1_1'], ['googlenet', 'googlenet']];
    for (const [zoo, file] of pairs) {
      const [a, b] = await Promise.all([loadModel(zoo!), loadModel(`test/fixtures/models/${file}.onnx`)]);
      for (const cores of [1, 4]) {
        const [pa, pb] = [problemFromGraph(a, pipelineTarget({ cores })), problemFromGraph(b, pipelineTarget({ cores }))];
        expect(pa.n).toBe(pb.n);
        for (const scheduler of ['compiler', 'profiling', 'dp'] as const) {
          const [ra, rb] = [await runScheduler(core, pa, { scheduler }), await runScheduler(core, pb, { scheduler })];
          expect(ra.bottleneckSeconds / rb.bottleneckSeconds, `${zoo} ${scheduler} K=${cores}`).toBeCloseTo(1, 2);
          expect(Math.abs(ra.bottleneckSeconds / rb.bottleneckSeconds - 1)).toBeLessThan(0.01);
        }
      }
    }
  }, 60_000);
});
