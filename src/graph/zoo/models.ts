// Architectures written from their definitions (torchvision's model code, or Keras Applications
// where torchvision has none), at batch 1. The published totals they must meet are in index.ts.
import type { Graph } from '../types.js';
import { NetBuilder } from './builder.js';

const image = (size: number): number[] => [1, 3, size, size];

/**
 * torchvision's adaptive average pool to `out` x `out`: the identity when the map already has that
 * size, a plain average pool when its size is a multiple of `out`; other sizes are refused, since
 * adaptive windows of uneven size have no ONNX pooling equivalent.
 */
function adaptiveAvgPool(b: NetBuilder, x: string, out: number): string {
  const size = b.shape(x)[2]!;
  if (size === out) return x;
  if (size % out !== 0) throw new RangeError(`its last feature map, ${size}x${size}, is not a multiple of the ${out}x${out} its adaptive pool gives`);
  return b.avgPool(x, size / out, size / out);
}

export function alexnet(size = 224): Graph {
  const b = new NetBuilder('alexnet', image(size));
  let x = b.maxPool(b.relu(b.conv('input', 64, 11, { stride: 4, pad: 2, bias: true })), 3, 2);
  x = b.maxPool(b.relu(b.conv(x, 192, 5, { bias: true })), 3, 2);
  x = b.relu(b.conv(x, 384, 3, { bias: true }));
  x = b.relu(b.conv(x, 256, 3, { bias: true }));
  x = b.maxPool(b.relu(b.conv(x, 256, 3, { bias: true })), 3, 2);
  x = b.flatten(adaptiveAvgPool(b, x, 6));
  x = b.relu(b.linear(x, 4096));
  x = b.relu(b.linear(x, 4096));
  b.linear(x, 1000);
  return b.build();
}

function vgg(name: string, config: readonly (number | 'M')[], size: number): Graph {
  const b = new NetBuilder(name, image(size));
  let x = 'input';
  for (const c of config) x = c === 'M' ? b.maxPool(x, 2, 2) : b.relu(b.conv(x, c, 3, { bias: true }));
  x = b.flatten(adaptiveAvgPool(b, x, 7));
  x = b.relu(b.linear(x, 4096));
  x = b.relu(b.linear(x, 4096));
  b.linear(x, 1000);
  return b.build();
}

export const vgg16 = (size = 224): Graph => vgg('vgg16', [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'], size);
export const vgg19 = (size = 224): Graph =>
  vgg('vgg19', [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'], size);

function resnet(name: string, bottleneck: boolean, blocks: readonly number[], size: number): Graph {
  const b = new NetBuilder(name, image(size));
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

export const resnet18 = (size = 224): Graph => resnet('resnet18', false, [2, 2, 2, 2], size);
export const resnet34 = (size = 224): Graph => resnet('resnet34', false, [3, 4, 6, 3], size);
export const resnet50 = (size = 224): Graph => resnet('resnet50', true, [3, 4, 6, 3], size);
export const resnet101 = (size = 224): Graph => resnet('resnet101', true, [3, 4, 23, 3], size);
export const resnet152 = (size = 224): Graph => resnet('resnet152', true, [3, 8, 36, 3], size);

export function squeezenet11(size = 224): Graph {
  const b = new NetBuilder('squeezenet11', image(size));
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

export function mobilenet(size = 224): Graph {
  // Keras Applications MobileNet (alpha 1.0, 224): conv/BN/ReLU6, 13 depthwise-separable blocks.
  const b = new NetBuilder('mobilenet', image(size));
  const cbr = (x: string, c: number, k: number, stride = 1, group = 1): string => b.relu6(b.bn(b.conv(x, c, k, { stride, group })));
  let x = cbr('input', 32, 3, 2);
  const blocks: readonly [number, number][] = [
    [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
  ];
  for (const [c, stride] of blocks) x = cbr(cbr(x, b.channels(x), 3, stride, b.channels(x)), c, 1);
  b.linear(b.flatten(b.globalAvgPool(x)), 1000);
  return b.build();
}

export function mobilenetv2(size = 224): Graph {
  const b = new NetBuilder('mobilenetv2', image(size));
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

function densenet(name: string, blocks: readonly number[], size: number): Graph {
  const growth = 32;
  const b = new NetBuilder(name, image(size));
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

export const densenet121 = (size = 224): Graph => densenet('densenet121', [6, 12, 24, 16], size);
export const densenet169 = (size = 224): Graph => densenet('densenet169', [6, 12, 32, 32], size);
export const densenet201 = (size = 224): Graph => densenet('densenet201', [6, 12, 48, 32], size);

export function inceptionv3(size = 299): Graph {
  // torchvision's Inception3 at 299x299 in inference: the AuxLogits head only runs in training.
  const b = new NetBuilder('inceptionv3', image(size));
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

export function xception(size = 299): Graph {
  // Keras Applications Xception at 299x299: separable convolutions are a depthwise 3x3 and a
  // pointwise 1x1, both without bias, "same" padding.
  const b = new NetBuilder('xception', image(size));
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

export function efficientnetb0(size = 224): Graph {
  // torchvision's efficientnet_b0: MBConv blocks with squeeze-and-excitation, SiLU activations.
  const b = new NetBuilder('efficientnetb0', image(size));
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

export function googlenet(size = 224): Graph {
  // torchvision's GoogLeNet (Szegedy et al. 2015, "Going deeper with convolutions", with batch norm)
  // in inference: the two auxiliary heads only run in training.
  const b = new NetBuilder('googlenet', image(size));
  const c = (x: string, ch: number, k: number, stride = 1): string => b.relu(b.bn(b.conv(x, ch, k, { stride })));
  const pool = (x: string, k: number, stride: number, pad = 0): string => b.maxPool(x, k, stride, pad, { ceil: true });
  const inception = (x: string, [c1, c3r, c3, c5r, c5, proj]: readonly number[]): string =>
    b.concat([
      c(x, c1!, 1),
      c(c(x, c3r!, 1), c3!, 3),
      // torchvision's "5x5" branch is a 3x3 convolution, kept so that its weights load.
      c(c(x, c5r!, 1), c5!, 3),
      c(pool(x, 3, 1, 1), proj!, 1),
    ]);
  let x = pool(c('input', 64, 7, 2), 3, 2);
  x = pool(c(c(x, 64, 1), 192, 3), 3, 2);
  for (const block of [[64, 96, 128, 16, 32, 32], [128, 128, 192, 32, 96, 64]]) x = inception(x, block);
  x = pool(x, 3, 2);
  const stage4 = [[192, 96, 208, 16, 48, 64], [160, 112, 224, 24, 64, 64], [128, 128, 256, 24, 64, 64], [112, 144, 288, 32, 64, 64], [256, 160, 320, 32, 128, 128]];
  for (const block of stage4) x = inception(x, block);
  x = pool(x, 2, 2);
  for (const block of [[256, 160, 320, 32, 128, 128], [384, 192, 384, 48, 128, 128]]) x = inception(x, block);
  b.linear(b.flatten(b.globalAvgPool(x)), 1000);
  return b.build();
}

/** Convolution, batch norm, ReLU with explicit padding ([height, width], symmetric), as the Inception v4 family writes its layers. */
function inceptionConv(b: NetBuilder, bnScale: boolean) {
  return (x: string, ch: number, k: number | [number, number], options: { stride?: number; pad?: number | [number, number] } = {}): string => {
    const [kh, kw] = typeof k === 'number' ? [k, k] : k;
    // Default: "same" at stride 1 (odd kernels), "valid" at stride 2, as the TF-slim and Keras definitions do.
    const p = options.pad ?? ((options.stride ?? 1) === 1 ? [(kh - 1) >> 1, (kw - 1) >> 1] : 0);
    const [ph, pw] = typeof p === 'number' ? [p, p] : p;
    return b.relu(b.bn(b.conv(x, ch, [kh, kw], { stride: options.stride ?? 1, pad: [ph, pw, ph, pw] }), { scale: bnScale }));
  };
}

export function inceptionv4(size = 299): Graph {
  // Inception-v4 (Szegedy et al. 2016, "Inception-v4, Inception-ResNet and the Impact of Residual
  // Connections on Learning", Figs. 3-9) as TF-slim defines it and Cadene's PyTorch port
  // (pretrainedmodels, timm) writes it: conv/BN/ReLU with a learned BN scale, no auxiliary head.
  const b = new NetBuilder('inceptionv4', image(size));
  const c = inceptionConv(b, true);
  const avg = (x: string): string => b.avgPool(x, 3, 1, 1);
  const maxPool = (x: string): string => b.maxPool(x, 3, 2);
  let x = c(c(c('input', 32, 3, { stride: 2 }), 32, 3, { pad: 0 }), 64, 3);
  x = b.concat([maxPool(x), c(x, 96, 3, { stride: 2 })]);
  x = b.concat([c(c(x, 64, 1), 96, 3, { pad: 0 }), c(c(c(c(x, 64, 1), 64, [1, 7]), 64, [7, 1]), 96, 3, { pad: 0 })]);
  x = b.concat([c(x, 192, 3, { stride: 2 }), maxPool(x)]);
  for (let i = 0; i < 4; i++) {
    x = b.concat([c(x, 96, 1), c(c(x, 64, 1), 96, 3), c(c(c(x, 64, 1), 96, 3), 96, 3), c(avg(x), 96, 1)]);
  }
  x = b.concat([c(x, 384, 3, { stride: 2 }), c(c(c(x, 192, 1), 224, 3), 256, 3, { stride: 2 }), maxPool(x)]);
  for (let i = 0; i < 7; i++) {
    const b1 = c(c(c(x, 192, 1), 224, [1, 7]), 256, [7, 1]);
    const b2 = c(c(c(c(c(x, 192, 1), 192, [7, 1]), 224, [1, 7]), 224, [7, 1]), 256, [1, 7]);
    x = b.concat([c(x, 384, 1), b1, b2, c(avg(x), 128, 1)]);
  }
  x = b.concat([c(c(x, 192, 1), 192, 3, { stride: 2 }), c(c(c(c(x, 256, 1), 256, [1, 7]), 320, [7, 1]), 320, 3, { stride: 2 }), maxPool(x)]);
  for (let i = 0; i < 3; i++) {
    const b1 = c(x, 384, 1);
    const b2 = c(c(c(x, 384, 1), 448, [3, 1]), 512, [1, 3]);
    x = b.concat([c(x, 256, 1), c(b1, 256, [1, 3]), c(b1, 256, [3, 1]), c(b2, 256, [1, 3]), c(b2, 256, [3, 1]), c(avg(x), 256, 1)]);
  }
  b.linear(b.flatten(b.globalAvgPool(x)), 1000);
  return b.build();
}

export function inceptionresnetv2(size = 299): Graph {
  // Keras Applications InceptionResNetV2 (Szegedy et al. 2016, Figs. 3 and 16-20, as TF-slim
  // writes it): BN without a learned scale, residual branches scaled by 0.17 / 0.1 / 0.2 before the add.
  const b = new NetBuilder('inceptionresnetv2', image(size));
  const c = inceptionConv(b, false);
  const maxPool = (x: string): string => b.maxPool(x, 3, 2);
  const residual = (x: string, branches: string[], scale: number, relu = true): string => {
    const up = b.conv(b.concat(branches), b.channels(x), 1, { bias: true });
    const sum = b.add(x, scale === 1 ? up : b.scale(up, scale));
    return relu ? b.relu(sum) : sum;
  };
  let x = c(c(c('input', 32, 3, { stride: 2 }), 32, 3, { pad: 0 }), 64, 3);
  x = c(c(maxPool(x), 80, 1), 192, 3, { pad: 0 });
  x = maxPool(x);
  x = b.concat([c(x, 96, 1), c(c(x, 48, 1), 64, 5), c(c(c(x, 64, 1), 96, 3), 96, 3), c(b.avgPool(x, 3, 1, 1), 64, 1)]);
  for (let i = 0; i < 10; i++) x = residual(x, [c(x, 32, 1), c(c(x, 32, 1), 32, 3), c(c(c(x, 32, 1), 48, 3), 64, 3)], 0.17);
  x = b.concat([c(x, 384, 3, { stride: 2 }), c(c(c(x, 256, 1), 256, 3), 384, 3, { stride: 2 }), maxPool(x)]);
  for (let i = 0; i < 20; i++) x = residual(x, [c(x, 192, 1), c(c(c(x, 128, 1), 160, [1, 7]), 192, [7, 1])], 0.1);
  x = b.concat([c(c(x, 256, 1), 384, 3, { stride: 2 }), c(c(x, 256, 1), 288, 3, { stride: 2 }), c(c(c(x, 256, 1), 288, 3), 320, 3, { stride: 2 }), maxPool(x)]);
  for (let i = 0; i < 10; i++) x = residual(x, [c(x, 192, 1), c(c(c(x, 192, 1), 224, [1, 3]), 256, [3, 1])], i < 9 ? 0.2 : 1, i < 9);
  x = c(x, 1536, 1);
  b.linear(b.flatten(b.globalAvgPool(x)), 1000);
  return b.build();
}

function resnetv2(name: string, blocks: readonly number[], size: number): Graph {
  // Keras Applications ResNet50V2 / ResNet152V2 (He et al. 2016, "Identity Mappings in Deep
  // Residual Networks"): pre-activation bottlenecks; each stage but the last strides in its last
  // block (a 1x1 max pool on the identity path); the stem, projection and expanding 1x1
  // convolutions carry biases; Keras' ZeroPadding2D + valid layers are written as padding.
  const b = new NetBuilder(name, image(size));
  let x = b.maxPool(b.conv('input', 64, 7, { stride: 2, bias: true }), 3, 2, 1);
  blocks.forEach((count, stage) => {
    const filters = 64 << stage;
    for (let i = 0; i < count; i++) {
      const stride = i === count - 1 && stage < blocks.length - 1 ? 2 : 1;
      const preact = b.relu(b.bn(x));
      const shortcut = i === 0 ? b.conv(preact, 4 * filters, 1, { bias: true }) : stride > 1 ? b.maxPool(x, 1, stride) : x;
      let y = b.relu(b.bn(b.conv(preact, filters, 1)));
      y = b.relu(b.bn(b.conv(y, filters, 3, { stride })));
      x = b.add(shortcut, b.conv(y, 4 * filters, 1, { bias: true }));
    }
  });
  b.linear(b.flatten(b.globalAvgPool(b.relu(b.bn(x)))), 1000);
  return b.build();
}

export const resnet50v2 = (size = 224): Graph => resnetv2('resnet50v2', [3, 4, 6, 3], size);
export const resnet152v2 = (size = 224): Graph => resnetv2('resnet152v2', [3, 8, 36, 3], size);

/** TensorFlow's (and timm's) rounding of scaled channel counts: the nearest multiple of 8, never below 90%. */
function roundChannels(channels: number): number {
  const rounded = Math.max(8, Math.floor((channels + 4) / 8) * 8);
  return rounded < 0.9 * channels ? rounded + 8 : rounded;
}

function efficientnetEdgeTpu(name: string, width: number, depth: number, size: number): Graph {
  // EfficientNet-EdgeTPU (Gupta and Tan 2019; TensorFlow's efficientnet/edgetpu builder, as timm's
  // efficientnet_es/em/el port writes it): ReLU, no squeeze-and-excitation, fused expansions (one
  // kxk convolution in place of 1x1 + depthwise) in the first three stages, TF "same" padding.
  const b = new NetBuilder(name, image(size));
  const ch = (c: number): number => roundChannels(c * width);
  const cbr = (x: string, c: number, k: number, stride = 1, group = 1): string => b.relu(b.bn(b.conv(x, c, k, { stride, group, same: true })));
  let x = cbr('input', ch(32), 3, 2);
  const stages: readonly [boolean, number, number, number, number, number][] = [
    // fused, repeats, kernel, stride, expansion, output channels
    [true, 1, 3, 1, 4, 24], [true, 2, 3, 2, 8, 32], [true, 4, 3, 2, 8, 48], [false, 5, 5, 2, 8, 96], [false, 4, 5, 1, 8, 144], [false, 2, 5, 2, 8, 192],
  ];
  stages.forEach(([fused, repeats, k, s, expand, out], stage) => {
    for (let i = 0; i < Math.ceil(repeats * depth); i++) {
      const stride = i === 0 ? s : 1;
      const inp = b.channels(x);
      // The first stage expands from 24 (scaled) channels, not the stem's 32, and has no residual.
      const hidden = (stage === 0 ? ch(24) : inp) * expand;
      const y = b.bn(b.conv(fused ? cbr(x, hidden, k, stride) : cbr(cbr(x, hidden, 1), hidden, k, stride, hidden), ch(out), 1, { same: true }));
      x = stage > 0 && stride === 1 && inp === ch(out) ? b.add(y, x) : y;
    }
  });
  b.linear(b.flatten(b.globalAvgPool(cbr(x, ch(1280), 1))), 1000);
  return b.build();
}

export const efficientnetedgetpus = (size = 224): Graph => efficientnetEdgeTpu('efficientnetedgetpus', 1, 1, size);
export const efficientnetedgetpum = (size = 240): Graph => efficientnetEdgeTpu('efficientnetedgetpum', 1, 1.1, size);
export const efficientnetedgetpul = (size = 300): Graph => efficientnetEdgeTpu('efficientnetedgetpul', 1.2, 1.4, size);
