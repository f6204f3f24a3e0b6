// The isomorphic library surface shared by every entry point. Entry points add only the way
// their runtime loads the WebAssembly core.
export * from './core/index.js';
export { gemmSelfCheck, type GemmCheck } from './core/selfcheck.js';
export { Random } from './helpers/random.js';
export * from './graph/index.js';
export { VERSION } from './version.js';
export { Kernels, convShape, type ConvShape, type ConvSchedule, type DepthwiseSchedule, type Schedule } from './core/kernels.js';
export { convSpace, convTask, denseTask, depthwiseSpace, type Config, type Knob, Space, spaceFor, type Task, taskKey } from './tune/space/index.js';
export { InProcessMeasurer, type KernelResult, type MeasureOptions } from './tune/measure.js';
export { WebWorkerMeasurer } from './tune/measure-web.js';
export { importOnnx, OptionsError, schedule, simulate, type ImportOnnxOptions, type ModelInput, type ProgressEvent, type ScheduleOptions, type ScheduleReport, type SimulateOptions, type SimulateReport } from './api/index.js';
export { tune, type TuneOptions, type TuneReport } from './api/index.js';
export { type MulticoreReport, simulateMulticore, type SimulateMulticoreOptions } from './api/index.js';
export { SIMULATE_DEFAULTS, simulateTraces, type ScalesimText, type ScalesimTopology, type SimulateModel, zooModels, type ZooModel } from './api/index.js';
export { isUserError, UserError, type UserErrorPlace } from './base/errors.js';
// The co-design building blocks (problem, strategies, ARCO) for callers who go past the facade,
// loaded when asked for: they weigh more than the rest of the library's import.
export const codesignParts = (): Promise<typeof import('./codesign/index.js')> => import('./codesign/index.js');
export { codesign, type CodesignOptions, type CodesignReport } from './api/index.js';
export { compile, type CompileOptions, type CompileResult } from './api/index.js';
export { trainScheduler, type TrainSchedulerOptions, type TrainSchedulerReport } from './api/index.js';
// The inference runtime.
export { createSession, readNpy, RuntimeError, Session, SUPPORTED_OPS, writeNpy, type NpyArray, type Feed, type OutputTensor, type SessionOptions, type TensorDescription } from './run/index.js';
export { infer, type InferOptions, type InferOutput, type InferReport } from './api/index.js';
