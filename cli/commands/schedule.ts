// `mapwise schedule`: flags, files and formatting over the library's schedule() (src/api/schedule.ts).
import type { CommandParts } from './lazy.js';
import { schedule, type ScheduleReport } from '../../src/api/schedule.js';
import { GRAPH_SPEC_KINDS, modelSpecHelp } from '../../src/graph/model-spec.js';
import { loadModel } from '../../src/node/models.js';
import { PIPELINE_PRESETS } from '../../src/hw/pipeline.js';
import { DECODE_MODES, type DecodeMode } from '../../src/sched/policy.js';
import { AUTO_TIME_LIMIT_SECONDS, SCHEDULERS, type SchedulerName } from '../../src/sched/schedule.js';
import { EXACT_TIME_LIMIT_SECONDS } from '../../src/sched/exact.js';
import { readCheckpointWeights } from '../../src/node/checkpoint.js';
import { formatNumber, report, table } from '../output.js';
import { progressBar } from '../progress.js';

interface ScheduleArgs {
  model: string;
  cores: number;
  target: string;
  scheduler: SchedulerName;
  timeLimit?: number;
  decode?: DecodeMode;
  samples: number;
  beamWidth: number;
  checkpoint?: string;
  json?: boolean;
}

export const scheduleCommand: CommandParts<ScheduleArgs> = {
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: modelSpecHelp(GRAPH_SPEC_KINDS) })
      .option('cores', { type: 'number', default: 4, describe: 'Pipeline stages, one per core (1-8)' })
      .option('target', { type: 'string', default: 'edgetpu', choices: Object.keys(PIPELINE_PRESETS), describe: 'Target preset' })
      .option('scheduler', { type: 'string', default: 'auto', choices: SCHEDULERS, describe: `auto (the better of learned and dp, then the exact MILP for ${AUTO_TIME_LIMIT_SECONDS} s to improve it and prove its gap), exact (HiGHS MILP until optimal or --time-limit), compiler (the Edge TPU compiler's --num_segments split), profiling (Coral's profiling-based partitioner, the simulator as profiler), dp (best contiguous cuts), learned (policy network)` })
      .option('decode', { type: 'string', choices: DECODE_MODES, describe: 'learned: greedy (default), sample (greedy plus --samples draws) or beam (beam search of --beam-width)' })
      .option('samples', { type: 'number', default: 0, describe: 'learned: sampled decodes besides the greedy one (implies --decode sample)' })
      .option('beam-width', { type: 'number', default: 4, describe: 'learned --decode beam: schedules kept per step' })
      .option('checkpoint', { type: 'string', describe: 'learned and auto: policy weights from this train-scheduler checkpoint instead of the shipped ones' })
      .option('time-limit', { type: 'number', describe: `Seconds the exact solver may take (default ${AUTO_TIME_LIMIT_SECONDS} with auto, ${EXACT_TIME_LIMIT_SECONDS} with exact); then it returns its best schedule and gap` })
      .example('$0 schedule densenet201 --cores 8', 'a good schedule in seconds, with what the exact solver proved about it')
      .example('$0 schedule densenet201 --cores 8 --scheduler exact --time-limit 300', 'the exact MILP, for up to five minutes') as never,
  handler: async (argv) => {
    const weights = argv.checkpoint === undefined ? undefined : readCheckpointWeights(argv.checkpoint);
    const graph = await loadModel(argv.model);
    let bar: ReturnType<typeof progressBar> | undefined;
    let result: ScheduleReport;
    try {
      result = await schedule(graph, {
        cores: argv.cores,
        target: argv.target,
        scheduler: argv.scheduler,
        ...(argv.timeLimit === undefined ? {} : { timeLimitSeconds: argv.timeLimit }),
        ...(argv.decode === undefined ? {} : { decode: argv.decode }),
        samples: argv.samples,
        beamWidth: argv.beamWidth,
        ...(weights ? { weights } : {}),
        onProgress: (e) => {
          if (e.step !== 'solve' || e.bestSeconds === undefined) return;
          bar ??= progressBar(`${argv.scheduler} on ${graph.name}: MILP seconds`, e.total, 'best {best} ms, proven ≥ {bound} ms');
          bar.update(e.done, { best: formatNumber(e.bestSeconds * 1e3), bound: formatNumber(e.boundSeconds! * 1e3) });
        },
      });
    } finally {
      bar?.stop();
    }
    const { target: _, ...shown } = result;
    report(argv, shown, (r) => asText(r));
  },
};

/** What the exact solver proved about the schedule, in words. */
function proof(r: Omit<ScheduleReport, 'target'>): string {
  const limit = r.timeLimitSeconds!;
  const start = r.startedFrom ? `started from the ${r.startedFrom} schedule, which it ${r.improvedByExact ? 'improved' : 'did not improve'}; ` : '';
  if (r.status === 'optimal') return `exact MILP: ${start}proved optimal in ${formatNumber(r.solveSeconds)} s`;
  const more = r.scheduler === 'auto' ? '; --scheduler exact searches longer (--time-limit S)' : '; a larger --time-limit may close the gap';
  return `exact MILP: ${start}after ${formatNumber(limit)} s (${r.status}) proved that no schedule has a bottleneck below ${formatNumber(r.lowerBoundSeconds! * 1e3)} ms (gap ${(r.optimalityGap! * 100).toFixed(1)}%)${more}`;
}

function asText(r: Omit<ScheduleReport, 'target'>): string {
  const ms = (s: number): string => formatNumber(s * 1e3);
  const rows = r.stages.map((s, i) => [
    i,
    s.nodes.length,
    formatNumber(s.paramBytes / (1024 * 1024)),
    ms(s.computeSeconds),
    ms(s.streamSeconds),
    ms(s.transferSeconds),
    ms(s.invocationSeconds),
    ms(s.totalSeconds),
  ]);
  const lines = [
    `${r.model}: ${r.nodes} nodes on ${r.cores} cores, scheduler ${r.scheduler}`,
    table(['stage', 'nodes', 'params MiB', 'compute ms', 'stream ms', 'transfer ms', 'invoke ms', 'total ms'], rows),
    `bottleneck ${ms(r.bottleneckSeconds)} ms · throughput ${formatNumber(r.throughputPerSecond)}/s · latency ${ms(r.latencySeconds)} ms · solved in ${formatNumber(r.solveSeconds)} s`,
  ];
  if (r.optimalityGap !== undefined) lines.push(proof(r));
  lines.push(...r.notes);
  return lines.join('\n');
}
