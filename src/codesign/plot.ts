// The co-design trade-off plot: every accelerator a run evaluated, its best throughput against
// its PE count, coloured by its SRAM, the chosen one marked. A Vega-Lite spec (src/report/vega.ts renders it).
import type { TopLevelSpec } from 'vega-lite';
import { type Hardware, hardwareOf } from './problem.js';
import type { CodesignRun } from './run.js';

/** What the plot shows of a run: its strategy, each accelerator it evaluated with its best throughput, and the chosen one. */
export interface TradeoffRun {
  readonly strategy: string;
  readonly accelerators: readonly { readonly hardware: Hardware; readonly throughputPerSecond: number }[];
  readonly chosen?: Hardware;
}

/** A run's accelerators by name, its best the chosen one. */
export function tradeoffOf(run: CodesignRun): TradeoffRun {
  const accelerators = run.perHardware.map(({ hardware, throughputPerSecond }) => ({ hardware: hardwareOf(hardware), throughputPerSecond }));
  return { strategy: run.strategy, accelerators, ...(run.best ? { chosen: hardwareOf(run.best.config.hardware) } : {}) };
}

const sameHardware = (a: Hardware, b: Hardware | undefined): boolean =>
  b !== undefined && a.rows === b.rows && a.cols === b.cols && a.dataflow === b.dataflow && a.ifmapSramKiB === b.ifmapSramKiB && a.filterSramKiB === b.filterSramKiB && a.ofmapSramKiB === b.ofmapSramKiB && a.sparseRep === b.sparseRep;

export function tradeoffSpec(title: string, runs: readonly TradeoffRun[]): TopLevelSpec {
  const values = runs.flatMap((run) =>
    run.accelerators.map(({ hardware: h, throughputPerSecond }) => {
      const best = sameHardware(h, run.chosen);
      return {
        strategy: run.strategy, pes: h.rows * h.cols, sramKiB: h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB,
        throughput: throughputPerSecond, array: `${h.rows}x${h.cols} ${h.dataflow}${h.sparseRep ? ` ${h.sparseRep}` : ''}`, chosen: best ? 'best' : 'evaluated',
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
