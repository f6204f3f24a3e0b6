// `trainScheduler(options) → Promise<TrainSchedulerReport>`: trains the learned scheduler's policy
// (RESPECT's recipe: label synthetic graphs with the exact solver, imitate the labels, then
// reinforce), resumable from its state. `mapwise train-scheduler` is a shell over it: it reads and
// writes the checkpoint file, the facade only hands the state over.
import { checkOptions, OptionsError } from '../base/options.js';
import { getCore } from '../core/load.js';
import type { EpochMetrics, TrainOptions, TrainState } from '../sched/train.js';
import { type ProgressEvent, throwIfAborted } from './check.js';
import { loadDist } from './redis.js';

/** The training options a run may set (the rest keep TRAIN_DEFAULTS). */
type TrainedOptions = Pick<TrainOptions, 'seed' | 'graphs' | 'minNodes' | 'maxNodes' | 'imitationEpochs' | 'reinforceEpochs' | 'teacherMaxNodes'>;

export interface TrainSchedulerOptions extends Partial<TrainedOptions> {
  /** A state to continue (a checkpoint): options given must agree with it. */
  resume?: TrainState;
  /** A state whose teacher labels the leading instances both runs share reuse. */
  labelsFrom?: TrainState;
  /** Node: solve the teacher MILPs on the `mapwise worker` processes of this Redis; the same labels. */
  redis?: string;
  /** After every step (1-based), with the state so far (a checkpoint; built when called): the CLI writes its file every few. */
  onStep?: (step: number, done: boolean, state: () => TrainState) => void | Promise<void>;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface TrainSchedulerReport {
  steps: number;
  instances: number;
  /** The teacher's mean optimality gap over the labels (0: every label proven optimal). */
  meanTeacherGap: number;
  /** The last epoch of each phase, null when the phase has none. */
  imitation: EpochMetrics | null;
  reinforce: EpochMetrics | null;
  /** The trained state: a checkpoint, and the policy's weights (checkpointWeights). */
  state: TrainState;
}

const count = (min: number) => ({ type: 'number', integer: true, min }) as const;
const SPEC = {
  seed: { type: 'number', integer: true },
  graphs: count(1), minNodes: count(2), maxNodes: count(2), imitationEpochs: count(0), reinforceEpochs: count(0), teacherMaxNodes: count(1),
  resume: { type: 'object' },
  labelsFrom: { type: 'object' },
  redis: { type: 'string' },
  onStep: { type: 'function' },
  onProgress: { type: 'function' },
  signal: { type: 'signal' },
} as const;

export async function trainScheduler(options?: TrainSchedulerOptions): Promise<TrainSchedulerReport> {
  const train = await import('../sched/train.js');
  const o = checkOptions<TrainSchedulerOptions>('trainScheduler', options, SPEC);
  const { resume, labelsFrom, redis, onStep, onProgress, signal, ...given } = o;
  if (resume) {
    if (resume.version !== 1) throw new OptionsError(`trainScheduler: resume: unknown checkpoint version ${String(resume.version)}`, { field: 'resume' });
    const [conflict] = train.resumeConflicts(resume, given);
    if (conflict) throw new OptionsError(`trainScheduler: resuming with ${conflict.key} ${String(conflict.given)}, the checkpoint has ${String(conflict.saved)}`, { field: conflict.key });
  }
  const trainer = new train.SchedulerTrainer(await getCore(), given, resume, labelsFrom);
  try {
    const stepped = async (phase: string): Promise<void> => {
      throwIfAborted(signal);
      onProgress?.({ step: phase, done: trainer.step, total: trainer.totalSteps });
      await onStep?.(trainer.step, trainer.done, () => trainer.state());
    };
    if (redis !== undefined) await (await loadDist('trainScheduler', 'teacher')).labelOnWorkers(redis, trainer, stepped);
    while (!trainer.done) await stepped(await trainer.next());
    const state = trainer.state();
    const last = (phase: EpochMetrics['phase']): EpochMetrics | null => [...state.history].reverse().find((h) => h.phase === phase) ?? null;
    return {
      steps: state.step,
      instances: state.instances.length,
      meanTeacherGap: state.labels.reduce((s, l) => s + l.optimalityGap, 0) / state.labels.length,
      imitation: last('imitation'),
      reinforce: last('reinforce'),
      state,
    };
  } finally {
    trainer.dispose();
  }
}
