// Resuming a search that cannot rebuild its state from its log (the co-design strategies
// train agents whose state is not in the records): the run is repeated with the same seed,
// which is deterministic, and the records the log already holds are checked against the
// repeated ones instead of being written again. The log then ends exactly as an
// uninterrupted run's would; the repeated prefix costs compute, not simulator results lost.
import { UserError } from '../base/errors.js';
import type { TuningRecord } from '../tune/records.js';

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
