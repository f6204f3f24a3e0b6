// The built-in models as data: names, input sizes and the published totals each graph must meet,
// with where they come from; test/graph/zoo.test.ts holds every entry to them. The builders are
// in index.ts, so what only reads the table (model specs, `mapwise zoo`) loads no architecture.
//
// torchvision figures are its weights tables (torchvision.models *_Weights.IMAGENET1K_V1 meta:
// num_params and GFLOPS, which torchvision computes as multiply-accumulates of conv and linear
// layers). Parameter counts are torch's: batch-norm scale and bias count, running statistics do not.

export interface ZooEntryInfo {
  readonly name: string;
  readonly description: string;
  /** The input size the published totals are for; undefined where the layer shapes are fixed (the conv sets take no @size). */
  readonly size?: number;
  /** The smallest input size the network takes (Keras Applications' documented minimum where it states one). */
  readonly minSize?: number;
  /** Published parameter count, exact. */
  readonly params: number;
  /** Published multiply-accumulates (the source's rounding), or undefined where none is published. */
  readonly macs?: number;
  readonly source: string;
}

const TV = 'torchvision weights table';
/** Image classifiers end in a global pool, so any size down to the total stride of 32 works. */
const at224 = { size: 224, minSize: 32 } as const;
/** Inception-style stems use valid convolutions: Keras Applications states 75 as the minimum for Inception v3 and Inception-ResNet v2. */
const at299 = { size: 299, minSize: 75 } as const;

export const ZOO_ENTRIES: readonly ZooEntryInfo[] = [
  { name: 'alexnet', description: 'AlexNet (torchvision), 224x224', size: 224, minSize: 223, params: 61_100_840, macs: 0.714e9, source: TV },
  { name: 'vgg16', description: 'VGG-16 (torchvision), 224x224', size: 224, minSize: 224, params: 138_357_544, macs: 15.47e9, source: TV },
  { name: 'vgg19', description: 'VGG-19 (torchvision), 224x224', size: 224, minSize: 224, params: 143_667_240, macs: 19.63e9, source: TV },
  { name: 'resnet18', description: 'ResNet-18 (torchvision), 224x224', ...at224, params: 11_689_512, macs: 1.814e9, source: TV },
  { name: 'resnet34', description: 'ResNet-34 (torchvision), 224x224', ...at224, params: 21_797_672, macs: 3.664e9, source: TV },
  { name: 'resnet50', description: 'ResNet-50 v1.5 (torchvision), 224x224', ...at224, params: 25_557_032, macs: 4.089e9, source: TV },
  { name: 'resnet101', description: 'ResNet-101 v1.5 (torchvision), 224x224', ...at224, params: 44_549_160, macs: 7.801e9, source: TV },
  { name: 'resnet152', description: 'ResNet-152 v1.5 (torchvision), 224x224', ...at224, params: 60_192_808, macs: 11.514e9, source: TV },
  { name: 'squeezenet11', description: 'SqueezeNet 1.1 (torchvision), 224x224', ...at224, params: 1_235_496, macs: 0.349e9, source: TV },
  {
    name: 'mobilenet', description: 'MobileNet v1 1.0 (Keras Applications), 224x224', ...at224, params: 4_231_976, macs: 569e6,
    source: 'Keras Applications MobileNet: 4,253,864 parameters of which 21,888 are BN moving statistics; Howard et al. 2017, Table 9: 569M mult-adds',
  },
  { name: 'mobilenetv2', description: 'MobileNetV2 (torchvision), 224x224', ...at224, params: 3_504_872, macs: 0.301e9, source: TV },
  { name: 'densenet121', description: 'DenseNet-121 (torchvision), 224x224', ...at224, params: 7_978_856, macs: 2.834e9, source: TV },
  { name: 'densenet169', description: 'DenseNet-169 (torchvision), 224x224', ...at224, params: 14_149_480, macs: 3.36e9, source: TV },
  { name: 'densenet201', description: 'DenseNet-201 (torchvision), 224x224', ...at224, params: 20_013_928, macs: 4.291e9, source: TV },
  {
    name: 'inceptionv3', description: 'Inception-v3 (torchvision, inference graph), 299x299', ...at299, params: 23_834_568, macs: 5.713e9,
    source: 'torchvision weights table: 27,161,264 parameters including the 3,326,696 of the AuxLogits head, which inference never runs; 5.713 GFLOPS',
  },
  {
    name: 'xception', description: 'Xception (Keras Applications), 299x299', size: 299, minSize: 71, params: 22_855_952,
    source: 'Keras Applications Xception: 22,910,480 parameters of which 54,528 are BN moving statistics (no MAC figure published there)',
  },
  {
    name: 'googlenet', description: 'GoogLeNet / Inception v1 (torchvision, inference graph), 224x224', ...at224, params: 6_624_904, macs: 1.498e9,
    source: 'torchvision weights table: 6,624,904 parameters (without the auxiliary heads, which inference never runs), 1.498 GFLOPS',
  },
  {
    name: 'inceptionv4', description: 'Inception v4 (Szegedy et al. 2016; TF-slim, Cadene\'s PyTorch port), 299x299', ...at299, params: 42_679_816, macs: 12.305e9,
    source: 'osmr/imgclsmob model table (PyTorch port of Cadene\'s pretrainedmodels): 42,679,816 parameters, 12,304.93M MACs (its counter adds BN and pooling: 0.4% above conv and linear layers)',
  },
  {
    name: 'inceptionresnetv2', description: 'Inception-ResNet v2 (Szegedy et al. 2016; Keras Applications), 299x299', ...at299, params: 55_813_192,
    source: 'Keras Applications InceptionResNetV2: 55,873,736 parameters of which 60,544 are BN moving statistics (no MAC figure published there)',
  },
  {
    name: 'resnet50v2', description: 'ResNet-50 V2, pre-activation (Keras Applications), 224x224', ...at224, params: 25_568_360,
    source: 'Keras Applications ResNet50V2: 25,613,800 parameters of which 45,440 are BN moving statistics (no MAC figure published there)',
  },
  {
    name: 'resnet152v2', description: 'ResNet-152 V2, pre-activation (Keras Applications), 224x224', ...at224, params: 60_236_904,
    source: 'Keras Applications ResNet152V2: 60,380,648 parameters of which 143,744 are BN moving statistics (no MAC figure published there)',
  },
  { name: 'efficientnetb0', description: 'EfficientNet-B0 (torchvision), 224x224', ...at224, params: 5_288_548, macs: 0.386e9, source: TV },
  {
    name: 'efficientnetedgetpus', description: 'EfficientNet-EdgeTPU-S (TensorFlow; timm efficientnet_es), 224x224', ...at224, params: 5_438_392,
    source: 'osmr/imgclsmob model table (timm\'s port of the TensorFlow EdgeTPU models, 1000 classes): 5,438,392 parameters (no conv-and-linear MAC figure published there)',
  },
  {
    name: 'efficientnetedgetpum', description: 'EfficientNet-EdgeTPU-M (TensorFlow; timm efficientnet_em), 240x240', size: 240, minSize: 32, params: 6_899_496,
    source: 'osmr/imgclsmob model table (timm\'s port of the TensorFlow EdgeTPU models, 1000 classes): 6,899,496 parameters (no conv-and-linear MAC figure published there)',
  },
  {
    name: 'efficientnetedgetpul', description: 'EfficientNet-EdgeTPU-L (TensorFlow; timm efficientnet_el), 300x300', size: 300, minSize: 32, params: 10_589_712,
    source: 'osmr/imgclsmob model table (timm\'s port of the TensorFlow EdgeTPU models, 1000 classes): 10,589,712 parameters (no conv-and-linear MAC figure published there)',
  },
  {
    name: 'alexnetconvs', description: 'the 5 AlexNet conv layers, as independent nodes',
    params: 2_468_544, source: 'torchvision AlexNet conv weights (no bias)',
  },
  {
    name: 'vgg16convs', description: 'the 9 distinct VGG-16 conv layers, as independent nodes',
    params: 7_042_752, source: 'VGG-16 conv weights of the 9 distinct layers (no bias)',
  },
  {
    name: 'resnet18convs', description: 'AutoTVM\'s 12 ResNet-18 conv operators, as independent nodes',
    params: 4_867_264, source: 'AutoTVM (Chen et al. 2018) ResNet-18 operators C1-C12 (no bias)',
  },
];

export function zooNames(): string[] {
  return ZOO_ENTRIES.map((e) => e.name);
}

/** The table row of a zoo model by its exact name. */
export function zooEntryInfo(name: string): ZooEntryInfo | undefined {
  return ZOO_ENTRIES.find((e) => e.name === name);
}

/** Input sizes above this are refused: a typo, not a network anyone maps. */
export const MAX_ZOO_SIZE = 4096;

/**
 * Why the entry's network cannot take a `size` x `size` input, or undefined if it can (the
 * adaptive pools of AlexNet and VGG are checked only when the graph is built).
 */
export function zooSizeProblem(entry: ZooEntryInfo, size: number): string | undefined {
  if (entry.size === undefined) return `${entry.name} has fixed layer shapes and takes no @size`;
  if (!Number.isInteger(size) || size > MAX_ZOO_SIZE) return `the size must be a whole number of pixels up to ${MAX_ZOO_SIZE}`;
  if (size < entry.minSize!) return `${entry.name} downsamples too much for a ${size}x${size} input; it takes at least ${entry.minSize}x${entry.minSize}`;
  return undefined;
}
