import { expect, it } from 'vitest';
import { skipLogged } from '../../src/codesign/resume.js';
import type { TuningRecord } from '../../src/tune/records.js';

const record = (point: number[], seed = 1): TuningRecord => ({ v: 1, workload: 'w', tuner: 'arco', seed, batch: 0, config: { point, index: -1 }, result: { costs: [1], errorCode: 0, timestamp: 0 } });

it('writes only what the log does not hold yet, and refuses a log the run does not reproduce', () => {
  const written: TuningRecord[] = [];
  const write = skipLogged([record([1]), record([2])], (records) => void written.push(...records));
  write([record([1])]);
  write([record([2]), record([3])]);
  write([record([4])]);
  expect(written.map((r) => r.config.point[0])).toEqual([3, 4]);
  const diverging = skipLogged([record([1])], () => {});
  expect(() => diverging([record([9])])).toThrow(/record 1 of the log is not what this run produces/);
  expect(() => skipLogged([record([1], 1)], () => {})([record([1], 2)])).toThrow(/cannot resume/);
});
