// The demo's Web Worker: runs one job (import, schedule or simulate) off the page's thread,
// reports progress, renders the plots to SVG, and posts the report back. The page cancels a
// job by terminating the worker, which also stops a solver in the middle of a call.
import { importOnnx, schedule, simulate, tune, type Graph, type ProgressEvent, type ScheduleReport, type SimulateReport, type TuneReport } from '../src/index.js';
import { lineChartSpec, stageMemorySpec, stageTimesSpec, utilizationSpec } from '../src/report/plots.js';
import { renderSvg } from '../src/report/vega.js';
import type { Job, ModelSource, WorkerMessage } from './protocol.js';

const post = (message: WorkerMessage): void => postMessage(message);
const onProgress = (event: ProgressEvent): void => post({ type: 'progress', ...event });

async function model(source: ModelSource): Promise<Graph | string> {
  if ('zoo' in source) return source.zoo;
  post({ type: 'progress', step: 'import', done: 0, total: 1 });
  return importOnnx(new Uint8Array(source.bytes), { source: source.source });
}

async function schedulePlots(report: ScheduleReport): Promise<string[]> {
  const ms = (s: number): number => s * 1e3;
  const stages = report.stages.map((s, i) => ({ stage: i, computeMs: ms(s.computeSeconds), streamMs: ms(s.streamSeconds), transferMs: ms(s.transferSeconds) }));
  const memory = report.stages.map((s, i) => ({ stage: i, paramMiB: s.paramBytes / 2 ** 20 }));
  return Promise.all([
    renderSvg(stageTimesSpec(`${report.model}: stage times (${report.scheduler})`, stages)),
    renderSvg(stageMemorySpec('parameters per stage and on-chip memory', memory, report.target.onChipParamBytes / 2 ** 20)),
  ]);
}

/** Layers up to which a simulation gets its utilisation plot (one bar each). */
const MAX_PLOTTED_LAYERS = 120;

async function simulatePlots(report: SimulateReport): Promise<string[]> {
  if (report.layers.length > MAX_PLOTTED_LAYERS) return [];
  const c = report.config;
  const layers = report.layers.map((l) => ({ layer: l.name, utilization: l.overallUtilization }));
  return [await renderSvg(utilizationSpec(`${report.model}: utilisation per layer, ${c.rows}×${c.cols} ${c.dataflow.toUpperCase()}`, layers))];
}

/** Best cost so far against trials, one line per tuned layer. */
async function tunePlots(report: TuneReport): Promise<string[]> {
  const best = new Map<string, number>();
  const count = new Map<string, number>();
  const points: { series: string; x: number; y: number }[] = [];
  for (const record of report.records) {
    const costs = record.result.errorCode === 0 ? [...record.result.costs].sort((a, b) => a - b) : [];
    const cost = costs.length > 0 ? costs[costs.length >> 1]! : Infinity;
    const n = (count.get(record.workload) ?? 0) + 1;
    count.set(record.workload, n);
    const b = Math.min(best.get(record.workload) ?? Infinity, cost);
    best.set(record.workload, b);
    if (Number.isFinite(b)) points.push({ series: report.layers.find((l) => l.workload === record.workload)?.layer ?? record.workload, x: n, y: b });
  }
  const unit = report.target === 'host' ? 'seconds' : 'cycles';
  return [await renderSvg(lineChartSpec({ title: `${report.model}: best ${unit} so far (${report.tuner})`, xTitle: 'trials', yTitle: `best ${unit}`, points }))];
}

onmessage = async (event: MessageEvent<Job>) => {
  const job = event.data;
  const started = performance.now();
  try {
    const input = await model(job.model);
    if (job.task === 'schedule') {
      const report = await schedule(input, { ...job.options, onProgress });
      post({ type: 'progress', step: 'plots', done: 0, total: 1 });
      const svgs = await schedulePlots(report);
      post({ type: 'result', report: report as unknown as Record<string, unknown>, svgs, seconds: (performance.now() - started) / 1e3 });
    } else if (job.task === 'tune') {
      const report = await tune(input, { ...job.options, onProgress });
      post({ type: 'progress', step: 'plots', done: 0, total: 1 });
      const svgs = await tunePlots(report);
      post({ type: 'result', report: report as unknown as Record<string, unknown>, svgs, seconds: (performance.now() - started) / 1e3 });
    } else {
      const report = await simulate(input, { ...job.options, onProgress });
      post({ type: 'progress', step: 'plots', done: 0, total: 1 });
      const svgs = await simulatePlots(report);
      post({ type: 'result', report: report as unknown as Record<string, unknown>, svgs, seconds: (performance.now() - started) / 1e3 });
    }
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
};
