// The report of a host compilation: tuned kernels against their default schedules.
import type { HostCompilation } from '../compile/host.js';
import type { Graph } from '../graph/types.js';
import { markdownTable } from './markdown.js';
import type { ReportParts } from './pipeline.js';
import { lineChartSpec } from './plots.js';

export function hostReport(graph: Graph, compilation: HostCompilation): ReportParts {
  const gflops = (flops: number, seconds: number | null): number | null => (seconds ? flops / seconds / 1e9 : null);
  const rows = compilation.layers.map((l) => [
    l.layer,
    l.shape,
    l.nodes,
    gflops(l.flops, l.defaultSeconds),
    gflops(l.flops, l.bestSeconds),
    l.defaultSeconds && l.bestSeconds ? l.defaultSeconds / l.bestSeconds : null,
    l.trials,
    l.tuningSeconds,
  ]);
  const speedup = compilation.tunedSeconds > 0 ? compilation.defaultSeconds / compilation.tunedSeconds : null;
  const markdown = [
    `# ${graph.name} on this machine (WebAssembly kernels)`,
    '',
    `mapwise tuned the ${compilation.layers.length} heaviest distinct layers of ${graph.name} with the **${compilation.tuner}** tuner${compilation.transfer ? ' (each layer\'s cost model starting from the layers tuned before it)' : ''}, measuring every candidate for real.` +
      (speedup ? ` Those layers take ${(compilation.defaultSeconds * 1e3).toFixed(2)} ms with default schedules and ${(compilation.tunedSeconds * 1e3).toFixed(2)} ms tuned (${speedup.toFixed(2)}×).` : '') +
      (compilation.interrupted ? ' The run was interrupted; resume it with `--resume`.' : ''),
    '',
    endToEndLine(graph, compilation),
    '',
    markdownTable(['layer', 'shape', 'nodes', 'default GFLOP/s', 'tuned GFLOP/s', 'speed-up', 'trials', 'tuning s'], rows),
    '',
    '![best so far against measurements](tuning-trials.svg)',
    '',
    '![best so far against time](tuning-seconds.svg)',
    '',
  ].join('\n');
  const points = (x: 'trial' | 'seconds') =>
    compilation.layers.flatMap((l) => l.history.filter((h) => Number.isFinite(h.bestCost)).map((h) => ({ series: l.layer, x: h[x], y: l.flops / h.bestCost / 1e9 })));
  return {
    markdown,
    plots: {
      'tuning-trials.svg': lineChartSpec({ title: `${graph.name}: best schedule so far`, xTitle: 'measurements', yTitle: 'GFLOP/s', points: points('trial') }),
      'tuning-seconds.svg': lineChartSpec({ title: `${graph.name}: best schedule so far`, xTitle: 'tuning time (s)', yTitle: 'GFLOP/s', points: points('seconds') }),
    },
  };
}

function endToEndLine(graph: Graph, compilation: HostCompilation): string {
  const e = compilation.endToEnd;
  if ('error' in e) return `The whole network could not run in the runtime: ${e.error}`;
  return `The whole network (mapwise's runtime, median of ${e.rounds} interleaved runs) takes **${e.defaultMs.toFixed(2)} ms** with default schedules and ` +
    `**${e.tunedMs.toFixed(2)} ms** with the tuned ones (${(e.defaultMs / e.tunedMs).toFixed(2)}×, ${e.tunedLayers.length} conv layers tuned). ` +
    'Run it with `mapwise run MODEL.onnx --records records.jsonl`.';
}
