// Tuning jobs in Node: host kernels are measured in a worker thread, so a runaway candidate
// is killed at its time limit.
import type { Core } from '../core/core.js';
import type { Graph } from '../graph/types.js';
import { type TuningJob, tuningJobs as jobs } from '../tune/jobs.js';
import { WorkerMeasurer } from './measurer.js';

export type { TuningJob } from '../tune/jobs.js';

export function tuningJobs(core: Core, graph: Graph, target: string, dramBytesPerCycle?: number): TuningJob[] {
  return jobs(core, graph, target, { hostMeasurer: (_core, space) => new WorkerMeasurer(space), dramBytesPerCycle });
}
