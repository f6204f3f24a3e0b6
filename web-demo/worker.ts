// The demo's Web Worker: runs one job (import, schedule, simulate, tune or run) off the page's thread,
// reports progress, renders the plots to SVG, and posts the report back. The page cancels a
// job by terminating the worker, which also stops a solver in the middle of a call.
import { importOnnx, infer, schedule, simulate, tune, type Graph, type ProgressEvent, type ScheduleReport, type SimulateReport, type TuneReport } from '../src/index.js';
import type { Job, ModelSource, RunInput, WorkerMessage } from './protocol.js';

const post = (message: WorkerMessage): void => postMessage(message);

/** The plot specs and vega load once a result is ready to draw: a task starts without them. */
const loadPlots = async () => {
  const [specs, { renderSvg }] = await Promise.all([import('../src/report/plots.js'), import('../src/report/vega.js')]);
  return { ...specs, renderSvg };
};
const onProgress = (event: ProgressEvent): void => post({ type: 'progress', ...event });

async function model(source: ModelSource): Promise<Graph | string> {
  if ('zoo' in source) return source.zoo;
  post({ type: 'progress', step: 'import', done: 0, total: 1 });
  return importOnnx(new Uint8Array(source.bytes), { source: source.source });
}

async function schedulePlots(report: ScheduleReport): Promise<string[]> {
  const memory = report.stages.map((s, i) => ({ stage: i, paramMiB: s.paramBytes / 2 ** 20 }));
  const { renderSvg, stageBars, stageMemorySpec, stageTimesSpec } = await loadPlots();
  return Promise.all([
    renderSvg(stageTimesSpec(`${report.model}: stage times (${report.scheduler})`, stageBars(report.stages))),
    renderSvg(stageMemorySpec('parameters per stage and on-chip memory', memory, report.target.onChipParamBytes / 2 ** 20)),
  ]);
}

/** Layers up to which a simulation gets its utilisation plot (one bar each). */
const MAX_PLOTTED_LAYERS = 120;

async function simulatePlots(report: SimulateReport): Promise<string[]> {
  if (report.layers.length > MAX_PLOTTED_LAYERS) return [];
  const c = report.config;
  const layers = report.layers.map((l) => ({ layer: l.name, utilization: l.overallUtilization }));
  const { renderSvg, utilizationSpec } = await loadPlots();
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
  const { lineChartSpec, renderSvg } = await loadPlots();
  return [await renderSvg(lineChartSpec({ title: `${report.model}: best ${unit} so far (${report.tuner})`, xTitle: 'trials', yTitle: `best ${unit}`, points }))];
}

// torchvision's ImageNet normalisation, per RGB channel.
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** An image as the model's NCHW float input: scaled to H×W, RGB, normalised. */
async function imageInput(image: Blob, shape: readonly number[]): Promise<Float32Array> {
  const [n, c, h, w] = shape as [number, number, number, number];
  if (shape.length !== 4 || n !== 1 || c !== 3) throw new Error(`an image needs a model input of shape [1, 3, H, W], not [${shape.join(', ')}]`);
  const bitmap = await createImageBitmap(image, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
  const canvas = new OffscreenCanvas(w, h);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, w, h).data;
  const out = new Float32Array(3 * h * w);
  for (let ch = 0; ch < 3; ch++) {
    for (let i = 0; i < h * w; i++) out[ch * h * w + i] = (pixels[i * 4 + ch]! / 255 - MEAN[ch]!) / STD[ch]!;
  }
  return out;
}

/** Inference in the worker: a dropped file with its weights, or a zoo model on the library's placeholder weights (timing only). */
async function run(source: ModelSource, input: RunInput, repeat: number, threads: number) {
  const model = 'zoo' in source ? source.zoo : new Uint8Array(source.bytes);
  const options = { repeat, threads, onProgress, ...('zoo' in source ? {} : { source: source.source }) };
  if ('seed' in input) return infer(model, { ...options, seed: input.seed });
  return infer(model, { ...options, input: (shape) => imageInput(input.image, shape) });
}

onmessage = async (event: MessageEvent<Job>) => {
  const job = event.data;
  const started = performance.now();
  try {
    if (job.task === 'run') {
      const { report } = await run(job.model, job.options.input, job.options.repeat, job.options.threads);
      post({ type: 'result', report: report as unknown as Record<string, unknown>, svgs: [], seconds: (performance.now() - started) / 1e3 });
      return;
    }
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
