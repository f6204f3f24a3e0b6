// The demo page: picks a model (zoo or a dropped ONNX file) and a target, runs the job in a Web
// Worker with a progress bar and a cancel button, and shows the result as a table and plots,
// with the report for download.
import { ZOO_ENTRIES as ZOO } from '../src/graph/zoo/entries.js';
import type { InferReport, ScheduleReport, SimulateReport, TuneReport } from '../src/index.js';
import type { Job, ModelSource, WorkerMessage } from './protocol.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const form = $<HTMLFormElement>('form');
const zoo = $<HTMLSelectElement>('zoo');
const size = $<HTMLInputElement>('size');
const fileInput = $<HTMLInputElement>('file');
const drop = $<HTMLDivElement>('drop');
const modelStatus = $<HTMLParagraphElement>('model-status');
const runButton = $<HTMLButtonElement>('run');
const cancelButton = $<HTMLButtonElement>('cancel');
const progress = $<HTMLProgressElement>('progress');
const status = $<HTMLSpanElement>('status');
const results = $<HTMLElement>('results');

let file: File | undefined;
let worker: Worker | undefined;
let lastReport: Record<string, unknown> | undefined;

for (const { name } of ZOO) zoo.add(new Option(name, name, name === 'mobilenetv2', name === 'mobilenetv2'));
/** The size field shows the model's own input size and is off for the conv sets, whose shapes are fixed. */
function showSize(): void {
  const entry = ZOO.find((e) => e.name === zoo.value);
  size.placeholder = entry?.size === undefined ? 'fixed' : String(entry.size);
  size.min = String(entry?.minSize ?? 1);
  size.disabled = entry?.size === undefined;
  if (size.disabled) size.value = '';
}
showSize();

/** A byte count in the unit that keeps it readable: 45.1 KiB, not 0.0 MiB. */
function formatBytes(bytes: number): string {
  if (bytes < 2 ** 10) return `${bytes} B`;
  if (bytes < 2 ** 20) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

// The zoo select stays enabled: picking a zoo model after a file drops the file.
function chooseFile(chosen: File | undefined): void {
  file = chosen;
  if (!file) fileInput.value = '';
  modelStatus.textContent = file ? `${file.name} (${formatBytes(file.size)}) — pick a zoo model to use it instead` : 'zoo model selected';
}
fileInput.addEventListener('change', () => chooseFile(fileInput.files?.[0]));
zoo.addEventListener('change', () => {
  showSize();
  chooseFile(undefined);
});
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  chooseFile(event.dataTransfer?.files[0]);
});

type Task = Job['task'];
const task = (): Task => (form.elements.namedItem('task') as RadioNodeList).value as Task;
form.addEventListener('change', () => {
  for (const t of ['schedule', 'simulate', 'tune', 'run'] as const) $(`${t}-options`).hidden = task() !== t;
});

async function job(): Promise<{ job: Job; transfer: Transferable[] }> {
  const model: ModelSource = file ? { bytes: await file.arrayBuffer(), source: file.name } : { zoo: size.value ? `${zoo.value}@${size.value}` : zoo.value };
  const transfer = 'bytes' in model ? [model.bytes] : [];
  if (task() === 'schedule') {
    const cores = Number($<HTMLInputElement>('cores').value);
    const scheduler = $<HTMLSelectElement>('scheduler').value as 'auto' | 'exact' | 'dp' | 'compiler' | 'profiling' | 'learned';
    return { job: { task: 'schedule', model, options: { cores, scheduler } }, transfer };
  }
  if (task() === 'run') {
    const image = $<HTMLInputElement>('image').files?.[0];
    const input = image ? { image } : { seed: Number($<HTMLInputElement>('seed').value) };
    const threads = Number($<HTMLInputElement>('threads').value);
    return { job: { task: 'run', model, options: { input, repeat: Number($<HTMLInputElement>('repeat').value), threads } }, transfer };
  }
  if (task() === 'tune') {
    const layer = $<HTMLInputElement>('layer').value;
    const options = {
      target: $<HTMLSelectElement>('tune-target').value,
      tuner: $<HTMLSelectElement>('tuner').value as 'autotvm',
      trials: Number($<HTMLInputElement>('trials').value),
      ...(layer === '' ? {} : { layer: Number(layer) }),
    };
    return { job: { task: 'tune', model, options }, transfer };
  }
  const dataflow = $<HTMLSelectElement>('dataflow').value;
  const options = { target: $<HTMLSelectElement>('systolic').value, ...(dataflow ? { dataflow: dataflow as 'os' } : {}) };
  return { job: { task: 'simulate', model, options }, transfer };
}

function setRunning(running: boolean): void {
  runButton.disabled = running;
  cancelButton.disabled = !running;
  document.body.dataset.state = running ? 'running' : 'idle';
}

function stop(message: string, state: string): void {
  worker?.terminate();
  worker = undefined;
  setRunning(false);
  // An indeterminate bar (no value) animates for ever: a run that ended must leave it still.
  if (!progress.hasAttribute('value')) progress.value = state === 'done' ? 1 : 0;
  status.textContent = message;
  document.body.dataset.state = state;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (worker) return;
  setRunning(true);
  results.hidden = true;
  progress.value = 0;
  status.textContent = 'starting…';
  const { job: next, transfer } = await job();
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (message: MessageEvent<WorkerMessage>) => {
    const m = message.data;
    if (m.type === 'progress') {
      // Steps without a measurable fraction (the exact solver) show an indeterminate bar.
      if (m.step === 'solve' || m.step === 'import' || m.step === 'plots') progress.removeAttribute('value');
      else progress.value = m.total > 0 ? m.done / m.total : 0;
      status.textContent = m.total > 1 ? `${m.step} ${m.done}/${m.total}` : `${m.step}…`;
    } else if (m.type === 'error') {
      stop(m.message, 'error');
    } else {
      progress.value = 1;
      show(next.task, m.report, m.svgs);
      stop(`done in ${m.seconds.toFixed(2)} s`, 'done');
    }
  };
  worker.onerror = (error) => stop(`worker failed: ${error.message}`, 'error');
  worker.postMessage(next, transfer);
});

cancelButton.addEventListener('click', () => {
  progress.value = 0;
  stop('cancelled', 'cancelled');
});

/** Integers and figures of 1000 or more with thousands separators, others to `digits` significant digits. */
const fmt = (x: number, digits = 4): string => (Math.abs(x) >= 1000 || x === Math.round(x) ? Math.round(x).toLocaleString('en-US') : x.toPrecision(digits));

function fillTable(head: string[], rows: (string | number)[][]): void {
  const table = $<HTMLTableElement>('table');
  table.tHead!.replaceChildren(row(head, 'th'));
  table.tBodies[0]!.replaceChildren(...rows.map((r) => row(r.map((c) => (typeof c === 'number' ? fmt(c) : c)), 'td')));
}

function row(cells: string[], tag: 'th' | 'td'): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const cell = document.createElement(tag);
    cell.textContent = text;
    tr.append(cell);
  }
  return tr;
}

/** Rows shown of a simulation; the downloaded report has them all. */
const MAX_ROWS = 400;

function show(kind: Task, report: Record<string, unknown>, svgs: string[]): void {
  lastReport = report;
  results.hidden = false;
  const ms = (s: number): number => s * 1e3;
  if (kind === 'schedule') {
    const r = report as unknown as ScheduleReport;
    $('summary').textContent = `${r.model}: ${r.nodes} nodes on ${r.cores} cores (${r.scheduler} scheduler)`;
    $('totals').textContent =
      `bottleneck ${fmt(ms(r.bottleneckSeconds), 6)} ms · throughput ${fmt(r.throughputPerSecond, 6)}/s · latency ${fmt(ms(r.latencySeconds), 6)} ms` +
      (r.optimalityGap !== undefined ? ` · optimality gap ${(r.optimalityGap * 100).toFixed(4)}% (${r.status})` : '');
    fillTable(
      ['stage', 'nodes', 'params MiB', 'compute ms', 'stream ms', 'transfer ms', 'total ms'],
      r.stages.map((s, i) => [i, s.nodes.length, s.paramBytes / 2 ** 20, ms(s.computeSeconds), ms(s.streamSeconds), ms(s.transferSeconds), ms(s.totalSeconds)]),
    );
  } else if (kind === 'run') {
    const r = report as unknown as InferReport;
    const out = r.outputs[0]!;
    $('summary').textContent = `${r.model}: ${out.name} [${out.shape.join(', ')}], top-5`;
    $('totals').textContent =
      `median ${fmt(r.medianMs)} ms · min ${fmt(r.minMs)} ms over ${r.runs} runs · created in ${fmt(r.createMs)} ms · ` +
      `arena ${fmt(r.peakArenaBytes / 2 ** 20, 3)} MiB · ${r.flavour} core · ${r.threads} thread${r.threads > 1 ? 's' : ''}${r.inputs[0]?.random ? ' · random input' : ''}`;
    fillTable(['rank', 'index', 'value'], out.top5.map((t, i) => [i + 1, t.index, t.value]));
  } else if (kind === 'tune') {
    const r = report as unknown as TuneReport;
    $('summary').textContent = `${r.model}: ${r.layers.length} layer${r.layers.length === 1 ? '' : 's'} tuned on ${r.target} (${r.tuner})`;
    $('totals').textContent = `${r.records.length} measurements; the downloaded report holds every record, to resume from`;
    fillTable(
      ['layer', 'shape', 'trials', 'default', 'best', 'best figure', 'unit'],
      r.layers.map((l) => [l.layer, l.shape, l.trials, l.defaultCost ?? 'failed', l.bestCost ?? 'none', l.bestFigure ?? 'none', l.unit]),
    );
  } else {
    const r = report as unknown as SimulateReport;
    const c = r.config;
    $('summary').textContent = `${r.model}: ${r.layers.length} layers on a ${c.rows}×${c.cols} array, ${c.dataflow.toUpperCase()} dataflow`;
    $('totals').textContent =
      `${fmt(r.totals.totalCycles)} cycles (${fmt(r.totals.stallCycles)} stalls) · utilisation ${r.totals.overallUtilization.toFixed(2)}% · energy ${fmt(r.totals.energyPJ / 1e6)} µJ` +
      (r.layers.length > MAX_ROWS ? ` · table shows the first ${MAX_ROWS} layers` : '') +
      (svgs.length === 0 ? ' · too many layers to plot' : '');
    fillTable(
      ['layer', 'cycles', 'stalls', 'util %', 'map eff %', 'SRAM reads', 'DRAM reads', 'energy µJ'],
      r.layers.slice(0, MAX_ROWS).map((l) => [l.name, l.totalCycles, l.stallCycles, l.overallUtilization, l.mappingEfficiency, l.sramReads.ifmap + l.sramReads.filter, l.dramReads.ifmap + l.dramReads.filter, l.energy.totalPJ / 1e6]),
    );
  }
  const plots = $('plots');
  plots.replaceChildren(
    ...svgs.map((svg) => {
      const figure = document.createElement('figure');
      figure.innerHTML = svg; // SVG rendered by vega from our own spec, not user text
      return figure;
    }),
  );
}

$('download').addEventListener('click', () => {
  if (!lastReport) return;
  const blob = new Blob([`${JSON.stringify(lastReport, null, 1)}\n`], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `mapwise-${String(lastReport.model ?? 'report').replace(/[^\w.-]+/g, '_')}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
});
