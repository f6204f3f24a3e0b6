// The exact optimum of a co-design problem: the best accelerator within the budget with every
// layer's best mapping on it, found by exhausting the whole space — the ceiling no search strategy
// can pass, and the exact optimum of the default accelerator, which software-only tuning aims at.
//
// It is affordable because a tiled mapping's figures depend on the array shape, the dataflow and
// the tiles, not on the buffer sizes (they only decide whether it fits; see CodesignProblem's
// layerKey). So per array shape, dataflow and layer, each distinct tiling is evaluated once, with
// the smallest buffer sizes it needs; a 3-D running minimum over the buffer sizes then gives the
// best tiled mapping of every SRAM split at once. SCALE-Sim's streaming mapping, whose DRAM traffic
// does depend on the buffers, is simulated for every accelerator. For a network pruned N:M, each
// array shape and dataflow is walked once per sparsity support (dense first).
import { gemmLines, isScalesimMapping, type Mapping, type MappingResult, type MappingTarget } from '../sim/mapping.js';
import { DEFAULT_MAPPING_POINT, MAPPING_CARDINALITIES, mappingOf } from '../sim/mapping-space.js';
import { DATAFLOWS, sramWords } from '../sim/types.js';
import { type Point, pointAt } from '../base/search-space.js';
import type { StrategyOptions } from './baselines.js';
import { type CodesignRun, Tracker } from './run.js';
import {
  ARRAY_SIDES, budgetKey, type CodesignProblem, gridHardware, hardwareOf, type JointConfig, type NetworkEvaluation, SPARSITY_CHOICES, SPARSITY_KNOB, SRAM_KIB,
} from './problem.js';

export interface CeilingOptions {
  /** Called after each array shape and dataflow, with how many of them are done. */
  onProgress?: (done: number, total: number) => void;
}

export interface Ceiling {
  /** The best accelerator within the budget with every layer's best mapping on it. */
  best: { config: JointConfig; evaluation: NetworkEvaluation };
  /** The default accelerator with every layer's best mapping on it. */
  defaultOptimum: { config: JointConfig; evaluation: NetworkEvaluation };
  /** Accelerators within the budget (every one was bounded). */
  hardwarePoints: number;
  /** Accelerators whose bound could beat the best, so were evaluated exactly. */
  exactlyEvaluated: number;
  /** Distinct layer evaluations the tiled model made, plus simulations of the streaming mapping. */
  evaluations: number;
  seconds: number;
}

const LEVELS = SRAM_KIB.length;
const MAPPING_POINTS: readonly Point[] = Array.from({ length: MAPPING_CARDINALITIES.reduce((a, b) => a * b, 1) }, (_, i) => pointAt({ cardinalities: MAPPING_CARDINALITIES }, i));
const cell = (i: number, f: number, o: number): number => (i * LEVELS + f) * LEVELS + o;

/** The smallest buffer size (index into SRAM_KIB) holding `words` with `share` of it usable, or -1. */
function levelFor(words: number, share: number): number {
  return SRAM_KIB.findIndex((kib) => Math.floor(sramWords(kib) * share) >= words);
}

/**
 * Per SRAM split (cell(i, f, o)), the fewest cycles of a tiled mapping of `layer` that fits, and
 * which mapping: every tiling evaluated once on the largest buffers, then a running minimum.
 */
function tiledTable(problem: CodesignProblem, shapePoint: Point, layer: number, tally: { evaluations: number }): { cycles: Float64Array; mapping: Int32Array } {
  const cycles = new Float64Array(LEVELS ** 3).fill(Number.POSITIVE_INFINITY);
  const mapping = new Int32Array(LEVELS ** 3).fill(-1);
  const largest = [...shapePoint.slice(0, 2), LEVELS - 1, LEVELS - 1, LEVELS - 1, ...shapePoint.slice(5)];
  const target: MappingTarget = problem.mappingTarget(largest);
  const shape = problem.shape(largest, layer);
  const seen = new Set<string>();
  MAPPING_POINTS.forEach((point, index) => {
    const m: Mapping = mappingOf(point);
    if (isScalesimMapping(m)) return;
    const key = problem.layerKey(largest, layer, point);
    if (seen.has(key)) return; // the same tiles and loops as a mapping already placed
    seen.add(key);
    const r: MappingResult = problem.model.evaluate(target, problem.network.layers[layer]!.layer, m);
    tally.evaluations++;
    if (!r.valid) return; // does not fit even the largest buffers
    const share = m.doubleBuffer ? 0.5 : 1;
    const at = cell(
      levelFor(shape.ifmapFootprint(r.tiles.m, r.tiles.k), share),
      levelFor(shape.filterWords(r.tiles.k, r.tiles.n), share),
      levelFor(r.tiles.m * r.tiles.n, share),
    );
    if (r.totalCycles < cycles[at]!) {
      cycles[at] = r.totalCycles;
      mapping[at] = index;
    }
  });
  // Running minimum: a split holds every tiling that fits a split no larger in any buffer.
  for (let i = 0; i < LEVELS; i++) {
    for (let f = 0; f < LEVELS; f++) {
      for (let o = 0; o < LEVELS; o++) {
        const here = cell(i, f, o);
        for (const from of [i > 0 ? cell(i - 1, f, o) : -1, f > 0 ? cell(i, f - 1, o) : -1, o > 0 ? cell(i, f, o - 1) : -1]) {
          if (from >= 0 && cycles[from]! < cycles[here]!) {
            cycles[here] = cycles[from]!;
            mapping[here] = mapping[from]!;
          }
        }
      }
    }
  }
  return { cycles, mapping };
}

/**
 * A lower bound on SCALE-Sim's streaming mapping of a layer on an array, whatever its buffers: the
 * array's demand lines (SCALE-Sim's fold formulas, its −1 kept) and the compulsory DRAM traffic
 * (the distinct input, every weight, every output once) at the interface's bandwidth. Checked
 * against every streaming simulation the search runs (`checkBound`). A layer running sparse counts
 * no input: which inputs its kept window elements read depends on how the channels meet M.
 */
function streamingBound(problem: CodesignProblem, shapePoint: Point, layer: number): { lines: number; words: number; cycles: number } {
  const h = hardwareOf(shapePoint);
  const shape = problem.shape(shapePoint, layer);
  const { m, n, k } = shape.gemm;
  const lines = gemmLines(h.dataflow, h.rows, h.cols, m, n, k) - 1;
  const words = (shape.sparse ? 0 : shape.ifmapFootprint(m, k)) + shape.filterWords(k, n) + m * n;
  return { lines, words, cycles: Math.max(lines, Math.ceil(words / problem.target.dramBytesPerCycle)) };
}

function checkBound(bound: { lines: number; words: number }, r: MappingResult, where: string): void {
  const words = r.dramReads.ifmap + r.dramReads.filter + r.dramWrites.ofmap;
  if (r.computeCycles < bound.lines || words < bound.words) {
    throw new Error(`codesign ceiling: the streaming bound (${bound.lines} lines, ${bound.words} words) exceeds the simulator's ${r.computeCycles} lines, ${words} words at ${where}; the ceiling would not be exact`);
  }
}

type Tables = readonly { cycles: Float64Array; mapping: Int32Array }[];

/** Every layer's best mapping on one accelerator; the streaming mapping is simulated only where its bound could beat the best tiling. */
function bestMappings(problem: CodesignProblem, hardware: Point, tables: Tables, bounds: readonly { lines: number; words: number; cycles: number }[], tally: { evaluations: number }): Point[] {
  const at = cell(hardware[2]!, hardware[3]!, hardware[4]!);
  const target = problem.mappingTarget(hardware);
  return tables.map((table, layer) => {
    let best = table.mapping[at]! >= 0 ? MAPPING_POINTS[table.mapping[at]!]! : undefined;
    let bestCycles = table.cycles[at]!;
    if (bounds[layer]!.cycles >= bestCycles) return best!;
    for (const db of [1, 0]) {
      const streaming = [...DEFAULT_MAPPING_POINT.slice(0, 4), db];
      const r = problem.model.evaluate(target, problem.network.layers[layer]!.layer, mappingOf(streaming));
      checkBound(bounds[layer]!, r, `${JSON.stringify(hardwareOf(hardware))}, layer ${problem.network.layers[layer]!.layer.name}`);
      tally.evaluations++;
      if (r.totalCycles < bestCycles) {
        bestCycles = r.totalCycles;
        best = streaming;
      }
    }
    return best!;
  });
}

function evaluateOn(problem: CodesignProblem, hardware: Point, tables: Tables, bounds: readonly { lines: number; words: number; cycles: number }[], tally: { evaluations: number }): { config: JointConfig; evaluation: NetworkEvaluation } {
  return evaluated(problem, { hardware, mappings: bestMappings(problem, hardware, tables, bounds, tally) });
}

function evaluated(problem: CodesignProblem, config: JointConfig): { config: JointConfig; evaluation: NetworkEvaluation } {
  const target = problem.mappingTarget(config.hardware);
  return { config, evaluation: problem.summarise(config.mappings.map((m, layer) => problem.model.evaluate(target, problem.network.layers[layer]!.layer, mappingOf(m)))) };
}

/** Every layer's best mapping on one accelerator (within the budget or not), found exhaustively. */
export function acceleratorOptimum(problem: CodesignProblem, hardware: Point): { config: JointConfig; evaluation: NetworkEvaluation } {
  const tally = { evaluations: 0 };
  const { tables, bounds } = shapeTables(problem, hardware, tally);
  return evaluateOn(problem, hardware, tables, bounds, tally);
}

/** Every layer's tiling table and streaming bound on one array shape and dataflow (`shape`'s buffers are ignored). */
function shapeTables(problem: CodesignProblem, shape: Point, tally: { evaluations: number }): { tables: Tables; bounds: ReturnType<typeof streamingBound>[] } {
  return {
    tables: problem.network.layers.map((_, layer) => tiledTable(problem, shape, layer, tally)),
    bounds: problem.network.layers.map((_, layer) => streamingBound(problem, shape, layer)),
  };
}

/** The array shapes and dataflows the exact search walks, in its order, as hardware points with the smallest buffers. */
export const CEILING_SHAPES: readonly Point[] = ARRAY_SIDES.flatMap((_, r) => ARRAY_SIDES.flatMap((_, c) => DATAFLOWS.map((_, d) => [r, c, 0, 0, 0, d])));

/**
 * One share of the exact search: the best accelerator of some array shapes (by cycles, ties to the
 * earliest in the search's order of bounds), and the default accelerator's optimum when its shape
 * is among them. Plain data, so a share can be searched on another machine.
 */
export interface CeilingSlice {
  best: { config: JointConfig; cycles: number; bound: number; order: number } | null;
  defaultOptimum: JointConfig | null;
  hardwarePoints: number;
  exactlyEvaluated: number;
  evaluations: number;
}

/** What a slice searched beside others shares with them. */
export interface SliceHooks {
  onShape?: () => void;
  /**
   * The fewest cycles another slice has found so far (a real accelerator's, so the optimum has no
   * more): accelerators whose bound exceeds it are not evaluated. Ties are still evaluated, so the
   * merged optimum is the one a single search keeps.
   */
  incumbent?: () => number;
  /**
   * Called with this slice's best cycles each time it improves, the first time before any exact
   * evaluation: the fewest cycles of its accelerators with a tiled mapping on every layer.
   */
  onBest?: (cycles: number) => void;
}

/** The accelerators of one array shape (with its sparsity support, if any) within the budget: every buffer size. */
function withinBudget(problem: CodesignProblem, shape: Point): Point[] {
  const within: Point[] = [];
  for (let i = 0; i < LEVELS; i++) {
    for (let f = 0; f < LEVELS; f++) {
      for (let o = 0; o < LEVELS; o++) {
        const point = [shape[0]!, shape[1]!, i, f, o, ...shape.slice(5)];
        if (problem.hardwareError(point) === undefined) within.push(point);
      }
    }
  }
  return within;
}

/**
 * The indices of CEILING_SHAPES with the largest arrays that fit the budget first (then by
 * index), the shapes without an accelerator within the budget last. Their accelerators have the
 * lowest compute bounds, so slices searched in this order find a good incumbent early and prune
 * the rest: dealt round robin into 24 slices searched one after another, ResNet-18's optimum
 * takes the 509 exact evaluations of the one search (689 in index order).
 */
export function ceilingShapeOrder(problem: CodesignProblem): number[] {
  const supports = problem.sparse ? SPARSITY_CHOICES.map((_, s) => [s]) : [[]];
  const ranked = CEILING_SHAPES.map((shape, index) => ({
    index,
    pes: ARRAY_SIDES[shape[0]!]! * ARRAY_SIDES[shape[1]!]!,
    fits: supports.some((support) => withinBudget(problem, [...shape, ...support]).length > 0),
  }));
  ranked.sort((a, b) => Number(b.fits) - Number(a.fits) || b.pes - a.pes || a.index - b.index);
  return ranked.map((r) => r.index);
}

/**
 * Branch and bound over the accelerators of the shapes `CEILING_SHAPES[i]`, i in `shapes`: every
 * accelerator within the budget gets a lower bound on its cycles (each layer's best tiling or its
 * streaming bound, whichever is lower); accelerators are then evaluated exactly in the order of
 * their bounds until the next bound cannot beat the best found.
 */
export function ceilingSlice(problem: CodesignProblem, shapes: readonly number[], hooks: SliceHooks = {}): CeilingSlice {
  const tally = { evaluations: 0 };
  const defaultPoint = problem.hardwarePoint(gridHardware(problem.target.defaultHardware));
  const candidates: { hardware: Point; bound: number; order: number; tables: Tables; bounds: ReturnType<typeof streamingBound>[] }[] = [];
  let defaultOptimum: JointConfig | null = null;
  // The fewest cycles of an accelerator here with a tiled mapping on every layer: a real
  // accelerator's, known before any exact evaluation, so it prunes (and is shared) from the start.
  let tiledOnly = Number.POSITIVE_INFINITY;
  const supports = problem.sparse ? SPARSITY_CHOICES.map((_, s) => [s]) : [[]];
  for (const index of shapes) {
    supports.forEach((support, s) => {
      const shape = [...CEILING_SHAPES[index]!, ...support];
      const within = withinBudget(problem, shape);
      const isDefaultShape = shape[0] === defaultPoint[0] && shape[1] === defaultPoint[1] && shape[5] === defaultPoint[5] && shape[SPARSITY_KNOB] === defaultPoint[SPARSITY_KNOB];
      if (within.length > 0 || isDefaultShape) {
        const { tables, bounds } = shapeTables(problem, shape, tally);
        for (const hardware of within) {
          const at = cell(hardware[2]!, hardware[3]!, hardware[4]!);
          // The bound takes each layer's tiled or streaming figure, whichever is lower; tiled alone is a real accelerator's.
          let bound = 0, tiled = 0;
          tables.forEach((t, layer) => {
            const count = problem.network.layers[layer]!.count;
            bound += count * Math.min(t.cycles[at]!, bounds[layer]!.cycles);
            tiled += count * t.cycles[at]!;
          });
          tiledOnly = Math.min(tiledOnly, tiled);
          candidates.push({ hardware, bound, order: (index * supports.length + s) * LEVELS ** 3 + at, tables, bounds });
        }
        if (isDefaultShape) defaultOptimum = evaluateOn(problem, defaultPoint, tables, bounds, tally).config;
      }
    });
    hooks.onShape?.();
  }
  candidates.sort((a, b) => a.bound - b.bound || a.order - b.order);
  if (tiledOnly < Number.POSITIVE_INFINITY) hooks.onBest?.(tiledOnly);
  let best: CeilingSlice['best'] = null;
  let exactlyEvaluated = 0;
  for (const c of candidates) {
    if (best && c.bound >= best.cycles) break; // no accelerator left can beat it
    if (c.bound > tiledOnly) break; // nor tie an accelerator with tiled mappings
    if (hooks.incumbent && c.bound > hooks.incumbent()) break; // nor tie the other slices' best
    const { config, evaluation } = evaluateOn(problem, c.hardware, c.tables, c.bounds, tally);
    exactlyEvaluated++;
    if (!best || evaluation.cycles < best.cycles) {
      best = { config, cycles: evaluation.cycles, bound: c.bound, order: c.order };
      hooks.onBest?.(best.cycles);
    }
  }
  return { best, defaultOptimum, hardwarePoints: candidates.length, exactlyEvaluated, evaluations: tally.evaluations };
}

/**
 * The exact optimum from the slices of every shape: the fewest cycles, ties to the earliest in the
 * order of bounds, which is the accelerator one search over all shapes would have kept.
 */
export function mergeSlices(problem: CodesignProblem, slices: readonly CeilingSlice[], started: number): Ceiling {
  let best: CeilingSlice['best'] = null;
  for (const { best: b } of slices) {
    if (b && (!best || b.cycles < best.cycles || (b.cycles === best.cycles && (b.bound < best.bound || (b.bound === best.bound && b.order < best.order))))) best = b;
  }
  const defaultOptimum = slices.find((s) => s.defaultOptimum)?.defaultOptimum;
  if (!best || !defaultOptimum) throw new RangeError(`codesign ceiling: no accelerator of ${problem.network.name} fits the budget`);
  const sum = (key: 'hardwarePoints' | 'exactlyEvaluated' | 'evaluations'): number => slices.reduce((s, slice) => s + slice[key], 0);
  return {
    best: evaluated(problem, best.config),
    defaultOptimum: evaluated(problem, defaultOptimum),
    hardwarePoints: sum('hardwarePoints'),
    exactlyEvaluated: sum('exactlyEvaluated'),
    evaluations: sum('evaluations'),
    seconds: (performance.now() - started) / 1e3,
  };
}

/** The exact optimum of the problem over every accelerator within its budget, and at its default accelerator. */
export function codesignCeiling(problem: CodesignProblem, options: CeilingOptions = {}): Ceiling {
  const started = performance.now();
  let done = 0;
  const slice = ceilingSlice(problem, CEILING_SHAPES.map((_, i) => i), { onShape: () => options.onProgress?.(++done, CEILING_SHAPES.length) });
  return mergeSlices(problem, [slice], started);
}

/**
 * The exact optimum as a strategy: it ignores the call budget (it covers the whole space) and
 * counts every layer evaluation of the tiled model and the simulator as a simulator call. Progress
 * is reported as the share of array shapes done, scaled to the budget.
 */
export function exhaustiveSearch(problem: CodesignProblem, options: StrategyOptions): CodesignRun {
  const ceiling = codesignCeiling(problem, { onProgress: (done, total) => options.onProgress?.(Math.round((done / total) * options.budget), options.budget, 0) });
  return ceilingRun(problem, options, ceiling);
}

/** The run (records, history) of an exact optimum found here or on workers (src/node/dist/codesign.ts). */
export function ceilingRun(problem: CodesignProblem, options: Pick<StrategyOptions, 'seed' | 'onRecords'>, ceiling: Ceiling): CodesignRun {
  const t = new Tracker(problem, { strategy: 'exhaustive', seed: options.seed, workload: budgetKey(problem), onRecords: options.onRecords });
  if (problem.hardwareError(ceiling.defaultOptimum.config.hardware) === undefined) t.evaluate(ceiling.defaultOptimum.config); // a second point for the trade-off plot
  t.evaluate(ceiling.best.config);
  const run = t.result({ hardwarePoints: ceiling.hardwarePoints, exactlyEvaluated: ceiling.exactlyEvaluated });
  return { ...run, simulatorCalls: run.simulatorCalls + ceiling.evaluations };
}
