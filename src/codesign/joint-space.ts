// The joint hardware and mapping choice as a search space the tuning loop runs: a point is the
// accelerator's knobs followed by every layer's mapping knobs (jointConfigOf decodes it), and the
// measurer is the problem's simulator. A measurement carries the layer results it simulated for
// the first time, so a log replayed through a tuner's `update` restores the simulator's cache and
// its call count without simulating again (CodesignProblem.absorb).
import { ErrorCode, type Measurer, type MeasureResult } from '../base/result.js';
import type { Point, SearchSpace } from '../base/search-space.js';
import type { MappingResult } from '../sim/mapping.js';
import { MAPPING_KNOBS } from '../sim/mapping.js';
import { type CodesignProblem, type JointConfig, jointConfigOf } from './problem.js';
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

/** Evaluates joint points with the problem's simulator; an invalid configuration is a failed measurement with its reason, never simulated. */
export class JointMeasurer implements Measurer {
  constructor(readonly space: JointSpace) {}

  async measure(points: readonly Point[]): Promise<JointMeasureResult[]> {
    const { problem } = this.space;
    return points.map((point) => {
      const config = this.space.configOf(point);
      const fresh = config.mappings.map((m, l) => problem.cached(config.hardware, l, m) === undefined);
      const evaluation = problem.evaluate(config);
      if (!evaluation.valid) return { costs: [], errorCode: ErrorCode.invalidConfig, errorText: evaluation.reason, timestamp: Date.now() };
      const simulated = evaluation.layers.map((result, layer) => ({ layer, result })).filter(({ layer }) => fresh[layer]);
      return { costs: [evaluation.cycles], errorCode: ErrorCode.none, timestamp: Date.now(), simulated };
    });
  }
}
