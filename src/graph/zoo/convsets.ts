// The convolution layers that kernel-tuning papers benchmark (AutoTVM, Chameleon, ARCO): the 5
// conv layers of AlexNet, the 9 distinct conv layers of VGG-16 and the 12 ResNet-18 conv
// operators C1-C12 of the AutoTVM paper (Chen et al., "Learning to Optimize Tensor Programs",
// NeurIPS 2018, Table 1 / Appendix). All at batch 1.
import { buildGraph } from '../build.js';
import type { Graph } from '../types.js';

export interface ConvsetLayer {
  readonly name: string;
  readonly inChannels: number;
  /** Input height and width (square). */
  readonly size: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
}

const layer = (name: string, size: number, inChannels: number, outChannels: number, kernel: number, stride: number, pad: number): ConvsetLayer => ({
  name, inChannels, size, outChannels, kernel, stride, pad,
});

/** torchvision AlexNet's five convolutions. */
export const ALEXNET_CONVS: readonly ConvsetLayer[] = [
  layer('alexnet.c1', 224, 3, 64, 11, 4, 2),
  layer('alexnet.c2', 27, 64, 192, 5, 1, 2),
  layer('alexnet.c3', 13, 192, 384, 3, 1, 1),
  layer('alexnet.c4', 13, 384, 256, 3, 1, 1),
  layer('alexnet.c5', 13, 256, 256, 3, 1, 1),
];

/** VGG-16's 13 convolutions reduce to these 9 distinct shapes. */
export const VGG16_CONVS: readonly ConvsetLayer[] = [
  layer('vgg16.c1', 224, 3, 64, 3, 1, 1),
  layer('vgg16.c2', 224, 64, 64, 3, 1, 1),
  layer('vgg16.c3', 112, 64, 128, 3, 1, 1),
  layer('vgg16.c4', 112, 128, 128, 3, 1, 1),
  layer('vgg16.c5', 56, 128, 256, 3, 1, 1),
  layer('vgg16.c6', 56, 256, 256, 3, 1, 1),
  layer('vgg16.c7', 28, 256, 512, 3, 1, 1),
  layer('vgg16.c8', 28, 512, 512, 3, 1, 1),
  layer('vgg16.c9', 14, 512, 512, 3, 1, 1),
];

/** AutoTVM's ResNet-18 operators C1-C12 (C3, a 1x1 64->64, comes from its MXNet ResNet variant). */
export const RESNET18_CONVS: readonly ConvsetLayer[] = [
  layer('resnet18.c1', 224, 3, 64, 7, 2, 3),
  layer('resnet18.c2', 56, 64, 64, 3, 1, 1),
  layer('resnet18.c3', 56, 64, 64, 1, 1, 0),
  layer('resnet18.c4', 56, 64, 128, 3, 2, 1),
  layer('resnet18.c5', 56, 64, 128, 1, 2, 0),
  layer('resnet18.c6', 28, 128, 128, 3, 1, 1),
  layer('resnet18.c7', 28, 128, 256, 3, 2, 1),
  layer('resnet18.c8', 28, 128, 256, 1, 2, 0),
  layer('resnet18.c9', 14, 256, 256, 3, 1, 1),
  layer('resnet18.c10', 14, 256, 512, 3, 2, 1),
  layer('resnet18.c11', 14, 256, 512, 1, 2, 0),
  layer('resnet18.c12', 7, 512, 512, 3, 1, 1),
];

/** The layers as one graph of independent Conv nodes, one graph input each. */
export function convLayerGraph(name: string, layers: readonly ConvsetLayer[]): Graph {
  return buildGraph({
    name,
    inputs: layers.map((l) => ({ name: `${l.name}.input`, shape: [1, l.inChannels, l.size, l.size] })),
    nodes: layers.map((l) => ({
      name: l.name,
      op: 'Conv',
      inputs: [`${l.name}.input`, { name: `${l.name}.weight`, shape: [l.outChannels, l.inChannels, l.kernel, l.kernel], kind: 'weight' }],
      outputs: [`${l.name}.output`],
      attributes: { kernel_shape: [l.kernel, l.kernel], strides: [l.stride, l.stride], pads: [l.pad, l.pad, l.pad, l.pad] },
    })),
  });
}
