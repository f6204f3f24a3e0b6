// Resuming a co-design search that does not run as one tuner of the joint space (grid, the
// software-only tuners layer by layer, the exhaustive search): the run is repeated with the same
// seed, which is deterministic, and the records the log already holds are checked against the
// repeated ones instead of being written again. The log then ends exactly as an uninterrupted
// run's would; the repeated prefix costs compute, not simulator results lost. (ARCO, the GA and
// random search replay their logs instead: src/codesign/joint-tuner.ts.)
import { UserError } from '../base/errors.js';
import type { TuningRecord } from '../tune/records.js';
import type { StrategyOptions } from './run.js';

/** The options of a repeated run: no records to replay, and only what the log lacks handed on. */
export function resumeByRepeating(options: StrategyOptions): StrategyOptions {
  const { previous, ...rest } = options;
  if (!previous || previous.length === 0) return rest;
  return { ...rest, onRecords: skipLogged(previous, options.onRecords ?? (() => {})) };
}

export function skipLogged(logged: readonly TuningRecord[], write: (records: TuningRecord[]) => void): (records: TuningRecord[]) => void {
  let next = 0;
  return (records) => {
    const fresh: TuningRecord[] = [];
    for (const record of records) {
      if (next >= logged.length) {
        fresh.push(record);
        continue;
      }
      const old = logged[next]!;
      if (old.workload !== record.workload || old.tuner !== record.tuner || old.seed !== record.seed || old.config.point.join() !== record.config.point.join()) {
        throw new UserError(`cannot resume: record ${next + 1} of the log is not what this run produces (different model, target, strategy, seed or code); start over without --resume`, { field: 'resume' });
      }
      next++;
    }
    if (fresh.length > 0) write(fresh);
  };
}
