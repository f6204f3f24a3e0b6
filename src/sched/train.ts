// Training the scheduler policy (policy.ts) in three phases, each a list of steps so a
// driver can show progress and checkpoint between any two:
//   1. labels    — one synthetic instance per step (a layered DAG or a DNN-like graph of
//                  30–60 nodes, K and on-chip memory drawn at random), labelled by the exact
//                  MILP (branch-and-bound node limit, so labels are deterministic);
//   2. imitation — one epoch per step: cross-entropy of the teacher's stage at every node,
//                  with the teacher's partial schedule as the state (teacher forcing);
//   3. reinforce — one epoch per step: sampled schedules scored by the simulator, REINFORCE
//                  with the greedy decode as baseline (advantage = relative improvement).
// Everything random derives from the seed and the step number, so a run resumed from a
// checkpoint gives the same weights as an uninterrupted one.
import { anyValues, checkOptions } from '../base/options.js';
import type { Core } from '../core/core.js';
import { groupCrossEntropy, groupSoftmax } from '../core/nn.js';
import { Random } from '../helpers/random.js';
import { dnnLikeGraph, layeredDag } from '../graph/index.js';
import { pipelineTarget } from '../hw/pipeline.js';
import { exactSchedule } from './exact.js';
import { problemFromGraph } from './from-graph.js';
import { POLICY_FEATURES, POLICY_SIZES, type PolicyWeights, SchedulerPolicy, type Trajectory } from './policy.js';
import type { ScheduleProblem } from './problem.js';
import { PipelineSimulator } from './simulate.js';
import { fromBase64, toBase64 } from './weights-codec.js';

export interface TrainOptions {
  seed: number;
  /** Training instances (graphs with a K and a target each). */
  graphs: number;
  minNodes: number;
  maxNodes: number;
  /** Pipeline sizes drawn per instance. */
  cores: readonly number[];
  /** On-chip parameter memory drawn per instance, MiB (small values make parameters overflow). */
  onChipMiB: readonly number[];
  /** Branch-and-bound nodes the teacher MILP may explore per instance. */
  teacherMaxNodes: number;
  /** Wall-clock guard of the teacher per instance, seconds (labels are deterministic only while the node limit binds first). */
  teacherTimeLimitSeconds: number;
  imitationEpochs: number;
  reinforceEpochs: number;
  /** Graphs per gradient step. */
  batchGraphs: number;
  /** Sampled schedules per graph in the reinforce phase. */
  samples: number;
  imitationLearningRate: number;
  reinforceLearningRate: number;
  /** Global gradient-norm clip. */
  maxGradNorm: number;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  seed: 1,
  graphs: 96,
  minNodes: 30,
  maxNodes: 60,
  cores: [2, 3, 4, 5, 6, 8],
  onChipMiB: [1, 2, 4, 8],
  teacherMaxNodes: 2000,
  teacherTimeLimitSeconds: 60,
  imitationEpochs: 60,
  reinforceEpochs: 15,
  batchGraphs: 8,
  samples: 4,
  imitationLearningRate: 2e-3,
  reinforceLearningRate: 2e-4,
  maxGradNorm: 5,
};

export interface InstanceSpec {
  kind: 'layered' | 'dnnlike';
  /** Nodes (layered) or blocks (dnnlike). */
  size: number;
  seed: number;
  cores: number;
  onChipParamBytes: number;
}

export interface Label {
  assignment: number[];
  bottleneckSeconds: number;
  optimalityGap: number;
}

export interface EpochMetrics {
  phase: 'imitation' | 'reinforce';
  epoch: number;
  loss: number;
  /** Mean over instances of greedy-decoded bottleneck / teacher bottleneck (1 = as good). */
  greedyRatio: number;
}

/** A checkpoint: JSON-serialisable, enough to resume exactly. */
export interface TrainState {
  version: 1;
  options: TrainOptions;
  instances: InstanceSpec[];
  labels: Label[];
  /** Steps done so far: labels first, then imitation epochs, then reinforce epochs. */
  step: number;
  sizes: number[];
  /** Float32 parameters, base64. */
  params: string;
  optimizer: { step: number; m: string; v: string };
  history: EpochMetrics[];
}

/** Options given that a checkpoint contradicts (a resume takes the checkpoint's): key, given value, the checkpoint's. */
export function resumeConflicts(resume: TrainState, options: Partial<TrainOptions>): { key: keyof TrainOptions; given: unknown; saved: unknown }[] {
  return (Object.keys(options) as (keyof TrainOptions)[])
    .filter((key) => options[key] !== undefined && JSON.stringify(options[key]) !== JSON.stringify(resume.options[key]))
    .map((key) => ({ key, given: options[key], saved: resume.options[key] }));
}

/**
 * The policy weights of a checkpoint written by `train-scheduler` (its parsed JSON), for the
 * learned scheduler; `file` names it in errors.
 */
export function checkpointWeights(state: unknown, file: string): PolicyWeights {
  const s = state as Partial<TrainState> | null;
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new Error(`${file}: not a train-scheduler checkpoint (expected a JSON object with version, sizes and params)`);
  if (s.version !== 1) throw new Error(`${file}: field 'version' must be 1 (a train-scheduler checkpoint), got ${JSON.stringify(s.version)}`);
  const sizes = s.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`${file}: field 'sizes' must be a list of layer widths, got ${JSON.stringify(sizes)}`);
  if (sizes[0] !== POLICY_FEATURES || sizes.at(-1) !== 1) throw new Error(`${file}: field 'sizes' must start with ${POLICY_FEATURES} and end with 1, got [${sizes.join(', ')}]`);
  if (typeof s.params !== 'string') throw new Error(`${file}: field 'params' must be base64 text`);
  let params: Float32Array;
  try {
    params = fromBase64(s.params);
  } catch {
    throw new Error(`${file}: field 'params' is not valid base64`);
  }
  let count = 0;
  for (let i = 1; i < sizes.length; i++) count += sizes[i - 1]! * sizes[i]! + sizes[i]!;
  if (params.length !== count) throw new Error(`${file}: field 'params' holds ${params.length} numbers; sizes [${sizes.join(', ')}] need ${count}`);
  return { sizes, params };
}

export function instanceSpecs(options: TrainOptions): InstanceSpec[] {
  const random = new Random(options.seed);
  return Array.from({ length: options.graphs }, (_, i) => {
    const kind = i % 2 === 0 ? 'layered' : 'dnnlike';
    const nodes = random.intBetween(options.minNodes, options.maxNodes);
    return {
      kind,
      // A DNN-like graph has about 6 + 4.2 nodes per block.
      size: kind === 'layered' ? nodes : Math.max(1, Math.round((nodes - 6) / 4.2)),
      seed: random.nextUint32(),
      cores: random.pick(options.cores),
      onChipParamBytes: random.pick(options.onChipMiB) * 1024 * 1024,
    };
  });
}

export function instanceProblem(spec: InstanceSpec): ScheduleProblem {
  const graph = spec.kind === 'layered'
    ? layeredDag({ nodes: spec.size, levels: Math.max(1, Math.round(spec.size / 2)), seed: spec.seed })
    : dnnLikeGraph({ blocks: spec.size, seed: spec.seed });
  return problemFromGraph(graph, pipelineTarget({ cores: spec.cores, onChipParamBytes: spec.onChipParamBytes }));
}

/** The teacher's label of one instance: the exact MILP within the node limit (deterministic while the node limit binds first). */
export async function teacherLabel(core: Core, problem: ScheduleProblem, options: Pick<TrainOptions, 'teacherMaxNodes' | 'teacherTimeLimitSeconds'>): Promise<Label> {
  const r = await exactSchedule(core, problem, { maxNodes: options.teacherMaxNodes, timeLimitSeconds: options.teacherTimeLimitSeconds });
  return { assignment: Array.from(r.assignment), bottleneckSeconds: r.bottleneckSeconds, optimalityGap: r.optimalityGap };
}

export class SchedulerTrainer {
  readonly options: TrainOptions;
  readonly policy: SchedulerPolicy;
  private readonly instances: InstanceSpec[];
  private readonly labels: Label[];
  private readonly problems = new Map<number, ScheduleProblem>();
  private readonly history: EpochMetrics[];
  private stepsDone: number;

  constructor(
    readonly core: Core,
    options: Partial<TrainOptions> = {},
    resume?: TrainState,
    /** Teacher labels of an earlier run, used for the leading instances it shares with this run. */
    reuse?: Pick<TrainState, 'instances' | 'labels'>,
  ) {
    this.options = resume ? resume.options : { ...TRAIN_DEFAULTS, ...options };
    checkOptions('train-scheduler', options, anyValues(Object.keys(TRAIN_DEFAULTS)));
    this.instances = resume ? resume.instances : instanceSpecs(this.options);
    this.labels = resume ? resume.labels.slice() : [];
    this.history = resume ? resume.history.slice() : [];
    this.stepsDone = resume ? resume.step : 0;
    // Labels depend only on their instance: take the earlier run's for the leading instances
    // both runs share (more graphs of the same seed extend the same list).
    if (!resume && reuse) {
      while (this.labels.length < Math.min(reuse.labels.length, this.instances.length) && JSON.stringify(reuse.instances[this.labels.length]) === JSON.stringify(this.instances[this.labels.length])) {
        this.labels.push(reuse.labels[this.labels.length]!);
      }
      this.stepsDone = this.labels.length;
    }
    this.policy = new SchedulerPolicy(core, resume ? { sizes: resume.sizes, params: fromBase64(resume.params) } : undefined, this.options.seed);
    if (resume) this.policy.net.setOptimizerState({ step: resume.optimizer.step, m: fromBase64(resume.optimizer.m), v: fromBase64(resume.optimizer.v) });
  }

  get totalSteps(): number {
    return this.instances.length + this.options.imitationEpochs + this.options.reinforceEpochs;
  }

  get step(): number {
    return this.stepsDone;
  }

  get done(): boolean {
    return this.stepsDone >= this.totalSteps;
  }

  get phase(): 'labels' | 'imitation' | 'reinforce' | 'done' {
    const s = this.stepsDone;
    if (s < this.instances.length) return 'labels';
    if (s < this.instances.length + this.options.imitationEpochs) return 'imitation';
    return this.done ? 'done' : 'reinforce';
  }

  get metrics(): readonly EpochMetrics[] {
    return this.history;
  }

  /** Runs the next step; returns a one-line description. */
  async next(): Promise<string> {
    const phase = this.phase;
    let text = '';
    if (phase === 'labels') text = await this.label(this.stepsDone);
    else if (phase === 'imitation') text = this.imitationEpoch(this.stepsDone - this.instances.length);
    else if (phase === 'reinforce') text = this.reinforceEpoch(this.stepsDone - this.instances.length - this.options.imitationEpochs);
    this.stepsDone++;
    return text;
  }

  /** A snapshot: later steps do not change it (the lists that grow are copied). */
  state(): TrainState {
    const opt = this.policy.net.getOptimizerState();
    return {
      version: 1,
      options: this.options,
      instances: this.instances,
      labels: [...this.labels],
      step: this.stepsDone,
      sizes: [...this.policy.net.sizes],
      params: toBase64(this.policy.net.getParams()),
      optimizer: { step: opt.step, m: toBase64(opt.m), v: toBase64(opt.v) },
      history: [...this.history],
    };
  }

  dispose(): void {
    this.policy.dispose();
  }

  private problem(i: number): ScheduleProblem {
    let p = this.problems.get(i);
    if (!p) {
      p = instanceProblem(this.instances[i]!);
      this.problems.set(i, p);
    }
    return p;
  }

  private async label(i: number): Promise<string> {
    this.labels[i] = await teacherLabel(this.core, this.problem(i), this.options);
    return this.labelText(i);
  }

  private labelText(i: number): string {
    const p = this.problem(i);
    return `label ${i + 1}/${this.instances.length}: ${p.n} nodes, K=${p.cores}, gap ${(this.labels[i]!.optimalityGap * 100).toFixed(2)}%`;
  }

  /** The instances still to label, the next step's first (a driver may label them elsewhere: `addLabel`). */
  get unlabelled(): readonly InstanceSpec[] {
    return this.phase === 'labels' ? this.instances.slice(this.stepsDone) : [];
  }

  /** The next step, with the teacher's label computed elsewhere (teacherLabel on a worker). */
  addLabel(label: Label): string {
    if (this.phase !== 'labels') throw new Error('train-scheduler: every instance is labelled already');
    const i = this.stepsDone++;
    this.labels[i] = label;
    return this.labelText(i);
  }

  private batches(epochSeed: number): number[][] {
    const order = new Random(epochSeed).shuffle(Array.from({ length: this.instances.length }, (_, i) => i));
    const out: number[][] = [];
    for (let i = 0; i < order.length; i += this.options.batchGraphs) out.push(order.slice(i, i + this.options.batchGraphs));
    return out;
  }

  private imitationEpoch(epoch: number): string {
    let lossSum = 0;
    let decisions = 0;
    for (const batch of this.batches(this.options.seed * 7919 + epoch)) {
      const trajectories = batch.map((i) => this.policy.decode(this.problem(i), 'teacher', { teacher: this.labels[i]!.assignment }));
      const groups = trajectories.reduce((s, t) => s + t.actions.length, 0);
      lossSum += this.gradientStep(trajectories, trajectories.map((t) => new Float32Array(t.actions.length).fill(1 / groups)), this.options.imitationLearningRate) * groups;
      decisions += groups;
    }
    const greedyRatio = this.greedyRatio();
    const loss = lossSum / decisions;
    this.history.push({ phase: 'imitation', epoch, loss, greedyRatio });
    return `imitation epoch ${epoch + 1}: loss ${loss.toFixed(4)}, greedy/teacher ${greedyRatio.toFixed(4)}`;
  }

  private reinforceEpoch(epoch: number): string {
    const random = new Random(this.options.seed * 104729 + epoch);
    let lossSum = 0;
    for (const batch of this.batches(this.options.seed * 7927 + epoch)) {
      const trajectories: Trajectory[] = [];
      const weights: Float32Array[] = [];
      for (const i of batch) {
        const p = this.problem(i);
        const sim = new PipelineSimulator(this.core, p);
        try {
          const baseline = sim.bottleneck(this.policy.decode(p, 'greedy').assignment);
          for (let s = 0; s < this.options.samples; s++) {
            const t = this.policy.decode(p, 'sample', { random });
            const advantage = (baseline - sim.bottleneck(t.assignment)) / baseline;
            trajectories.push(t);
            weights.push(new Float32Array(t.actions.length).fill(advantage / (batch.length * this.options.samples)));
          }
        } finally {
          sim.free();
        }
      }
      lossSum += this.gradientStep(trajectories, weights, this.options.reinforceLearningRate);
    }
    const greedyRatio = this.greedyRatio();
    this.history.push({ phase: 'reinforce', epoch, loss: lossSum, greedyRatio });
    return `reinforce epoch ${epoch + 1}: greedy/teacher ${greedyRatio.toFixed(4)}`;
  }

  // One Adam step on Σ_groups weight·−log π(action) over the given trajectories.
  private gradientStep(trajectories: Trajectory[], weights: Float32Array[], learningRate: number): number {
    const net = this.policy.net;
    const rows = trajectories.reduce((s, t) => s + t.groupStart[t.actions.length]!, 0);
    const groups = trajectories.reduce((s, t) => s + t.actions.length, 0);
    const features = new Float32Array(rows * POLICY_FEATURES);
    const groupStart = new Int32Array(groups + 1);
    const target = new Int32Array(groups);
    const weight = new Float32Array(groups);
    let r = 0;
    let g = 0;
    for (const [j, t] of trajectories.entries()) {
      features.set(t.features, r * POLICY_FEATURES);
      for (let v = 0; v < t.actions.length; v++, g++) {
        groupStart[g + 1] = r + t.groupStart[v + 1]!;
        target[g] = t.actions[v]!;
        weight[g] = weights[j]![v]!;
      }
      r += t.groupStart[t.actions.length]!;
    }
    const logits = net.forward(features, rows);
    const probs = groupSoftmax(this.core, logits, groupStart);
    const { loss, gradLogits } = groupCrossEntropy(this.core, probs, groupStart, target, weight);
    net.zeroGrad();
    net.backward(gradLogits);
    net.clipGradNorm(this.options.maxGradNorm);
    net.adamStep({ learningRate });
    return loss;
  }

  /** Mean greedy bottleneck / teacher bottleneck over the training instances. */
  private greedyRatio(): number {
    let sum = 0;
    for (let i = 0; i < this.instances.length; i++) {
      const p = this.problem(i);
      const sim = new PipelineSimulator(this.core, p);
      try {
        sum += sim.bottleneck(this.policy.decode(p, 'greedy').assignment) / this.labels[i]!.bottleneckSeconds;
      } finally {
        sim.free();
      }
    }
    return sum / this.instances.length;
  }
}

export { POLICY_SIZES };
