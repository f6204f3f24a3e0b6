// The report of a pipeline compilation: Markdown, plot specs, and the JSON form.
import type { PipelineCompilation } from '../compile/pipeline.js';
import type { Graph } from '../graph/types.js';
import type { TopLevelSpec } from 'vega-lite';
import { markdownTable } from './markdown.js';
import { stageBars, stageMemorySpec, stageTimesSpec } from './plots.js';

const MiB = 1024 * 1024;

export interface ReportParts {
  markdown: string;
  /** File name → Vega-Lite spec, rendered to SVG beside the report. */
  plots: Record<string, TopLevelSpec>;
}

export function pipelineReport(graph: Graph, compilation: PipelineCompilation): ReportParts {
  const { target, outcomes, chosen, comparison } = compilation;
  const kept = outcomes.find((o) => o.scheduler === chosen)!.result!;
  const ms = (s: number): number => s * 1e3;
  const rows = outcomes.map((o) =>
    o.result
      ? [o.scheduler, ms(o.result.bottleneckSeconds), o.result.throughputPerSecond, ms(o.result.latencySeconds), o.result.solveSeconds, o.result.optimalityGap === undefined ? (o.result.status ?? '') : `gap ${(o.result.optimalityGap * 100).toFixed(3)}% (${o.result.status})`]
      : [o.scheduler, null, null, null, null, `failed: ${o.error}`],
  );
  const stageRows = kept.stages.map((s, i) => [i, s.nodes.length, s.paramBytes / MiB, ms(s.computeSeconds), ms(s.streamSeconds), ms(s.transferSeconds), ms(s.invocationSeconds), ms(s.totalSeconds)]);
  const pct = (x: number | null): string => (x === null ? 'not available' : `${(x * 100).toFixed(2)}%`);
  const times = (x: number | null): string => (x === null ? 'not available' : `${x.toFixed(2)}×`);
  const markdown = [
    `# ${graph.name} on ${target.cores} Edge-TPU-like cores`,
    '',
    `mapwise split the ${kept.nodes} nodes of the graph the device runs (${graph.nodes.length} as given; BatchNorm folded, activations fused) into ${target.cores} pipeline stages (on-chip parameter cache ${target.onChipParamBytes / MiB} MiB per core, host link ${target.hostLinkBytesPerSecond / 1e6} MB/s, ${target.paramBytesPerWeight} byte(s) per weight, ${ms(target.invocationSeconds).toFixed(3)} ms per invocation). The **${chosen}** schedule is kept: bottleneck ${ms(kept.bottleneckSeconds).toFixed(3)} ms, ${kept.throughputPerSecond.toFixed(1)} inferences/s, latency ${ms(kept.latencySeconds).toFixed(3)} ms.`,
    '',
    '## Schedulers compared',
    '',
    markdownTable(['scheduler', 'bottleneck ms', 'inferences/s', 'latency ms', 'solve s', 'notes'], rows),
    '',
    `- Speed-up of the kept schedule over the Edge TPU compiler's --num_segments split: ${times(comparison.speedupVsCompiler)}`,
    `- Speed-up of the kept schedule over Coral's profiling-based partitioner: ${times(comparison.speedupVsProfiling)}`,
    `- Learned scheduler's gap to the exact optimum (or to the solver's bound): ${pct(comparison.learnedGapToExact)}`,
    `- Learned scheduler's speed over the exact solver: ${times(comparison.learnedSpeedupVsExact)}`,
    '',
    `## Stages of the ${chosen} schedule`,
    '',
    markdownTable(['stage', 'nodes', 'params MiB', 'compute ms', 'stream ms', 'transfer ms', 'invocation ms', 'total ms'], stageRows),
    '',
    ...kept.notes.map((n) => `- ${n}`),
    '',
    '![stage times](stages.svg)',
    '',
    '![parameters per stage against on-chip memory](stage-memory.svg)',
    '',
  ].join('\n');
  return {
    markdown,
    plots: {
      'stages.svg': stageTimesSpec(`${graph.name}: ${chosen} schedule`, stageBars(kept.stages)),
      'stage-memory.svg': stageMemorySpec(`${graph.name}: parameters per stage`, kept.stages.map((s, i) => ({ stage: i, paramMiB: s.paramBytes / MiB })), target.onChipParamBytes / MiB),
    },
  };
}
