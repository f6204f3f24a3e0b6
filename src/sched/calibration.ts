// The Edge TPU presets against Coral's published latencies: the table, the fit of the five
// constants (scripts/fit-edgetpu.js writes them to src/hw/generated/edgetpu-fit.ts) and the
// predicted-vs-published report.
//
// One core's latency is linear in the five constants (see problem.ts):
//   t = invocationSeconds + vectorElementSeconds · vectorElements + convSeconds / convUtilisation
//       + lowReuseSeconds / lowReuseUtilisation + linkBytes / hostLinkBytesPerSecond
// (convSeconds, lowReuseSeconds: array MACs at the peak; vectorElements: outputs of layers
// without MACs; linkBytes: parameters beyond the cache, the input image and the outputs).
// Writing 1/utilisation = 1 + w and 1/link = 1/LINK_CEILING + q with w, q ≥ 0 keeps every
// utilisation at most 1 and the link no faster than its physical ceiling, so the fit is a
// non-negative least squares problem in (invocationSeconds, vectorElementSeconds, wConv,
// wLowReuse, q) on the relative errors.
import type { Graph } from '../graph/index.js';
import { deploymentGraph, zooEntry, zooModel } from '../graph/index.js';
import { macsPerSecond, type PipelineTarget } from '../hw/pipeline.js';
import { scheduleNodesOf } from './from-graph.js';

export type CalibrationColumn = 'usb' | 'devboard';

export interface PublishedRow {
  /** As Coral's table names it. */
  readonly label: string;
  /** Published milliseconds per inference: USB Accelerator on a desktop host, and Dev Board. */
  readonly usbMs: number;
  readonly devboardMs: number;
  /** The zoo model and input size that build it, if the zoo has the network. */
  readonly model?: string;
  readonly size?: number;
  /** How our model differs from Coral's, or why the row is not built. */
  readonly note?: string;
  /** Why the fit leaves the row out (it is still reported and counted in the summary). */
  readonly notFitted?: string;
}

/** coral.ai/docs/edgetpu/benchmarks, Table 1 "Time per inference, in milliseconds" (C++ benchmark, model execution only). */
export const CORAL_TABLE: readonly PublishedRow[] = [
  { label: 'DenseNet (224x224)', usbMs: 20, devboardMs: 25, model: 'densenet121', size: 224 },
  { label: 'Inception v1 (224x224)', usbMs: 3.4, devboardMs: 4.1, model: 'googlenet', size: 224 },
  { label: 'Inception v4 (299x299)', usbMs: 85, devboardMs: 102, model: 'inceptionv4', size: 299 },
  {
    label: 'Inception-ResNet V2 (299x299)', usbMs: 57, devboardMs: 69, model: 'inceptionresnetv2', size: 299,
    notFitted: 'below what the link allows: our graph is Keras\' (55.81 M parameters, 13.16 GMACs), and its int8 parameters beyond the 7 MiB cache, 48.5 MB, take ≥ 97 ms at the 500 MB/s ceiling of USB 3.0 and PCIe Gen2 ×1 alone, against 57 and 69 ms published (Inception v4, 42.7 M parameters: 85 and 102 ms); the table\'s desktop-CPU column (753 ms, ×1.076 Inception v4\'s 700, as the MACs ×1.074) agrees with the architecture, so Coral\'s model must stream fewer parameters than Keras\' has',
  },
  { label: 'MobileNet v1 (224x224)', usbMs: 2.4, devboardMs: 2.4, model: 'mobilenet', size: 224 },
  { label: 'MobileNet v2 (224x224)', usbMs: 2.6, devboardMs: 2.6, model: 'mobilenetv2', size: 224 },
  { label: 'MobileNet v1 SSD (224x224)', usbMs: 6.5, devboardMs: 11, note: 'no SSD detection head in the zoo' },
  { label: 'MobileNet v2 SSD (224x224)', usbMs: 7.2, devboardMs: 14, note: 'no SSD detection head in the zoo' },
  { label: 'ResNet-50 V1 (299x299)', usbMs: 49, devboardMs: 56, model: 'resnet50', size: 299, note: 'torchvision v1.5 (stride on the 3x3 conv), same parameters' },
  { label: 'ResNet-50 V2 (299x299)', usbMs: 50, devboardMs: 59, model: 'resnet50v2', size: 299 },
  { label: 'ResNet-152 V2 (299x299)', usbMs: 128, devboardMs: 151, model: 'resnet152v2', size: 299 },
  { label: 'SqueezeNet (224x224)', usbMs: 2.1, devboardMs: 2, model: 'squeezenet11', size: 224, note: 'SqueezeNet 1.1' },
  { label: 'VGG16 (224x224)', usbMs: 296, devboardMs: 343, model: 'vgg16', size: 224 },
  { label: 'VGG19 (224x224)', usbMs: 308, devboardMs: 357, model: 'vgg19', size: 224 },
  { label: 'EfficientNet-EdgeTpu-S', usbMs: 5.1, devboardMs: 5.5, model: 'efficientnetedgetpus', size: 224 },
  { label: 'EfficientNet-EdgeTpu-M', usbMs: 8.7, devboardMs: 10.6, model: 'efficientnetedgetpum', size: 240 },
  { label: 'DeepLab V3 (513x513)', usbMs: 52, devboardMs: 241, note: 'no DeepLab in the zoo' },
  { label: 'Unet Mv2 (128x128)', usbMs: 3.3, devboardMs: 5.7, note: 'no U-Net in the zoo' },
];

/** The fitted fields of a preset. */
export interface FittedConstants {
  readonly invocationSeconds: number;
  readonly vectorElementSeconds: number;
  readonly convUtilisation: number;
  readonly lowReuseUtilisation: number;
  readonly hostLinkBytesPerSecond: number;
}

/** One core's latency as the five constants' coefficients. */
export interface LatencyTerms {
  /** Output elements of the layers without MACs. */
  readonly vectorElements: number;
  /** Seconds of standard convolutions and of low-reuse layers at the array's peak. */
  readonly convSeconds: number;
  readonly lowReuseSeconds: number;
  /** Bytes over the host link: parameters beyond the cache, graph inputs and outputs. */
  readonly linkBytes: number;
}

/** The terms of `graph`'s single-core latency on the chip of `target` (its array, cache and bytes per weight). */
export function latencyTerms(graph: Graph, target: PipelineTarget): LatencyTerms {
  const nodes = scheduleNodesOf(deploymentGraph(graph));
  const peak = macsPerSecond(target);
  const bpw = target.paramBytesPerWeight;
  const read = new Set(nodes.flatMap((n) => n.preds));
  let convSeconds = 0;
  let lowReuseSeconds = 0;
  let params = 0;
  let io = 0;
  let vectorElements = 0;
  nodes.forEach((n, v) => {
    const seconds = (n.arrayMacs ?? n.macs) / peak;
    if (n.macs === 0) vectorElements += n.outputElements;
    else if (n.lowReuse) lowReuseSeconds += seconds;
    else convSeconds += seconds;
    params += n.paramCount * bpw;
    io += (n.hostInputElements ?? 0) * bpw + (read.has(v) ? 0 : n.outputElements * bpw);
  });
  return { vectorElements, convSeconds, lowReuseSeconds, linkBytes: Math.max(0, params - target.onChipParamBytes) + io };
}

export function predictSeconds(terms: LatencyTerms, c: FittedConstants): number {
  return c.invocationSeconds + c.vectorElementSeconds * terms.vectorElements + terms.convSeconds / c.convUtilisation
    + terms.lowReuseSeconds / c.lowReuseUtilisation + terms.linkBytes / c.hostLinkBytesPerSecond;
}

/**
 * The host link's ceiling, bytes per second: USB 3.0 (5 Gb/s) and PCIe Gen2 ×1 (5 GT/s) both carry
 * at most 500 MB/s after 8b/10b coding.
 */
export const LINK_CEILING_BYTES_PER_SECOND = 500e6;

/**
 * The constants minimising Σ ((predicted − published) / published)² with every constant ≥ 0,
 * every utilisation ≤ 1 and the link within its ceiling: non-negative least squares, solved
 * exactly by trying every set of free variables (2⁵ small systems), so the fit is deterministic.
 */
export function fitConstants(rows: readonly { terms: LatencyTerms; publishedSeconds: number }[]): FittedConstants {
  if (rows.length < 5) throw new RangeError(`edgetpu fit: ${rows.length} rows for 5 constants`);
  // Row r: Σ_j a[r][j] x[j] ≈ b[r], scaled by 1/published; the fixed parts (utilisation 1, the
  // link at its ceiling) move to b.
  const a = rows.map(({ terms: t, publishedSeconds: p }) => [1, t.vectorElements, t.convSeconds, t.lowReuseSeconds, t.linkBytes].map((x) => x / p));
  const b = rows.map(({ terms: t, publishedSeconds: p }) => 1 - (t.convSeconds + t.lowReuseSeconds + t.linkBytes / LINK_CEILING_BYTES_PER_SECOND) / p);
  let best: { x: number[]; residual: number } | undefined;
  for (let mask = 0; mask < 32; mask++) {
    const free = [0, 1, 2, 3, 4].filter((j) => mask & (1 << j));
    const solved = leastSquares(a.map((row) => free.map((j) => row[j]!)), b);
    if (!solved || solved.some((x) => x < 0)) continue;
    const x = [0, 0, 0, 0, 0];
    free.forEach((j, i) => (x[j] = solved[i]!));
    const residual = a.reduce((sum, row, r) => sum + (row.reduce((s, v, j) => s + v * x[j]!, 0) - b[r]!) ** 2, 0);
    if (!best || residual < best.residual - 1e-15) best = { x, residual };
  }
  if (!best) throw new RangeError('edgetpu fit: the rows admit no fit');
  const [invocationSeconds, vectorElementSeconds, wConv, wLow, q] = best.x as [number, number, number, number, number];
  return {
    invocationSeconds, vectorElementSeconds, convUtilisation: 1 / (1 + wConv), lowReuseUtilisation: 1 / (1 + wLow),
    hostLinkBytesPerSecond: 1 / (1 / LINK_CEILING_BYTES_PER_SECOND + q),
  };
}

/** Ordinary least squares by the normal equations (Gaussian elimination with pivoting); undefined when singular. */
function leastSquares(a: number[][], b: number[]): number[] | undefined {
  const m = a[0]!.length;
  const n = Array.from({ length: m }, () => new Array<number>(m + 1).fill(0));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) n[i]![j] = a.reduce((s, row) => s + row[i]! * row[j]!, 0);
    n[i]![m] = a.reduce((s, row, r) => s + row[i]! * b[r]!, 0);
  }
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(n[r]![c]!) > Math.abs(n[p]![c]!)) p = r;
    if (Math.abs(n[p]![c]!) < 1e-300) return undefined;
    [n[c], n[p]] = [n[p]!, n[c]!];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = n[r]![c]! / n[c]![c]!;
      for (let k = c; k <= m; k++) n[r]![k]! -= f * n[c]![k]!;
    }
  }
  return n.map((row, i) => row[m]! / row[i]!);
}

export interface CalibrationRow {
  label: string;
  model: string | null;
  publishedMs: number;
  /** null when the row is not built. */
  predictedMs: number | null;
  /** predicted / published. */
  ratio: number | null;
  note: string;
}

export interface CalibrationReport {
  column: CalibrationColumn;
  rows: CalibrationRow[];
  built: number;
  /** Median of |predicted / published − 1| over the built rows. */
  medianError: number;
  /** The largest max(ratio, 1/ratio) over the built rows. */
  worstRatio: number;
}

/** A zoo model at a size, or undefined when the zoo cannot build it (not yet in the zoo). */
export type ModelBuilder = (name: string, size: number) => Graph | undefined;

export const zooBuilder: ModelBuilder = (name, size) => (zooEntry(name) ? zooModel(name, size) : undefined);

/** Terms of every row the zoo builds, in table order. */
export function tableTerms(build: ModelBuilder, target: PipelineTarget): { row: PublishedRow; terms?: LatencyTerms }[] {
  return CORAL_TABLE.map((row) => {
    const graph = row.model === undefined ? undefined : build(row.model, row.size!);
    return graph ? { row, terms: latencyTerms(graph, target) } : { row };
  });
}

export const publishedMs = (row: PublishedRow, column: CalibrationColumn): number => (column === 'usb' ? row.usbMs : row.devboardMs);

/** Predicted against published for every row; built rows only count in the summary. */
export function calibrationReport(terms: ReturnType<typeof tableTerms>, target: PipelineTarget, column: CalibrationColumn): CalibrationReport {
  const rows = terms.map(({ row, terms: t }): CalibrationRow => {
    const published = publishedMs(row, column);
    const predictedMs = t ? predictSeconds(t, target) * 1e3 : null;
    const model = row.model === undefined ? null : `${row.model}@${row.size}`;
    const note = t ? [row.note, row.notFitted && `not fitted: ${row.notFitted}`].filter(Boolean).join('; ') : `not built: ${row.note ?? `${model} is not in the zoo`}`;
    return { label: row.label, model, publishedMs: published, predictedMs, ratio: predictedMs === null ? null : predictedMs / published, note };
  });
  const ratios = rows.flatMap((r) => (r.ratio === null ? [] : [r.ratio]));
  return { column, rows, built: ratios.length, medianError: median(ratios.map((r) => Math.abs(r - 1))), worstRatio: Math.max(...ratios.map((r) => Math.max(r, 1 / r))) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Fits one column on the rows the zoo builds. */
export function fitColumn(terms: ReturnType<typeof tableTerms>, column: CalibrationColumn): FittedConstants {
  return fitConstants(terms.flatMap(({ row, terms: t }) => (t && !row.notFitted ? [{ terms: t, publishedSeconds: publishedMs(row, column) / 1e3 }] : [])));
}
