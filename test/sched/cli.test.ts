// `mapwise schedule` as a user runs it (needs `npm run build`).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { schedule } from '../../src/api/schedule.js';

function mapwise(...args: string[]) {
  return spawnSync('node', ['bin/mapwise.js', ...args], { encoding: 'utf8' });
}

describe('mapwise schedule', () => {
  it('--json prints one object with the stage breakdown, and exact beats or ties the baselines', () => {
    const results: Record<string, Record<string, unknown>> = {};
    for (const scheduler of ['compiler', 'dp', 'exact', 'learned']) {
      const run = mapwise('schedule', 'synthetic:16:3', '--cores', '3', '--scheduler', scheduler, '--time-limit', '20', '--json');
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      const r = JSON.parse(run.stdout);
      results[scheduler] = r;
      expect(r.scheduler).toBe(scheduler);
      expect(r.cores).toBe(3);
      expect(r.stages).toHaveLength(3);
      for (const s of r.stages) {
        for (const key of ['paramBytes', 'computeSeconds', 'streamSeconds', 'transferSeconds', 'invocationSeconds', 'totalSeconds']) expect(typeof s[key]).toBe('number');
        expect(s.totalSeconds).toBeCloseTo(s.computeSeconds + s.streamSeconds + s.transferSeconds + s.invocationSeconds, 12);
      }
      expect(r.stages.flatMap((s: { nodes: string[] }) => s.nodes).sort()).toEqual(Object.keys(r.assignment).sort());
      expect(Object.keys(r.assignment)).toHaveLength(16);
      expect(r.bottleneckSeconds).toBeCloseTo(Math.max(...r.stages.map((s: { totalSeconds: number }) => s.totalSeconds)), 15);
      expect(r.throughputPerSecond).toBeCloseTo(1 / r.bottleneckSeconds, 6);
      expect(typeof r.latencySeconds).toBe('number');
      expect(typeof r.solveSeconds).toBe('number');
      expect('optimalityGap' in r).toBe(scheduler === 'exact');
    }
    const b = (s: string) => results[s]!.bottleneckSeconds as number;
    expect(b('exact')).toBeLessThanOrEqual(b('dp') * (1 + 1e-9));
    expect(b('dp')).toBeLessThanOrEqual(b('compiler') * (1 + 1e-9));
  });

  it('by default (auto) returns in seconds a schedule no worse than dp or learned, and states what the exact solver proved', () => {
    const run = (...extra: string[]) => {
      const r = mapwise('schedule', 'densenet201', '--cores', '8', ...extra, '--json');
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const auto = run();
    expect(auto.scheduler).toBe('auto');
    expect(auto.solveSeconds).toBeLessThan(15); // the exact MILP alone ran 60 s here
    expect(auto.bottleneckSeconds).toBeLessThanOrEqual(run('--scheduler', 'dp').bottleneckSeconds * (1 + 1e-12));
    expect(auto.bottleneckSeconds).toBeLessThanOrEqual(run('--scheduler', 'learned').bottleneckSeconds * (1 + 1e-12));
    expect(auto.lowerBoundSeconds).toBeGreaterThan(0);
    expect(auto.lowerBoundSeconds).toBeLessThanOrEqual(auto.bottleneckSeconds);
    expect(auto.optimalityGap).toBeCloseTo(1 - auto.lowerBoundSeconds / auto.bottleneckSeconds, 12);
    expect(['dp', 'learned']).toContain(auto.startedFrom);
    // Where the MILP closes the gap within the default limit, the text says so and the schedule is exact's.
    const text = mapwise('schedule', 'resnet18', '--cores', '4');
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/exact MILP: started from the (dp|learned) schedule, which it (did not improve|improved); proved optimal in [\d.]+ s/);
    const exact = mapwise('schedule', 'resnet18', '--cores', '4', '--scheduler', 'exact', '--json');
    expect(JSON.parse(exact.stdout).bottleneckSeconds).toBeCloseTo(Number(/bottleneck ([\d.]+) ms/.exec(text.stdout)![1]) / 1e3, 6);
  }, 120_000);

  it('decodes the learned policy by beam search or sampling on request', () => {
    for (const extra of [['--decode', 'beam', '--beam-width', '3'], ['--decode', 'sample', '--samples', '2']]) {
      const run = mapwise('schedule', 'synthetic:16:3', '--cores', '3', '--scheduler', 'learned', ...extra, '--json');
      expect(run.status, run.stderr).toBe(0);
      const r = JSON.parse(run.stdout);
      expect(r.scheduler).toBe('learned');
      expect(Object.keys(r.assignment)).toHaveLength(16);
    }
    const bad = mapwise('schedule', 'synthetic:16:3', '--scheduler', 'learned', '--decode', 'best');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/decode.*best|best.*decode/i);
  });

  it('is a shell over the library: --json is schedule()\'s report (the target aside) for the same options', async () => {
    for (const [scheduler, extra] of [['dp', {}], ['learned', { decode: 'sample', samples: 3 }], ['exact', { timeLimitSeconds: 20 }]] as const) {
      const flags = Object.entries(extra).flatMap(([k, v]) => [`--${k === 'timeLimitSeconds' ? 'time-limit' : k}`, String(v)]);
      const run = mapwise('schedule', 'synthetic:14:4', '--cores', '3', '--scheduler', scheduler, ...flags, '--json');
      expect(run.status, run.stderr).toBe(0);
      const { solveSeconds: _cli, ...cli } = JSON.parse(run.stdout);
      const { solveSeconds: _lib, target: _target, ...library } = await schedule('synthetic:14:4', { cores: 3, scheduler, ...extra });
      expect(cli, scheduler).toEqual(library);
    }
  });

  it('rejects bad cores and unknown models with the field named', () => {
    const cores = mapwise('schedule', 'synthetic:10', '--cores', '0');
    expect(cores.status).toBe(1);
    expect(cores.stderr).toMatch(/schedule: option 'cores' must be an integer from 1 to 8, got 0/);
    const model = mapwise('schedule', 'nosuchmodel');
    expect(model.status).toBe(1);
    expect(model.stderr).toMatch(/'nosuchmodel' is neither a built-in model/);
  });
});
