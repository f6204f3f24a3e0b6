// A train-scheduler checkpoint read from disk as the learned scheduler's weights.
import { readFileSync } from 'node:fs';
import type { PolicyWeights } from '../sched/policy.js';
import { checkpointWeights } from '../sched/train.js';

export function readCheckpointWeights(file: string): PolicyWeights {
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read the checkpoint: ${(error as Error).message}`);
  }
  return checkpointWeights(state, file);
}
