// The systolic mapping of one layer as a knob space the tuners search (`SearchSpace`), and the
// simulator as their `Measurer`: cost = total cycles; a mapping that does not fit the buffers is
// a result with ErrorCode.invalidConfig, never a cost.
import { ErrorCode, type Measurer, type MeasureResult } from '../base/result.js';
import { checkPoint, type Point, type SearchSpace } from '../base/search-space.js';
import {
  DEFAULT_MAPPING, LOOP_ORDERS, type LayerShape, type Mapping, MAPPING_KNOB, MAPPING_KNOBS, type MappingModel, type MappingResult, type MappingTarget,
  mappingFitError, mappingTiles, SPLITS,
} from './mapping.js';
import { type ConvLayer, sramWords } from './types.js';

export const MAPPING_CARDINALITIES: readonly number[] = [SPLITS.length, SPLITS.length, SPLITS.length, LOOP_ORDERS.length, 2];

/** The mapping of a point: [splitM, splitN, splitK, order, doubleBuffer] indices. */
export function mappingOf(point: Point): Mapping {
  return {
    splitM: SPLITS[point[MAPPING_KNOB.splitM]!]!,
    splitN: SPLITS[point[MAPPING_KNOB.splitN]!]!,
    splitK: SPLITS[point[MAPPING_KNOB.splitK]!]!,
    order: LOOP_ORDERS[point[MAPPING_KNOB.order]!]!,
    doubleBuffer: point[MAPPING_KNOB.doubleBuffer] === 1,
  };
}

/** The index of knob value `v`; throws naming the knob and its legal values. */
export function knobIndex(what: string, values: readonly unknown[], v: unknown, name: string): number {
  const i = values.indexOf(v);
  if (i < 0) throw new RangeError(`${what}: ${name}=${String(v)} is not one of ${values.join(', ')}`);
  return i;
}

/** The point of a mapping; throws naming a value the space does not hold. */
export function mappingPoint(m: Mapping): number[] {
  const at = (values: readonly unknown[], v: unknown, name: string): number => knobIndex('mapping', values, v, name);
  return [at(SPLITS, m.splitM, 'splitM'), at(SPLITS, m.splitN, 'splitN'), at(SPLITS, m.splitK, 'splitK'), at(LOOP_ORDERS, m.order, 'order'), m.doubleBuffer ? 1 : 0];
}

/** SCALE-Sim's own mapping as a point. */
export const DEFAULT_MAPPING_POINT: Point = Object.freeze(mappingPoint(DEFAULT_MAPPING));

const log2 = (x: number): number => Math.log2(Math.max(1, x));

/**
 * Cost-model features of a mapping on a target: log tile sizes and counts, how full each buffer
 * is, the loop order one-hot, double buffering, and whether it is SCALE-Sim's streaming point.
 */
export function mappingFeatures(shape: LayerShape, target: MappingTarget, m: Mapping): number[] {
  const c = target.config;
  const [cm, cn, ck] = mappingTiles(shape, c, m);
  const share = m.doubleBuffer ? 0.5 : 1;
  return [
    log2(cm.size), log2(cn.size), log2(ck.size), log2(cm.count), log2(cn.count), log2(ck.count),
    shape.ifmapFootprint(cm.size, ck.size) / (sramWords(c.ifmapSramKiB) * share),
    (ck.size * cn.size) / (sramWords(c.filterSramKiB) * share),
    (cm.size * cn.size) / (sramWords(c.ofmapSramKiB) * share),
    ...LOOP_ORDERS.map((o) => (o === m.order ? 1 : 0)),
    m.doubleBuffer ? 1 : 0,
    m.splitM === 1 && m.splitN === 1 && m.splitK === 1 ? 1 : 0,
  ];
}

export const MAPPING_FEATURE_NAMES = [
  'log2TileM', 'log2TileN', 'log2TileK', 'log2CountM', 'log2CountN', 'log2CountK', 'ifmapFill', 'filterFill', 'ofmapFill',
  ...LOOP_ORDERS.map((o) => `order_${o}`), 'doubleBuffer', 'scalesimMapping',
];

/** The mapping knobs of one layer on one target. */
export class MappingSpace implements SearchSpace {
  readonly knobNames: readonly string[] = MAPPING_KNOBS;
  readonly cardinalities: readonly number[] = MAPPING_CARDINALITIES;
  readonly defaultPoint: Point = DEFAULT_MAPPING_POINT;

  constructor(
    readonly model: MappingModel,
    readonly target: MappingTarget,
    readonly layer: ConvLayer,
  ) {}

  mapping(point: Point): Mapping {
    checkPoint(this, point);
    return mappingOf(point);
  }

  /** Whether a point fits the buffers (no simulation needed). */
  fits(point: Point): boolean {
    return mappingFitError(this.model.shape(this.layer, this.target.sparseRep), this.target.config, this.mapping(point)) === undefined;
  }

  features(point: Point): number[] {
    return mappingFeatures(this.model.shape(this.layer, this.target.sparseRep), this.target, this.mapping(point));
  }

  describe(point: Point): Record<string, number | string> {
    const m = this.mapping(point);
    return { ...m, doubleBuffer: m.doubleBuffer ? 1 : 0 };
  }

  evaluate(point: Point): MappingResult {
    return this.model.evaluate(this.target, this.layer, this.mapping(point));
  }
}

/** A failed or successful measurement from a mapping result. */
export function mappingMeasureResult(r: MappingResult): MeasureResult {
  if (!r.valid) return { costs: [], errorCode: ErrorCode.invalidConfig, errorText: r.reason, timestamp: Date.now() };
  return { costs: [r.totalCycles], errorCode: ErrorCode.none, timestamp: Date.now() };
}

/** Scores mapping points with the simulator: cost = total cycles; does not fit → invalidConfig. */
export class MappingMeasurer implements Measurer {
  /** Points measured so far (valid or not). */
  calls = 0;

  constructor(readonly space: MappingSpace) {}

  async measure(points: readonly Point[]): Promise<MeasureResult[]> {
    this.calls += points.length;
    return points.map((point) => mappingMeasureResult(this.space.evaluate(point)));
  }
}
