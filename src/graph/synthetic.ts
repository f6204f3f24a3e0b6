// Synthetic graphs for training and testing schedulers, all drawn from a seed.
// - `layeredDag`: RESPECT's training graphs (arXiv 2304.04716): a given number of nodes spread
//   over a given number of levels, each node reading 1..maxInDegree predecessors from earlier
//   levels (at least one from the level just before, so levels are exact), node weight uniform
//   in [0, 5) and random parameter and output sizes.
// - `dnnLikeGraph`: real Conv/Relu/Add/Concat chains with residual and concatenation branches,
//   so learned schedulers also see the shapes of real networks.
import { Random } from '../helpers/random.js';
import { buildGraph, type NodeSpec, type NodeInputSpec } from './build.js';
import type { Graph } from './types.js';

export interface LayeredDagOptions {
  /** Number of nodes (RESPECT trains on 30, evaluates on 50, generalises to 100-500). */
  readonly nodes: number;
  /** Number of levels, 1..nodes (RESPECT: 10-25). */
  readonly levels: number;
  readonly seed: number;
  /** In-degree bounds for nodes past level 0 (RESPECT: up to 6). */
  readonly minInDegree?: number;
  readonly maxInDegree?: number;
  /** Node weight (abstract compute time) is uniform in [0, maxWeight) (RESPECT: 5). */
  readonly maxWeight?: number;
  /** Parameter bytes per node, uniform in [0, maxParamBytes], rounded to float32 elements. */
  readonly maxParamBytes?: number;
  /** Output bytes per node, uniform in [4, maxOutputBytes], rounded to float32 elements. */
  readonly maxOutputBytes?: number;
}

/**
 * Synthetic nodes carry their weight w as attribute `weight` and as `macs = round(w * 1e6)`,
 * so cost models that read MACs see work proportional to the weight.
 */
export const SYNTHETIC_MACS_PER_WEIGHT = 1e6;

function checkInt(value: number, lo: number, hi: number, what: string): void {
  if (!Number.isInteger(value) || value < lo || value > hi) throw new RangeError(`${what} must be an integer in [${lo}, ${hi}], got ${value}`);
}

export function layeredDag(options: LayeredDagOptions): Graph {
  const { nodes: n, levels: levelCount, seed } = options;
  const minIn = options.minInDegree ?? 1;
  const maxIn = options.maxInDegree ?? 6;
  const maxWeight = options.maxWeight ?? 5;
  const maxParamBytes = options.maxParamBytes ?? 4 << 20;
  const maxOutputBytes = options.maxOutputBytes ?? 1 << 20;
  checkInt(n, 1, 1_000_000, 'nodes');
  checkInt(levelCount, 1, n, 'levels');
  checkInt(minIn, 1, 1000, 'minInDegree');
  checkInt(maxIn, minIn, 1000, 'maxInDegree');
  const random = new Random(seed);

  // Every level gets one node, the rest land on uniformly drawn levels.
  const perLevel = new Array<number>(levelCount).fill(1);
  for (let i = levelCount; i < n; i++) perLevel[random.int(levelCount)]!++;
  const level: number[] = perLevel.flatMap((count, l) => new Array<number>(count).fill(l));
  const firstOf: number[] = [];
  let start = 0;
  for (const count of perLevel) {
    firstOf.push(start);
    start += count;
  }

  const specs: NodeSpec[] = level.map((l, v) => {
    const inputs: NodeInputSpec[] = [];
    if (l > 0) {
      const earlier = firstOf[l]!; // nodes 0..earlier-1 sit on lower levels
      const k = Math.min(random.intBetween(minIn, maxIn), earlier);
      const previous = firstOf[l - 1]! + random.int(perLevel[l - 1]!);
      const chosen = new Set<number>([previous]);
      while (chosen.size < k) chosen.add(random.int(earlier));
      for (const u of [...chosen].sort((a, b) => a - b)) inputs.push(`t${u}`);
    }
    const paramElements = Math.floor(random.uniform(0, maxParamBytes + 1) / 4);
    if (paramElements > 0) inputs.push({ name: `w${v}`, shape: [paramElements], kind: 'weight' });
    const outputElements = Math.max(1, Math.floor(random.uniform(4, maxOutputBytes + 1) / 4));
    const weight = random.uniform(0, maxWeight);
    return {
      name: `n${v}`, op: 'Synthetic', inputs,
      outputs: [{ name: `t${v}`, shape: [outputElements] }],
      attributes: { weight, level: l },
      macs: Math.round(weight * SYNTHETIC_MACS_PER_WEIGHT),
    };
  });
  return buildGraph({ name: `layered-${n}n-${levelCount}l-seed${seed}`, inputs: [], nodes: specs });
}

export interface DnnLikeOptions {
  /** Number of blocks after the stem; each block is 2-12 nodes. */
  readonly blocks: number;
  readonly seed: number;
  /** Input height and width (default 224). */
  readonly imageSize?: number;
  /** Probability that a block is residual (conv-relu-conv + skip Add). Default 0.4. */
  readonly residualProbability?: number;
  /** Probability that a block is a concatenation of 2-4 branches. Default 0.3. */
  readonly concatProbability?: number;
  /** Number of classes of the final Gemm (default 1000). */
  readonly classes?: number;
}

export function dnnLikeGraph(options: DnnLikeOptions): Graph {
  const { blocks, seed } = options;
  const imageSize = options.imageSize ?? 224;
  const pResidual = options.residualProbability ?? 0.4;
  const pConcat = options.concatProbability ?? 0.3;
  const classes = options.classes ?? 1000;
  checkInt(blocks, 0, 10_000, 'blocks');
  checkInt(imageSize, 8, 4096, 'imageSize');
  checkInt(classes, 1, 100_000, 'classes');
  const random = new Random(seed);
  const nodes: NodeSpec[] = [];
  let counter = 0;
  const fresh = (op: string): string => `${op.toLowerCase()}${counter++}`;

  const conv = (x: string, cin: number, cout: number, k: number, stride: number, relu: boolean): string => {
    const name = fresh('Conv');
    const pad = (k - 1) >> 1;
    nodes.push({
      name, op: 'Conv',
      inputs: [x, { name: `${name}.weight`, shape: [cout, cin, k, k], kind: 'weight' }, { name: `${name}.bias`, shape: [cout], kind: 'weight' }],
      outputs: [`${name}_out`],
      attributes: { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] },
    });
    if (!relu) return `${name}_out`;
    const r = fresh('Relu');
    nodes.push({ name: r, op: 'Relu', inputs: [`${name}_out`], outputs: [`${r}_out`] });
    return `${r}_out`;
  };

  let channels = 32;
  let size = Math.ceil(imageSize / 2);
  let x = conv('input', 3, channels, 3, 2, true);
  for (let b = 0; b < blocks; b++) {
    if (size > 7 && random.float() < 0.2) {
      x = conv(x, channels, channels * 2, 3, 2, true);
      channels *= 2;
      size = Math.ceil(size / 2);
      continue;
    }
    const roll = random.float();
    if (roll < pResidual) {
      const y = conv(conv(x, channels, channels, 3, 1, true), channels, channels, 3, 1, false);
      const add = fresh('Add');
      nodes.push({ name: add, op: 'Add', inputs: [x, y], outputs: [`${add}_out`] });
      const r = fresh('Relu');
      nodes.push({ name: r, op: 'Relu', inputs: [`${add}_out`], outputs: [`${r}_out`] });
      x = `${r}_out`;
    } else if (roll < pResidual + pConcat) {
      const branches = random.intBetween(2, 4);
      const share = Math.max(1, Math.floor(channels / branches));
      const outs: string[] = [];
      for (let i = 0; i < branches; i++) {
        const k = random.pick([1, 3, 5]);
        const width = i === branches - 1 ? channels - share * (branches - 1) : share;
        outs.push(random.float() < 0.5 ? conv(conv(x, channels, width, 1, 1, true), width, width, k, 1, true) : conv(x, channels, width, k, 1, true));
      }
      const cat = fresh('Concat');
      nodes.push({ name: cat, op: 'Concat', inputs: outs, outputs: [`${cat}_out`], attributes: { axis: 1 } });
      x = `${cat}_out`;
    } else {
      x = conv(x, channels, channels, random.pick([1, 3]), 1, true);
    }
  }
  const gap = fresh('GlobalAveragePool');
  nodes.push({ name: gap, op: 'GlobalAveragePool', inputs: [x], outputs: [`${gap}_out`] });
  const flat = fresh('Flatten');
  nodes.push({ name: flat, op: 'Flatten', inputs: [`${gap}_out`], outputs: [`${flat}_out`], attributes: { axis: 1 } });
  const fc = fresh('Gemm');
  nodes.push({
    name: fc, op: 'Gemm',
    inputs: [`${flat}_out`, { name: `${fc}.weight`, shape: [classes, channels], kind: 'weight' }, { name: `${fc}.bias`, shape: [classes], kind: 'weight' }],
    outputs: ['output'], attributes: { transB: 1 },
  });
  return buildGraph({
    name: `dnnlike-${blocks}b-seed${seed}`,
    inputs: [{ name: 'input', shape: [1, 3, imageSize, imageSize] }],
    nodes,
    outputs: ['output'],
  });
}
