// ARCO (Fayyazi et al., "ARCO: Adaptive Multi-Agent Reinforcement Learning-Based Hardware/
// Software Co-Optimization Compiler", ASP-DAC 2025): three actor-critic agents trained together
// with centralised training and decentralised execution, and confidence sampling in front of
// the simulator. The paper's exact rules are not public; this is our design:
//
// Decentralised execution — each batch proposes `episodes` joint configurations:
//   1. the hardware actor sees the network's summary and picks rows, cols, three SRAM sizes and
//      the dataflow; the first `incumbentShare` of the episodes instead keep the incumbent, the
//      best accelerator measured so far (at first the default one, streamed SCALE-Sim's way), so
//      part of every batch refines the mappings where they pay most, and the next `hardwareMoves`
//      take a random move within budget (one knob, or a trade of PEs and SRAM) from one of the
//      `moveBases` best accelerators so far;
//   2. the tiling actor sees (hardware, one layer) and samples `candidates` splitM/N/K choices;
//   3. the order actor sees (hardware, layer, those tiles) and picks each candidate's loop order
//      and double buffering.
// Software choice: the layers are independent once the accelerator is fixed, so each layer on
// each accelerator pools the candidates of every episode on it that fit, the best mapping the
// simulator has measured there and its unmeasured neighbours (a local search on measured cycles),
// and SCALE-Sim's streaming where the simulator has run it; ranks
// them by predicted cycles (exact once simulated), polishes the leaders by a few hill-climbing
// steps on the model's mean (no simulator calls), and gives the r-th best to the r-th episode on
// that accelerator (the first exploits, the others try the runners-up). When none fits, the
// nearest mapping that does. Before the model exists: the actors' first candidate that fits,
// and the first proposal streams every layer, so the model sees that point too.
// Each accelerator's best measured mapping of every layer, together, is evaluated for free.
// Rewards: an accelerator over budget earns the hardware actor `penalty` and is never simulated;
// a candidate that does not fit earns the software actors `penalty` and is never simulated;
// other candidates earn r = log(ideal / cycles), ideal = MACs / the most PEs the budget allows,
// with their simulated cycles when the simulator has seen them, else the ensemble's mean. The
// hardware actor earns R = log(ideal / network cycles) of its proposal. Both ≤ 0, higher is
// better, and comparable across accelerators.
//
// Confidence sampling: an ensemble of gradient-boosted trees predicts every layer's log cycles
// from (hardware, layer, mapping) features, with a spread (src/codesign/ensemble.ts); a proposal's
// network throughput gets a mean and a spread. A proposal whose layers are all measured costs
// nothing and is evaluated. After `warmupBatches` (whose first `warmupProposals` are simulated),
// only `simulatePerBatch` proposals go to the simulator — the incumbent's share of them from the
// proposals on the incumbent, the rest from the others, each by the highest lower confidence
// bound (mean − κ·spread); the rest are scored by the ensemble. Every newly simulated layer
// becomes training data for the ensemble.
//
// Centralised training: one critic (an Mlp in the wasm core) sees the joint state — network,
// hardware, layer, tiles, stage — and is the baseline of all three actors: the hardware step is a
// one-step episode, each layer a two-step episode (tiles, then order) rewarded at its end, with
// GAE over the critic's values. The actors are PpoAgents (src/rl/ppo.ts) updated with the
// clipped surrogate on those advantages.
import type { Core } from '../core/core.js';
import { Mlp } from '../core/nn.js';
import { Random } from '../helpers/random.js';
import { gae } from '../rl/gae.js';
import { PpoAgent, type PpoOptions, type Rollout } from '../rl/ppo.js';
import { MAPPING_KNOB, type MappingResult } from '../sim/mapping.js';
import { DEFAULT_MAPPING_POINT, mappingFeatures, mappingOf } from '../sim/mapping-space.js';
import { DATAFLOWS, layerGemm, sramWords } from '../sim/types.js';
import type { Point } from '../base/search-space.js';
import { type EnsembleOptions, GbtEnsemble, meanStd } from './ensemble.js';
import { hardwareNeighbour } from './moves.js';
import { type CodesignProblem, HARDWARE_CARDINALITIES, HARDWARE_KNOB, hardwareOf, gridHardware, type JointConfig, jointKey, peCeiling, SPARSITY_CHOICES } from './problem.js';
import { JointTuner, type JointMeasurement, runJointTuner } from './joint-tuner.js';
import { type CodesignRun, fitMapping, type StrategyOptions } from './run.js';

export interface ArcoOptions {
  episodes: number; // 24: joint proposals per batch
  /** Stop after this many batches even if simulator budget is left (ablations compare at equal batches). */
  maxBatches: number; // Infinity
  /** Stop after this many batches in a row that cost no simulator call (the policy only re-proposes what it has seen). */
  patience: number; // 20
  confidenceSampling: boolean; // true; false: every proposal is simulated (the ablation)
  simulatePerBatch: number; // 8: proposals sent to the simulator per batch after warm-up
  candidates: number; // 8: mappings the software actors sample per layer and episode; the ensemble picks one
  warmupProposals: number; // 8: proposals simulated in each warm-up batch
  refineSteps: number; // 3: hill-climbing steps on the ensemble's mean that polish each layer's chosen mapping
  softwareSamples: number; // 512: software decisions per batch the critic and the two software actors train on (a random subset)
  incumbentShare: number; // 0.5: share of each batch's episodes (and of its simulated proposals) on the incumbent, the best accelerator so far
  moveBases: number; // 4: the moves start from one of this many best accelerators so far
  hardwareMoves: number; // 0.25: share of each batch's episodes on a random move (one knob, or a trade of PEs and SRAM) of one of the best accelerators instead of a hardware-actor sample
  confidenceKappa: number; // 1: lower confidence bound = mean − κ · spread
  warmupBatches: number; // 1: batches simulated whole before the ensemble is trusted
  penalty: number; // −6: reward of an invalid decision (an over-budget accelerator, a tile that does not fit)
  gamma: number; // 1: discount within a layer's two steps
  gaeLambda: number; // 0.95: GAE λ
  actor: Partial<PpoOptions>; // the three PpoAgents (their own value nets are unused: the critic is central)
  criticHidden: number; // 64: width of the critic's two hidden layers
  criticLearningRate: number; // 3e-3: Adam
  criticEpochs: number; // 4: passes over each batch's states
  criticMinibatch: number; // 64
  ensemble: Partial<EnsembleOptions>;
  /** Rows kept for the ensemble (the most recent). */
  ensembleRows: number; // 2000
}

export const ARCO_DEFAULTS: ArcoOptions = {
  episodes: 24,
  maxBatches: Number.POSITIVE_INFINITY,
  patience: 20,
  confidenceSampling: true,
  simulatePerBatch: 8,
  candidates: 8,
  warmupProposals: 8,
  refineSteps: 3,
  softwareSamples: 512,
  incumbentShare: 0.5,
  moveBases: 4,
  hardwareMoves: 0.25,
  confidenceKappa: 1,
  warmupBatches: 1,
  penalty: -6,
  gamma: 1,
  gaeLambda: 0.95,
  actor: { hidden: 32, policyLayers: 2, valueLayers: 1, learningRate: 3e-3, epochs: 4, minibatch: 64, entropyCoef: 0.01, clip: 0.2, maxGradNorm: 0.5 },
  criticHidden: 64,
  criticLearningRate: 3e-3,
  criticEpochs: 4,
  criticMinibatch: 64,
  ensemble: {},
  ensembleRows: 2000,
};

const log2 = (x: number): number => Math.log2(Math.max(1, x));

/** Features of the problem's pieces, shared by actors, critic and cost model. */
class Features {
  readonly net: number[];
  readonly layers: number[][];
  private readonly idealLayer: number[];
  readonly idealNetworkCycles: number;
  /** Length of `hardware`'s features. */
  readonly hardwareWidth: number;

  constructor(private readonly problem: CodesignProblem) {
    const { network, target } = problem;
    const share = (pred: (m: number, n: number, k: number) => boolean): number =>
      network.layers.reduce((s, l) => {
        const g = layerGemm(l.layer);
        return s + (pred(g.m, g.n, g.k) ? l.count * g.m * g.n * g.k : 0);
      }, 0) / network.macs;
    this.net = [log2(network.macs) / 40, network.layers.length / 100, share((_, n) => n < 32), share((_m, _n, k) => k < 64), share((m) => m < 64)];
    this.layers = network.layers.map((l) => {
      const g = layerGemm(l.layer);
      const input = l.layer.ifmapHeight * l.layer.ifmapWidth * l.layer.channels;
      return [log2(g.m) / 16, log2(g.n) / 16, log2(g.k) / 16, (l.count * g.m * g.n * g.k) / network.macs, log2(input) / 24, log2(g.k * g.n) / 24, log2(g.m * g.n) / 24];
    });
    this.idealLayer = network.layers.map((l) => {
      const g = layerGemm(l.layer);
      return (g.m * g.n * g.k) / peCeiling(target);
    });
    this.idealNetworkCycles = network.macs / peCeiling(target);
    this.hardwareWidth = HARDWARE_KNOB.dataflow + DATAFLOWS.length + (problem.sparse ? SPARSITY_CHOICES.length : 0);
  }

  hardware(point: Point): number[] {
    const h = hardwareOf(point);
    // The size knobs scaled to [0, 1], then the dataflow one-hot (and for a pruned network the sparsity support's).
    const sizes = point.slice(0, HARDWARE_KNOB.dataflow).map((v, i) => v / (HARDWARE_CARDINALITIES[i]! - 1));
    const dataflow = DATAFLOWS.map((d) => (h.dataflow === d ? 1 : 0));
    if (!this.problem.sparse) return [...sizes, ...dataflow];
    return [...sizes, ...dataflow, ...SPARSITY_CHOICES.map((s) => ((h.sparseRep ?? 'dense') === s ? 1 : 0))];
  }

  /** How each whole operand compares with its buffer (log2 ratio / 8). */
  fit(point: Point, layer: number): number[] {
    const h = hardwareOf(point);
    const l = this.layers[layer]!;
    return [l[4]! * 24 - log2(sramWords(h.ifmapSramKiB)), l[5]! * 24 - log2(sramWords(h.filterSramKiB)), l[6]! * 24 - log2(sramWords(h.ofmapSramKiB))].map((v) => v / 8);
  }

  tileState(hw: Point, layer: number): number[] {
    return [...this.hardware(hw), ...this.layers[layer]!, ...this.fit(hw, layer)];
  }

  orderState(hw: Point, layer: number, splits: readonly number[]): number[] {
    return [...this.tileState(hw, layer), ...splits.map((s) => s / 7)];
  }

  /** The critic's joint state: network, hardware, layer, tiles, order and the stage. */
  critic(stage: 0 | 1 | 2, hw?: Point, layer?: number, splits?: readonly number[]): number[] {
    const zeros = (n: number): number[] => new Array<number>(n).fill(0);
    return [
      ...this.net,
      ...(hw ? this.hardware(hw) : zeros(this.hardwareWidth)),
      ...(hw && layer !== undefined ? [...this.layers[layer]!, ...this.fit(hw, layer)] : zeros(10)),
      ...(splits ? splits.map((s) => s / 7) : zeros(3)),
      stage === 0 ? 1 : 0, stage === 1 ? 1 : 0, stage === 2 ? 1 : 0,
    ];
  }

  /** Cost-model features of one layer under one accelerator and mapping. */
  costModel(hw: Point, layer: number, mapping: Point): number[] {
    const target = this.problem.mappingTarget(hw);
    const shape = this.problem.shape(hw, layer);
    const h = hardwareOf(hw);
    return [...this.hardware(hw), ...this.layers[layer]!, ...mappingFeatures(shape, target, mappingOf(mapping)), log2(shape.macs / (h.rows * h.cols))];
  }

  layerReward(layer: number, cycles: number): number {
    return Math.log(this.idealLayer[layer]! / cycles);
  }

  networkReward(cycles: number): number {
    return Math.log(this.idealNetworkCycles / cycles);
  }
}

interface Proposal {
  hardware: Point;
  hardwareValid: boolean;
  /** The configuration evaluated: each layer's chosen candidate (repaired to fit when none fits). */
  evaluated: JointConfig;
  /**
   * How confidence sampling scores it: 'known' (evaluated before: from the cache), 'free' (every
   * layer simulated before, or by an earlier proposal of the round), 'simulate' (chosen, and within
   * the budget), 'model' (the ensemble's prediction), 'none' (no model yet).
   */
  scoring: 'known' | 'free' | 'simulate' | 'model' | 'none';
  /** Model-scored: each layer's predicted cycles, or undefined where the simulator's are known by the round's end. */
  predicted: (number | undefined)[];
  /** Per layer cycles (simulated or predicted) of `evaluated`; filled when scored. */
  layerCycles: number[];
  networkCycles: number;
}

/** An actor's samples: one action, its log-probability and the critic's value per state. */
type AgentActions = ReturnType<PpoAgent['act']>;

/** What a round's proposal step hands the others: the actors' decisions and the proposals built from them. */
interface Round {
  /** Simulator calls before the round: a round that spends none is idle. */
  callsAtStart: number;
  /** 'proposals' while its proposals are measured, 'composites' while the composites are. */
  phase: 'proposals' | 'composites';
  /** The proposals sent to the simulator (free or chosen), in proposal order. */
  toEvaluate: Proposal[];
  hwAct: AgentActions;
  /** The accelerator kept by the first `incumbents` episodes; the next `moves` take a random move. */
  incumbent: Point;
  incumbents: number;
  moves: number;
  proposals: Proposal[];
  /** Episodes whose accelerator is within the budget. */
  live: number[];
  tileStates: number[][];
  tileAct: AgentActions;
  orderStates: number[][];
  orderAct: AgentActions;
  candidates: Candidate[];
}

/** One software decision: a layer's mapping sampled by the tiling and order actors. */
interface Candidate {
  episode: number;
  layer: number;
  mapping: Point;
  fits: boolean;
  /** Ensemble mean and spread of log cycles (exact and 0 when already simulated). */
  mean: number;
  std: number;
}

export class Arco extends JointTuner {
  readonly name: string;
  readonly options: ArcoOptions;
  private readonly features: Features;
  private readonly hardwareAgent: PpoAgent;
  private readonly tilingAgent: PpoAgent;
  private readonly orderAgent: PpoAgent;
  private readonly critic: Mlp;
  private readonly ensemble: GbtEnsemble;
  private readonly random: Random;
  private readonly rows: number[][] = [];
  private readonly targets: number[] = [];
  private readonly simulatedKeys = new Set<string>();
  /** Per accelerator, each layer's fastest mapping the simulator has measured there. */
  private readonly bestLayers = new Map<string, ({ mapping: Point; cycles: number } | undefined)[]>();
  /** Ensemble predictions since its last refit, by hardware, layer and mapping. */
  private readonly predictions = new Map<string, { mean: number; std: number }>();
  /** Mean reward (simulated or predicted) of each batch's proposals, for the learning curve. */
  readonly batchRewards: number[] = [];
  readonly counts = { batches: 0, proposals: 0, simulatedProposals: 0, modelScored: 0, invalidHardware: 0, invalidLayers: 0 };
  /** The round being measured. */
  private round: Round | undefined;
  /** Rounds in a row that spent no simulator call. */
  private idle = 0;

  constructor(core: Core, problem: CodesignProblem, seed: number, budget: number, options: Partial<ArcoOptions> = {}) {
    const name = options.confidenceSampling === false ? 'arco-no-cs' : 'arco';
    super(problem, name, seed, budget);
    this.name = name;
    this.options = { ...ARCO_DEFAULTS, ...options, actor: { ...ARCO_DEFAULTS.actor, ...options.actor } };
    this.features = new Features(problem);
    this.random = new Random(seed);
    const f = this.features;
    const hw0 = new Array<number>(problem.hardwareCardinalities.length).fill(0);
    this.hardwareAgent = new PpoAgent(core, f.net.length, problem.hardwareCardinalities, this.random.nextUint32(), this.options.actor);
    this.tilingAgent = new PpoAgent(core, f.tileState(hw0, 0).length, problem.mappingCardinalities.slice(0, 3), this.random.nextUint32(), this.options.actor);
    this.orderAgent = new PpoAgent(core, f.orderState(hw0, 0, [0, 0, 0]).length, problem.mappingCardinalities.slice(3), this.random.nextUint32(), this.options.actor);
    const h = this.options.criticHidden;
    this.critic = new Mlp(core, [f.critic(0).length, h, h, 1], new Random(this.random.nextUint32()));
    this.ensemble = new GbtEnsemble(core, this.random.nextUint32(), this.options.ensemble);
  }

  dispose(): void {
    this.hardwareAgent.dispose();
    this.tilingAgent.dispose();
    this.orderAgent.dispose();
    this.critic.dispose();
  }

  protected get finished(): boolean {
    return this.problem.simulatorCalls >= this.budget || this.counts.batches >= this.options.maxBatches || this.idle >= this.options.patience;
  }

  protected stats(): Record<string, number> {
    return { ...this.counts };
  }

  /**
   * One round (a batch of the paper): the three actors propose (decentralised execution), the
   * software choice settles each accelerator's mappings, and confidence sampling picks what the
   * simulator sees, which is the round's batch. A round with nothing to simulate is scored and
   * trained at once, and the next one drawn.
   */
  protected propose(): JointConfig[] {
    while (!this.finished) {
      const round = this.act();
      this.chooseSoftware(round);
      this.counts.proposals += round.proposals.length;
      this.counts.invalidHardware += round.proposals.length - round.live.length;
      this.counts.invalidLayers += round.candidates.filter((c) => !c.fits).length;
      this.plan(round);
      if (round.toEvaluate.length > 0) {
        this.round = round;
        return round.toEvaluate.map((p) => p.evaluated);
      }
      this.score(round, []);
      this.endRound(round);
    }
    return [];
  }

  /**
   * The round's simulations are back: every proposal is scored; each accelerator's best measured
   * mappings, together, are the next batch (free: every layer simulated); then every agent and the
   * critic train on the rewards (centralised training), and the ensemble refits.
   */
  protected learn(measured: JointMeasurement[]): JointConfig[] | void {
    const round = this.round!;
    if (round.phase === 'proposals') {
      const composites = this.score(round, measured);
      if (composites.length > 0) {
        round.phase = 'composites';
        return composites;
      }
    }
    this.round = undefined;
    this.endRound(round);
  }

  private endRound(round: Round): void {
    this.train(round);
    if (this.rows.length > 0) {
      this.ensemble.fit(this.rows, this.targets);
      this.predictions.clear();
    }
    this.counts.batches++;
    this.idle = this.problem.simulatorCalls === round.callsAtStart ? this.idle + 1 : 0;
  }

  /** Step 1: accelerators from the hardware actor (some kept or moved), and S candidate mappings per layer from the tiling and order actors. */
  private act(): Round {
    const tracker = this.tracker;
    const callsAtStart = this.problem.simulatorCalls;
    const o = this.options;
    const f = this.features;
    const L = this.problem.layerCount;
    const S = o.candidates;
    const random = this.random;
    const hwAct = this.hardwareAgent.act(new Array(o.episodes).fill(f.net), random);
    // The first episodes keep the incumbent accelerator (the best simulated so far, at first the
    // default one), so part of every batch polishes mappings where they pay most.
    const incumbents = Math.floor(o.episodes * o.incumbentShare);
    const incumbent = tracker.best?.config.hardware ?? this.problem.hardwarePoint(gridHardware(this.problem.target.defaultHardware));
    // The next ones take a random move within budget (a trust region around the best designs,
    // which the hardware actor's samples reach slowly) from one of the `moveBases` best
    // accelerators so far, so that one early gain does not fix the neighbourhood searched.
    const moves = Math.floor(o.episodes * o.hardwareMoves);
    const ranked = [...tracker.perHardware.values()].sort((a, b) => b.throughputPerSecond - a.throughputPerSecond);
    const bases = ranked.length > 0 ? ranked.slice(0, o.moveBases).map((h) => h.hardware) : [incumbent];
    const pick = (sampled: Point, e: number): Point => (e < incumbents ? [...incumbent] : e < incumbents + moves ? hardwareNeighbour(this.problem, bases[this.random.int(bases.length)]!, this.random) ?? sampled : sampled);
    const proposals: Proposal[] = hwAct.actions.map(pick).map((hardware) => ({
      hardware, hardwareValid: this.problem.hardwareError(hardware) === undefined,
      evaluated: { hardware, mappings: [] }, scoring: 'none' as Proposal['scoring'], predicted: [], layerCycles: [], networkCycles: Number.POSITIVE_INFINITY,
    }));
    const live = proposals.map((p, e) => (p.hardwareValid ? e : -1)).filter((e) => e >= 0);
    const tileStates: number[][] = [];
    const slots: { episode: number; layer: number }[] = [];
    for (const e of live) {
      for (let l = 0; l < L; l++) {
        const state = f.tileState(proposals[e]!.hardware, l);
        for (let c = 0; c < S; c++) {
          tileStates.push(state);
          slots.push({ episode: e, layer: l });
        }
      }
    }
    const tileAct = tileStates.length > 0 ? this.tilingAgent.act(tileStates, random) : { actions: [], logProbs: [], values: [] };
    const orderStates = slots.map((s, i) => f.orderState(proposals[s.episode]!.hardware, s.layer, tileAct.actions[i]!));
    const orderAct = orderStates.length > 0 ? this.orderAgent.act(orderStates, random) : { actions: [], logProbs: [], values: [] };
    const candidates: Candidate[] = slots.map((s, i) => {
      const hw = proposals[s.episode]!.hardware;
      const mapping = [...tileAct.actions[i]!, ...orderAct.actions[i]!];
      const fits = this.problem.fits(hw, s.layer, mapping);
      const { mean, std } = fits ? this.predictLayer(hw, s.layer, mapping) : { mean: Number.NaN, std: Number.NaN };
      return { ...s, mapping, fits, mean, std };
    });
    return { callsAtStart, phase: 'proposals', toEvaluate: [], hwAct, incumbent, incumbents, moves, proposals, live, tileStates, tileAct, orderStates, orderAct, candidates };
  }

  /**
   * The software choice, per layer and accelerator (see "Software choice" at the top): sets each
   * live proposal's evaluated configuration.
   */
  private chooseSoftware(round: Round): void {
    const { proposals, live, candidates } = round;
    const L = this.problem.layerCount;
    const S = this.options.candidates;
    // SCALE-Sim's
    // streaming joins a pool only where the simulator has run it: its DRAM walk is the one
    // expensive evaluation, so it is not proposed blind.
    const slotOf = new Map<number, number>(live.map((e, j) => [e, j * L * S]));
    const own = (e: number, l: number): Candidate[] => candidates.slice(slotOf.get(e)! + l * S, slotOf.get(e)! + (l + 1) * S);
    const episodesOn = new Map<string, number[]>();
    for (const e of live) {
      const key = proposals[e]!.hardware.join(',');
      episodesOn.set(key, [...(episodesOn.get(key) ?? []), e]);
    }
    for (const [hwKey, episodes] of episodesOn) {
      const hw = proposals[episodes[0]!]!.hardware;
      const mappings = episodes.map(() => new Array<Point>(L));
      const known = this.bestLayers.get(hwKey);
      for (let l = 0; l < L; l++) {
        if (!this.ensemble.fitted) {
          episodes.forEach((e, r) => {
            const fitting = own(e, l).filter((c) => c.fits);
            mappings[r]![l] = e === live[0] || fitting.length === 0 ? DEFAULT_MAPPING_POINT : fitting[0]!.mapping;
          });
          continue;
        }
        const pool = new Map<string, { mapping: Point; mean: number }>();
        const add = (mapping: Point, mean: number): void => {
          const key = this.problem.layerKey(hw, l, mapping);
          if (!pool.has(key)) pool.set(key, { mapping, mean });
        };
        const best = known?.[l];
        if (best) {
          add(best.mapping, Math.log(best.cycles));
          // Its unmeasured neighbours too, so the runners-up include a local search on measured cycles.
          for (const n of this.neighbours(hw, l, best.mapping)) if (!this.problem.cached(hw, l, n)) add(n, this.predictLayer(hw, l, n).mean);
        }
        const streamed = this.problem.cached(hw, l, DEFAULT_MAPPING_POINT);
        if (streamed?.valid) add(DEFAULT_MAPPING_POINT, Math.log(streamed.totalCycles));
        for (const e of episodes) for (const c of own(e, l)) if (c.fits) add(c.mapping, c.mean);
        if (pool.size === 0) {
          const fallback = fitMapping(this.problem, hw, l, own(episodes[0]!, l)[0]!.mapping);
          mappings.forEach((m) => (m[l] = fallback));
          continue;
        }
        const leaders = [...pool.values()].sort((a, b) => a.mean - b.mean).slice(0, episodes.length);
        const ranked = new Map<string, { mapping: Point; mean: number; std: number }>();
        for (const c of leaders) {
          const mapping = this.refine(hw, l, c.mapping);
          const key = this.problem.layerKey(hw, l, mapping);
          if (!ranked.has(key)) ranked.set(key, { mapping, ...this.predictLayer(hw, l, mapping) });
        }
        const choices = [...ranked.values()].sort((a, b) => a.mean - b.mean);
        mappings.forEach((m, r) => (m[l] = choices[r % choices.length]!.mapping));
      }
      episodes.forEach((e, r) => (proposals[e]!.evaluated = { hardware: hw, mappings: mappings[r]! }));
    }
  }

  /**
   * Step 2: confidence sampling decides how each live proposal is scored, and so what the
   * simulator sees, in proposal order: the budget is checked as if the proposals before it had
   * been simulated already.
   */
  private plan(round: Round): void {
    const o = this.options;
    const { proposals, live, incumbent } = round;
    const trusted = o.confidenceSampling && this.ensemble.fitted && this.counts.batches >= o.warmupBatches;
    // Which proposals the simulator sees: Proposals whose every layer is
    // already measured cost nothing and are always evaluated; of the others, the incumbent's share
    // of `simulatePerBatch` goes to proposals on the incumbent accelerator, the rest to the others,
    // each group by its highest lower confidence bound (in warm-up, in proposal order).
    const liveProposals = live.map((e) => proposals[e]!);
    const isIncumbent = (p: Proposal): boolean => p.hardware.join(',') === incumbent.join(',');
    const pending: { p: Proposal; lcb: number }[] = [];
    const seenKeys = new Set<string>();
    liveProposals.forEach((p, j) => {
      const key = jointKey(p.evaluated);
      if (seenKeys.has(key) || this.simulatedKeys.has(key) || this.problem.callsFor(p.evaluated) === 0) return;
      seenKeys.add(key);
      if (!trusted) return pending.push({ p, lcb: -j });
      const { mean, std } = this.predictNetwork(p.evaluated);
      pending.push({ p, lcb: mean - o.confidenceKappa * std });
    });
    pending.sort((a, b) => b.lcb - a.lcb);
    const quota = !o.confidenceSampling ? pending.length : trusted ? o.simulatePerBatch : o.warmupProposals;
    const onIncumbent = pending.filter((s) => isIncumbent(s.p)).slice(0, Math.round(quota * o.incumbentShare));
    const elsewhere = pending.filter((s) => !isIncumbent(s.p)).slice(0, quota - onIncumbent.length);
    const chosenSet = new Set([...onIncumbent, ...elsewhere, ...pending.filter((s) => !onIncumbent.includes(s) && !elsewhere.includes(s))].slice(0, quota).map((s) => s.p));
    const planned = new Set<string>();
    const inRound = new Set<string>();
    for (const p of liveProposals) {
      const key = jointKey(p.evaluated);
      if (this.simulatedKeys.has(key) || inRound.has(key)) p.scoring = 'known';
      else if (this.problem.callsFor(p.evaluated, planned) === 0) p.scoring = 'free';
      else if (chosenSet.has(p) && this.problem.affordable(p.evaluated, this.budget, planned)) p.scoring = 'simulate';
      else if (this.ensemble.fitted) {
        p.scoring = 'model';
        p.predicted = p.evaluated.mappings.map((m, l) => {
          const known = this.problem.cached(p.hardware, l, m) !== undefined || planned.has(this.problem.layerKey(p.hardware, l, m));
          return known ? undefined : Math.exp(this.predictLayer(p.hardware, l, m).mean);
        });
      } else p.scoring = 'none';
      if (p.scoring === 'free' || p.scoring === 'simulate') {
        inRound.add(key);
        for (const k of this.problem.newLayerKeys(p.evaluated, planned)) planned.add(k);
        round.toEvaluate.push(p);
      }
    }
  }

  /**
   * Each proposal's cycles (simulated or predicted), the ensemble's new rows, and the composites:
   * on every accelerator the round simulated, its best measured mapping of every layer, together.
   */
  private score(round: Round, measured: readonly JointMeasurement[]): JointConfig[] {
    const { proposals, live } = round;
    const byKey = new Map(measured.map((m) => [jointKey(m.config), m]));
    const evaluatedOn = new Set<string>();
    for (const p of live.map((e) => proposals[e]!)) {
      if (p.scoring === 'known') {
        const evaluation = this.problem.evaluate(p.evaluated);
        p.layerCycles = evaluation.layers.map((r) => r.totalCycles);
        p.networkCycles = evaluation.cycles;
      } else if (p.scoring === 'free' || p.scoring === 'simulate') {
        const key = jointKey(p.evaluated);
        const { evaluation, simulated } = byKey.get(key)!;
        this.simulatedKeys.add(key);
        if (p.scoring === 'simulate') this.counts.simulatedProposals++;
        const fresh = new Set(simulated.map((s) => s.layer));
        evaluation.layers.forEach((r, l) => {
          if (fresh.has(l)) this.addRow(p.hardware, l, p.evaluated.mappings[l]!, r);
          this.noteLayer(p.hardware, l, p.evaluated.mappings[l]!, r);
        });
        evaluatedOn.add(p.hardware.join(','));
        p.layerCycles = evaluation.layers.map((r) => r.totalCycles);
        p.networkCycles = evaluation.cycles;
      } else if (p.scoring === 'model') {
        this.counts.modelScored++;
        p.layerCycles = p.predicted.map((c, l) => c ?? this.problem.cached(p.hardware, l, p.evaluated.mappings[l]!)!.totalCycles);
        p.networkCycles = p.layerCycles.reduce((s, c, l) => s + this.problem.network.layers[l]!.count * c, 0);
      }
    }
    const composites: JointConfig[] = [];
    for (const hwKey of evaluatedOn) {
      const best = this.bestLayers.get(hwKey)!;
      if (best.some((b) => b === undefined)) continue;
      const composite: JointConfig = { hardware: hwKey.split(',').map(Number), mappings: best.map((b) => b!.mapping) };
      const key = jointKey(composite);
      if (this.simulatedKeys.has(key)) continue;
      this.simulatedKeys.add(key);
      composites.push(composite);
    }
    return composites;
  }

  /** Step 3: rewards, and the actors' and critic's updates. */
  private train(round: Round): void {
    const o = this.options;
    const f = this.features;
    const random = this.random;
    const { hwAct, incumbents, moves, proposals, candidates, tileStates, tileAct, orderStates, orderAct } = round;
    // A candidate's reward: the penalty when it does not
    // fit, its simulated cycles when the simulator has seen it, else the ensemble's mean.
    const scoredHw = proposals.map((p, e) => e).filter((e) => e >= incumbents + moves && (!proposals[e]!.hardwareValid || Number.isFinite(proposals[e]!.networkCycles)));
    const hwRewards = scoredHw.map((e) => (proposals[e]!.hardwareValid ? f.networkReward(proposals[e]!.networkCycles) : o.penalty));
    if (hwRewards.length > 0) this.batchRewards.push(hwRewards.reduce((s, r) => s + r, 0) / hwRewards.length);
    const criticStates: number[][] = [];
    const criticReturns: number[] = [];
    const hwState = f.critic(0);
    const [hwValue] = this.values([hwState]);
    const hwRollout: Rollout = { states: [], actions: [], logProbs: [], advantages: [], returns: [] };
    scoredHw.forEach((e, j) => {
      const { advantages, returns } = gae([hwRewards[j]!], [hwValue!, 0], o.gamma, o.gaeLambda);
      hwRollout.states.push(f.net);
      hwRollout.actions.push(proposals[e]!.hardware as number[]);
      hwRollout.logProbs.push(hwAct.logProbs[e]!);
      hwRollout.advantages.push(advantages[0]!);
      hwRollout.returns.push(returns[0]!);
      criticStates.push(hwState);
      criticReturns.push(returns[0]!);
    });
    const tileRollout: Rollout = { states: [], actions: [], logProbs: [], advantages: [], returns: [] };
    const orderRollout: Rollout = { states: [], actions: [], logProbs: [], advantages: [], returns: [] };
    const rewarded = candidates.map((c, i) => {
      if (!c.fits) return { i, r: o.penalty };
      const cached = this.problem.cached(proposals[c.episode]!.hardware, c.layer, c.mapping);
      if (cached?.valid) return { i, r: f.layerReward(c.layer, cached.totalCycles) };
      if (!this.ensemble.fitted) return undefined;
      return { i, r: f.layerReward(c.layer, Math.exp(c.mean)) };
    }).filter((x): x is { i: number; r: number } => x !== undefined);
    // The software agents and the critic learn from a random subset of the batch's decisions:
    // thousands of near-duplicate samples per batch cost time and teach little more.
    if (rewarded.length > o.softwareSamples) {
      random.shuffle(rewarded);
      rewarded.length = o.softwareSamples;
    }
    const s1 = rewarded.map(({ i }) => f.critic(1, proposals[candidates[i]!.episode]!.hardware, candidates[i]!.layer));
    const s2 = rewarded.map(({ i }) => f.critic(2, proposals[candidates[i]!.episode]!.hardware, candidates[i]!.layer, tileAct.actions[i]!));
    const v1 = this.values(s1);
    const v2 = this.values(s2);
    rewarded.forEach(({ i, r }, j) => {
      const { advantages, returns } = gae([0, r], [v1[j]!, v2[j]!, 0], o.gamma, o.gaeLambda);
      tileRollout.states.push(tileStates[i]!);
      tileRollout.actions.push(tileAct.actions[i]!);
      tileRollout.logProbs.push(tileAct.logProbs[i]!);
      tileRollout.advantages.push(advantages[0]!);
      tileRollout.returns.push(returns[0]!);
      orderRollout.states.push(orderStates[i]!);
      orderRollout.actions.push(orderAct.actions[i]!);
      orderRollout.logProbs.push(orderAct.logProbs[i]!);
      orderRollout.advantages.push(advantages[1]!);
      orderRollout.returns.push(returns[1]!);
      criticStates.push(s1[j]!, s2[j]!);
      criticReturns.push(returns[0]!, returns[1]!);
    });
    if (criticStates.length > 0) this.trainCritic(criticStates, criticReturns);
    if (hwRollout.states.length > 1) this.hardwareAgent.update(hwRollout, random);
    if (tileRollout.states.length > 1) {
      this.tilingAgent.update(tileRollout, random);
      this.orderAgent.update(orderRollout, random);
    }
  }


  /** The ensemble's per-member network log-throughput of a configuration; simulated layers count exactly. */
  private predictNetwork(config: JointConfig): { mean: number; std: number } {
    if (!this.ensemble.fitted) return { mean: 0, std: 0 };
    const members = this.ensemble.options.members;
    const totals = new Array<number>(members).fill(0);
    const novel: { cycles: number; spread: number }[] = [];
    config.mappings.forEach((m, l) => {
      const count = this.problem.network.layers[l]!.count;
      const cached = this.problem.cached(config.hardware, l, m);
      if (cached?.valid) {
        for (let j = 0; j < members; j++) totals[j]! += count * cached.totalCycles;
        return;
      }
      const row = this.features.costModel(config.hardware, l, m);
      const predictions = this.ensemble.predictMembers(row);
      predictions.forEach((p, j) => (totals[j]! += count * Math.exp(p)));
      novel.push({ cycles: count * Math.exp(meanStd(predictions).mean), spread: this.ensemble.noveltySpread(row) });
    });
    const { mean, std } = meanStd(totals.map((t) => -Math.log(t)));
    // Novelty of each layer's log cycles, weighted by its share of the network's cycles.
    const total = Math.exp(-mean);
    const extra = novel.reduce((s, n) => s + (n.cycles / total) * n.spread, 0);
    return { mean, std: Math.sqrt(std * std + extra * extra) };
  }

  /**
   * Hill-climbs a chosen mapping on the ensemble's mean (no simulator calls): every neighbour that
   * moves one split or double buffering by one step, or takes another loop order, and fits;
   * the best predicted one while it improves, for `refineSteps` steps.
   */
  private refine(hw: Point, layer: number, mapping: Point): Point {
    const predicted = (m: Point): number => this.predictLayer(hw, layer, m).mean;
    let best = mapping;
    let bestValue = predicted(mapping);
    for (let step = 0; step < this.options.refineSteps; step++) {
      let moved = false;
      for (const n of this.neighbours(hw, layer, best)) {
        const value = predicted(n);
        if (value < bestValue - 1e-9) {
          best = n;
          bestValue = value;
          moved = true;
        }
      }
      if (!moved) break;
    }
    return best;
  }

  /** The tiled mappings one step from `mapping` (a split or double buffering ±1, or another loop order) that fit. */
  private neighbours(hw: Point, layer: number, mapping: Point): Point[] {
    const cards = this.problem.mappingCardinalities;
    const found: Point[] = [];
    for (let k = 0; k < cards.length; k++) {
      const values = k === MAPPING_KNOB.order ? Array.from({ length: cards[k]! }, (_, v) => v) : [mapping[k]! - 1, mapping[k]! + 1];
      for (const v of values) {
        if (v < 0 || v >= cards[k]! || v === mapping[k]) continue;
        const n = mapping.map((x, i) => (i === k ? v : x));
        if ((n[0] !== 0 || n[1] !== 0 || n[2] !== 0) && this.problem.fits(hw, layer, n)) found.push(n);
      }
    }
    return found;
  }

  /** Ensemble mean and spread of a layer's log cycles; exact (spread 0) once simulated. */
  private predictLayer(hw: Point, layer: number, mapping: Point): { mean: number; std: number } {
    const cached = this.problem.cached(hw, layer, mapping);
    if (cached?.valid) return { mean: Math.log(cached.totalCycles), std: 0 };
    if (!this.ensemble.fitted) return { mean: 0, std: 0 };
    const key = `${hw.join(',')}|${layer}|${mapping.join(',')}`;
    let prediction = this.predictions.get(key);
    if (!prediction) {
      prediction = this.ensemble.predict(this.features.costModel(hw, layer, mapping));
      this.predictions.set(key, prediction);
    }
    return prediction;
  }

  private noteLayer(hw: Point, layer: number, mapping: Point, r: MappingResult): void {
    const key = hw.join(',');
    let best = this.bestLayers.get(key);
    if (!best) {
      best = new Array(this.problem.layerCount).fill(undefined);
      this.bestLayers.set(key, best);
    }
    if (r.valid && (!best[layer] || r.totalCycles < best[layer]!.cycles)) best[layer] = { mapping, cycles: r.totalCycles };
  }

  private addRow(hw: Point, layer: number, mapping: Point, r: MappingResult): void {
    this.rows.push(this.features.costModel(hw, layer, mapping));
    this.targets.push(Math.log(r.totalCycles));
    if (this.rows.length > this.options.ensembleRows) {
      this.rows.shift();
      this.targets.shift();
    }
  }

  private values(states: readonly number[][]): number[] {
    if (states.length === 0) return [];
    return Array.from(this.critic.forward(states.flat(), states.length));
  }

  private trainCritic(states: readonly number[][], returns: readonly number[]): void {
    const { criticEpochs, criticMinibatch, criticLearningRate } = this.options;
    const order = Array.from({ length: states.length }, (_, i) => i);
    for (let epoch = 0; epoch < criticEpochs; epoch++) {
      this.random.shuffle(order);
      for (let start = 0; start < order.length; start += criticMinibatch) {
        const idx = order.slice(start, start + criticMinibatch);
        const out = this.critic.forward(idx.flatMap((i) => states[i]!), idx.length);
        const grad = new Float32Array(idx.length);
        idx.forEach((i, b) => (grad[b] = (2 * (out[b]! - returns[i]!)) / idx.length));
        this.critic.zeroGrad();
        this.critic.backward(grad);
        this.critic.clipGradNorm(1);
        this.critic.adamStep({ learningRate: criticLearningRate });
      }
    }
  }
}

/** ARCO on a problem, as the other strategies are called. */
export async function arcoSearch(core: Core, problem: CodesignProblem, options: StrategyOptions, arco: Partial<ArcoOptions> = {}): Promise<CodesignRun> {
  const agent = new Arco(core, problem, options.seed, options.budget, arco);
  try {
    return await runJointTuner(agent, options);
  } finally {
    agent.dispose();
  }
}
