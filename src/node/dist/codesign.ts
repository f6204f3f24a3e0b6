// The exact co-design search on workers: its array shapes split into jobs ('codesign-slice'),
// each searched exactly by branch and bound on one worker (src/codesign/ceiling.ts ceilingSlice),
// and the slices merged here into the optimum one search over every shape finds (mergeSlices
// keeps its tie-break). Each slice prunes against its own best only, so workers together evaluate
// somewhat more accelerators exactly than one search does; the optimum is the same.
import { createHash } from 'node:crypto';
import type { Core } from '../../core/core.js';
import { budgetKey, CEILING_SHAPES, type Ceiling, ceilingRun, ceilingShapeOrder, ceilingSlice, type CeilingSlice, CodesignProblem, type CodesignRun, type CodesignTarget, mergeSlices, networkFromLayers, resumeByRepeating, type SliceHooks, type Strategy, type StrategyOptions } from '../../codesign/index.js';
import type { EnergyTable } from '../../sim/energy.js';
import { MappingModel } from '../../sim/mapping.js';
import { Simulator } from '../../sim/simulate.js';
import { type ConvLayer, DATAFLOWS } from '../../sim/types.js';
import type { Coordinator } from './coordinator.js';
import { finiteOr, layer, object, PayloadError, positive, string } from './payload.js';
import { remoteLayerSearch } from './remote-layers.js';
import { QUEUE_PREFIX } from './queues.js';

/** A share of the exact search: the problem (network and budget) and which of CEILING_SHAPES to search. */
export interface CodesignSliceJob {
  kind: 'codesign-slice';
  /** The budget's records key (budgetKey). */
  workload: string;
  network: { name: string; layers: { layer: ConvLayer; count: number }[] };
  target: {
    maxPEs: number | 'infinite';
    maxSramBytes: number | 'infinite';
    maxAreaMm2: number | 'infinite';
    dramBytesPerCycle: number;
    freqMHz: number;
    defaultHardware: CodesignTarget['defaultHardware'];
    energy: EnergyTable;
  };
  shapes: number[];
}

const ENERGY_NUMBERS = ['macPJ', 'sramReadPJPerWord', 'sramWritePJPerWord', 'dramPJPerWord', 'macAreaUm2', 'sramAreaUm2PerKiB'] as const;
const HARDWARE_NUMBERS = ['rows', 'cols', 'ifmapSramKiB', 'filterSramKiB', 'ofmapSramKiB'] as const;
const MAX_LAYERS = 4096;

export function parseCodesignSlice(data: Record<string, unknown>): CodesignSliceJob {
  const top = object(data, 'job', ['kind', 'workload', 'network', 'target', 'shapes']);
  const network = object(top.network, 'network', ['name', 'layers']);
  if (!Array.isArray(network.layers) || network.layers.length === 0 || network.layers.length > MAX_LAYERS) throw new PayloadError(`field 'network.layers' must be an array of 1 to ${MAX_LAYERS} layers`);
  const layers = network.layers.map((entry, i) => {
    const l = object(entry, `network.layers[${i}]`, ['layer', 'count']);
    return { layer: layer(l.layer, `network.layers[${i}].layer`), count: positive(l.count, `network.layers[${i}].count`, { integer: true, max: 1e6 }) };
  });
  const t = object(top.target, 'target', ['maxPEs', 'maxSramBytes', 'maxAreaMm2', 'dramBytesPerCycle', 'freqMHz', 'defaultHardware', 'energy']);
  const h = object(t.defaultHardware, 'target.defaultHardware', [...HARDWARE_NUMBERS, 'dataflow']);
  if (!DATAFLOWS.includes(h.dataflow as never)) throw new PayloadError(`field 'target.defaultHardware.dataflow' must be one of ${DATAFLOWS.join(', ')}`);
  const e = object(t.energy, 'target.energy', ['source', ...ENERGY_NUMBERS]);
  const shapes = top.shapes;
  if (!Array.isArray(shapes) || shapes.length === 0 || !shapes.every((s, i) => Number.isInteger(s) && s >= 0 && s < CEILING_SHAPES.length && shapes.indexOf(s) === i)) {
    throw new PayloadError(`field 'shapes' must be distinct integers from 0 to ${CEILING_SHAPES.length - 1}`);
  }
  return {
    kind: 'codesign-slice',
    workload: string(top.workload, 'workload'),
    network: { name: string(network.name, 'network.name'), layers },
    target: {
      maxPEs: finiteOr(positive(t.maxPEs, 'target.maxPEs', { infinite: true })),
      maxSramBytes: finiteOr(positive(t.maxSramBytes, 'target.maxSramBytes', { infinite: true })),
      maxAreaMm2: finiteOr(positive(t.maxAreaMm2, 'target.maxAreaMm2', { infinite: true })),
      dramBytesPerCycle: positive(t.dramBytesPerCycle, 'target.dramBytesPerCycle'),
      freqMHz: positive(t.freqMHz, 'target.freqMHz'),
      defaultHardware: {
        ...(Object.fromEntries(HARDWARE_NUMBERS.map((key) => [key, positive(h[key], `target.defaultHardware.${key}`, { max: 1 << 20 })])) as Record<(typeof HARDWARE_NUMBERS)[number], number>),
        dataflow: h.dataflow as CodesignTarget['defaultHardware']['dataflow'],
      },
      energy: {
        source: string(e.source, 'target.energy.source'),
        ...(Object.fromEntries(ENERGY_NUMBERS.map((key) => [key, positive(e[key], `target.energy.${key}`, { max: 1e12 })])) as Record<(typeof ENERGY_NUMBERS)[number], number>),
      },
    },
    shapes: [...(shapes as number[])],
  };
}

const infinite = (x: number | 'infinite'): number => (x === 'infinite' ? Number.POSITIVE_INFINITY : x);

/** The worker's side: searches the slice's shapes (in a thread: ./thread.ts). */
export function runCodesignSlice(core: Core, job: CodesignSliceJob, hooks: SliceHooks = {}): CeilingSlice {
  const t = job.target;
  const target: CodesignTarget = Object.freeze({ ...t, maxPEs: infinite(t.maxPEs), maxSramBytes: infinite(t.maxSramBytes), maxAreaMm2: infinite(t.maxAreaMm2) });
  const sim = new Simulator(core);
  try {
    return ceilingSlice(new CodesignProblem(new MappingModel(sim), networkFromLayers(job.network.name, job.network.layers), target), job.shapes, hooks);
  } finally {
    sim.free();
  }
}

/**
 * The exact optimum with its shapes spread over the workers in `jobs` slices, dealt round robin
 * from the largest arrays that fit the budget down (ceilingShapeOrder): each slice's first shapes
 * are among the most promising, and the slices taken first share a good incumbent early (each its
 * accelerators' tiled upper bound before it evaluates any exactly, so slices that start together
 * do not evaluate what the other's bound prunes: ResNet-18 on two workers, 509 exact evaluations
 * as on one, against 586 without). A slice that fails for good fails the search: there is no
 * exact optimum without every shape.
 */
export async function remoteCeiling(coordinator: Coordinator, problem: CodesignProblem, options: { jobs?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<Ceiling> {
  const started = performance.now();
  const count = Math.min(options.jobs ?? 24, CEILING_SHAPES.length);
  const t = problem.target;
  const base: Omit<CodesignSliceJob, 'shapes'> = {
    kind: 'codesign-slice',
    workload: budgetKey(problem),
    network: { name: problem.network.name, layers: problem.network.layers.map((l) => ({ layer: { ...l.layer }, count: l.count })) },
    target: {
      maxPEs: finiteOr(t.maxPEs), maxSramBytes: finiteOr(t.maxSramBytes), maxAreaMm2: finiteOr(t.maxAreaMm2),
      dramBytesPerCycle: t.dramBytesPerCycle, freqMHz: t.freqMHz, defaultHardware: { ...t.defaultHardware }, energy: { ...t.energy },
    },
  };
  const order = ceilingShapeOrder(problem);
  let done = 0;
  const slices = await Promise.all(
    Array.from({ length: count }, async (_, j) => {
      const job: CodesignSliceJob = { ...base, shapes: order.filter((_, rank) => rank % count === j) };
      const slice = (await coordinator.run(job)) as CeilingSlice;
      options.onProgress?.(++done, count);
      return slice;
    }),
  );
  return mergeSlices(problem, slices, started);
}

/**
 * A co-design strategy with its work on the workers of `redis`, the run a local one gives: the
 * exhaustive search splits its shapes (progress as the share of slices done; a resume repeats it);
 * the others send out the layers each batch simulates (./remote-layers.ts).
 */
export async function distributedSearch(redis: string, strategy: Strategy, core: Core, problem: CodesignProblem, options: StrategyOptions): Promise<CodesignRun> {
  const { Coordinator } = await import('./coordinator.js');
  const coordinator = await Coordinator.connect({ redis });
  try {
    if (strategy !== 'exhaustive') return await remoteLayerSearch(coordinator, strategy, core, problem, options);
    const ceiling = await remoteCeiling(coordinator, problem, { onProgress: (done, total) => options.onProgress?.(Math.round((done / total) * options.budget), options.budget, 0) });
    return ceilingRun(problem, resumeByRepeating(options), ceiling);
  } finally {
    await coordinator.close();
  }
}

/** The key under which the slices of one problem share their best cycles: the payload without its shapes. */
export function incumbentKey(job: CodesignSliceJob): string {
  const { shapes: _, ...problem } = job;
  return `${QUEUE_PREFIX}:incumbent:${createHash('sha256').update(JSON.stringify(problem)).digest('hex').slice(0, 32)}`;
}
