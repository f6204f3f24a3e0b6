// Knob spaces in the shape of AutoTVM's config spaces: a list of knobs, each with its legal
// values; a config is one value per knob; the space is their cross product. A Space is a
// `SearchSpace` (src/tune/search-space.ts): tuners work on points (one value index per knob,
// numbered by mixed radix, first knob slowest) and the space turns points into configs,
// kernel schedules and cost-model features. Every point is legal by construction (tiles are
// counted in register blocks), so tuners never see invalid configs.
import { convOutputSize, type ConvSchedule, type DepthwiseSchedule, type Schedule, winogradLayouts } from '../../core/kernels.js';
import type { Random } from '../../helpers/random.js';
import { checkPoint, type Point, pointAt, pointIndex, randomPoint, type SearchSpace } from '../../base/search-space.js';
import type { Task } from './task.js';
import { CONV_VARIANTS, DEPTHWISE_VARIANTS } from '../../core/generated/variants.js';

export interface Knob {
  readonly name: string;
  /** What the knob changes, for reports. */
  readonly doc: string;
  readonly values: readonly number[];
  /** Names of the values where numbers alone do not say (e.g. register blocks '4x8'). */
  readonly labels?: readonly string[];
}

/** One value per knob, by knob name. */
export type Config = Readonly<Record<string, number>>;

export class Space implements SearchSpace {
  readonly size: number;
  readonly knobNames: readonly string[];
  readonly cardinalities: readonly number[];

  constructor(
    readonly task: Task,
    readonly knobs: readonly Knob[],
    private readonly toSchedule: (config: Config) => Schedule,
    private readonly featureFn: (config: Config) => number[],
    readonly featureNames: readonly string[],
    /** The schedule a library would ship without tuning. */
    readonly defaultConfig: Config,
  ) {
    for (const knob of knobs) if (knob.values.length === 0) throw new RangeError(`space: knob ${knob.name} has no legal value`);
    this.knobNames = knobs.map((k) => k.name);
    this.cardinalities = knobs.map((k) => k.values.length);
    this.size = this.cardinalities.reduce((product, n) => product * n, 1);
    this.check(defaultConfig);
  }

  /** The config of a point. */
  config(point: Point): Config {
    checkPoint(this, point);
    const config: Record<string, number> = {};
    this.knobs.forEach((knob, i) => {
      config[knob.name] = knob.values[point[i]!]!;
    });
    return config;
  }

  /** The point of a config; throws naming the knob when a value is not legal. */
  point(config: Config): number[] {
    this.check(config);
    return this.knobs.map((knob) => knob.values.indexOf(config[knob.name]!));
  }

  /** The config at flat `index` (0 ≤ index < size). */
  get(index: number): Config {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError(`space: index ${index} outside [0, ${this.size})`);
    return this.config(pointAt(this, index));
  }

  /** The flat index of a config. */
  indexOf(config: Config): number {
    return pointIndex(this, this.point(config));
  }

  /** Throws naming the first unknown key, missing knob or illegal value. */
  check(config: Config): void {
    for (const key of Object.keys(config)) {
      if (!this.knobNames.includes(key)) throw new RangeError(`config: unknown knob '${key}'`);
    }
    for (const knob of this.knobs) {
      const value = config[knob.name];
      if (value === undefined) throw new RangeError(`config: missing knob '${knob.name}'`);
      if (!knob.values.includes(value)) throw new RangeError(`config: ${knob.name}=${value} is not one of ${knob.values.join(', ')}`);
    }
  }

  contains(config: Config): boolean {
    try {
      this.check(config);
      return true;
    } catch {
      return false;
    }
  }

  /** The kernel's run-time schedule for a config. */
  schedule(config: Config): Schedule {
    this.check(config);
    return this.toSchedule(config);
  }

  /** Cost-model features of a point (SearchSpace); names in `featureNames`. */
  features(point: Point): number[] {
    return this.featureFn(this.config(point));
  }

  /** Cost-model features of a config. */
  configFeatures(config: Config): number[] {
    this.check(config);
    return this.featureFn(config);
  }

  /** The knob values of a point, for records and reports (SearchSpace). */
  describe(point: Point): Record<string, number> {
    return { ...this.config(point) };
  }

  random(random: Random): Config {
    return this.config(randomPoint(this, random));
  }
}

/** The knob space of a task's kernel. */
export function spaceFor(task: Task): Space {
  return task.kind === 'depthwise' ? depthwiseSpace(task) : convSpace(task);
}

const ORDERS = [0, 1, 2, 3, 4, 5];

function powersOfTwoUpTo(limit: number): number[] {
  const out: number[] = [];
  for (let v = 1; v < limit; v *= 2) out.push(v);
  out.push(Math.max(1, limit));
  return [...new Set(out)];
}

/** The value of `values` closest to `target` on a log scale (the first of a tie). */
export function nearest(values: readonly number[], target: number): number {
  let best = values[0]!;
  for (const v of values) if (Math.abs(Math.log2(v / target)) < Math.abs(Math.log2(best / target))) best = v;
  return best;
}

const log2 = (x: number): number => Math.log2(Math.max(1, x));

/**
 * Conv and dense: register block (mr × nr, a generated variant), unroll of the ic loop,
 * tiles of output channels (in nr-blocks), output pixels (in mr-blocks) and input channels,
 * and the order of the three tile loops. The block's nr is also the weights' packing width.
 */
export function convSpace(task: Task): Space {
  const s = task.shape;
  const { ho, wo } = convOutputSize(s);
  const pixels = s.n * ho * wo;
  const cg = s.c / s.groups;
  const ocg = s.oc / s.groups;
  const taps = s.kh * s.kw;
  const blocks = [...new Set(CONV_VARIANTS.map((v) => `${v.mr}x${v.nr}`))];
  const blockOf = (i: number): { mr: number; nr: number } => {
    const [mr, nr] = blocks[i]!.split('x').map(Number) as [number, number];
    return { mr, nr };
  };
  const unrolls = [...new Set(CONV_VARIANTS.map((v) => v.unroll))];
  const icTiles = [...new Set([cg, ...[256, 128, 64, 32, 16].filter((v) => v < cg)])];
  const knobs: Knob[] = [
    { name: 'block', doc: 'register block: output pixels × output channels', values: blocks.map((_, i) => i), labels: blocks },
    { name: 'unroll', doc: 'unroll factor of the input-channel loop', values: unrolls },
    { name: 'ocTile', doc: 'register blocks of output channels per cache tile', values: powersOfTwoUpTo(Math.ceil(ocg / 4)) },
    { name: 'pTile', doc: 'register blocks of output pixels per cache tile', values: powersOfTwoUpTo(Math.ceil(pixels / 1)).filter((v, i, all) => i % 2 === 0 || i === all.length - 1) },
    { name: 'icTile', doc: 'input channels per reduction slice', values: icTiles },
    { name: 'order', doc: 'outer tile loops, outermost first: oc-p-ic, oc-ic-p, p-oc-ic, p-ic-oc, ic-oc-p, ic-p-oc', values: ORDERS },
    {
      name: 'layout',
      doc: 'input layout: 0 NHWC read in place, 1 zero-padded copy with each kernel row one contiguous reduction, 2 Winograd F(4×4, 3×3), 3 Winograd F(2×2, 3×3), 4 Winograd F(2×2, 5×5) (pTile: register blocks of tiles per band)',
      values: [0, ...(s.groups === 1 && s.dilationW === 1 && s.kw > 1 ? [1] : []), ...winogradLayouts(s)],
    },
  ];
  const variantOf = (config: Config): number => {
    const { mr, nr } = blockOf(config.block!);
    const index = CONV_VARIANTS.findIndex((v) => v.mr === mr && v.nr === nr && v.unroll === config.unroll);
    if (index < 0) throw new RangeError(`config: no generated variant ${mr}x${nr} unroll ${config.unroll}`);
    return index;
  };
  const toSchedule = (config: Config): ConvSchedule => {
    const { mr, nr } = blockOf(config.block!);
    return {
      kind: 'conv',
      variant: variantOf(config),
      tileOC: config.ocTile! * nr,
      tileP: config.pTile! * mr,
      // With the padded layout the reduction of a kernel row is kw·cg long; "all of cg" stays "all".
      tileIC: config.layout === 1 && config.icTile === cg ? s.kw * cg : config.icTile!,
      order: config.order!,
      layout: config.layout!,
    };
  };
  const featureNames = ['layout', 'mr', 'nr', 'unroll', 'accumulators', 'log2TileOC', 'log2TileP', 'log2TileIC', 'log2WeightTileBytes',
    'log2InputTileBytes', 'ocWaste', 'pixelWaste', 'icSlices', ...ORDERS.map((o) => `order${o}`)];
  const featureFn = (config: Config): number[] => {
    const { mr, nr } = blockOf(config.block!);
    const tileOC = Math.min(config.ocTile! * nr, Math.ceil(ocg / nr) * nr);
    const tileP = Math.min(config.pTile! * mr, Math.ceil(pixels / mr) * mr);
    const tileIC = Math.min(config.icTile!, cg);
    return [
      config.layout!, mr, nr, config.unroll!, (mr * nr) / 4, log2(tileOC), log2(tileP), log2(tileIC),
      log2(tileOC * taps * tileIC * 4), log2(tileP * taps * tileIC * 4),
      Math.ceil(ocg / nr) * nr / ocg - 1, Math.ceil(pixels / mr) * mr / pixels - 1, Math.ceil(cg / tileIC),
      ...ORDERS.map((o) => (o === config.order ? 1 : 0)),
    ];
  };
  const pick = (name: string, target: number): number => nearest(knobs.find((k) => k.name === name)!.values, target);
  const defaultConfig: Config = {
    block: blocks.indexOf('4x8'),
    unroll: 1,
    ocTile: pick('ocTile', 8),
    pTile: pick('pTile', 16),
    icTile: cg,
    order: 0,
    layout: 0,
  };
  return new Space(task, knobs, toSchedule, featureFn, featureNames, defaultConfig);
}

/** Depthwise: register block (pixels × channels), channel and pixel tiles, tile-loop order. */
export function depthwiseSpace(task: Task): Space {
  const s = task.shape;
  const { ho, wo } = convOutputSize(s);
  const pixels = s.n * ho * wo;
  const knobs: Knob[] = [
    {
      name: 'block', doc: 'register block: output pixels × channels', values: DEPTHWISE_VARIANTS.map((_, i) => i),
      labels: DEPTHWISE_VARIANTS.map((v) => `${v.mr}x${v.nr}`),
    },
    { name: 'cTile', doc: 'register blocks of channels per cache tile', values: powersOfTwoUpTo(Math.ceil(s.c / 4)) },
    { name: 'pTile', doc: 'register blocks of output pixels per cache tile', values: powersOfTwoUpTo(pixels).filter((v, i, all) => i % 2 === 0 || i === all.length - 1) },
    { name: 'order', doc: '0: channel tiles outermost, 1: pixel tiles outermost', values: [0, 1] },
  ];
  const toSchedule = (config: Config): DepthwiseSchedule => {
    const v = DEPTHWISE_VARIANTS[config.block!]!;
    return { kind: 'depthwise', variant: config.block!, tileC: config.cTile! * v.nr, tileP: config.pTile! * v.mr, order: config.order! };
  };
  const featureNames = ['mr', 'nr', 'accumulators', 'log2TileC', 'log2TileP', 'log2InputTileBytes', 'channelTail', 'order'];
  const featureFn = (config: Config): number[] => {
    const v = DEPTHWISE_VARIANTS[config.block!]!;
    const tileC = Math.min(config.cTile! * v.nr, s.c);
    const tileP = Math.min(config.pTile! * v.mr, pixels);
    return [v.mr, v.nr, (v.mr * v.nr) / 4, log2(tileC), log2(tileP), log2(tileP * s.kh * s.kw * tileC * 4), (s.c % v.nr) / s.c, config.order!];
  };
  const pick = (name: string, target: number): number => nearest(knobs.find((k) => k.name === name)!.values, target);
  const defaultConfig: Config = {
    block: Math.max(0, DEPTHWISE_VARIANTS.findIndex((v) => v.mr === 4 && v.nr === 8)),
    cTile: pick('cTile', 16),
    pTile: pick('pTile', 16),
    order: 0,
  };
  return new Space(task, knobs, toSchedule, featureFn, featureNames, defaultConfig);
}
