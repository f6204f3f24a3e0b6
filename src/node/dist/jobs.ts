// The jobs a worker runs: a closed list of kinds, each with a payload checked field by field
// before anything runs (a payload comes from the network: never code, never a path). A job
// measures a few points of one workload and returns one MeasureResult per point, in order.
//
// Its id is a digest of kind, workload, tuner, seed and points, so the same measurement asked
// twice (a retry, a coordinator that restarts and re-attaches) is one job in Redis, whose
// result the tuning loop records once.
import { createHash } from 'node:crypto';
import { checkConvShape, type ConvShape, convFlops, isDepthwise } from '../../core/kernels.js';
import { validateConfig } from '../../sim/config.js';
import { MAPPING_KNOBS } from '../../sim/mapping.js';
import { MAPPING_CARDINALITIES } from '../../sim/mapping-space.js';
import { validateLayer } from '../../sim/simulate.js';
import type { ConvLayer, Dataflow, SystolicConfig } from '../../sim/types.js';
import type { MeasureResult } from '../../base/result.js';
import { checkPoint, type Point, type SearchSpace } from '../../base/search-space.js';
import { spaceFor } from '../../tune/space/space.js';
import type { Task, TaskKind } from '../../tune/space/task.js';

/** Every job kind a worker runs; anything else is refused. */
export const JOB_KINDS = ['measure-host', 'measure-mapping'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** Points per job at most: a job is a slice of one batch. */
export const MAX_POINTS_PER_JOB = 1024;

interface JobCommon {
  /** The records' workload key; names the job in logs and in its id. */
  workload: string;
  points: Point[];
}

/** Times kernel schedules of one layer on the worker's device (in its isolated measurer). */
export interface HostMeasureJob extends JobCommon {
  kind: 'measure-host';
  task: Task;
}

/** Scores mappings of one layer on a simulated systolic array (deterministic). */
export interface MappingMeasureJob extends JobCommon {
  kind: 'measure-mapping';
  layer: ConvLayer;
  config: SystolicConfig;
  /** DRAM bytes per cycle; 'infinite' is SCALE-Sim's CALC mode (JSON has no Infinity). */
  dramBytesPerCycle: number | 'infinite';
}

export type Job = HostMeasureJob | MappingMeasureJob;

/** A payload that is not one of the job kinds, naming the field at fault. Never retried. */
export class PayloadError extends Error {
  override name = 'PayloadError';
}

/** The job's id in Redis: BullMQ ids may not contain ':' nor be integers. */
export function jobId(job: Job, tuner: string, seed: number): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([job.kind, job.workload, tuner, seed, job.points]))
    .digest('hex')
    .slice(0, 32);
  return `${job.kind}-${digest}`;
}

const TASK_KINDS: readonly TaskKind[] = ['conv2d', 'depthwise', 'dense'];
const SHAPE_KEYS: readonly (keyof ConvShape)[] = [
  'n', 'h', 'w', 'c', 'oc', 'kh', 'kw', 'strideH', 'strideW', 'padTop', 'padLeft', 'padBottom', 'padRight', 'dilationH', 'dilationW', 'groups',
];
const LAYER_KEYS: readonly (keyof ConvLayer)[] = ['name', 'ifmapHeight', 'ifmapWidth', 'filterHeight', 'filterWidth', 'channels', 'numFilters', 'strideHeight', 'strideWidth'];
const CONFIG_KEYS: readonly (keyof SystolicConfig)[] = [
  'runName', 'rows', 'cols', 'ifmapSramKiB', 'filterSramKiB', 'ofmapSramKiB', 'ifmapOffset', 'filterOffset', 'ofmapOffset', 'dataflow', 'interfaceBandwidth', 'bandwidthWordsPerCycle',
];

/** The fields of a config a job carries (a target's config has more, such as its `kind`). */
export function configFields(config: SystolicConfig): SystolicConfig {
  return Object.fromEntries(CONFIG_KEYS.map((key) => [key, config[key]])) as unknown as SystolicConfig;
}

function object(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PayloadError(`field '${field}' must be an object`);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!keys.includes(key)) throw new PayloadError(`field '${field}.${key}' is not part of the job`);
  for (const key of keys) if (!(key in record)) throw new PayloadError(`field '${field}.${key}' is missing`);
  return record;
}

function string(value: unknown, field: string, maxLength = 512): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) throw new PayloadError(`field '${field}' must be a string of 1 to ${maxLength} characters`);
  return value;
}

/** Runs a validator that throws its own message, prefixing the field. */
function checked<T>(field: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new PayloadError(`field '${field}': ${(error as Error).message}`);
  }
}

function points(value: unknown, space: Pick<SearchSpace, 'cardinalities' | 'knobNames'>): Point[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_POINTS_PER_JOB) {
    throw new PayloadError(`field 'points' must be an array of 1 to ${MAX_POINTS_PER_JOB} points`);
  }
  return value.map((point, i) => {
    if (!Array.isArray(point) || !point.every((x) => Number.isInteger(x))) throw new PayloadError(`field 'points[${i}]' must be an array of integers`);
    checked(`points[${i}]`, () => checkPoint(space as SearchSpace, point));
    return Object.freeze([...point] as number[]);
  });
}

function hostJob(data: Record<string, unknown>): HostMeasureJob {
  const top = object(data, 'job', ['kind', 'workload', 'points', 'task']);
  const task = object(top.task, 'task', ['name', 'kind', 'shape', 'flops']);
  const kind = task.kind as TaskKind;
  if (!TASK_KINDS.includes(kind)) throw new PayloadError(`field 'task.kind' must be one of ${TASK_KINDS.join(', ')}`);
  const raw = object(task.shape, 'task.shape', SHAPE_KEYS);
  const shape = Object.fromEntries(SHAPE_KEYS.map((key) => [key, raw[key]])) as unknown as ConvShape;
  checked('task.shape', () => checkConvShape(shape));
  if ((kind === 'depthwise') !== isDepthwise(shape)) throw new PayloadError(`field 'task.kind': ${kind} does not match the shape (depthwise: ${isDepthwise(shape)})`);
  const flops = convFlops(shape);
  if (task.flops !== flops) throw new PayloadError(`field 'task.flops' must be the shape's ${flops}, got ${String(task.flops)}`);
  const validTask: Task = Object.freeze({ name: string(task.name, 'task.name'), kind, shape: Object.freeze(shape), flops });
  return {
    kind: 'measure-host',
    workload: string(top.workload, 'workload'),
    task: validTask,
    points: points(top.points, spaceFor(validTask)),
  };
}

function mappingJob(data: Record<string, unknown>): MappingMeasureJob {
  const top = object(data, 'job', ['kind', 'workload', 'points', 'layer', 'config', 'dramBytesPerCycle']);
  const rawLayer = object(top.layer, 'layer', LAYER_KEYS);
  const layer = Object.fromEntries(LAYER_KEYS.map((key) => [key, rawLayer[key]])) as unknown as ConvLayer;
  string(layer.name, 'layer.name');
  checked('layer', () => validateLayer(layer));
  const rawConfig = object(top.config, 'config', CONFIG_KEYS);
  string(rawConfig.runName, 'config.runName');
  const config = checked('config', () => validateConfig(Object.fromEntries(CONFIG_KEYS.map((key) => [key, rawConfig[key]])) as unknown as SystolicConfig & { dataflow: Dataflow }));
  const dram = top.dramBytesPerCycle;
  if (dram !== 'infinite' && !(typeof dram === 'number' && Number.isFinite(dram) && dram > 0)) {
    throw new PayloadError(`field 'dramBytesPerCycle' must be a positive number or 'infinite'`);
  }
  return {
    kind: 'measure-mapping',
    workload: string(top.workload, 'workload'),
    layer: Object.freeze(layer),
    config,
    dramBytesPerCycle: dram,
    points: points(top.points, { cardinalities: MAPPING_CARDINALITIES, knobNames: MAPPING_KNOBS }),
  };
}

/**
 * A validated job from a queue's message (BullMQ's job name is the kind). Throws a
 * PayloadError naming the field; copies only the known fields, so nothing else reaches the runner.
 */
export function parseJob(kind: string, data: unknown): Job {
  if (!(JOB_KINDS as readonly string[]).includes(kind)) throw new PayloadError(`job kind '${kind.slice(0, 64)}' is not one of ${JOB_KINDS.join(', ')}`);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new PayloadError(`field 'job' must be an object`);
  const record = data as Record<string, unknown>;
  if (record.kind !== kind) throw new PayloadError(`field 'kind' must be '${kind}', the job's name`);
  return kind === 'measure-host' ? hostJob(record) : mappingJob(record);
}

/** A result after its trip through JSON: NaN figures (a failed kernel's medianSeconds) come back as null. */
export function reviveResult(value: unknown): MeasureResult {
  const result = { ...(value as Record<string, unknown>) };
  for (const [key, field] of Object.entries(result)) if (field === null) result[key] = Number.NaN;
  return result as unknown as MeasureResult;
}
