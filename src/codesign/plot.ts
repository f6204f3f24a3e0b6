// The co-design trade-off plot: every accelerator a run evaluated, its best throughput against
// its PE count, coloured by its SRAM, the chosen one marked. A Vega-Lite spec (src/report/vega.ts renders it).
import type { TopLevelSpec } from 'vega-lite';
import { type Hardware, hardwareOf } from './problem.js';
import type { CodesignRun } from './run.js';

export function tradeoffSpec(title: string, runs: readonly CodesignRun[]): TopLevelSpec {
  const values = runs.flatMap((run) =>
    run.perHardware.map(({ hardware, throughputPerSecond }) => {
      const h: Hardware = hardwareOf(hardware);
      const best = run.best !== undefined && run.best.config.hardware.join(',') === hardware.join(',');
      return {
        strategy: run.strategy, pes: h.rows * h.cols, sramKiB: h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB,
        throughput: throughputPerSecond, array: `${h.rows}x${h.cols} ${h.dataflow}`, chosen: best ? 'best' : 'evaluated',
      };
    }),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 320,
    data: { values },
    mark: { type: 'point', filled: true, opacity: 0.7 },
    encoding: {
      x: { field: 'pes', type: 'quantitative', title: 'processing elements', scale: { type: 'log', base: 2 } },
      y: { field: 'throughput', type: 'quantitative', title: 'inferences per second' },
      color: { field: 'sramKiB', type: 'quantitative', title: 'SRAM KiB', legend: { format: 'd' } }, // whole KiB: '192', not '192.000000'
      shape: { field: 'strategy', type: 'nominal' },
      size: { field: 'chosen', type: 'ordinal', scale: { domain: ['evaluated', 'best'], range: [30, 200] }, title: null },
      tooltip: [{ field: 'array' }, { field: 'sramKiB' }, { field: 'throughput' }],
    },
  };
}
