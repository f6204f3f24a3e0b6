import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CommandParts } from './lazy.js';
import { trainScheduler } from '../../src/api/train-scheduler.js';
import { TRAIN_DEFAULTS, resumeConflicts, type TrainOptions, type TrainState } from '../../src/sched/train.js';
import { message, report, table } from '../output.js';
import { progressBar } from '../progress.js';

interface TrainArgs {
  checkpoint: string;
  fresh?: boolean;
  emitModule?: string;
  labelsFrom?: string;
  seed?: number;
  graphs?: number;
  imitationEpochs?: number;
  reinforceEpochs?: number;
  teacherMaxNodes?: number;
  minNodes?: number;
  maxNodes?: number;
  saveEvery: number;
  redis?: string;
  json?: boolean;
}

export const trainSchedulerCommand: CommandParts<TrainArgs> = {
  builder: (y) =>
    y
      .option('checkpoint', { type: 'string', default: 'models/scheduler-policy.json', describe: 'Checkpoint file: resumed when it exists, written as training goes' })
      .option('fresh', { type: 'boolean', describe: 'Ignore an existing checkpoint and start over' })
      .option('emit-module', { type: 'string', describe: 'Also write the trained weights as a TypeScript module (src/sched/policy-weights.ts ships them)' })
      .option('labels-from', { type: 'string', describe: 'Reuse the teacher labels of another checkpoint for the leading instances both share' })
      // No yargs defaults: on resume, a flag given must agree with the checkpoint (absent ones take its values).
      .option('seed', { type: 'number', describe: `default ${TRAIN_DEFAULTS.seed}` })
      .option('graphs', { type: 'number', describe: `Synthetic training instances (default ${TRAIN_DEFAULTS.graphs})` })
      .option('imitation-epochs', { type: 'number', describe: `default ${TRAIN_DEFAULTS.imitationEpochs}` })
      .option('reinforce-epochs', { type: 'number', describe: `default ${TRAIN_DEFAULTS.reinforceEpochs}` })
      .option('min-nodes', { type: 'number', describe: `Smallest training graph, nodes (default ${TRAIN_DEFAULTS.minNodes})` })
      .option('max-nodes', { type: 'number', describe: `Largest training graph, nodes (default ${TRAIN_DEFAULTS.maxNodes})` })
      .option('teacher-max-nodes', { type: 'number', describe: `Branch-and-bound nodes of the teacher MILP per instance (default ${TRAIN_DEFAULTS.teacherMaxNodes})` })
      .option('save-every', { type: 'number', default: 5, describe: 'Write the checkpoint every this many steps' })
      .option('redis', { type: 'string', describe: 'Solve the teacher MILPs on the workers (`mapwise worker`) of this Redis, redis://… or rediss://…: the same labels' }) as never,
  handler: async (argv) => {
    const given: [string, keyof TrainOptions, number | undefined][] = [
      ['--seed', 'seed', argv.seed],
      ['--graphs', 'graphs', argv.graphs],
      ['--imitation-epochs', 'imitationEpochs', argv.imitationEpochs],
      ['--reinforce-epochs', 'reinforceEpochs', argv.reinforceEpochs],
      ['--teacher-max-nodes', 'teacherMaxNodes', argv.teacherMaxNodes],
      ['--min-nodes', 'minNodes', argv.minNodes],
      ['--max-nodes', 'maxNodes', argv.maxNodes],
    ];
    const options = Object.fromEntries(given.filter(([, , value]) => value !== undefined).map(([, key, value]) => [key, value]));
    let resume: TrainState | undefined;
    if (!argv.fresh && existsSync(argv.checkpoint)) {
      resume = JSON.parse(await readFile(argv.checkpoint, 'utf8')) as TrainState;
      if (resume.version !== 1) throw new Error(`${argv.checkpoint}: unknown checkpoint version ${String(resume.version)}`);
      const flag = (key: keyof TrainOptions): string => given.find(([, k]) => k === key)![0];
      const conflicts = resumeConflicts(resume, options).map((c) => `${flag(c.key)} ${String(c.given)} (the checkpoint has ${String(c.saved)})`);
      if (conflicts.length > 0) throw new Error(`${argv.checkpoint}: resuming with ${conflicts.join(', ')}; drop ${conflicts.length > 1 ? 'these flags' : 'the flag'} to resume, or give --fresh (or another --checkpoint) to start over`);
      message(`resuming ${argv.checkpoint} at step ${resume.step}`);
    }
    const labelsFrom = argv.labelsFrom ? (JSON.parse(await readFile(argv.labelsFrom, 'utf8')) as TrainState) : undefined;
    const save = async (state: TrainState): Promise<void> => {
      await mkdir(dirname(argv.checkpoint), { recursive: true });
      const tmp = `${argv.checkpoint}.tmp`;
      await writeFile(tmp, `${JSON.stringify(state)}\n`);
      await rename(tmp, argv.checkpoint);
    };
    let bar: ReturnType<typeof progressBar> | undefined;
    let result: Awaited<ReturnType<typeof trainScheduler>>;
    try {
      result = await trainScheduler({
        ...options,
        ...(resume ? { resume } : {}),
        ...(labelsFrom ? { labelsFrom } : {}),
        ...(argv.redis === undefined ? {} : { redis: argv.redis }),
        onStep: async (step, done, state) => {
          if (step % argv.saveEvery === 0 || done) await save(state());
        },
        onProgress: (e) => {
          bar ??= progressBar('train-scheduler', e.total, '{phase}');
          bar.update(e.done, { phase: e.step });
        },
      });
    } finally {
      bar?.stop();
    }
    const { state, ...summary } = result;
    if (labelsFrom && !resume) message(`reused the teacher labels ${argv.labelsFrom} shares with this run`);
    if (argv.emitModule) {
      await writeFile(argv.emitModule, weightsModule(state));
      message(`wrote ${argv.emitModule}`);
    }
    report(argv, { checkpoint: argv.checkpoint, ...summary }, (r) =>
      table(['what', 'value'], [
        ['checkpoint', r.checkpoint],
        ['steps', r.steps],
        ['instances (teacher gap)', `${r.instances} (${(r.meanTeacherGap * 100).toFixed(3)}%)`],
        ['imitation loss', r.imitation ? r.imitation.loss.toFixed(4) : '-'],
        ['greedy / teacher bottleneck', (r.reinforce ?? r.imitation)?.greedyRatio.toFixed(4) ?? '-'],
      ]),
    );
  },
};

/** The shipped-weights module: the policy's sizes and its float32 parameters in base64. */
function weightsModule(state: TrainState): string {
  const lines = state.params.match(/.{1,100}/g) ?? [];
  return [
    '// Generated by `mapwise train-scheduler --emit-module`; do not edit by hand.',
    `// Seed ${state.options.seed}, ${state.instances.length} instances, ${state.step} steps.`,
    "import { fromBase64 } from './weights-codec.js';",
    "import type { PolicyWeights } from './policy.js';",
    '',
    'export const POLICY_WEIGHTS: PolicyWeights | undefined = {',
    `  sizes: ${JSON.stringify(state.sizes)},`,
    '  params: fromBase64(',
    ...lines.map((l, i) => `    '${l}'${i + 1 < lines.length ? ' +' : ','}`),
    '  ),',
    '};',
    '',
  ].join('\n');
}
