// A train-scheduler checkpoint read from disk as the learned scheduler's weights.
import { readFileSync } from 'node:fs';
import { UserError } from '../base/errors.js';
import type { PolicyWeights } from '../sched/policy.js';
import { checkpointWeights } from '../sched/train.js';

export function readCheckpointWeights(file: string): PolicyWeights {
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: cannot read the checkpoint: ${(error as Error).message}`, { file });
  }
  return checkpointWeights(state, file);
}
