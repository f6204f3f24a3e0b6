// Proximal policy optimisation (Schulman et al. 2017) for a factored categorical policy:
// one softmax head per decision (per knob, per hardware parameter…), all heads read from a
// shared tanh trunk, beside a separate tanh value net. Both nets run in the wasm core; the
// loss gradients with respect to their outputs are formed here and backpropagated there.
import type { Core } from '../core/core.js';
import { Mlp } from '../core/nn.js';
import { Random } from '../helpers/random.js';

export interface PpoOptions {
  hidden: number; // 20: width of every hidden layer (Chameleon)
  policyLayers: number; // 2: hidden layers of the policy trunk
  valueLayers: number; // 3: hidden layers of the value net
  temperature: number; // softmax temperature of the heads
  learningRate: number; // 1e-3: Adam
  epochs: number; // 3: passes over each rollout
  minibatch: number; // 32: samples per gradient step
  gamma: number; // 0.9: discount
  gaeLambda: number; // 0.99: GAE λ
  clip: number; // 0.2: surrogate clipping
  valueCoef: number; // 1.0: weight of the value loss
  entropyCoef: number; // 0.3: weight of the entropy bonus
  maxGradNorm: number; // 0.5: gradient clipping of each net
}

// Chameleon's published settings (ICLR 2020), except the temperature: 0.1 there, on logits
// whose scale we do not know; 1 here, which is what the entropy bonus is tuned against.
export const PPO_DEFAULTS: PpoOptions = {
  hidden: 20,
  policyLayers: 2,
  valueLayers: 3,
  temperature: 1,
  learningRate: 1e-3,
  epochs: 3,
  minibatch: 32,
  gamma: 0.9,
  gaeLambda: 0.99,
  clip: 0.2,
  valueCoef: 1.0,
  entropyCoef: 0.3,
  maxGradNorm: 0.5,
};

/** Transitions gathered by acting, with advantages and returns filled in after GAE. */
export interface Rollout {
  states: number[][];
  actions: number[][];
  logProbs: number[];
  advantages: number[];
  returns: number[];
}

export interface UpdateStats {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  clipFraction: number;
}

export class PpoAgent {
  readonly options: PpoOptions;
  readonly policy: Mlp;
  readonly value: Mlp;
  private readonly offsets: number[];
  private readonly logitCount: number;

  constructor(
    core: Core,
    readonly stateDim: number,
    /** Number of actions of each head. */
    readonly heads: readonly number[],
    seed: number,
    options: Partial<PpoOptions> = {},
  ) {
    this.options = { ...PPO_DEFAULTS, ...options };
    const { hidden, policyLayers, valueLayers } = this.options;
    this.offsets = [];
    let at = 0;
    for (const n of heads) {
      this.offsets.push(at);
      at += n;
    }
    this.logitCount = at;
    const random = new Random(seed);
    this.policy = new Mlp(core, [stateDim, ...new Array<number>(policyLayers).fill(hidden), this.logitCount], random);
    this.value = new Mlp(core, [stateDim, ...new Array<number>(valueLayers).fill(hidden), 1], random);
  }

  dispose(): void {
    this.policy.dispose();
    this.value.dispose();
  }

  /** Samples (or, when greedy, takes the most likely) action of every head for each state. */
  act(states: readonly (readonly number[])[], random: Random, greedy = false): { actions: number[][]; logProbs: number[]; values: number[] } {
    const batch = states.length;
    const probs = headProbabilities(this.policy.forward(states.flat(), batch), this.heads, this.options.temperature);
    const values = Array.from(this.value.forward(states.flat(), batch));
    const actions: number[][] = [];
    const logProbs: number[] = [];
    for (let b = 0; b < batch; b++) {
      let logProb = 0;
      actions.push(
        this.heads.map((n, h) => {
          const base = b * this.logitCount + this.offsets[h]!;
          let choice = 0;
          if (greedy) {
            for (let j = 1; j < n; j++) if (probs[base + j]! > probs[base + choice]!) choice = j;
          } else {
            let r = random.float();
            while (choice < n - 1 && (r -= probs[base + choice]!) > 0) choice++;
          }
          logProb += Math.log(Math.max(probs[base + choice]!, 1e-12));
          return choice;
        }),
      );
      logProbs.push(logProb);
    }
    return { actions, logProbs, values };
  }

  /** Values of a batch of states. */
  values(states: readonly (readonly number[])[]): number[] {
    return Array.from(this.value.forward(states.flat(), states.length));
  }

  /** The clipped-surrogate update: `epochs` passes of shuffled minibatches. */
  update(rollout: Rollout, random: Random): UpdateStats {
    const { epochs, minibatch, clip, valueCoef, entropyCoef, learningRate, maxGradNorm, temperature } = this.options;
    const count = rollout.states.length;
    // Advantages normalised per rollout, as in CleanRL's reference PPO.
    const mean = rollout.advantages.reduce((s, a) => s + a, 0) / count;
    const std = Math.sqrt(rollout.advantages.reduce((s, a) => s + (a - mean) ** 2, 0) / count) + 1e-8;
    const advantages = rollout.advantages.map((a) => (a - mean) / std);
    const stats: UpdateStats = { policyLoss: 0, valueLoss: 0, entropy: 0, clipFraction: 0 };
    let batches = 0;
    const order = Array.from({ length: count }, (_, i) => i);
    for (let epoch = 0; epoch < epochs; epoch++) {
      random.shuffle(order);
      for (let start = 0; start < count; start += minibatch) {
        const idx = order.slice(start, start + minibatch);
        const n = idx.length;
        const states = idx.map((i) => rollout.states[i]!).flat();

        const logits = this.policy.forward(states, n);
        const surrogate = clippedSurrogate(logits, this.heads, {
          actions: idx.map((i) => rollout.actions[i]!),
          oldLogProbs: idx.map((i) => rollout.logProbs[i]!),
          advantages: idx.map((i) => advantages[i]!),
          clip,
          entropyCoef,
          temperature,
        });
        stats.policyLoss += surrogate.loss;
        stats.entropy += surrogate.entropy;
        stats.clipFraction += surrogate.clipFraction;
        this.policy.zeroGrad();
        this.policy.backward(surrogate.gradLogits);
        this.policy.clipGradNorm(maxGradNorm);
        this.policy.adamStep({ learningRate });

        const values = this.value.forward(states, n);
        const gradValues = new Float32Array(n);
        idx.forEach((i, b) => {
          const error = values[b]! - rollout.returns[i]!;
          stats.valueLoss += (valueCoef * error * error) / n;
          gradValues[b] = (2 * valueCoef * error) / n;
        });
        this.value.zeroGrad();
        this.value.backward(gradValues);
        this.value.clipGradNorm(maxGradNorm);
        this.value.adamStep({ learningRate });
        batches++;
      }
    }
    stats.policyLoss /= batches;
    stats.valueLoss /= batches;
    stats.entropy /= batches;
    stats.clipFraction /= batches;
    return stats;
  }
}

/** Softmax of each head's logits divided by the temperature; rows of Σ heads entries. */
export function headProbabilities(logits: ArrayLike<number>, heads: readonly number[], temperature: number): Float64Array {
  const width = heads.reduce((s, n) => s + n, 0);
  const batch = logits.length / width;
  const probs = new Float64Array(logits.length);
  for (let b = 0; b < batch; b++) {
    let base = b * width;
    for (const n of heads) {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < n; j++) max = Math.max(max, logits[base + j]! / temperature);
      let sum = 0;
      for (let j = 0; j < n; j++) sum += probs[base + j] = Math.exp(logits[base + j]! / temperature - max);
      for (let j = 0; j < n; j++) probs[base + j]! /= sum;
      base += n;
    }
  }
  return probs;
}

export interface SurrogateInputs {
  actions: readonly (readonly number[])[];
  oldLogProbs: readonly number[];
  advantages: readonly number[];
  clip: number;
  entropyCoef: number;
  temperature: number;
}

/**
 * PPO's policy loss on a minibatch, mean over samples:
 *   −min(r·A, clip(r, 1±ε)·A) − c·Σ_heads H,   r = π(a|s)/π_old(a|s),
 * and its gradient with respect to the logits.
 */
export function clippedSurrogate(logits: ArrayLike<number>, heads: readonly number[], inputs: SurrogateInputs): { loss: number; entropy: number; clipFraction: number; gradLogits: Float32Array } {
  const { actions, oldLogProbs, advantages, clip, entropyCoef, temperature } = inputs;
  const width = heads.reduce((s, n) => s + n, 0);
  const n = actions.length;
  const probs = headProbabilities(logits, heads, temperature);
  const gradLogits = new Float32Array(n * width);
  let loss = 0;
  let entropyTotal = 0;
  let clipped = 0;
  for (let b = 0; b < n; b++) {
    let logProb = 0;
    let base = b * width;
    heads.forEach((size, h) => {
      logProb += Math.log(Math.max(probs[base + actions[b]![h]!]!, 1e-12));
      base += size;
    });
    const ratio = Math.exp(logProb - oldLogProbs[b]!);
    const advantage = advantages[b]!;
    const clippedRatio = Math.min(Math.max(ratio, 1 - clip), 1 + clip);
    loss -= Math.min(ratio * advantage, clippedRatio * advantage) / n;
    // The gradient flows only where the unclipped term is the one the min takes.
    const active = ratio * advantage <= clippedRatio * advantage;
    if (!active) clipped++;
    const dLogProb = active ? (-ratio * advantage) / n : 0;
    base = b * width;
    heads.forEach((size, h) => {
      let entropy = 0;
      for (let j = 0; j < size; j++) entropy -= probs[base + j]! * Math.log(Math.max(probs[base + j]!, 1e-12));
      entropyTotal += entropy;
      loss -= (entropyCoef * entropy) / n;
      for (let j = 0; j < size; j++) {
        const p = probs[base + j]!;
        // ∂log π(a)/∂z_j = (1[j=a] − p_j)/τ;  ∂H/∂z_j = −p_j (log p_j + H)/τ
        const dLog = ((j === actions[b]![h] ? 1 : 0) - p) / temperature;
        const dEntropy = (-p * (Math.log(Math.max(p, 1e-12)) + entropy)) / temperature;
        gradLogits[base + j] = dLogProb * dLog - (entropyCoef * dEntropy) / n;
      }
      base += size;
    });
  }
  return { loss, entropy: entropyTotal / (n * heads.length), clipFraction: clipped / n, gradLogits };
}
