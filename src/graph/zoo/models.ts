// Architectures written from their definitions (torchvision's model code, or Keras Applications
// where torchvision has none), at batch 1. The published totals they must meet are in index.ts.
import type { Graph } from '../types.js';
import { NetBuilder } from './builder.js';

const image = (size: number): number[] => [1, 3, size, size];

export function alexnet(): Graph {
  const b = new NetBuilder('alexnet', image(224));
  let x = b.maxPool(b.relu(b.conv('input', 64, 11, { stride: 4, pad: 2, bias: true })), 3, 2);
  x = b.maxPool(b.relu(b.conv(x, 192, 5, { bias: true })), 3, 2);
  x = b.relu(b.conv(x, 384, 3, { bias: true }));
  x = b.relu(b.conv(x, 256, 3, { bias: true }));
  x = b.maxPool(b.relu(b.conv(x, 256, 3, { bias: true })), 3, 2);
  // The adaptive 6x6 average pool is the identity at 224x224.
  x = b.flatten(x);
  x = b.relu(b.linear(x, 4096));
  x = b.relu(b.linear(x, 4096));
  b.linear(x, 1000);
  return b.build();
}

function vgg(name: string, config: readonly (number | 'M')[]): Graph {
  const b = new NetBuilder(name, image(224));
  let x = 'input';
  for (const c of config) x = c === 'M' ? b.maxPool(x, 2, 2) : b.relu(b.conv(x, c, 3, { bias: true }));
  x = b.flatten(x);
  x = b.relu(b.linear(x, 4096));
  x = b.relu(b.linear(x, 4096));
  b.linear(x, 1000);
  return b.build();
}

export const vgg16 = (): Graph => vgg('vgg16', [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M']);
export const vgg19 = (): Graph =>
  vgg('vgg19', [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M']);

function resnet(name: string, bottleneck: boolean, blocks: readonly number[]): Graph {
  const b = new NetBuilder(name, image(224));
  const convBn = (x: string, c: number, k: number, stride = 1): string => b.bn(b.conv(x, c, k, { stride }));
  let x = b.maxPool(b.relu(convBn('input', 64, 7, 2)), 3, 2, 1);
  const expansion = bottleneck ? 4 : 1;
  blocks.forEach((count, stage) => {
    const planes = 64 << stage;
    for (let i = 0; i < count; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const out = planes * expansion;
      const skip = stride !== 1 || b.channels(x) !== out ? convBn(x, out, 1, stride) : x;
      let y: string;
      if (bottleneck) {
        // torchvision's ResNet v1.5: the stride sits on the 3x3 convolution.
        y = b.relu(convBn(x, planes, 1));
        y = b.relu(convBn(y, planes, 3, stride));
        y = convBn(y, out, 1);
      } else {
        y = b.relu(convBn(x, planes, 3, stride));
        y = convBn(y, planes, 3);
      }
      x = b.relu(b.add(y, skip));
    }
  });
  b.linear(b.flatten(b.globalAvgPool(x)), 1000);
  return b.build();
}

export const resnet18 = (): Graph => resnet('resnet18', false, [2, 2, 2, 2]);
export const resnet34 = (): Graph => resnet('resnet34', false, [3, 4, 6, 3]);
export const resnet50 = (): Graph => resnet('resnet50', true, [3, 4, 6, 3]);
export const resnet101 = (): Graph => resnet('resnet101', true, [3, 4, 23, 3]);
export const resnet152 = (): Graph => resnet('resnet152', true, [3, 8, 36, 3]);

export function squeezenet11(): Graph {
  const b = new NetBuilder('squeezenet11', image(224));
  const fire = (x: string, squeeze: number, expand: number): string => {
    const s = b.relu(b.conv(x, squeeze, 1, { bias: true }));
    return b.concat([b.relu(b.conv(s, expand, 1, { bias: true })), b.relu(b.conv(s, expand, 3, { bias: true }))]);
  };
  let x = b.relu(b.conv('input', 64, 3, { stride: 2, pad: 0, bias: true }));
  x = b.maxPool(x, 3, 2, 0, { ceil: true });
  x = fire(fire(x, 16, 64), 16, 64);
  x = b.maxPool(x, 3, 2, 0, { ceil: true });
  x = fire(fire(x, 32, 128), 32, 128);
  x = b.maxPool(x, 3, 2, 0, { ceil: true });
  x = fire(fire(fire(fire(x, 48, 192), 48, 192), 64, 256), 64, 256);
  x = b.relu(b.conv(x, 1000, 1, { bias: true }));
  b.flatten(b.globalAvgPool(x));
  return b.build();
}

export function mobilenet(): Graph {
  // Keras Applications MobileNet (alpha 1.0, 224): conv/BN/ReLU6, 13 depthwise-separable blocks.
  const b = new NetBuilder('mobilenet', image(224));
  const cbr = (x: string, c: number, k: number, stride = 1, group = 1): string => b.relu6(b.bn(b.conv(x, c, k, { stride, group })));
  let x = cbr('input', 32, 3, 2);
  const blocks: readonly [number, number][] = [
    [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
  ];
  for (const [c, stride] of blocks) x = cbr(cbr(x, b.channels(x), 3, stride, b.channels(x)), c, 1);
  b.linear(b.flatten(b.globalAvgPool(x)), 1000);
  return b.build();
}

export function mobilenetv2(): Graph {
  const b = new NetBuilder('mobilenetv2', image(224));
  const cbr = (x: string, c: number, k: number, stride = 1, group = 1): string => b.relu6(b.bn(b.conv(x, c, k, { stride, group })));
  let x = cbr('input', 32, 3, 2);
  const settings: readonly [number, number, number, number][] = [
    [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
  ];
  for (const [t, c, n, s] of settings) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const inp = b.channels(x);
      const hidden = inp * t;
      let y = t === 1 ? x : cbr(x, hidden, 1);
      y = cbr(y, hidden, 3, stride, hidden);
      y = b.bn(b.conv(y, c, 1));
      x = stride === 1 && inp === c ? b.add(x, y) : y;
    }
  }
  x = cbr(x, 1280, 1);
  b.linear(b.flatten(b.globalAvgPool(x)), 1000);
  return b.build();
}

function densenet(name: string, blocks: readonly number[]): Graph {
  const growth = 32;
  const b = new NetBuilder(name, image(224));
  let x = b.maxPool(b.relu(b.bn(b.conv('input', 64, 7, { stride: 2 }))), 3, 2, 1);
  blocks.forEach((layers, i) => {
    const features = [x];
    for (let l = 0; l < layers; l++) {
      // torchvision concatenates all earlier features at the start of every layer.
      const input = features.length === 1 ? features[0]! : b.concat(features);
      const y = b.conv(b.relu(b.bn(input)), 4 * growth, 1);
      features.push(b.conv(b.relu(b.bn(y)), growth, 3));
    }
    x = b.concat(features);
    if (i < blocks.length - 1) x = b.avgPool(b.conv(b.relu(b.bn(x)), b.channels(x) / 2, 1), 2, 2);
  });
  x = b.relu(b.bn(x));
  b.linear(b.flatten(b.globalAvgPool(x)), 1000);
  return b.build();
}

export const densenet121 = (): Graph => densenet('densenet121', [6, 12, 24, 16]);
export const densenet169 = (): Graph => densenet('densenet169', [6, 12, 32, 32]);
export const densenet201 = (): Graph => densenet('densenet201', [6, 12, 48, 32]);

export function inceptionv3(): Graph {
  // torchvision's Inception3 at 299x299 in inference: the AuxLogits head only runs in training.
  const b = new NetBuilder('inceptionv3', image(299));
  const c = (x: string, ch: number, k: number | [number, number], options: { stride?: number; pad?: number | [number, number] } = {}): string => {
    const [kh, kw] = typeof k === 'number' ? [k, k] : k;
    const p = options.pad ?? 0;
    const [ph, pw] = typeof p === 'number' ? [p, p] : p;
    return b.relu(b.bn(b.conv(x, ch, [kh, kw], { stride: options.stride ?? 1, pad: [ph, pw, ph, pw] })));
  };
  const pool3 = (x: string): string => b.avgPool(x, 3, 1, 1);
  const a = (x: string, poolFeatures: number): string =>
    b.concat([
      c(x, 64, 1),
      c(c(x, 48, 1), 64, 5, { pad: 2 }),
      c(c(c(x, 64, 1), 96, 3, { pad: 1 }), 96, 3, { pad: 1 }),
      c(pool3(x), poolFeatures, 1),
    ]);
  const reductionB = (x: string): string =>
    b.concat([c(x, 384, 3, { stride: 2 }), c(c(c(x, 64, 1), 96, 3, { pad: 1 }), 96, 3, { stride: 2 }), b.maxPool(x, 3, 2)]);
  const inceptionC = (x: string, c7: number): string => {
    const b7 = c(c(c(x, c7, 1), c7, [1, 7], { pad: [0, 3] }), 192, [7, 1], { pad: [3, 0] });
    let d = c(x, c7, 1);
    d = c(d, c7, [7, 1], { pad: [3, 0] });
    d = c(d, c7, [1, 7], { pad: [0, 3] });
    d = c(d, c7, [7, 1], { pad: [3, 0] });
    d = c(d, 192, [1, 7], { pad: [0, 3] });
    return b.concat([c(x, 192, 1), b7, d, c(pool3(x), 192, 1)]);
  };
  const reductionD = (x: string): string => {
    const b3 = c(c(x, 192, 1), 320, 3, { stride: 2 });
    let b7 = c(x, 192, 1);
    b7 = c(b7, 192, [1, 7], { pad: [0, 3] });
    b7 = c(b7, 192, [7, 1], { pad: [3, 0] });
    b7 = c(b7, 192, 3, { stride: 2 });
    return b.concat([b3, b7, b.maxPool(x, 3, 2)]);
  };
  const e = (x: string): string => {
    const split = (y: string): string => b.concat([c(y, 384, [1, 3], { pad: [0, 1] }), c(y, 384, [3, 1], { pad: [1, 0] })]);
    return b.concat([c(x, 320, 1), split(c(x, 384, 1)), split(c(c(x, 448, 1), 384, 3, { pad: 1 })), c(pool3(x), 192, 1)]);
  };
  let x = c('input', 32, 3, { stride: 2 });
  x = c(x, 32, 3);
  x = c(x, 64, 3, { pad: 1 });
  x = b.maxPool(x, 3, 2);
  x = c(x, 80, 1);
  x = c(x, 192, 3);
  x = b.maxPool(x, 3, 2);
  x = a(a(a(x, 32), 64), 64);
  x = reductionB(x);
  x = inceptionC(inceptionC(inceptionC(inceptionC(x, 128), 160), 160), 192);
  x = reductionD(x);
  x = e(e(x));
  b.linear(b.flatten(b.globalAvgPool(x)), 1000);
  return b.build();
}

export function xception(): Graph {
  // Keras Applications Xception at 299x299: separable convolutions are a depthwise 3x3 and a
  // pointwise 1x1, both without bias, "same" padding.
  const b = new NetBuilder('xception', image(299));
  const sep = (x: string, ch: number): string => b.bn(b.conv(b.conv(x, b.channels(x), 3, { group: b.channels(x), same: true }), ch, 1));
  const shortcut = (x: string, ch: number): string => b.bn(b.conv(x, ch, 1, { stride: 2, pad: 0 }));
  let x = b.relu(b.bn(b.conv('input', 32, 3, { stride: 2, pad: 0 })));
  x = b.relu(b.bn(b.conv(x, 64, 3, { pad: 0 })));
  for (const [ch, firstRelu] of [[128, false], [256, true], [728, true]] as const) {
    const skip = shortcut(x, ch);
    let y = firstRelu ? b.relu(x) : x;
    y = sep(b.relu(sep(y, ch)), ch);
    x = b.add(b.maxPool(y, 3, 2, 0, { same: true }), skip);
  }
  for (let i = 0; i < 8; i++) {
    let y = x;
    for (let j = 0; j < 3; j++) y = sep(b.relu(y), 728);
    x = b.add(y, x);
  }
  const skip = shortcut(x, 1024);
  let y = sep(b.relu(sep(b.relu(x), 728)), 1024);
  x = b.add(b.maxPool(y, 3, 2, 0, { same: true }), skip);
  y = b.relu(sep(x, 1536));
  y = b.relu(sep(y, 2048));
  b.linear(b.flatten(b.globalAvgPool(y)), 1000);
  return b.build();
}

export function efficientnetb0(): Graph {
  // torchvision's efficientnet_b0: MBConv blocks with squeeze-and-excitation, SiLU activations.
  const b = new NetBuilder('efficientnetb0', image(224));
  const cbs = (x: string, ch: number, k: number, stride = 1, group = 1): string => b.silu(b.bn(b.conv(x, ch, k, { stride, group })));
  let x = cbs('input', 32, 3, 2);
  const stages: readonly [number, number, number, number, number][] = [
    // expand ratio, kernel, stride, output channels, layers
    [1, 3, 1, 16, 1], [6, 3, 2, 24, 2], [6, 5, 2, 40, 2], [6, 3, 2, 80, 3], [6, 5, 1, 112, 3], [6, 5, 2, 192, 4], [6, 3, 1, 320, 1],
  ];
  for (const [expand, k, s, out, layers] of stages) {
    for (let i = 0; i < layers; i++) {
      const stride = i === 0 ? s : 1;
      const inp = b.channels(x);
      const hidden = inp * expand;
      let y = expand === 1 ? x : cbs(x, hidden, 1);
      y = cbs(y, hidden, k, stride, hidden);
      const squeeze = Math.max(1, Math.floor(inp / 4));
      const se = b.sigmoid(b.conv(b.silu(b.conv(b.globalAvgPool(y), squeeze, 1, { bias: true })), hidden, 1, { bias: true }));
      y = b.bn(b.conv(b.mul(y, se), out, 1));
      x = stride === 1 && inp === out ? b.add(y, x) : y;
    }
  }
  x = cbs(x, 1280, 1);
  b.linear(b.flatten(b.globalAvgPool(x)), 1000);
  return b.build();
}
