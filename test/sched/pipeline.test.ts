import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/node/index.js';
import { Random } from '../../src/helpers/random.js';
import { EDGETPU_DEVBOARD_PRESET, EDGETPU_PRESET, macsPerSecond, pipelineTarget } from '../../src/hw/pipeline.js';
import { compilerSchedule } from '../../src/sched/compiler.js';
import { assignmentError, assignmentFromCuts, assignmentFromRecord, buildProblem, compactStages, MAX_SCHEDULE_NODES, type ScheduleProblem } from '../../src/sched/problem.js';
import { allValidAssignments, bruteForceContiguous, referenceSimulate } from '../../src/sched/reference.js';
import { PipelineSimulator, simulatePipeline } from '../../src/sched/simulate.js';
import { randomNodes, randomProblem, randomValidAssignment, tinyTarget } from './graphs.js';

// a → b → c and a → c; units of tinyTarget: 1 µs per MAC, 1 µs per byte on the link, 1000 B on chip.
const handNodes = [
  { name: 'a', macs: 100, paramCount: 1200, outputElements: 10, preds: [] },
  { name: 'b', macs: 200, paramCount: 0, outputElements: 20, preds: [0] },
  { name: 'c', macs: 50, paramCount: 300, outputElements: 5, preds: [0, 1] },
];
const us = 1e-6;

describe('pipeline target', () => {
  it('has Edge TPU presets and rejects bad fields by name', () => {
    expect(pipelineTarget()).toEqual(EDGETPU_PRESET);
    // 7 MiB of the 8 MiB on-chip memory cache parameters (the compiled executable shares it); 4 TOPS.
    expect(EDGETPU_PRESET.onChipParamBytes).toBe(7 * 1024 * 1024);
    expect(2 * macsPerSecond(EDGETPU_PRESET)).toBeCloseTo(3.93e12, -10);
    expect(pipelineTarget({}, 'edgetpu-devboard')).toEqual(EDGETPU_DEVBOARD_PRESET);
    expect(() => pipelineTarget({ convUtilisation: 1.5 })).toThrow(/convUtilisation must be a fraction in \(0, 1\], got 1.5/);
    expect(() => pipelineTarget({ invocationSeconds: -1 })).toThrow(/invocationSeconds must be a finite number ≥ 0/);
    expect(pipelineTarget({ cores: 6 }).cores).toBe(6);
    expect(() => pipelineTarget({ cores: 0 })).toThrow(/cores must be an integer from 1 to 8/);
    expect(() => pipelineTarget({ cores: 9 })).toThrow(/cores/);
    expect(() => pipelineTarget({ onChipParamBytes: 0 })).toThrow(/onChipParamBytes must be/);
    expect(() => pipelineTarget({ hostLinkBytesPerSecond: -1 })).toThrow(/hostLinkBytesPerSecond must be/);
    expect(() => pipelineTarget({ freqMHz: Number.NaN })).toThrow(/freqMHz/);
    expect(() => pipelineTarget({ sramKiB: 3 } as never)).toThrow(/unknown field 'sramKiB'/);
    expect(() => pipelineTarget({}, 'tpu9')).toThrow(/unknown pipeline target preset 'tpu9'/);
  });
});

describe('scheduling problem', () => {
  it('rejects bad graphs with the node named', () => {
    const t = tinyTarget(2);
    expect(() => buildProblem([], t)).toThrow(/no nodes/);
    expect(() => buildProblem([{ name: 'x', macs: -1, paramCount: 0, outputElements: 0, preds: [] }], t)).toThrow(/'x': macs must be/);
    expect(() => buildProblem([{ name: 'x', macs: 1, paramCount: 0, outputElements: 0, preds: [0] }], t)).toThrow(/'x' \(index 0\) has predecessor 0/);
    expect(() => buildProblem([handNodes[0]!, { ...handNodes[1]!, name: 'a' }], t)).toThrow(/'a' appears twice/);
    const huge = Array.from({ length: MAX_SCHEDULE_NODES + 1 }, (_, v) => ({ name: `v${v}`, macs: 1, paramCount: 0, outputElements: 1, preds: [] }));
    expect(() => buildProblem(huge, t)).toThrow(/20001 nodes, more than the limit of 20000/);
  });

  it('turns a name → stage record into an assignment, naming missing and unknown nodes', () => {
    const p = buildProblem(handNodes, tinyTarget(2));
    expect(Array.from(assignmentFromRecord(p, { a: 0, b: 1, c: 1 }))).toEqual([0, 1, 1]);
    expect(() => assignmentFromRecord(p, { a: 0, b: 1 })).toThrow(/node 'c' is missing/);
    expect(() => assignmentFromRecord(p, { a: 0, b: 1, c: 1, d: 0 })).toThrow(/unknown node 'd'/);
  });
});

describe('pipeline simulator (wasm core)', () => {
  it('computes a hand-made case exactly', async () => {
    const core = await getCore();
    const p2 = buildProblem(handNodes, tinyTarget(2));
    // Stage 0 = {a}: 100 µs compute, 200 B overflow → 200 µs, a's 10 B out → 10 µs.
    // Stage 1 = {b, c}: 250 µs compute, 10 B in + c's 5 B graph output → 15 µs.
    const cost = simulatePipeline(core, p2, [0, 1, 1]);
    expect(cost.stages[0]!.computeSeconds).toBeCloseTo(100 * us, 12);
    expect(cost.stages[0]!.streamSeconds).toBeCloseTo(200 * us, 12);
    expect(cost.stages[0]!.transferSeconds).toBeCloseTo(10 * us, 12);
    expect(cost.stages[0]!.totalSeconds).toBeCloseTo(310 * us, 12);
    expect(cost.stages[1]!.totalSeconds).toBeCloseTo(265 * us, 12);
    expect(cost.stages[1]!.paramBytes).toBe(300);
    expect(cost.bottleneckSeconds).toBeCloseTo(310 * us, 12);
    expect(cost.latencySeconds).toBeCloseTo(575 * us, 12);
    expect(cost.throughputPerSecond).toBeCloseTo(1 / (310 * us), 6);
    // {a, b} | {c}: a's and b's tensors both cross: 300 + 200 + 30 = 530 µs; then 50 + 30 + 5.
    const other = simulatePipeline(core, p2, [0, 0, 1]);
    expect(other.stages.map((s) => s.totalSeconds / us)).toEqual([expect.closeTo(530, 6), expect.closeTo(85, 6)]);
    // Three stages, a | (empty) | b c: a's tensor passes through the empty middle stage (in + out).
    const p3 = buildProblem(handNodes, tinyTarget(3));
    const three = simulatePipeline(core, p3, [0, 2, 2]);
    expect(three.stages.map((s) => s.totalSeconds / us)).toEqual([expect.closeTo(310, 6), expect.closeTo(20, 6), expect.closeTo(265, 6)]);
    expect(three.stages[1]!.nodes).toEqual([]);
  });

  it('computes the calibrated terms by hand: utilisation by layer kind, layers without MACs, the input image, the invocation', async () => {
    const core = await getCore();
    const target = tinyTarget(2, { invocationSeconds: 7 * us, vectorElementSeconds: 2 * us, convUtilisation: 0.5, lowReuseUtilisation: 0.25 });
    const nodes = [
      { name: 'conv', macs: 100, arrayMacs: 120, hostInputElements: 30, paramCount: 0, outputElements: 10, preds: [] },
      { name: 'pool', macs: 0, paramCount: 0, outputElements: 4, preds: [0] },
      { name: 'fc', macs: 10, lowReuse: true, paramCount: 0, outputElements: 2, preds: [1] },
    ];
    const p = buildProblem(nodes, target);
    // conv: 120 array MACs at half of 1 MAC/µs = 240 µs; pool: 4 elements × 2 µs = 8 µs; fc: 10 MACs at a quarter = 40 µs.
    // Stage 0 = {conv, pool}: 248 µs compute; in: the 30-byte input (30 µs); out: pool's 4 B (4 µs); one invocation (7 µs).
    // Stage 1 = {fc}: 40 µs; in 4 µs, fc's 2 B graph output 2 µs; 7 µs.
    const split = simulatePipeline(core, p, [0, 0, 1]);
    expect(split.stages.map((s) => [s.computeSeconds, s.transferInSeconds, s.transferOutSeconds, s.invocationSeconds, s.totalSeconds].map((x) => x / us)))
      .toEqual([[248, 30, 4, 7, 289], [40, 4, 2, 7, 53]].map((row) => row.map((x) => expect.closeTo(x, 6))));
    expect(split.bottleneckSeconds / us).toBeCloseTo(289, 6);
    expect(split.latencySeconds / us).toBeCloseTo(342, 6);
    // All on stage 0: 288 + 30 + 2 + 7 = 327 µs; the unused stage 1 costs nothing, not even an invocation.
    const one = simulatePipeline(core, p, [0, 0, 0]);
    expect(one.stages.map((s) => s.totalSeconds / us)).toEqual([expect.closeTo(327, 6), 0]);
    expect(one.latencySeconds / us).toBeCloseTo(327, 6);
    const sim = new PipelineSimulator(core, p);
    expect(sim.bottleneck([0, 0, 0]) / us).toBeCloseTo(327, 6);
    expect(Array.from(sim.stageTimes([0, 0, 1])!, (t) => t / us)).toEqual([expect.closeTo(289, 6), expect.closeTo(53, 6)]);
    // The contiguous DP's best: {conv} | {pool, fc}, 240 + 30 + 10 (conv's tensor out) + 7 = 287 µs
    // against 8 + 40 + 10 + 2 + 7 = 67 µs, beats {conv, pool} | {fc} (289 µs) and one core (327 µs).
    expect(sim.contiguousDp().bottleneckSeconds / us).toBeCloseTo(287, 6);
    sim.free();
    for (const a of [[0, 0, 1], [0, 0, 0], [0, 1, 1]]) {
      const [want, got] = [referenceSimulate(p, a), simulatePipeline(core, p, a)];
      got.stages.forEach((s, i) => expect(s).toEqual({ ...want.stages[i], ...Object.fromEntries(Object.entries(want.stages[i]!).flatMap(([key, x]) => (typeof x === 'number' ? [[key, expect.closeTo(x, 12)]] : []))) }));
    }
  });

  it('matches the TypeScript reference with every calibrated term on random graphs', async () => {
    const core = await getCore();
    const random = new Random(21);
    for (let t = 0; t < 30; t++) {
      const k = random.intBetween(1, 5);
      const target = tinyTarget(k, { invocationSeconds: 30 * us, vectorElementSeconds: 3 * us, convUtilisation: 0.7, lowReuseUtilisation: 0.2 });
      const nodes = randomNodes(random, random.intBetween(2, 30)).map((node, v) => ({ ...node, macs: v % 4 === 0 ? 0 : node.macs, lowReuse: v % 3 === 0, hostInputElements: v === 0 ? 50 : 0 }));
      const p = buildProblem(nodes, target);
      const a = randomValidAssignment(random, p);
      const want = referenceSimulate(p, a);
      const got = simulatePipeline(core, p, a);
      got.stages.forEach((s, i) => expect(s.totalSeconds).toBeCloseTo(want.stages[i]!.totalSeconds, 12));
      expect(got.bottleneckSeconds).toBeCloseTo(want.bottleneckSeconds, 12);
      expect(got.latencySeconds).toBeCloseTo(want.latencySeconds, 12);
    }
  });

  it('rejects an assignment that breaks the order, naming the edge', async () => {
    const core = await getCore();
    const p = buildProblem(handNodes, tinyTarget(2));
    expect(() => simulatePipeline(core, p, [0, 1, 0])).toThrow(/edge 'a' → 'c' breaks the order|edge 'b' → 'c' breaks the order/);
    expect(() => simulatePipeline(core, p, [1, 0, 1])).toThrow(/edge 'a' → 'b' breaks the order: stage 1 > stage 0/);
    expect(() => simulatePipeline(core, p, [0, 2, 1])).toThrow(/node 'b' is assigned stage 2, outside 0..1/);
    expect(() => simulatePipeline(core, p, [0, 1])).toThrow(/2 entries for 3 nodes/);
    expect(() => referenceSimulate(p, [1, 0, 1])).toThrow(/edge 'a' → 'b'/);
  });

  it('matches the TypeScript reference on random graphs and random valid assignments', async () => {
    const core = await getCore();
    const random = new Random(5);
    for (let trial = 0; trial < 40; trial++) {
      const k = random.intBetween(1, 6);
      const p = randomProblem(random, random.intBetween(1, 40), k);
      const sim = new PipelineSimulator(core, p);
      for (let r = 0; r < 5; r++) {
        // A random valid assignment: each node at or after its predecessors' stages.
        const a = randomValidAssignment(random, p, 1);
        const got = sim.simulate(a);
        const want = referenceSimulate(p, a);
        for (let s = 0; s < k; s++) {
          for (const key of ['computeSeconds', 'streamSeconds', 'transferInSeconds', 'transferOutSeconds', 'paramBytes', 'totalSeconds'] as const) {
            expect(got.stages[s]![key]).toBeCloseTo(want.stages[s]![key], 12);
          }
          expect(got.stages[s]!.nodes).toEqual(want.stages[s]!.nodes);
        }
        expect(got.bottleneckSeconds).toBeCloseTo(want.bottleneckSeconds, 12);
      }
      sim.free();
    }
  });

  it('does not leak wasm memory over repeated problems', async () => {
    const core = await getCore();
    const p = randomProblem(new Random(3), 60, 4);
    simulatePipeline(core, p, new Int32Array(p.n));
    const before = core.memoryBytes;
    for (let i = 0; i < 200; i++) {
      const sim = new PipelineSimulator(core, p);
      sim.contiguousDp();
      sim.simulate(new Int32Array(p.n));
      sim.free();
    }
    expect(core.memoryBytes).toBe(before);
  });
});

describe('contiguous DP (wasm core)', () => {
  it('equals brute force over all cuts of the index order', async () => {
    const core = await getCore();
    const random = new Random(11);
    for (let trial = 0; trial < 40; trial++) {
      const k = random.intBetween(1, 4);
      const p = randomProblem(random, random.intBetween(1, 9), k);
      const sim = new PipelineSimulator(core, p);
      const { cuts, bottleneckSeconds } = sim.contiguousDp();
      sim.free();
      expect(cuts[0]).toBe(0);
      expect(cuts[k]).toBe(p.n);
      for (let s = 0; s < k; s++) expect(cuts[s]!).toBeLessThanOrEqual(cuts[s + 1]!);
      expect(bottleneckSeconds).toBeCloseTo(bruteForceContiguous(p), 12);
      // The cuts it reports achieve the value it reports.
      expect(referenceSimulate(p, assignmentFromCuts(p.n, cuts)).bottleneckSeconds).toBeCloseTo(bottleneckSeconds, 12);
    }
  });

  it('prunes exactly: equals the plain O(k·n²) DP on larger graphs, and honours an upper bound', async () => {
    const core = await getCore();
    const random = new Random(12);
    for (let trial = 0; trial < 25; trial++) {
      const k = random.intBetween(1, 7);
      const p = randomProblem(random, random.intBetween(10, 80), k);
      const sim = new PipelineSimulator(core, p);
      const { cuts, bottleneckSeconds } = sim.contiguousDp();
      expect(bottleneckSeconds / plainContiguousDp(p)).toBeCloseTo(1, 12);
      expect(referenceSimulate(p, assignmentFromCuts(p.n, cuts)).bottleneckSeconds).toBeCloseTo(bottleneckSeconds, 12);
      const bounded = sim.contiguousDp(bottleneckSeconds);
      expect(bounded.bottleneckSeconds).toBe(bottleneckSeconds);
      expect(Array.from(bounded.cuts)).toEqual(Array.from(cuts));
      expect(sim.contiguousDp(bottleneckSeconds * (1 - 1e-6)).bottleneckSeconds).toBe(Infinity);
      sim.free();
    }
  });
});

/** The contiguous DP without pruning, each segment costed from the definition (problem.ts). */
function plainContiguousDp(p: ScheduleProblem): number {
  const link = p.target.hostLinkBytesPerSecond;
  const lastUse = Int32Array.from({ length: p.n }, () => -1);
  for (let v = 0; v < p.n; v++) for (let e = p.predStart[v]!; e < p.predStart[v + 1]!; e++) lastUse[p.preds[e]!] = Math.max(lastUse[p.preds[e]!]!, v);
  // Bytes of tensors made before position j and used at or after it.
  const crossing = (j: number): number => {
    let bytes = 0;
    for (let u = 0; u < j; u++) if (lastUse[u]! >= j) bytes += p.outputBytes[u]!;
    return bytes;
  };
  const segment = (i: number, j: number): number => {
    let compute = 0;
    let params = 0;
    let sinks = 0;
    for (let v = i; v < j; v++) {
      compute += p.computeSeconds[v]!;
      params += p.paramBytes[v]!;
      if (lastUse[v]! < 0) sinks += p.outputBytes[v]!;
    }
    return compute + Math.max(0, params - p.target.onChipParamBytes) / link + (crossing(i) + crossing(j) + sinks) / link;
  };
  let f = Array.from({ length: p.n + 1 }, (_, j) => (j === 0 ? 0 : Infinity));
  for (let s = 1; s <= p.cores; s++) {
    f = f.map((_, j) => {
      let best = Infinity;
      for (let i = 0; i <= j; i++) best = Math.min(best, Math.max(f[i]!, segment(i, j)));
      return best;
    });
  }
  return f[p.n]!;
}

describe('compacting empty stages', () => {
  it('moves empty stages last without raising any used stage\'s time', () => {
    const random = new Random(13);
    for (let trial = 0; trial < 40; trial++) {
      const p = randomProblem(random, random.intBetween(1, 30), random.intBetween(2, 8));
      const a = randomValidAssignment(random, p, 2);
      const c = compactStages(a, p.cores);
      expect(assignmentError(p, c)).toBeUndefined();
      const used = new Set(a).size;
      expect(new Set(c)).toEqual(new Set(Array.from({ length: used }, (_, s) => s)));
      const before = referenceSimulate(p, a).stages.filter((s) => s.nodes.length > 0);
      const after = referenceSimulate(p, c).stages;
      // Stage by stage, the used stages keep their nodes and their time can only fall.
      before.forEach((stage, s) => {
        expect(after[s]!.nodes).toEqual(stage.nodes);
        expect(after[s]!.totalSeconds).toBeLessThanOrEqual(stage.totalSeconds * (1 + 1e-12));
      });
      for (let s = used; s < p.cores; s++) expect(after[s]!.totalSeconds).toBe(0);
    }
  });
});

describe('compiler baseline', () => {
  it('cuts before a segment would pass total_params / K', () => {
    const p = buildProblem(handNodes, tinyTarget(2));
    expect(Array.from(compilerSchedule(p))).toEqual([0, 1, 1]);
    const chain = Array.from({ length: 6 }, (_, v) => ({ name: `v${v}`, macs: 1, paramCount: 10, outputElements: 1, preds: v ? [v - 1] : [] }));
    // 60 params over 3 stages: 20 per segment.
    expect(Array.from(compilerSchedule(buildProblem(chain, tinyTarget(3))))).toEqual([0, 0, 1, 1, 2, 2]);
    // libcoral's rule: a segment ends early enough that each later one keeps an op before the
    // first graph output, even when the parameters (all in the last op) would fit.
    const heavyTail = [0, 0, 0, 30].map((paramCount, v) => ({ name: `t${v}`, macs: 1, paramCount, outputElements: 1, preds: v ? [v - 1] : [] }));
    expect(Array.from(compilerSchedule(buildProblem(heavyTail, tinyTarget(3))))).toEqual([0, 0, 1, 2]);
    // Never more than K segments, always valid.
    const random = new Random(2);
    for (let t = 0; t < 30; t++) {
      const q = randomProblem(random, 30, random.intBetween(1, 8));
      const a = compilerSchedule(q);
      expect(() => referenceSimulate(q, a)).not.toThrow();
    }
  });

  it('enumerates valid assignments for the brute-force judge', () => {
    const p = buildProblem(handNodes, tinyTarget(2));
    // a ≤ b ≤ c with a ≤ c over 2 stages: 000 001 011 111.
    expect([...allValidAssignments(p)].map((a) => a.join(''))).toEqual(['000', '001', '011', '111']);
  });
});
