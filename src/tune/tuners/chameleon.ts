// Chameleon (Ahn et al., ICLR 2020): a PPO agent walks the knob space with the cost model's
// prediction as its reward, and adaptive sampling measures one synthesised config per
// cluster of the configurations it visited.
//
// Ablations: `rl: false` takes the candidates from simulated annealing instead of the agent
// (sampling without RL); `sampling: false` measures the agent's best-predicted visited
// configs instead of cluster representatives (RL without sampling).
//
// The agent persists across rounds, as in the paper: after every measured batch (in
// `update`, so replaying a log retrains it identically) the cost model is refitted and the
// agent trains further on it from where it left off; its walks of that training are the
// next round's candidates.
import type { Core } from '../../core/core.js';
import { Random } from '../../helpers/random.js';
import { gae } from '../../rl/gae.js';
import { applyMoves, MOVES_PER_KNOB, walkState } from '../../rl/knob-walk.js';
import { PpoAgent, type PpoOptions, type Rollout } from '../../rl/ppo.js';
import { ADAPTIVE_SAMPLING_DEFAULTS, type AdaptiveSamplingOptions, adaptiveSample } from '../search/adaptive-sampling.js';
import { ANNEALING_DEFAULTS, type AnnealingOptions, anneal } from '../search/annealing.js';
import { type Point, pointKey, type SearchSpace } from '../../base/search-space.js';
import { type ModelBasedOptions, ModelBasedTuner } from './model-based.js';

export interface ChameleonOptions extends ModelBasedOptions {
  ppo: Partial<PpoOptions>;
  /** Walks run in parallel, from the best measured points and random ones. */
  episodes: number; // Chameleon: 128
  /** Maximum steps of a walk. */
  steps: number; // Chameleon: 500
  /** A walk ends once at least this share of the knobs stay put in one step. */
  pinnedShare: number; // Chameleon: 0.75
  /**
   * Rollout-and-update iterations of the agent after each measured batch. Measured on 17
   * layer mappings (96 trials, seed 1) with the agent kept across rounds: 1 → 14/17 layers
   * reach AutoTVM's final best in 38 trials on average, +1.5% geomean; 2 → 17/17 in 50, +1.4%,
   * at twice the search time.
   */
  iterations: number;
  /** Adaptive sampling (off: measure the best-predicted candidates). */
  sampling: boolean;
  /**
   * With sampling, also measure this many of the best-predicted candidates each round.
   * Not in the paper: cluster representatives are averages and can step around a sharp
   * optimum the agent has found. Measured on 17 AlexNet/ResNet-18 layer mappings (96 trials,
   * seed 1): 1 → 12/17 layers reach AutoTVM's final best, geomean final cost 2.8% worse;
   * 8 → 14/17, 0.8% better; 24 → 12/17, 0.6% worse.
   */
  exploit: number;
  /** The RL agent (off: candidates from simulated annealing). */
  rl: boolean;
  samplingOptions: AdaptiveSamplingOptions;
  annealing: AnnealingOptions;
}

export const CHAMELEON_DEFAULTS: Omit<ChameleonOptions, keyof ModelBasedOptions> = {
  ppo: {},
  episodes: 64,
  steps: 50,
  pinnedShare: 0.75,
  iterations: 1,
  sampling: true,
  exploit: 8,
  rl: true,
  samplingOptions: ADAPTIVE_SAMPLING_DEFAULTS,
  annealing: ANNEALING_DEFAULTS,
};

export class ChameleonTuner extends ModelBasedTuner {
  readonly name: string;
  readonly options: Omit<ChameleonOptions, keyof ModelBasedOptions>;
  /** The k adaptive sampling chose in each round (for reports). */
  readonly chosenK: number[] = [];
  private agent: PpoAgent | undefined;
  /** Points the agent's walks visited in its latest training: the next round's candidates. */
  private agentVisited: Point[] = [];

  constructor(core: Core, space: SearchSpace, seed: number, options: Partial<ChameleonOptions> = {}) {
    super(core, space, seed, options);
    this.options = { ...CHAMELEON_DEFAULTS, ...options };
    this.fillBatch = !this.options.sampling;
    this.name = this.options.rl ? (this.options.sampling ? 'chameleon' : 'chameleon-no-sampling') : 'sampling-only';
  }

  /** Frees the agent's networks in the wasm core. */
  dispose(): void {
    this.agent?.dispose();
    this.agent = undefined;
  }

  protected override modelFitted(): void {
    if (!this.options.rl) return;
    const knobs = this.space.cardinalities.length;
    this.agent ??= new PpoAgent(this.core, knobs, new Array<number>(knobs).fill(MOVES_PER_KNOB), this.seed, this.options.ppo);
    // A stream of its own, so training does not reuse the numbers the next batch draws.
    this.agentVisited = this.trainAgent(this.agent, new Random(this.batchRandom().nextUint32() ^ 0x5bd1e995));
  }

  protected propose(n: number, random: Random): Point[] {
    const candidates = this.options.rl ? this.agentVisited : this.annealingCandidates(random);
    if (!this.options.sampling) return this.bestPredicted(candidates, this.visited, n);
    const { samples, k } = adaptiveSample(this.space, candidates, this.visited, random, this.options.samplingOptions);
    this.chosenK.push(k);
    const taken = new Set([...this.visited, ...samples.map(pointKey)]);
    return [...this.bestPredicted(candidates, taken, this.options.exploit), ...samples].slice(0, n);
  }

  private bestPredicted(candidates: readonly Point[], exclude: ReadonlySet<string>, n: number): Point[] {
    const unique = [...new Map(candidates.filter((p) => !exclude.has(pointKey(p))).map((p) => [pointKey(p), p])).values()];
    const scores = this.predictScores(unique);
    return unique
      .map((point, i) => ({ point, score: scores[i]! }))
      .sort((a, b) => b.score - a.score)
      .slice(0, n)
      .map((entry) => entry.point);
  }

  private annealingCandidates(random: Random): Point[] {
    const starts = this.startPoints(this.options.annealing.chains, random);
    return anneal(this.space, this.predictScores, starts, 8 * 64, this.visited, random, this.options.annealing).map((e) => e.point);
  }

  /** Trains the agent on the current cost model; returns every point its last walks visited. */
  private trainAgent(agent: PpoAgent, random: Random): Point[] {
    const { episodes, steps, pinnedShare, iterations } = this.options;
    const knobs = this.space.cardinalities.length;
    const { gamma, gaeLambda } = agent.options;
    let visitedByAgent: Point[] = [];
    for (let iteration = 0; iteration < iterations; iteration++) {
      const rollout: Rollout = { states: [], actions: [], logProbs: [], advantages: [], returns: [] };
      visitedByAgent = [];
      let points = this.startPoints(episodes, random);
      const trajectories = points.map(() => ({ rewards: [] as number[], values: [] as number[], done: false }));
      for (let step = 0; step < steps && trajectories.some((t) => !t.done); step++) {
        const live = trajectories.map((t, e) => (t.done ? -1 : e)).filter((e) => e >= 0);
        const states = live.map((e) => walkState(this.space, points[e]!));
        const { actions, logProbs, values } = agent.act(states, random);
        const moved = live.map((e, j) => applyMoves(this.space, points[e]!, actions[j]!));
        const rewards = this.predictScores(moved);
        live.forEach((e, j) => {
          const trajectory = trajectories[e]!;
          const next = moved[j]!;
          rollout.states.push(states[j]!);
          rollout.actions.push(actions[j]!);
          rollout.logProbs.push(logProbs[j]!);
          trajectory.rewards.push(rewards[j]!);
          trajectory.values.push(values[j]!);
          points[e] = next;
          visitedByAgent.push(next);
          const staying = actions[j]!.filter((a) => a === 1).length;
          if (staying >= pinnedShare * knobs) trajectory.done = true;
        });
      }
      // Bootstrap walks cut by the step limit from the value of where they stopped.
      const cut = trajectories.map((t, e) => (t.done ? -1 : e)).filter((e) => e >= 0);
      const tails = cut.length > 0 ? agent.values(cut.map((e) => walkState(this.space, points[e]!))) : [];
      const tailOf = new Map(cut.map((e, j) => [e, tails[j]!]));
      rollout.advantages = new Array<number>(rollout.states.length);
      rollout.returns = new Array<number>(rollout.states.length);
      // The walks' steps interleave in the rollout: step s of every live walk, in walk order.
      const stepsOfWalk = trajectories.map(() => [] as number[]);
      let cursor = 0;
      for (let step = 0; cursor < rollout.states.length; step++) {
        trajectories.forEach((t, e) => {
          if (step < t.rewards.length) stepsOfWalk[e]!.push(cursor++);
        });
      }
      trajectories.forEach((t, e) => {
        const { advantages, returns } = gae(t.rewards, [...t.values, tailOf.get(e) ?? 0], gamma, gaeLambda);
        stepsOfWalk[e]!.forEach((index, s) => {
          rollout.advantages[index] = advantages[s]!;
          rollout.returns[index] = returns[s]!;
        });
      });
      if (rollout.states.length > 0) agent.update(rollout, random);
    }
    return visitedByAgent;
  }
}
