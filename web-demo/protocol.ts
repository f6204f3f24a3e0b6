// Messages between the demo page (main.ts) and its Web Worker (worker.ts).
import type { ScheduleOptions, SimulateOptions, TuneOptions } from '../src/index.js';

/** A run's input: an image scaled to the model's input and normalised as torchvision does, or seeded noise. */
export type RunInput = { image: Blob } | { seed: number };

/** `zoo`: a zoo model spec, NAME[@SIZE]. */
export type ModelSource = { zoo: string } | { bytes: ArrayBuffer; source: string };

export type Job =
  | { task: 'schedule'; model: ModelSource; options: Omit<ScheduleOptions, 'onProgress' | 'signal'> }
  | { task: 'simulate'; model: ModelSource; options: Omit<SimulateOptions, 'onProgress' | 'signal'> }
  | { task: 'tune'; model: ModelSource; options: Omit<TuneOptions, 'onProgress' | 'signal' | 'previous'> }
  | { task: 'run'; model: ModelSource; options: { input: RunInput; repeat: number; threads: number } };

export type WorkerMessage =
  | { type: 'progress'; step: string; done: number; total: number }
  | { type: 'result'; report: Record<string, unknown>; svgs: string[]; seconds: number }
  | { type: 'error'; message: string };
