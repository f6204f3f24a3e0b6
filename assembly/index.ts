// The flat export surface of the WebAssembly core: functions over numbers and pointers.
// Each area keeps its own module; this file only re-exports.
export { alloc, free, relaxedSimd } from './memory';
export { gemm } from './kernels/gemm';
export { pipelineSimulate, pipelineContiguousDp } from './sched/pipeline';
export { convPlan, convPrepare, convRun, dwPlan, dwRun, planRelease, convPackWeights, convPackedLength, dwPackWeights, dwPackedLength, convVariantCount, convVariantRows, convVariantCols, dwVariantCount, peakMadd } from './kernels/conv';
export { wgPlan, wgRun, wgPackWeights, wgPackedLength } from './kernels/winograd';
export { biasAdd, addTensors } from './kernels/ops';
export { unaryMap, binaryMap, binaryRun, stridedCopy, interleavePairs, fillF32, flushSubnormals, gatherRows, selectMap, poolRun, reduceMiddle, softmaxMiddle, channelAffine, affineRun, layerNorm, lrnChannels, instanceNormChannelsLast } from './kernels/tensor';
export { simLayer, simFieldCount, simTraceBegin, simTraceLines, simTraceLine, simTraceEnd, simDramLog, simDramLogLength, simDramLogData, simPrefetchLength, simPrefetchOrder } from './sim/systolic';
export { simRamulator } from './sim/ramulator';
export { nnGroupSoftmax, nnGroupXentBackward, nnMaskedSoftmax } from './nn/softmax';
export { nnDenseForward, nnDenseBackward, nnReluForward, nnReluBackward, nnTanhForward, nnTanhBackward, nnSumSquares, nnScale, nnAdamStep } from './nn/layers';
export { nnFastTanhForward } from './nn/fast-tanh';
export { gbtFit, gbtPredict, gbtNodesPerTree } from './tune/gbt';
