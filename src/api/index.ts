// The library's facades: small functions over the graph front-end, the schedulers and the
// simulators, with their options checked where they enter.
export { checkOptions, OptionsError } from '../base/options.js';
export type { ProgressEvent } from './check.js';
export { importOnnx, type ImportOnnxOptions } from './import-onnx.js';
export { type ModelInput } from './model.js';
export { schedule, type ScheduleOptions, type ScheduleReport } from './schedule.js';
export { simulate, SIMULATE_DEFAULTS, simulateTraces, type ScalesimText, type ScalesimTopology, type SimulateModel, type SimulateOptions, type SimulateReport } from './simulate.js';
export { type MulticoreLayer, type MulticoreReport, simulateMulticore, type SimulateMulticoreOptions } from './simulate-multicore.js';
export { tune, type TuneLayerReport, type TuneOptions, type TuneReport } from './tune.js';
export { codesign, type CodesignOptions, type CodesignReport } from './codesign.js';
export { compile, type CompileOptions, type CompileResult } from './compile.js';
export { trainScheduler, type TrainSchedulerOptions, type TrainSchedulerReport } from './train-scheduler.js';
export { infer, topK, type InferOptions, type InferOutput, type InferReport, type TopK } from './infer.js';
export { zooModels, type ZooModel } from './zoo.js';
