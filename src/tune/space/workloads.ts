// Plain shape lists of the layers the kernel benchmark and tests tune: the 12 distinct conv
// layers of ResNet-18 (C1–C12 of the TVM paper's table, batch 1) and the depthwise / pointwise
// layers of MobileNetV2 (width 1.0, 224×224). Independent of the model zoo on purpose.
import { convTask, type Task } from './task.js';

export const RESNET18_CONV: readonly Task[] = [
  convTask('resnet18.C1', { h: 224, w: 224, c: 3, oc: 64, k: 7, stride: 2, pad: 3 }),
  convTask('resnet18.C2', { h: 56, w: 56, c: 64, oc: 64, k: 3, stride: 1, pad: 1 }),
  convTask('resnet18.C3', { h: 56, w: 56, c: 64, oc: 64, k: 1, stride: 1, pad: 0 }),
  convTask('resnet18.C4', { h: 56, w: 56, c: 64, oc: 128, k: 3, stride: 2, pad: 1 }),
  convTask('resnet18.C5', { h: 56, w: 56, c: 64, oc: 128, k: 1, stride: 2, pad: 0 }),
  convTask('resnet18.C6', { h: 28, w: 28, c: 128, oc: 128, k: 3, stride: 1, pad: 1 }),
  convTask('resnet18.C7', { h: 28, w: 28, c: 128, oc: 256, k: 3, stride: 2, pad: 1 }),
  convTask('resnet18.C8', { h: 28, w: 28, c: 128, oc: 256, k: 1, stride: 2, pad: 0 }),
  convTask('resnet18.C9', { h: 14, w: 14, c: 256, oc: 256, k: 3, stride: 1, pad: 1 }),
  convTask('resnet18.C10', { h: 14, w: 14, c: 256, oc: 512, k: 3, stride: 2, pad: 1 }),
  convTask('resnet18.C11', { h: 14, w: 14, c: 256, oc: 512, k: 1, stride: 2, pad: 0 }),
  convTask('resnet18.C12', { h: 7, w: 7, c: 512, oc: 512, k: 3, stride: 1, pad: 1 }),
];

/** Distinct MobileNetV2 depthwise 3×3 layers (expanded channels, input size, stride). */
const MBV2_DW: readonly [number, number, number][] = [
  [32, 112, 1], [96, 112, 2], [144, 56, 1], [144, 56, 2], [192, 28, 1], [192, 28, 2],
  [384, 14, 1], [576, 14, 1], [576, 14, 2], [960, 7, 1],
];

/** Distinct MobileNetV2 pointwise (1×1) layers: input channels, output channels, size. */
const MBV2_PW: readonly [number, number, number][] = [
  [32, 16, 112], [16, 96, 112], [96, 24, 56], [24, 144, 56], [144, 24, 56], [144, 32, 28],
  [32, 192, 28], [192, 32, 28], [192, 64, 14], [64, 384, 14], [384, 64, 14], [384, 96, 14],
  [96, 576, 14], [576, 96, 14], [576, 160, 7], [160, 960, 7], [960, 160, 7], [960, 320, 7], [320, 1280, 7],
];

export const MOBILENETV2_DEPTHWISE: readonly Task[] = MBV2_DW.map(([c, size, stride]) =>
  convTask(`mobilenetv2.dw${c}x${size}s${stride}`, { h: size, w: size, c, oc: c, k: 3, stride, pad: 1, groups: c }));

export const MOBILENETV2_POINTWISE: readonly Task[] = MBV2_PW.map(([c, oc, size]) =>
  convTask(`mobilenetv2.pw${c}-${oc}x${size}`, { h: size, w: size, c, oc, k: 1 }));
