// The joint hardware and mapping choice as a search space the tuning loop runs: a point is the
// accelerator's knobs followed by every layer's mapping knobs (jointConfigOf decodes it), and the
// measurer is the problem's simulator. A measurement carries the layer results it simulated for
// the first time, so a log replayed through a tuner's `update` restores the simulator's cache and
// its call count without simulating again (CodesignProblem.absorb). With a `LayerSimulator` (the
// workers of a Redis, src/node/dist/remote-layers.ts) the layers a batch needs are simulated there first,
// all at once, and absorbed as a replay's are: the records are the local run's.
import { ErrorCode, type Measurer, type MeasureResult } from '../base/result.js';
import type { Point, SearchSpace } from '../base/search-space.js';
import type { MappingResult } from '../sim/mapping.js';
import { MAPPING_KNOBS } from '../sim/mapping.js';
import { type CodesignProblem, type JointConfig, jointConfigOf, type LayerSimulator } from './problem.js';
import { namedKnobs } from './run.js';

/** A layer evaluation a measurement paid a simulator call for. */
export interface SimulatedLayer {
  readonly layer: number;
  readonly result: MappingResult;
}

/** A joint measurement: the network's cycles, and the layers simulated for it. */
export interface JointMeasureResult extends MeasureResult {
  readonly simulated?: readonly SimulatedLayer[];
}

export class JointSpace implements SearchSpace {
  readonly knobNames: readonly string[];
  readonly cardinalities: readonly number[];

  constructor(readonly problem: CodesignProblem) {
    const layers = problem.network.layers.map(({ layer }) => layer.name);
    this.knobNames = [...problem.hardwareKnobs, ...layers.flatMap((name) => MAPPING_KNOBS.map((knob) => `${name}.${knob}`))];
    this.cardinalities = [...problem.hardwareCardinalities, ...layers.flatMap(() => problem.mappingCardinalities)];
  }

  configOf(point: Point): JointConfig {
    return jointConfigOf(point, this.problem.layerCount, this.problem.hardwareKnobs.length);
  }

  describe(point: Point): Record<string, number | string> {
    return namedKnobs(this.problem, this.configOf(point));
  }
}

/** The flat point of a joint configuration. */
export const jointPoint = (config: JointConfig): Point => [...config.hardware, ...config.mappings.flat()];

/**
 * Evaluates joint points with the problem's simulator, or with `simulateLayers` for the layers not
 * cached; an invalid configuration is a failed measurement with its reason, never simulated.
 */
export class JointMeasurer implements Measurer {
  constructor(readonly space: JointSpace, private readonly simulateLayers?: LayerSimulator) {}

  async measure(points: readonly Point[]): Promise<JointMeasureResult[]> {
    const { problem } = this.space;
    const configs = points.map((point) => this.space.configOf(point));
    // Each point's fresh layers, as evaluating the points in order here finds them.
    const fresh = this.simulateLayers ? await this.simulateElsewhere(configs, this.simulateLayers) : undefined;
    return configs.map((config, i) => {
      const here = fresh?.[i] ?? new Set(config.mappings.map((_, l) => l).filter((l) => problem.cached(config.hardware, l, config.mappings[l]!) === undefined));
      const evaluation = problem.evaluate(config);
      if (!evaluation.valid) return { costs: [], errorCode: ErrorCode.invalidConfig, errorText: evaluation.reason, timestamp: Date.now() };
      const simulated = evaluation.layers.map((result, layer) => ({ layer, result })).filter(({ layer }) => here.has(layer));
      return { costs: [evaluation.cycles], errorCode: ErrorCode.none, timestamp: Date.now(), simulated };
    });
  }

  /** Simulates every layer the batch needs at once and caches it; per point, the layers it is first to need. */
  private async simulateElsewhere(configs: readonly JointConfig[], simulateLayers: LayerSimulator): Promise<Set<number>[]> {
    const { problem } = this.space;
    // An invalid configuration simulates nothing (CodesignProblem.evaluate).
    const valid = (c: JointConfig): boolean => problem.hardwareError(c.hardware) === undefined && c.mappings.every((m, l) => problem.fits(c.hardware, l, m));
    const evaluations = configs.flatMap((config, point) => (valid(config) ? config.mappings.map((mapping, layer) => ({ hardware: config.hardware, layer, mapping, point })) : []));
    const sent = await problem.simulateElsewhere(evaluations, simulateLayers);
    const fresh = configs.map(() => new Set<number>());
    evaluations.forEach(({ point, layer }, i) => sent[i] && fresh[point]!.add(layer));
    return fresh;
  }
}
