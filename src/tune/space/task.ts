// A tuning task: one layer (its kernel kind and shape) that the tuners search a schedule for.
import { type ConvShape, checkConvShape, convFlops, convShape, type ConvShapeOptions, denseShape, isDepthwise } from '../../core/kernels.js';

export type TaskKind = 'conv2d' | 'depthwise' | 'dense';

export interface Task {
  /** A readable name, e.g. 'resnet18.C2'. */
  readonly name: string;
  readonly kind: TaskKind;
  /** The layer as the kernel sees it (a dense layer is a 1×1 convolution over batch pixels). */
  readonly shape: ConvShape;
  /** Floating-point operations of one run (2 per multiply-add). */
  readonly flops: number;
}

/** A conv task; depthwise layers (groups = c = oc) get the depthwise kernel. */
export function convTask(name: string, options: ConvShapeOptions | ConvShape): Task {
  const shape = 'strideH' in options ? options : convShape(options);
  checkConvShape(shape);
  return { name, kind: isDepthwise(shape) ? 'depthwise' : 'conv2d', shape, flops: convFlops(shape) };
}

export function denseTask(name: string, batch: number, inFeatures: number, outFeatures: number): Task {
  const shape = denseShape(batch, inFeatures, outFeatures);
  return { name, kind: 'dense', shape, flops: convFlops(shape) };
}

/** A stable key naming the workload in records: kind and every shape field. */
export function taskKey(task: Task): string {
  const s = task.shape;
  return `${task.kind}:n${s.n}h${s.h}w${s.w}c${s.c}oc${s.oc}k${s.kh}x${s.kw}s${s.strideH}x${s.strideW}` +
    `p${s.padTop},${s.padLeft},${s.padBottom},${s.padRight}d${s.dilationH}x${s.dilationW}g${s.groups}`;
}

/** A short human-readable shape, e.g. '64x56x56 k3 s1 p1 → 64'. */
export function describeShape(s: ConvShape): string {
  const g = s.groups > 1 ? ` g${s.groups}` : '';
  return `${s.c}x${s.h}x${s.w} k${s.kh}${s.kh === s.kw ? '' : `x${s.kw}`} s${s.strideH} p${s.padTop}${g} -> ${s.oc}`;
}
