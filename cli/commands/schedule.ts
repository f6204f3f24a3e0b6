import type { CommandModule } from 'yargs';
import { getCore, loadModel } from '../../src/node/index.js';
import { pipelineTarget, PIPELINE_PRESETS } from '../../src/hw/pipeline.js';
import { problemFromGraph } from '../../src/sched/from-graph.js';
import { learnedSchedule } from '../../src/sched/learned.js';
import { DECODE_MODES, type DecodeMode } from '../../src/sched/policy.js';
import { schedule, SCHEDULERS, type SchedulerName, type ScheduleResult } from '../../src/sched/schedule.js';
import { MODEL_HELP } from '../../src/sched/models.js';
import { formatNumber, report, table } from '../output.js';

interface ScheduleArgs {
  model: string;
  cores: number;
  target: string;
  scheduler: SchedulerName;
  timeLimit: number;
  decode?: DecodeMode;
  samples: number;
  beamWidth: number;
  json?: boolean;
}

export const scheduleCommand: CommandModule<object, ScheduleArgs> = {
  command: 'schedule <model>',
  describe: 'Split a model into pipeline stages on a multi-core Edge-TPU-like target',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: `a zoo model (mapwise zoo), an ONNX file, ${MODEL_HELP}` })
      .option('cores', { type: 'number', default: 4, describe: 'Pipeline stages, one per core (1-8)' })
      .option('target', { type: 'string', default: 'edgetpu', choices: Object.keys(PIPELINE_PRESETS), describe: 'Target preset' })
      .option('scheduler', { type: 'string', default: 'exact', choices: SCHEDULERS, describe: 'exact (HiGHS MILP), compiler (parameter-balanced cuts), dp (best contiguous cuts), learned (policy network)' })
      .option('decode', { type: 'string', choices: DECODE_MODES, describe: 'learned: greedy (default), sample (greedy plus --samples draws) or beam (beam search of --beam-width)' })
      .option('samples', { type: 'number', default: 0, describe: 'learned: sampled decodes besides the greedy one (implies --decode sample)' })
      .option('beam-width', { type: 'number', default: 4, describe: 'learned --decode beam: schedules kept per step' })
      .option('time-limit', { type: 'number', default: 60, describe: 'Seconds the exact solver may take; then it returns its best schedule and gap' }) as never,
  handler: async (argv) => {
    const target = pipelineTarget({ cores: argv.cores }, argv.target);
    const graph = await loadModel(argv.model);
    const problem = problemFromGraph(graph, target);
    const core = await getCore();
    const result = await schedule(core, problem, {
      scheduler: argv.scheduler,
      timeLimitSeconds: argv.timeLimit,
      learned: (c, p) => learnedSchedule(c, p, { decode: argv.decode, samples: argv.samples, beamWidth: argv.beamWidth }),
    });
    report(argv, { model: graph.name, ...result }, (r) => asText(r));
  },
};

function asText(r: ScheduleResult & { model: string }): string {
  const ms = (s: number): string => formatNumber(s * 1e3);
  const rows = r.stages.map((s, i) => [
    i,
    s.nodes.length,
    formatNumber(s.paramBytes / (1024 * 1024)),
    ms(s.computeSeconds),
    ms(s.streamSeconds),
    ms(s.transferSeconds),
    ms(s.totalSeconds),
  ]);
  const lines = [
    `${r.model}: ${r.nodes} nodes on ${r.cores} cores, scheduler ${r.scheduler}`,
    table(['stage', 'nodes', 'params MiB', 'compute ms', 'stream ms', 'transfer ms', 'total ms'], rows),
    `bottleneck ${ms(r.bottleneckSeconds)} ms · throughput ${formatNumber(r.throughputPerSecond)}/s · latency ${ms(r.latencySeconds)} ms · solved in ${formatNumber(r.solveSeconds)} s`,
  ];
  if (r.optimalityGap !== undefined) lines.push(`optimality gap ${(r.optimalityGap * 100).toFixed(4)}% (${r.status})`);
  return lines.join('\n');
}
