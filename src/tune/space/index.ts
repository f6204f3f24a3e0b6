// The knob spaces of the tensor kernels: tasks (layers), their spaces, the shape lists tuned
// by the benchmark, and the generated kernel variants.
export { type Config, convSpace, depthwiseSpace, type Knob, Space, spaceFor } from './space.js';
export { untunedConfig } from './untuned.js';
export { convTask, denseTask, describeShape, type Task, type TaskKind, taskKey } from './task.js';
export { CONV_VARIANTS, type ConvVariant, DEPTHWISE_VARIANTS, type DepthwiseVariant } from '../../core/generated/variants.js';
export { MOBILENETV2_DEPTHWISE, MOBILENETV2_POINTWISE, RESNET18_CONV } from './workloads.js';
