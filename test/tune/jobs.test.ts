// tuneJob's start: from the layer's default point (a run never worse than the untuned schedule),
// or, as the tuning papers start, from the tuner's own points only.
import { describe, expect, it } from 'vitest';
import { pointKey } from '../../src/base/search-space.js';
import { getCore } from '../../src/core/load.js';
import { loadModel } from '../../src/node/models.js';
import { tuneJob, tuningJobs } from '../../src/tune/jobs.js';
import type { TuningRecord } from '../../src/tune/records.js';
import { resultCost } from '../../src/base/result.js';

async function firstLayerRecords(fromDefault?: boolean): Promise<{ records: TuningRecord[]; defaultKey: string; defaultCost: number | null }> {
  const core = await getCore();
  const [job] = tuningJobs(core, await loadModel('alexnetconvs'), 'systolic:eyeriss', { hostMeasurer: () => { throw new Error('no host layers here'); } });
  const records: TuningRecord[] = [];
  const report = await tuneJob(core, job!, {
    tuner: 'random', seed: 3, trials: 24, batchSize: 8,
    ...(fromDefault === undefined ? {} : { fromDefault }),
    onRecords: (batch) => void records.push(...batch),
  });
  expect(records).toHaveLength(24);
  return { records, defaultKey: pointKey(job!.defaultPoint), defaultCost: report.defaultCost };
}

describe('tuneJob start', () => {
  it('measures the default point first unless told otherwise', async () => {
    const { records, defaultKey, defaultCost } = await firstLayerRecords();
    expect(pointKey(records[0]!.config.point)).toBe(defaultKey);
    expect(records[0]!.batch).toBe(0);
    expect(defaultCost).toBe(resultCost(records[0]!.result));
  });

  it('with fromDefault false, starts from the tuner\'s own points: the default is not measured', async () => {
    const { records, defaultKey, defaultCost } = await firstLayerRecords(false);
    expect(records.some((r) => pointKey(r.config.point) === defaultKey)).toBe(false);
    expect(defaultCost).toBeNull();
  });
});
