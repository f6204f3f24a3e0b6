// The co-design problem: one accelerator for the whole network (array shape, three scratchpads,
// dataflow, and for a network pruned N:M the array's sparsity support) within a budget, and one mapping per layer (src/sim/mapping.ts). The judge is the
// systolic simulator through the mapping model; the objective is throughput at the target
// frequency, with latency, DRAM traffic and energy beside it.
//
// Simulator calls are counted per (accelerator, layer, mapping) evaluated for the first time;
// repeated evaluations are served from a cache and cost nothing, for every strategy alike. The
// cache knows which evaluations must give the same figures (see `layerKey`), so a strategy is not
// charged twice for one evaluation spelled two ways.
import { UserError } from '../base/errors.js';
import { OptionsError } from '../base/options.js';
import { HOROWITZ_45NM, type EnergyTable } from '../sim/energy.js';
import {
  DEFAULT_MAPPING, isScalesimMapping, type Mapping, MAPPING_KNOBS, type MappingModel, type MappingResult, type MappingTarget, mappingEnergyPJ, mappingFitError, mappingTiles,
  type LayerShape, runsSparse, type SparseRepresentation,
} from '../sim/mapping.js';
import { layerRatio } from '../sim/sparsity.js';
import { DEFAULT_MAPPING_POINT, knobIndex, MAPPING_CARDINALITIES, mappingOf } from '../sim/mapping-space.js';
import { DATAFLOWS, type Dataflow, type SystolicConfig } from '../sim/types.js';
import type { Point } from '../base/search-space.js';
import type { Network } from './layers.js';

/** Values of the hardware knobs. */
export const ARRAY_SIDES: readonly number[] = [4, 8, 16, 32, 64, 128, 256];
export const SRAM_KIB: readonly number[] = [4, 8, 16, 32, 64, 128, 256, 512];
export const HARDWARE_KNOBS = ['rows', 'cols', 'ifmapSramKiB', 'filterSramKiB', 'ofmapSramKiB', 'dataflow'] as const;
/** Each hardware knob's position in a hardware point; the sizes come before the dataflow. */
export const HARDWARE_KNOB = Object.freeze(Object.fromEntries(HARDWARE_KNOBS.map((name, i) => [name, i]))) as { readonly [K in (typeof HARDWARE_KNOBS)[number]]: number };
export const HARDWARE_CARDINALITIES: readonly number[] = [ARRAY_SIDES.length, ARRAY_SIDES.length, SRAM_KIB.length, SRAM_KIB.length, SRAM_KIB.length, DATAFLOWS.length];
/**
 * The seventh hardware knob, which only a network with a layer pruned N:M has: a dense array, or
 * one with SCALE-Sim v3's sparsity support storing filters in one of its representations.
 */
export const SPARSITY_KNOB = HARDWARE_KNOBS.length;
export const SPARSITY_CHOICES = ['dense', 'csr', 'csc', 'ellpack_block'] as const;

export interface Hardware {
  readonly rows: number;
  readonly cols: number;
  readonly ifmapSramKiB: number;
  readonly filterSramKiB: number;
  readonly ofmapSramKiB: number;
  readonly dataflow: Dataflow;
  /** Sparsity support and how filters are stored; absent: a dense array. */
  readonly sparseRep?: SparseRepresentation;
}

export interface CodesignTarget {
  /** At most this many PEs (rows × cols). */
  readonly maxPEs: number;
  /** At most this many bytes of SRAM over the three buffers. */
  readonly maxSramBytes: number;
  /**
   * At most this much silicon, mm², for the PEs and the three buffers by `energy`'s areas (macAreaUm2
   * per PE, sramAreaUm2PerKiB), so PEs and SRAM trade against each other; Infinity: no area budget.
   */
  readonly maxAreaMm2: number;
  /** DRAM interface, bytes per cycle. */
  readonly dramBytesPerCycle: number;
  /** Clock of the accelerator, for throughput. */
  readonly freqMHz: number;
  /**
   * The reference accelerator (a preset's array, which need not lie on the co-design grid: Eyeriss's
   * 12×14 PEs, the TPU's 6144 KiB buffers). Searches start from, and software-only tuning runs on,
   * `gridHardware(defaultHardware)`.
   */
  readonly defaultHardware: Hardware;
  readonly energy: EnergyTable;
}

/** SCALE-Sim's example accelerator (configs/scale.cfg): 32×32 PEs, 64 KiB per buffer, OS. */
export const DEFAULT_HARDWARE: Hardware = Object.freeze({ rows: 32, cols: 32, ifmapSramKiB: 64, filterSramKiB: 64, ofmapSramKiB: 64, dataflow: 'os' });

/**
 * The DRAM interface of every co-design run and systolic compilation unless told otherwise: a
 * small edge accelerator's. (SCALE-Sim's presets say 10 words/cycle, but in their CALC mode that
 * figure is not used: the simulator computes the bandwidth it needs.)
 */
export const DEFAULT_DRAM_BYTES_PER_CYCLE = 16;

/** Simulator calls a co-design search spends unless told otherwise (`codesign`, `compile --target systolic`). */
export const DEFAULT_CODESIGN_BUDGET = 2000;
/** The same with `compile --quick`. */
export const QUICK_CODESIGN_BUDGET = 300;

/** A small edge accelerator's budget: the default hardware's PEs and SRAM, 16 B/cycle DRAM at 1 GHz. */
export function codesignTarget(options: Partial<CodesignTarget> = {}): CodesignTarget {
  const target: CodesignTarget = {
    maxPEs: 1024,
    maxSramBytes: 192 * 1024,
    maxAreaMm2: Number.POSITIVE_INFINITY,
    dramBytesPerCycle: DEFAULT_DRAM_BYTES_PER_CYCLE,
    freqMHz: 1000,
    defaultHardware: DEFAULT_HARDWARE,
    energy: HOROWITZ_45NM,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  for (const key of ['maxPEs', 'maxSramBytes', 'maxAreaMm2', 'dramBytesPerCycle', 'freqMHz'] as const) {
    if (!(target[key] > 0)) throw new OptionsError(`codesign target: ${key} must be positive, got ${target[key]}`, { field: key });
  }
  return Object.freeze(target);
}

/**
 * The area formulation of the same budget: the silicon of the default accelerator (1.42 mm² for
 * 32×32 PEs and 192 KiB at HOROWITZ_45NM's areas), spent on PEs and SRAM as the search likes;
 * other options as codesignTarget's.
 */
export function areaBudgetTarget(options: Partial<CodesignTarget> = {}): CodesignTarget {
  const base = codesignTarget(options);
  return codesignTarget({ ...options, maxPEs: Number.POSITIVE_INFINITY, maxSramBytes: Number.POSITIVE_INFINITY, maxAreaMm2: hardwareAreaMm2(base.defaultHardware, base.energy) });
}

/**
 * The accelerator of the co-design grid nearest below `h`: each side and buffer rounded down to
 * the grid's values (at least the smallest), so it never needs more PEs, SRAM or area than `h`.
 * On-grid accelerators map to themselves.
 */
export function gridHardware(h: Hardware): Hardware {
  const below = (values: readonly number[], v: number): number => values.filter((x) => x <= v).at(-1) ?? values[0]!;
  return {
    rows: below(ARRAY_SIDES, h.rows), cols: below(ARRAY_SIDES, h.cols),
    ifmapSramKiB: below(SRAM_KIB, h.ifmapSramKiB), filterSramKiB: below(SRAM_KIB, h.filterSramKiB), ofmapSramKiB: below(SRAM_KIB, h.ofmapSramKiB),
    dataflow: h.dataflow,
    ...(h.sparseRep ? { sparseRep: h.sparseRep } : {}),
  };
}

/** The caps a user may give a co-design run; absent ones are not caps. */
export interface BudgetCaps {
  maxPEs?: number;
  maxSramKiB?: number;
  maxAreaMm2?: number;
}

/**
 * The budget of `codesign` and `compile --target systolic`: the caps given, the others uncapped;
 * when none is given, the silicon area of the default array, in which PEs and SRAM trade (so the
 * search is not held to re-splitting the default array's buffers). `fromDefaultArray` says which.
 */
export function userBudgetTarget(caps: BudgetCaps, options: Partial<CodesignTarget> = {}): { target: CodesignTarget; fromDefaultArray: boolean } {
  for (const [key, flag] of [['maxPEs', '--max-pes'], ['maxSramKiB', '--max-sram-kib'], ['maxAreaMm2', '--max-area-mm2']] as const) {
    const value = caps[key];
    if (value !== undefined && !(value > 0)) throw new OptionsError(`${flag} must be positive, got ${value}`, { field: flag });
  }
  if (caps.maxPEs === undefined && caps.maxSramKiB === undefined && caps.maxAreaMm2 === undefined) {
    return { target: areaBudgetTarget(options), fromDefaultArray: true };
  }
  const target = codesignTarget({
    ...options,
    maxPEs: caps.maxPEs ?? Number.POSITIVE_INFINITY,
    maxSramBytes: caps.maxSramKiB === undefined ? Number.POSITIVE_INFINITY : caps.maxSramKiB * 1024,
    maxAreaMm2: caps.maxAreaMm2 ?? Number.POSITIVE_INFINITY,
  });
  return { target, fromDefaultArray: false };
}

/** Silicon of an accelerator's PEs and buffers, mm². */
export function hardwareAreaMm2(h: Hardware, energy: EnergyTable): number {
  return (h.rows * h.cols * energy.macAreaUm2 + (h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB) * energy.sramAreaUm2PerKiB) / 1e6;
}

/** The most PEs an accelerator within the budget can have. */
export function peCeiling(target: CodesignTarget): number {
  const side = ARRAY_SIDES[ARRAY_SIDES.length - 1]!;
  const minSramKiB = 3 * SRAM_KIB[0]!;
  const byArea = Math.floor((target.maxAreaMm2 * 1e6 - minSramKiB * target.energy.sramAreaUm2PerKiB) / target.energy.macAreaUm2);
  return Math.max(1, Math.min(target.maxPEs, side * side, byArea));
}

/** The key naming a budget in tuning records. */
export function budgetKey(problem: { readonly network: Network; readonly target: CodesignTarget }): string {
  const t = problem.target;
  const area = Number.isFinite(t.maxAreaMm2) ? `:area${t.maxAreaMm2}` : '';
  return `codesign:${problem.network.name}:pe${t.maxPEs}:sram${t.maxSramBytes}${area}:bw${t.dramBytesPerCycle}`;
}

/** A hardware point's accelerator (a point without the sparsity knob, or with it at 0, is dense). */
export function hardwareOf(point: Point): Hardware {
  const sparse = SPARSITY_CHOICES[point[SPARSITY_KNOB] ?? 0]!;
  return {
    rows: ARRAY_SIDES[point[HARDWARE_KNOB.rows]!]!,
    cols: ARRAY_SIDES[point[HARDWARE_KNOB.cols]!]!,
    ifmapSramKiB: SRAM_KIB[point[HARDWARE_KNOB.ifmapSramKiB]!]!,
    filterSramKiB: SRAM_KIB[point[HARDWARE_KNOB.filterSramKiB]!]!,
    ofmapSramKiB: SRAM_KIB[point[HARDWARE_KNOB.ofmapSramKiB]!]!,
    dataflow: DATAFLOWS[point[HARDWARE_KNOB.dataflow]!]!,
    ...(sparse === 'dense' ? {} : { sparseRep: sparse }),
  };
}

/** An accelerator's hardware point; with `sparsityKnob` (a pruned network's space) seven knobs, else six. */
export function hardwarePoint(h: Hardware, sparsityKnob = h.sparseRep !== undefined): number[] {
  const at = (values: readonly unknown[], v: unknown, name: string): number => knobIndex('hardware', values, v, name);
  const sizes = [
    at(ARRAY_SIDES, h.rows, 'rows'), at(ARRAY_SIDES, h.cols, 'cols'), at(SRAM_KIB, h.ifmapSramKiB, 'ifmapSramKiB'),
    at(SRAM_KIB, h.filterSramKiB, 'filterSramKiB'), at(SRAM_KIB, h.ofmapSramKiB, 'ofmapSramKiB'), at(DATAFLOWS, h.dataflow, 'dataflow'),
  ];
  if (!sparsityKnob) {
    if (h.sparseRep !== undefined) throw new RangeError('hardware: a sparse array needs the sparsity knob (a network with a layer pruned N:M)');
    return sizes;
  }
  return [...sizes, at(SPARSITY_CHOICES, h.sparseRep ?? 'dense', 'sparseRep')];
}

/** The first cap of the budget an accelerator breaks (PEs, SRAM bytes, silicon area), or undefined. */
export function brokenCap(h: Hardware, target: CodesignTarget): 'pes' | 'sram' | 'area' | undefined {
  if (h.rows * h.cols > target.maxPEs) return 'pes';
  if ((h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB) * 1024 > target.maxSramBytes) return 'sram';
  if (hardwareAreaMm2(h, target.energy) > target.maxAreaMm2 * (1 + 1e-12)) return 'area';
  return undefined;
}

/** Why an accelerator breaks the budget, or undefined. */
export function budgetError(h: Hardware, target: CodesignTarget): string | undefined {
  switch (brokenCap(h, target)) {
    case 'pes':
      return `${h.rows}×${h.cols} = ${h.rows * h.cols} PEs exceed the budget of ${target.maxPEs}`;
    case 'sram':
      return `${h.ifmapSramKiB + h.filterSramKiB + h.ofmapSramKiB} KiB of SRAM exceed the budget of ${target.maxSramBytes / 1024} KiB`;
    case 'area':
      return `${hardwareAreaMm2(h, target.energy).toFixed(3)} mm² of PEs and SRAM exceed the area budget of ${target.maxAreaMm2.toFixed(3)} mm²`;
    default:
      return undefined;
  }
}

export function systolicConfigOf(h: Hardware): SystolicConfig {
  return {
    runName: `codesign_${h.rows}x${h.cols}_${h.dataflow}`, rows: h.rows, cols: h.cols,
    ifmapSramKiB: h.ifmapSramKiB, filterSramKiB: h.filterSramKiB, ofmapSramKiB: h.ofmapSramKiB,
    ifmapOffset: 0, filterOffset: 10000000, ofmapOffset: 20000000, dataflow: h.dataflow, interfaceBandwidth: 'CALC', bandwidthWordsPerCycle: 10,
  };
}

/** One joint configuration: a hardware point and one mapping point per network layer. */
export interface JointConfig {
  readonly hardware: Point;
  readonly mappings: readonly Point[];
}

/** A joint configuration from the flat point records store: the `h` hardware knobs, then each of `layers` mappings. */
export function jointConfigOf(point: Point, layers: number, h: number = HARDWARE_KNOBS.length): JointConfig {
  const m = MAPPING_KNOBS.length;
  if (point.length !== h + layers * m) throw new RangeError(`a joint point of ${layers} layers has ${h + layers * m} knobs, got ${point.length}`);
  return { hardware: point.slice(0, h), mappings: Array.from({ length: layers }, (_, l) => point.slice(h + l * m, h + (l + 1) * m)) };
}

export const jointKey = (c: JointConfig): string => `${c.hardware.join(',')}|${c.mappings.map((m) => m.join(',')).join(';')}`;

export interface NetworkEvaluation {
  readonly valid: boolean;
  readonly reason?: string;
  /** Cycles of one inference (Σ layer cycles × count); ∞ when invalid. */
  readonly cycles: number;
  readonly throughputPerSecond: number;
  readonly latencyMs: number;
  readonly dramBytes: number;
  readonly energyUJ: number;
  /** Per layer (in network order); empty when the hardware is invalid. */
  readonly layers: readonly MappingResult[];
}

/** One layer of a joint configuration to simulate: its accelerator, which layer, its mapping. */
export interface LayerEvaluation {
  readonly hardware: Point;
  readonly layer: number;
  readonly mapping: Point;
}

/** Simulates layer evaluations elsewhere (Redis workers), giving their results in order. */
export type LayerSimulator = (evaluations: readonly LayerEvaluation[]) => Promise<MappingResult[]>;

export const INVALID_EVALUATION: Omit<NetworkEvaluation, 'reason'> = Object.freeze({
  valid: false, cycles: Number.POSITIVE_INFINITY, throughputPerSecond: 0, latencyMs: Number.POSITIVE_INFINITY, dramBytes: 0, energyUJ: Number.POSITIVE_INFINITY, layers: [],
});

/** Evaluates joint configurations of one network through the mapping model, counting simulator calls. */
export class CodesignProblem {
  /** (hardware, layer, mapping) evaluations not served from the cache. */
  simulatorCalls = 0;
  private readonly cache = new Map<string, MappingResult>();
  /** Whether a layer is pruned N:M, which adds the sparsity knob to the hardware. */
  readonly sparse: boolean;
  readonly hardwareKnobs: readonly string[];
  readonly hardwareCardinalities: readonly number[];
  readonly mappingCardinalities = MAPPING_CARDINALITIES;

  constructor(
    readonly model: MappingModel,
    readonly network: Network,
    readonly target: CodesignTarget,
  ) {
    this.sparse = network.layers.some(({ layer }) => layerRatio(layer).n < layerRatio(layer).m);
    this.hardwareKnobs = this.sparse ? [...HARDWARE_KNOBS, 'sparseRep'] : HARDWARE_KNOBS;
    this.hardwareCardinalities = this.sparse ? [...HARDWARE_CARDINALITIES, SPARSITY_CHOICES.length] : HARDWARE_CARDINALITIES;
  }

  get layerCount(): number {
    return this.network.layers.length;
  }

  /** An accelerator's point in this problem's hardware space. */
  hardwarePoint(h: Hardware): number[] {
    return hardwarePoint(h, this.sparse);
  }

  mappingTarget(hardware: Point): MappingTarget {
    const h = hardwareOf(hardware);
    return { config: systolicConfigOf(h), dramBytesPerCycle: this.target.dramBytesPerCycle, ...(h.sparseRep ? { sparseRep: h.sparseRep } : {}) };
  }

  hardwareError(hardware: Point): string | undefined {
    return budgetError(hardwareOf(hardware), this.target);
  }

  /** Layer i's shape on `hardware` (sparse when the array supports sparsity and the layer is pruned). */
  shape(hardware: Point, layer: number): LayerShape {
    return this.model.shape(this.network.layers[layer]!.layer, hardwareOf(hardware).sparseRep);
  }

  /** Whether layer i's mapping fits the buffers of `hardware` (no simulation). */
  fits(hardware: Point, layer: number, mapping: Point): boolean {
    const config = systolicConfigOf(hardwareOf(hardware));
    return mappingFitError(this.shape(hardware, layer), config, mappingOf(mapping)) === undefined;
  }

  /**
   * The cache key of one layer evaluation. SCALE-Sim's streaming point depends on the whole
   * accelerator and on double buffering only (its loop order is moot). A tiled mapping's figures
   * depend on the array, the dataflow, the three tile sizes, the order of the loops that have more
   * than one tile, and double buffering — not on the buffer sizes, which only decide whether it
   * fits (checked separately) — so splits that round to the same tiles and accelerators that
   * differ only in SRAM share one evaluation. A dense layer runs alike on every sparsity support.
   */
  layerKey(hardware: Point, layer: number, mapping: Point): string {
    const m = mappingOf(mapping);
    const db = m.doubleBuffer ? 1 : 0;
    const h = hardwareOf(hardware);
    const sparse = runsSparse(this.network.layers[layer]!.layer, h.sparseRep);
    if (isScalesimMapping(m)) return `s|${hardware.slice(0, SPARSITY_KNOB).join(',')}${sparse ? `:${h.sparseRep}` : ''}|${layer}|${db}`;
    const [cm, cn, ck] = mappingTiles(this.shape(hardware, layer), systolicConfigOf(h), m);
    const count: Record<string, number> = { m: cm.count, n: cn.count, k: ck.count };
    const loops = m.order.split('').filter((d) => count[d]! > 1).join('');
    return `t|${h.rows}x${h.cols}${h.dataflow}${sparse ? `:${h.sparseRep}` : ''}|${layer}|${cm.size},${cn.size},${ck.size}|${loops}|${db}`;
  }

  /** The simulated result of a layer mapping that fits, when cached (so evaluating it is free). */
  cached(hardware: Point, layer: number, mapping: Point): MappingResult | undefined {
    if (!this.fits(hardware, layer, mapping)) return undefined;
    return this.cache.get(this.layerKey(hardware, layer, mapping));
  }

  /** One layer on one accelerator; a simulator call unless cached. Invalid mappings are never simulated. */
  layer(hardware: Point, layer: number, mapping: Point): MappingResult {
    const evaluate = (): MappingResult => this.model.evaluate(this.mappingTarget(hardware), this.network.layers[layer]!.layer, mappingOf(mapping));
    if (!this.fits(hardware, layer, mapping)) return evaluate(); // the model's invalid result, with its reason
    const key = this.layerKey(hardware, layer, mapping);
    let result = this.cache.get(key);
    if (!result) {
      result = evaluate();
      this.simulatorCalls++;
      this.cache.set(key, result);
    }
    return result;
  }

  /**
   * Takes layer results simulated elsewhere (a replayed log's) as if simulated here: each one the
   * cache lacks is cached and counted as the simulator call it was. Live, the measurer has cached
   * them already and this does nothing.
   */
  absorb(config: JointConfig, simulated: readonly { layer: number; result: MappingResult }[], where = 'a logged measurement'): void {
    for (const { layer, result } of simulated) this.absorbLayer(config.hardware, layer, config.mappings[layer]!, result, where);
  }

  /**
   * Simulates with `simulateLayers` the evaluations that evaluating them here in order would
   * simulate (those that fit and are not cached, each cache key once) and caches them as
   * simulated; per evaluation, whether it was one of them.
   */
  async simulateElsewhere(evaluations: readonly LayerEvaluation[], simulateLayers: LayerSimulator): Promise<boolean[]> {
    const planned = new Set<string>();
    const sent = evaluations.map(({ hardware, layer, mapping }) => {
      if (!this.fits(hardware, layer, mapping) || this.cached(hardware, layer, mapping) !== undefined) return false;
      const key = this.layerKey(hardware, layer, mapping);
      if (planned.has(key)) return false;
      planned.add(key);
      return true;
    });
    const needed = evaluations.filter((_, i) => sent[i]);
    if (needed.length === 0) return sent;
    const results = await simulateLayers(needed);
    needed.forEach(({ hardware, layer, mapping }, k) => this.absorbLayer(hardware, layer, mapping, results[k]!, 'a layer simulated by a worker'));
    return sent;
  }

  /** One layer result simulated elsewhere, as `absorb` takes it. */
  absorbLayer(hardware: Point, layer: number, mapping: Point, result: MappingResult, where: string): void {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.layerCount || result?.valid !== true || !(result.totalCycles > 0)) {
      throw new UserError(`${where}: its simulated layers must name a layer of ${this.network.name} (0…${this.layerCount - 1}) with a valid result`, { field: 'result.simulated' });
    }
    const key = this.layerKey(hardware, layer, mapping);
    if (this.cache.has(key)) return;
    this.cache.set(key, result);
    this.simulatorCalls++;
  }

  /**
   * The new simulator calls evaluating `config` would cost; layers whose key is in `planned` (to
   * be simulated by configurations evaluated before it) are taken as cached.
   */
  callsFor(config: JointConfig, planned?: ReadonlySet<string>): number {
    return this.newLayerKeys(config, planned).length;
  }

  /** The cache keys of the layers evaluating `config` would simulate (none for a budget-breaking accelerator). */
  newLayerKeys(config: JointConfig, planned?: ReadonlySet<string>): string[] {
    if (this.hardwareError(config.hardware) !== undefined) return [];
    const keys: string[] = [];
    config.mappings.forEach((m, i) => {
      if (!this.fits(config.hardware, i, m)) return;
      const key = this.layerKey(config.hardware, i, m);
      if (!this.cache.has(key) && !planned?.has(key)) keys.push(key);
    });
    return keys;
  }

  /** Whether evaluating `config` keeps the simulator calls within `budget` (counting `planned` layers as spent). */
  affordable(config: JointConfig, budget: number, planned?: ReadonlySet<string>): boolean {
    return this.simulatorCalls + (planned?.size ?? 0) + this.callsFor(config, planned) <= budget;
  }

  /**
   * The whole network. A budget-breaking accelerator or a mapping that does not fit makes the
   * configuration invalid: it is reported with its reason and nothing is simulated.
   */
  evaluate(config: JointConfig): NetworkEvaluation {
    if (config.mappings.length !== this.layerCount) throw new RangeError(`joint config has ${config.mappings.length} mappings for ${this.layerCount} layers`);
    const hwError = this.hardwareError(config.hardware);
    if (hwError !== undefined) return { ...INVALID_EVALUATION, reason: hwError };
    for (let i = 0; i < this.layerCount; i++) {
      if (!this.fits(config.hardware, i, config.mappings[i]!)) {
        const config_ = systolicConfigOf(hardwareOf(config.hardware));
        const why = mappingFitError(this.shape(config.hardware, i), config_, mappingOf(config.mappings[i]!));
        return { ...INVALID_EVALUATION, reason: `layer ${this.network.layers[i]!.layer.name}: ${why}` };
      }
    }
    const layers = config.mappings.map((m, i) => this.layer(config.hardware, i, m));
    return this.summarise(layers);
  }

  summarise(layers: readonly MappingResult[]): NetworkEvaluation {
    let cycles = 0;
    let dram = 0;
    let energy = 0;
    layers.forEach((r, i) => {
      const count = this.network.layers[i]!.count;
      cycles += count * r.totalCycles;
      dram += count * (r.dramReads.ifmap + r.dramReads.filter + r.dramReads.ofmap + r.dramWrites.ofmap);
      energy += count * mappingEnergyPJ(r, this.target.energy);
    });
    const seconds = cycles / (this.target.freqMHz * 1e6);
    return { valid: true, cycles, throughputPerSecond: 1 / seconds, latencyMs: seconds * 1e3, dramBytes: dram, energyUJ: energy / 1e6, layers };
  }

  /** The default accelerator (on the grid) with SCALE-Sim's mapping on every layer. */
  defaultConfig(): JointConfig {
    return { hardware: this.hardwarePoint(gridHardware(this.target.defaultHardware)), mappings: this.network.layers.map(() => DEFAULT_MAPPING_POINT) };
  }

  /** Mappings of a config, for reports. */
  describe(config: JointConfig): { hardware: Hardware; mappings: { layer: string; count: number; mapping: Mapping }[] } {
    return {
      hardware: hardwareOf(config.hardware),
      mappings: config.mappings.map((m, i) => ({ layer: this.network.layers[i]!.layer.name, count: this.network.layers[i]!.count, mapping: mappingOf(m) })),
    };
  }
}

/** SCALE-Sim's mapping of every layer on the default accelerator, evaluated. */
export interface Reference {
  readonly hardware: Hardware;
  readonly evaluation: NetworkEvaluation;
  /** Whether the default accelerator is within the target's budget. */
  readonly withinBudget: boolean;
  readonly mappings: { layer: string; count: number; mapping: Mapping }[];
}

/**
 * SCALE-Sim's mapping on the default accelerator: the yardstick of every co-design run. It is
 * evaluated directly (so it spends none of a search's simulator calls, and the accelerator need not
 * lie on the co-design grid) without the budget's caps, so that it stays the yardstick when the
 * budget excludes it (`withinBudget`).
 */
export function defaultReference(model: MappingModel, network: Network, target: CodesignTarget): Reference {
  const hardware = target.defaultHardware;
  const config = systolicConfigOf(hardware);
  const mappingTarget: MappingTarget = { config, dramBytesPerCycle: target.dramBytesPerCycle };
  const uncapped = new CodesignProblem(model, network, codesignTarget({ ...target, maxPEs: Number.POSITIVE_INFINITY, maxSramBytes: Number.POSITIVE_INFINITY, maxAreaMm2: Number.POSITIVE_INFINITY }));
  let reason: string | undefined;
  const layers = network.layers.map(({ layer }) => {
    const why = mappingFitError(model.shape(layer), config, DEFAULT_MAPPING);
    if (why !== undefined) reason ??= `layer ${layer.name}: ${why}`;
    return model.evaluate(mappingTarget, layer, DEFAULT_MAPPING);
  });
  return {
    hardware,
    evaluation: reason === undefined ? uncapped.summarise(layers) : { ...INVALID_EVALUATION, reason },
    withinBudget: budgetError(hardware, target) === undefined,
    mappings: network.layers.map(({ layer, count }) => ({ layer: layer.name, count, mapping: { ...DEFAULT_MAPPING } })),
  };
}

export { DEFAULT_MAPPING };
