// The plots mapwise reports, as Vega-Lite specs (rendered by ./vega.ts).
import type { TopLevelSpec } from 'vega-lite';

export interface SeriesPoint {
  series: string;
  x: number;
  y: number;
}

export interface LineChart {
  title: string;
  xTitle: string;
  yTitle: string;
  points: readonly SeriesPoint[];
  /** Log scale on x (wide time ranges). */
  logX?: boolean;
}

/** One line per series, e.g. best-so-far cost against trials for each tuner. */
export function lineChartSpec(chart: LineChart): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chart.title,
    width: 480,
    height: 300,
    data: { values: chart.points.map((p) => ({ ...p })) },
    mark: { type: 'line', interpolate: 'step-after', point: false },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: chart.xTitle, scale: chart.logX ? { type: 'log' } : { zero: false } },
      y: { field: 'y', type: 'quantitative', title: chart.yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}
