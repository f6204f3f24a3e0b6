// Co-design searches with their layer simulations on workers: the search stays here, and the
// layer evaluations a batch needs (CodesignProblem's cache misses, in the order a local run meets
// them: the joint tuners' whole configurations, grid's and the software-only tuners' one layer at
// a time) go out as mapping groups, one per accelerator and layer, asking for the whole
// MappingResult (`detail`); the coordinator's batcher packs them into jobs. The results are
// cached as a replayed log's, so the records, the best design and the simulator-call count are
// a local run's.
import { budgetKey, type CodesignProblem, type CodesignRun, type LayerEvaluation, type LayerSimulator, runStrategy, type Strategy, type StrategyOptions } from '../../codesign/index.js';
import type { Core } from '../../core/core.js';
import type { MappingResult } from '../../sim/mapping.js';
import type { Coordinator } from './coordinator.js';
import { mappingGroupTemplate, type MappingGroup } from './jobs.js';

export function remoteLayerSimulator(coordinator: Coordinator, problem: CodesignProblem, run: { tuner: string; seed: number }): LayerSimulator {
  const groupFor = ({ hardware, layer }: LayerEvaluation, points: number[][]): MappingGroup => {
    const { layer: convLayer } = problem.network.layers[layer]!;
    return { ...mappingGroupTemplate(`${budgetKey(problem)}|${convLayer.name}`, { ...convLayer }, problem.mappingTarget(hardware)), detail: true, points };
  };
  return async (evaluations) => {
    // Evaluations of one accelerator and layer are one group; the batcher packs the groups into jobs.
    const groups = new Map<string, number[]>();
    evaluations.forEach(({ hardware, layer }, i) => {
      const key = `${hardware.join(',')}|${layer}`;
      const group = groups.get(key);
      if (group) group.push(i);
      else groups.set(key, [i]);
    });
    const results = new Array<MappingResult>(evaluations.length);
    await Promise.all(
      [...groups.values()].map(async (at) => {
        const group = groupFor(evaluations[at[0]!]!, at.map((i) => [...evaluations[i]!.mapping]));
        const value = await coordinator.mappings.measure(group, run);
        const mappings = value.map((r) => (r as { mapping?: MappingResult }).mapping);
        if (!mappings.every((m) => m?.valid === true)) {
          throw new Error(`${group.workload}: a worker returned ${JSON.stringify(value)?.slice(0, 120)} for ${at.length} mappings that fit; expected their simulated results`);
        }
        mappings.forEach((m, k) => (results[at[k]!] = m!));
      }),
    );
    return results;
  };
}

/** A co-design strategy with its layers simulated on the workers of `coordinator`: the run a local one gives. */
export function remoteLayerSearch(coordinator: Coordinator, strategy: Strategy, core: Core, problem: CodesignProblem, options: StrategyOptions): Promise<CodesignRun> {
  return runStrategy(strategy, core, problem, { ...options, simulateLayers: remoteLayerSimulator(coordinator, problem, { tuner: strategy, seed: options.seed }) });
}
