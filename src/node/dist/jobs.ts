// The jobs a worker runs: a closed list of kinds, each with a payload checked field by field
// before anything runs (a payload comes from the network: never code, never a path). A host
// measure job times a few points of one workload and returns one MeasureResult per point, in
// order; a mapping job scores groups of points, each of one workload, and returns one list of
// results per group (the coordinator packs every layer's batch of a round into a few jobs, so a
// microsecond simulation does not pay a trip through Redis on its own); a mapping search tunes a
// whole layer on a simulated array, the search a local run does (./tune-layer.ts); a codesign slice
// searches some array shapes exactly (./codesign.ts); a teacher label solves one training
// instance's MILP (./teacher.ts).
//
// Its id is a digest of the whole payload and the run (tuner, seed), so the same work asked
// twice (a retry, a coordinator that restarts and re-attaches) is one job in Redis, whose
// result the coordinator records once.
import { createHash } from 'node:crypto';
import { checkConvShape, type ConvShape, convFlops, isDepthwise } from '../../core/kernels.js';
import { validateConfig } from '../../sim/config.js';
import { MAPPING_KNOBS, type MappingTarget, type SparseRepresentation } from '../../sim/mapping.js';
import { MAPPING_CARDINALITIES } from '../../sim/mapping-space.js';
import type { ConvLayer, Dataflow, SystolicConfig } from '../../sim/types.js';
import type { MeasureResult } from '../../base/result.js';
import { checkPoint, type Point, type SearchSpace } from '../../base/search-space.js';
import { spaceFor } from '../../tune/space/space.js';
import type { Task, TaskKind } from '../../tune/space/task.js';
import { type CodesignSliceJob, parseCodesignSlice } from './codesign.js';
import { checked, layer, object, PayloadError, positive, string } from './payload.js';
import { parseTeacherLabel, type TeacherLabelJob } from './teacher.js';
import { TUNER_NAMES, type TunerName } from '../../tune/tuners/index.js';
import { parseRecords } from '../../tune/records.js';

export { PayloadError } from './payload.js';

/** Every job kind a worker runs; anything else is refused. */
export const JOB_KINDS = ['measure-host', 'measure-mapping', 'tune-mapping', 'codesign-slice', 'teacher-label'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** Points per job at most, over all its groups. */
export const MAX_POINTS_PER_JOB = 4096;

/** Times kernel schedules of one layer on the worker's device (in its isolated measurer). */
export interface HostMeasureJob {
  kind: 'measure-host';
  /** The records' workload key; names the job in logs and in its id. */
  workload: string;
  task: Task;
  points: Point[];
}

/** Mappings of one layer on one simulated systolic array to score (deterministic). */
export interface MappingGroup {
  /** The records' workload key. */
  workload: string;
  points: Point[];
  layer: ConvLayer;
  config: SystolicConfig;
  /** DRAM bytes per cycle; 'infinite' is SCALE-Sim's CALC mode (JSON has no Infinity). */
  dramBytesPerCycle: number | 'infinite';
  /** The array's sparsity support (co-design of a pruned network); absent: dense. */
  sparseRep?: SparseRepresentation;
  /** Co-design: each result also carries the whole MappingResult (`mapping`), which the coordinator caches. */
  detail?: true;
}

/** Groups of mappings to score, of one or many workloads. */
export interface MappingMeasureJob {
  kind: 'measure-mapping';
  groups: MappingGroup[];
}

/**
 * A whole layer's mapping search on one simulated array, as a local run tunes it (a simulated
 * target without transfer: its layers are independent and their measurements deterministic).
 */
export interface MappingSearchJob {
  kind: 'tune-mapping';
  group: Omit<MappingGroup, 'points' | 'detail'>;
  tuner: TunerName;
  seed: number;
  trials: number;
  batchSize: number;
  earlyStopping?: number;
  /** The layer's records from an earlier run, as JSON lines: replayed, then the search goes on. */
  previous: string;
}

export type MeasureJob = HostMeasureJob | MappingMeasureJob;
export type Job = MeasureJob | MappingSearchJob | CodesignSliceJob | TeacherLabelJob;

/** A job that failed on every attempt, stalled too often or came back malformed: its message says why. */
export class JobFailedError extends Error {
  override name = 'JobFailedError';
}

/** What a measure job is about, for logs: its workload, or a mapping job's first and how many more. */
export function jobWorkload(job: MeasureJob): string {
  if (job.kind === 'measure-host') return job.workload;
  const [first, ...more] = job.groups;
  return more.length === 0 ? first!.workload : `${first!.workload} and ${more.length} more`;
}

/** Points a measure job holds, over its groups. */
export const jobPoints = (job: MeasureJob): number => (job.kind === 'measure-host' ? job.points.length : job.groups.reduce((sum, g) => sum + g.points.length, 0));

/** The job's id in Redis, from its payload and what else names the run: BullMQ ids may not contain ':' nor be integers. */
export function jobId(job: Job, ...run: (string | number)[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([job, ...run]))
    .digest('hex')
    .slice(0, 32);
  return `${job.kind}-${digest}`;
}

const TASK_KINDS: readonly TaskKind[] = ['conv2d', 'depthwise', 'dense'];
const SHAPE_KEYS: readonly (keyof ConvShape)[] = [
  'n', 'h', 'w', 'c', 'oc', 'kh', 'kw', 'strideH', 'strideW', 'padTop', 'padLeft', 'padBottom', 'padRight', 'dilationH', 'dilationW', 'groups',
];
const CONFIG_KEYS: readonly (keyof SystolicConfig)[] = [
  'runName', 'rows', 'cols', 'ifmapSramKiB', 'filterSramKiB', 'ofmapSramKiB', 'ifmapOffset', 'filterOffset', 'ofmapOffset', 'dataflow', 'interfaceBandwidth', 'bandwidthWordsPerCycle',
];

/** The fields of a config a job carries (a target's config has more, such as its `kind`). */
export function configFields(config: SystolicConfig): SystolicConfig {
  return Object.fromEntries(CONFIG_KEYS.map((key) => [key, config[key]])) as unknown as SystolicConfig;
}

/** A mapping group of one layer on one target, all but its points. */
export function mappingGroupTemplate(workload: string, layer: ConvLayer, target: MappingTarget): Omit<MappingGroup, 'points'> {
  return {
    workload, layer, config: configFields(target.config),
    dramBytesPerCycle: Number.isFinite(target.dramBytesPerCycle) ? target.dramBytesPerCycle : 'infinite',
    ...(target.sparseRep ? { sparseRep: target.sparseRep } : {}),
  };
}

/** The target a group's template names, as mappingGroupTemplate took it. */
export function mappingTarget(group: Omit<MappingGroup, 'points'>): MappingTarget {
  const dram = group.dramBytesPerCycle;
  return { config: group.config, dramBytesPerCycle: dram === 'infinite' ? Number.POSITIVE_INFINITY : dram, ...(group.sparseRep ? { sparseRep: group.sparseRep } : {}) };
}

function points(value: unknown, space: Pick<SearchSpace, 'cardinalities' | 'knobNames'>, field = 'points'): Point[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_POINTS_PER_JOB) {
    throw new PayloadError(`field '${field}' must be an array of 1 to ${MAX_POINTS_PER_JOB} points`);
  }
  return value.map((point, i) => {
    if (!Array.isArray(point) || !point.every((x) => Number.isInteger(x))) throw new PayloadError(`field '${field}[${i}]' must be an array of integers`);
    checked(`${field}[${i}]`, () => checkPoint(space as SearchSpace, point));
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

const SPARSE_REPS: readonly SparseRepresentation[] = ['csr', 'csc', 'ellpack_block'];

/** The fields of a mapping group but its points and detail: the layer, the array and its DRAM. */
function mappingTemplate(top: Record<string, unknown>, field: string): Omit<MappingGroup, 'points' | 'detail'> {
  if ('sparseRep' in top && !SPARSE_REPS.includes(top.sparseRep as SparseRepresentation)) throw new PayloadError(`field '${field}.sparseRep' must be one of ${SPARSE_REPS.join(', ')}`);
  const rawConfig = object(top.config, `${field}.config`, CONFIG_KEYS);
  string(rawConfig.runName, `${field}.config.runName`);
  const config = checked(`${field}.config`, () => validateConfig(Object.fromEntries(CONFIG_KEYS.map((key) => [key, rawConfig[key]])) as unknown as SystolicConfig & { dataflow: Dataflow }));
  const dram = top.dramBytesPerCycle;
  if (dram !== 'infinite' && !(typeof dram === 'number' && Number.isFinite(dram) && dram > 0)) {
    throw new PayloadError(`field '${field}.dramBytesPerCycle' must be a positive number or 'infinite'`);
  }
  return {
    workload: string(top.workload, `${field}.workload`),
    layer: layer(top.layer, `${field}.layer`),
    config,
    dramBytesPerCycle: dram,
    ...('sparseRep' in top ? { sparseRep: top.sparseRep as SparseRepresentation } : {}),
  };
}

/** Which of a group's optional keys `data` has. */
const present = <K extends string>(data: unknown, keys: readonly K[]): K[] => (data !== null && typeof data === 'object' ? keys.filter((key) => key in data) : []);

function mappingGroup(data: unknown, field: string): MappingGroup {
  const top = object(data, field, ['workload', 'points', 'layer', 'config', 'dramBytesPerCycle', ...present(data, ['sparseRep', 'detail'] as const)]);
  if ('detail' in top && top.detail !== true) throw new PayloadError(`field '${field}.detail' must be true when given`);
  return {
    ...mappingTemplate(top, field),
    points: points(top.points, { cardinalities: MAPPING_CARDINALITIES, knobNames: MAPPING_KNOBS }, `${field}.points`),
    ...('detail' in top ? { detail: true as const } : {}),
  };
}

/** Records a search job may replay, in bytes of JSON lines. */
const MAX_PREVIOUS_BYTES = 64 << 20;

function mappingSearchJob(data: Record<string, unknown>): MappingSearchJob {
  const top = object(data, 'job', ['kind', 'group', 'tuner', 'seed', 'trials', 'batchSize', 'previous', ...present(data, ['earlyStopping'] as const)]);
  const group = mappingTemplate(object(top.group, 'group', ['workload', 'layer', 'config', 'dramBytesPerCycle', ...present(top.group, ['sparseRep'] as const)]), 'group');
  if (!(TUNER_NAMES as readonly unknown[]).includes(top.tuner)) throw new PayloadError(`field 'tuner' must be one of ${TUNER_NAMES.join(', ')}`);
  if (!Number.isSafeInteger(top.seed)) throw new PayloadError(`field 'seed' must be an integer`);
  if (typeof top.previous !== 'string' || top.previous.length > MAX_PREVIOUS_BYTES) throw new PayloadError(`field 'previous' must be JSON lines of at most ${MAX_PREVIOUS_BYTES} bytes`);
  const { records, warnings } = checked('previous', () => parseRecords(top.previous as string, 'previous'));
  const stray = warnings[0] ?? records.find((r) => r.workload !== group.workload)?.workload;
  if (stray !== undefined) throw new PayloadError(`field 'previous' must hold whole records of workload '${group.workload}' only: ${stray}`);
  return {
    kind: 'tune-mapping',
    group,
    tuner: top.tuner as TunerName,
    seed: top.seed as number,
    trials: positive(top.trials, 'trials', { integer: true, max: 1_000_000 }),
    batchSize: positive(top.batchSize, 'batchSize', { integer: true, max: 4096 }),
    ...('earlyStopping' in top ? { earlyStopping: positive(top.earlyStopping, 'earlyStopping', { integer: true, max: 1_000_000 }) } : {}),
    previous: top.previous,
  };
}

function mappingJob(data: Record<string, unknown>): MappingMeasureJob {
  const top = object(data, 'job', ['kind', 'groups']);
  if (!Array.isArray(top.groups) || top.groups.length === 0 || top.groups.length > MAX_POINTS_PER_JOB) {
    throw new PayloadError(`field 'groups' must be an array of 1 to ${MAX_POINTS_PER_JOB} groups`);
  }
  const groups = top.groups.map((group, i) => mappingGroup(group, `groups[${i}]`));
  const total = groups.reduce((sum, group) => sum + group.points.length, 0);
  if (total > MAX_POINTS_PER_JOB) throw new PayloadError(`field 'groups' holds ${total} points; a job holds at most ${MAX_POINTS_PER_JOB}`);
  return { kind: 'measure-mapping', groups };
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
  switch (kind as JobKind) {
    case 'measure-host':
      return hostJob(record);
    case 'measure-mapping':
      return mappingJob(record);
    case 'tune-mapping':
      return mappingSearchJob(record);
    case 'codesign-slice':
      return parseCodesignSlice(record);
    case 'teacher-label':
      return parseTeacherLabel(record);
  }
}

/** A result after its trip through JSON: NaN figures (a failed kernel's medianSeconds) come back as null. */
export function reviveResult(value: unknown): MeasureResult {
  const result = { ...(value as Record<string, unknown>) };
  for (const [key, field] of Object.entries(result)) if (field === null) result[key] = Number.NaN;
  return result as unknown as MeasureResult;
}
