// The coordinator's packing of mapping groups into jobs, against a fake job runner (no Redis):
// what goes in one job, how groups split, and that every group gets its own results in order.
import { describe, expect, it } from 'vitest';
import { JobFailedError, type MappingGroup, type MappingMeasureJob } from '../../src/node/dist/jobs.js';
import { MappingBatcher, type MappingJobRunner } from '../../src/node/dist/mapping-batcher.js';

/** A group of `n` points whose first knob numbers them from `start`; only workload and points matter here. */
const group = (workload: string, n: number, start = 0): MappingGroup =>
  ({ workload, points: Array.from({ length: n }, (_, i) => [start + i, 0, 0, 0, 1]) }) as unknown as MappingGroup;

/** Runs jobs by echoing each point's first knob with its workload; `fail` picks jobs that fail. */
function fakeRunner(slots: number, fail: (job: MappingMeasureJob) => unknown = () => undefined): MappingJobRunner & { jobs: { job: MappingMeasureJob; run: string[] }[] } {
  const jobs: { job: MappingMeasureJob; run: string[] }[] = [];
  return {
    jobs,
    mappingSlots: async () => slots,
    run: async (job, tuner, seed) => {
      jobs.push({ job, run: [tuner, String(seed)] });
      const bad = fail(job);
      if (bad instanceof Error) throw bad;
      if (bad !== undefined) return bad;
      return job.groups.map((g) => g.points.map((p) => `${g.workload}#${p[0]}`));
    },
  };
}

const expected = (workload: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${workload}#${i}`);
const run = { tuner: 'random', seed: 1 };

describe('MappingBatcher', () => {
  it('packs the groups of one turn into one job per worker slot, splitting a group where a share ends', async () => {
    const runner = fakeRunner(2);
    const batcher = new MappingBatcher(runner, 1024);
    const results = await Promise.all([batcher.measure(group('a', 10), run), batcher.measure(group('b', 7), run), batcher.measure(group('c', 5), run)]);
    expect(results).toEqual([expected('a', 10), expected('b', 7), expected('c', 5)]);
    expect(runner.jobs.map(({ job }) => job.groups.map((g) => [g.workload, g.points.length]))).toEqual([
      [['a', 10], ['b', 1]],
      [['b', 6], ['c', 5]],
    ]);
    expect(runner.jobs.every(({ run: r }) => r.join() === 'random,1')).toBe(true);
  });

  it('cuts more jobs, a multiple of the slots, when a share would pass the points a job may hold', async () => {
    const runner = fakeRunner(2);
    const batcher = new MappingBatcher(runner, 4);
    const results = await Promise.all([batcher.measure(group('a', 10), run), batcher.measure(group('b', 8), run)]);
    expect(results).toEqual([expected('a', 10), expected('b', 8)]);
    const sizes = runner.jobs.map(({ job }) => job.groups.reduce((sum, g) => sum + g.points.length, 0));
    expect(sizes).toEqual([3, 3, 3, 3, 3, 3]);
    // One slot, fewer points than jobs would hold: one job; no points, no job.
    const single = fakeRunner(1);
    await new MappingBatcher(single, 1024).measure(group('a', 3), run);
    expect(await new MappingBatcher(single, 1024).measure(group('b', 0), run)).toEqual([]);
    expect(single.jobs).toHaveLength(1);
  });

  it('keeps runs apart and sends what comes in a later turn in later jobs', async () => {
    const runner = fakeRunner(1);
    const batcher = new MappingBatcher(runner, 1024);
    const first = Promise.all([batcher.measure(group('a', 2), run), batcher.measure(group('b', 2), { tuner: 'autotvm', seed: 1 })]);
    await first;
    await batcher.measure(group('c', 2), run);
    expect(runner.jobs.map(({ job, run: r }) => [r.join(), job.groups.map((g) => g.workload).join()])).toEqual([
      ['random,1', 'a'],
      ['autotvm,1', 'b'],
      ['random,1', 'c'],
    ]);
  });

  it('holds groups while every slot has a job, then sends them together in the slot that came free', async () => {
    const sent: MappingMeasureJob[] = [];
    const release: (() => void)[] = [];
    const runner: MappingJobRunner = {
      mappingSlots: async () => 2,
      run: (job) => {
        sent.push(job);
        return new Promise((resolve) => release.push(() => resolve(job.groups.map((g) => g.points.map((p) => `${g.workload}#${p[0]}`)))));
      },
    };
    const batcher = new MappingBatcher(runner, 1024);
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    const a = batcher.measure(group('a', 4), run);
    await turn();
    await turn();
    expect(sent.map((job) => job.groups[0]!.points.length)).toEqual([2, 2]);
    const later = [batcher.measure(group('b', 3), run), batcher.measure(group('c', 3), run)];
    await turn();
    await turn();
    expect(sent).toHaveLength(2); // both slots busy: b and c wait
    release.shift()!();
    await turn();
    await turn();
    expect(sent).toHaveLength(3);
    expect(sent[2]!.groups.map((g) => [g.workload, g.points.length])).toEqual([['b', 3], ['c', 3]]);
    while (release.length > 0) release.shift()!();
    expect(await a).toEqual(expected('a', 4));
    expect(await Promise.all(later)).toEqual([expected('b', 3), expected('c', 3)]);
  });

  it('fails only the groups of a job that failed, and a job whose results do not match its points', async () => {
    const runner = fakeRunner(2, (job) => (job.groups.some((g) => g.workload === 'b') ? new JobFailedError('job x failed: broken') : undefined));
    const batcher = new MappingBatcher(runner, 1024);
    const [a, b] = await Promise.allSettled([batcher.measure(group('a', 4), run), batcher.measure(group('b', 4), run)]);
    expect(a).toEqual({ status: 'fulfilled', value: expected('a', 4) });
    expect(b.status === 'rejected' && b.reason).toBeInstanceOf(JobFailedError);

    const short = new MappingBatcher(fakeRunner(1, () => [['only one']]), 1024);
    await expect(short.measure(group('a', 2), run)).rejects.toThrow(/expected 2 results for a, got \["only one"\]/);
  });
});
