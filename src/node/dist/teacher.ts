// The scheduler's training labels on workers ('teacher-label'): each job names one synthetic
// instance by its generator's parameters (never a graph or a file), and the worker solves its
// MILP with the node limit the run sets, the label a local run computes.
import type { Core } from '../../core/core.js';
import { instanceProblem, type InstanceSpec, type Label, type SchedulerTrainer, teacherLabel } from '../../sched/train.js';
import type { Coordinator } from './coordinator.js';
import { object, PayloadError, positive, string } from './payload.js';

export interface TeacherLabelJob {
  kind: 'teacher-label';
  /** Names the run and the instance in logs: `teacher:<seed>:<index>`. */
  workload: string;
  instance: InstanceSpec;
  maxNodes: number;
  timeLimitSeconds: number;
}

const INSTANCE_KINDS: readonly InstanceSpec['kind'][] = ['layered', 'dnnlike'];

export function parseTeacherLabel(data: Record<string, unknown>): TeacherLabelJob {
  const top = object(data, 'job', ['kind', 'workload', 'instance', 'maxNodes', 'timeLimitSeconds']);
  const i = object(top.instance, 'instance', ['kind', 'size', 'seed', 'cores', 'onChipParamBytes']);
  if (!INSTANCE_KINDS.includes(i.kind as never)) throw new PayloadError(`field 'instance.kind' must be one of ${INSTANCE_KINDS.join(', ')}`);
  if (!(i.seed === 0 || (Number.isInteger(i.seed) && (i.seed as number) > 0 && (i.seed as number) < 2 ** 32))) throw new PayloadError(`field 'instance.seed' must be an unsigned 32-bit integer`);
  return {
    kind: 'teacher-label',
    workload: string(top.workload, 'workload'),
    instance: {
      kind: i.kind as InstanceSpec['kind'],
      size: positive(i.size, 'instance.size', { integer: true, max: 2000 }),
      seed: i.seed as number,
      cores: positive(i.cores, 'instance.cores', { integer: true, max: 64 }),
      onChipParamBytes: positive(i.onChipParamBytes, 'instance.onChipParamBytes', { integer: true, max: 2 ** 40 }),
    },
    maxNodes: positive(top.maxNodes, 'maxNodes', { integer: true, max: 1e8 }),
    timeLimitSeconds: positive(top.timeLimitSeconds, 'timeLimitSeconds', { max: 24 * 3600 }),
  };
}

export function runTeacherLabel(core: Core, job: TeacherLabelJob): Promise<Label> {
  return teacherLabel(core, instanceProblem(job.instance), { teacherMaxNodes: job.maxNodes, teacherTimeLimitSeconds: job.timeLimitSeconds });
}

/** The label of one instance (its index in the run names it), solved on a worker. */
export async function remoteLabel(coordinator: Coordinator, instance: InstanceSpec, index: number, options: { seed: number; teacherMaxNodes: number; teacherTimeLimitSeconds: number }): Promise<Label> {
  const job: TeacherLabelJob = { kind: 'teacher-label', workload: `teacher:${options.seed}:${index}`, instance, maxNodes: options.teacherMaxNodes, timeLimitSeconds: options.teacherTimeLimitSeconds };
  return (await coordinator.run(job)) as Label;
}

/**
 * Labels every instance `trainer` has still to label on the workers of `redis`, all queued at
 * once and taken in order; `onLabel` follows each step (to show progress, to checkpoint).
 */
export async function labelOnWorkers(redis: string, trainer: SchedulerTrainer, onLabel: (line: string) => Promise<void>): Promise<void> {
  const { Coordinator } = await import('./coordinator.js');
  const coordinator = await Coordinator.connect({ redis });
  try {
    const first = trainer.step;
    const pending = trainer.unlabelled.map((instance, i) => remoteLabel(coordinator, instance, first + i, trainer.options));
    pending.forEach((label) => label.catch(() => {})); // each is awaited in turn below
    for (const label of pending) await onLabel(trainer.addLabel(await label));
  } finally {
    await coordinator.close();
  }
}
