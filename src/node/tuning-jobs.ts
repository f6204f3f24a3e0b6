// Tuning jobs in Node: host kernels are measured in a worker thread, so a runaway candidate
// is killed at its time limit.
import type { Core } from '../core/core.js';
import type { Graph } from '../graph/types.js';
import { type TuningJob, tuningJobs } from '../tune/jobs.js';
import { WorkerMeasurer } from './measurer.js';

export type { TuningJob } from '../tune/jobs.js';

/** The tuning jobs of src/tune/jobs.ts with every host kernel timed in a worker thread. */
export function workerTuningJobs(core: Core, graph: Graph, target: string, dramBytesPerCycle?: number): TuningJob[] {
  return tuningJobs(core, graph, target, { hostMeasurer: (_core, space) => new WorkerMeasurer(space), dramBytesPerCycle });
}
