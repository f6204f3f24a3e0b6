import { describe, expect, it } from 'vitest';
import { runTuning } from '../../src/tune/loop.js';
import { bestPerWorkload, formatRecord, parseRecords, type TuningRecord } from '../../src/tune/records.js';
import { getCore } from '../../src/core/load.js';
import { AutoTvmTuner } from '../../src/tune/tuners/autotvm.js';
import { ChameleonTuner } from '../../src/tune/tuners/chameleon.js';
import { GeneticTuner } from '../../src/tune/tuners/ga.js';
import { BowlMeasurer, bowlSpace, transferFromBowl } from './synthetic-space.js';

type AnyTuner = AutoTvmTuner | GeneticTuner | ChameleonTuner;
const core = await getCore();

async function liveRun(make: () => AnyTuner, batches: number) {
  const records: TuningRecord[] = [];
  await runTuning({ workload: 'bowl', space: bowlSpace(), measurer: new BowlMeasurer(), tuner: make(), trials: 32 * batches, batchSize: 32, seed: 9, onRecords: (batch) => void records.push(...batch) });
  return records;
}

describe('records', () => {
  it.each([
    ['autotvm', () => new AutoTvmTuner(core, bowlSpace(), 9)],
    ['ga', () => new GeneticTuner(bowlSpace(), 9)],
    ['chameleon (RL without sampling)', () => new ChameleonTuner(core, bowlSpace(), 9, { sampling: false })],
    ['chameleon warm-started by transfer', () => new ChameleonTuner(core, bowlSpace(), 9, { sampling: false, transfer: transferFromBowl(bowlSpace(), 200, 4) })],
  ])('%s: replaying a log restores the live state, so a resumed run continues exactly as the live one', async (_name, make) => {
    const live = await liveRun(make, 3);
    const logText = live.slice(0, 64).map(formatRecord).join('\n');
    const { records: previous } = parseRecords(logText, 'run.jsonl');
    const measurer = new BowlMeasurer();
    const resumed: TuningRecord[] = [];
    const result = await runTuning({ workload: 'bowl', space: bowlSpace(), measurer, tuner: make(), trials: 96, batchSize: 32, seed: 9, previous, onRecords: (batch) => void resumed.push(...batch) });
    expect(result.replayed).toBe(64);
    expect(measurer.measuredKeys).toHaveLength(32); // nothing measured twice
    expect(resumed.map((r) => r.config.point)).toEqual(live.slice(64).map((r) => r.config.point));
    expect(resumed.map((r) => r.batch)).toEqual(live.slice(64).map((r) => r.batch));
  });

  it('skips a half-written last line with a warning and rejects damage elsewhere, naming the line', async () => {
    const lines = (await liveRun(() => new GeneticTuner(bowlSpace(), 1), 1)).map(formatRecord);
    const truncated = `${lines.slice(0, 5).join('\n')}\n${lines[5]!.slice(0, 40)}`;
    const parsed = parseRecords(truncated, 'log.jsonl');
    expect(parsed.records).toHaveLength(5);
    expect(parsed.warnings).toEqual(['log.jsonl:6: skipped a half-written last line']);
    const damaged = [lines[0], '{oops', lines[1]].join('\n');
    expect(() => parseRecords(damaged, 'log.jsonl')).toThrow(/log.jsonl:2: not a JSON object/);
    const wrongVersion = lines[0]!.replace('"v":1', '"v":7');
    expect(() => parseRecords(wrongVersion, 'log.jsonl')).toThrow(/log.jsonl:1: field 'v' must be 1, got 7/);
  });

  it('picks the lowest-cost successful trial of each workload', () => {
    const record = (workload: string, costs: number[], errorCode: 0 | 1 = 0): TuningRecord => ({ v: 1, workload, tuner: 't', seed: 0, batch: 0, config: { point: [costs.length], index: 0 }, result: { costs, errorCode, timestamp: 0 } });
    const best = bestPerWorkload([record('a', [3]), record('a', [], 1), record('a', [2, 9, 1]), record('b', [5]), record('c', [], 1)]);
    expect(best.get('a')?.result.costs).toEqual([2, 9, 1]);
    expect(best.get('b')?.result.costs).toEqual([5]);
    expect(best.has('c')).toBe(false);
  });
});
