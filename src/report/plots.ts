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

export interface StageBar {
  stage: number;
  computeMs: number;
  streamMs: number;
  /** Tensors over the host link, the input image included (in the stage that reads it). */
  transferMs: number;
  invocationMs: number;
}

/** The bars of a schedule's stages (seconds → ms), as every report and the demo draw them. */
export function stageBars(stages: readonly { computeSeconds: number; streamSeconds: number; transferSeconds: number; invocationSeconds: number }[]): StageBar[] {
  return stages.map((s, stage) => ({ stage, computeMs: s.computeSeconds * 1e3, streamMs: s.streamSeconds * 1e3, transferMs: s.transferSeconds * 1e3, invocationMs: s.invocationSeconds * 1e3 }));
}

const STAGE_PARTS = ['compute', 'parameter streaming', 'transfer (input image included)', 'invocation'];

/** Pipeline stages as stacked bars of compute, parameter streaming, transfer and invocation time. */
export function stageTimesSpec(title: string, stages: readonly StageBar[]): TopLevelSpec {
  const values = stages.flatMap((s) => [s.computeMs, s.streamMs, s.transferMs, s.invocationMs].map((ms, i) => ({ stage: `stage ${s.stage}`, part: STAGE_PARTS[i], ms })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 360,
    height: 260,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'stage', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } },
      y: { field: 'ms', type: 'quantitative', title: 'time per inference (ms)', stack: 'zero' },
      color: { field: 'part', type: 'nominal', title: null, sort: STAGE_PARTS },
    },
  };
}

/** Parameter bytes of each stage against the on-chip memory of a core (the red rule). */
export function stageMemorySpec(title: string, stages: readonly { stage: number; paramMiB: number }[], onChipMiB: number): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 360,
    height: 260,
    layer: [
      {
        data: { values: stages.map((s) => ({ stage: `stage ${s.stage}`, paramMiB: s.paramMiB })) },
        mark: 'bar',
        encoding: {
          x: { field: 'stage', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } },
          y: { field: 'paramMiB', type: 'quantitative', title: 'parameters (MiB)' },
        },
      },
      {
        data: { values: [{ onChipMiB, label: `on-chip memory ${onChipMiB} MiB` }] },
        layer: [
          { mark: { type: 'rule', color: 'red', strokeWidth: 2 }, encoding: { y: { field: 'onChipMiB', type: 'quantitative' } } },
          // Right of the plot area, so that no bar can sit under it.
          { mark: { type: 'text', color: 'red', align: 'left', baseline: 'middle', dx: 4, x: 'width' }, encoding: { y: { field: 'onChipMiB', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
    ],
  };
}

/**
 * Short names that still tell layers apart: ONNX node names are paths
 * (`/features/features.1/features.1.0/block/block.0/Conv`). A segment that only prefixes the next
 * (`features` before `features.1`) is dropped, then each name keeps the fewest trailing segments
 * that no other name ends with (`features.1.0/block.0/Conv`). Names that are not paths stay as
 * they are; names equal in full stay equal.
 */
export function shortLabels(names: readonly string[]): string[] {
  const segments = names.map((name) => {
    const parts = name.split('/').filter((p) => p !== '');
    return parts.filter((p, i) => !(parts[i + 1]?.startsWith(`${p}.`) ?? false));
  });
  const keep = segments.map(() => 1);
  const label = (i: number): string => segments[i]!.slice(-keep[i]!).join('/') || names[i]!;
  for (let changed = true; changed; ) {
    changed = false;
    const byLabel = new Map<string, number[]>();
    names.forEach((_, i) => byLabel.set(label(i), [...(byLabel.get(label(i)) ?? []), i]));
    for (const group of byLabel.values()) {
      if (group.length < 2) continue;
      for (const i of group) {
        if (keep[i]! < segments[i]!.length) {
          keep[i]!++;
          changed = true;
        }
      }
    }
  }
  return names.map((_, i) => label(i));
}

/** One bar per layer: the array's utilisation (percent of PE-cycles doing MACs). */
export function utilizationSpec(title: string, layers: readonly { layer: string; utilization: number }[]): TopLevelSpec {
  const labels = shortLabels(layers.map((l) => l.layer));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: Math.max(240, 14 * layers.length),
    height: 220,
    data: { values: layers.map((l, i) => ({ ...l, label: labels[i]! })) },
    mark: 'bar',
    encoding: {
      x: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelAngle: -60, labelLimit: 0 } },
      y: { field: 'utilization', type: 'quantitative', title: 'utilisation (%)', scale: { domain: [0, 100] } },
    },
  };
}
