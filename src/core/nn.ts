// Small neural networks whose arithmetic runs in the wasm core (assembly/nn): a multilayer
// perceptron with Adam, and softmax heads over variable sets of allowed actions. Reusable by
// every agent (scheduler policies, PPO actors and critics).
//
// Memory of one Mlp, all f32 blocks from the core's allocator:
//   params [W0 (in×h1, row-major) | b0 (h1) | W1 | b1 | …]   grads (same layout)   adam m, v
//   acts[0] = input (cap×in), acts[l] = output of layer l (cap×size[l])   dA, dB (cap×widest)
// The batch capacity `cap` grows on demand (activation blocks are then reallocated).
import { Random } from '../helpers/random.js';
import { type Core, withBlocks } from './core.js';

/**
 * Hidden-layer activation. 'fast-tanh' is tanh by a rational approximation in f32 (error
 * < 1e-6, several times faster than 'tanh'; its backward pass is tanh's, 1 − y²).
 */
export type Activation = 'tanh' | 'relu' | 'fast-tanh';

export interface AdamOptions {
  learningRate: number;
  /** Decay of the first-moment average (default 0.9). */
  beta1?: number;
  /** Decay of the second-moment average (default 0.999). */
  beta2?: number;
  /** Added to √v̂ for stability (default 1e-8). */
  epsilon?: number;
}

/** Hidden layers use `activation`; the output layer is linear. */
export class Mlp {
  readonly paramCount: number;
  /** Offsets (in floats) of W and b of each layer inside the parameter vector. */
  readonly layout: readonly { w: number; b: number; inDim: number; outDim: number }[];
  private readonly params: number;
  private readonly grads: number;
  private readonly adamM: number;
  private readonly adamV: number;
  private acts: number[] = [];
  private dA = 0;
  private dB = 0;
  private cap = 0;
  private lastBatch = 0;
  private step = 0;
  private disposed = false;

  constructor(
    private readonly core: Core,
    readonly sizes: readonly number[],
    random: Random = new Random(1),
    readonly activation: Activation = 'tanh',
  ) {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new RangeError(`mlp: sizes must be ≥ 2 positive integers, got [${sizes.join(', ')}]`);
    const layout: { w: number; b: number; inDim: number; outDim: number }[] = [];
    let offset = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const [inDim, outDim] = [sizes[l]!, sizes[l + 1]!];
      layout.push({ w: offset, b: offset + inDim * outDim, inDim, outDim });
      offset += inDim * outDim + outDim;
    }
    this.layout = layout;
    this.paramCount = offset;
    this.params = this.alloc(offset);
    this.grads = this.alloc(offset);
    this.adamM = this.alloc(offset);
    this.adamV = this.alloc(offset);
    // Glorot-uniform weights, zero biases.
    const init = new Float32Array(offset);
    for (const layer of layout) {
      const limit = Math.sqrt(6 / (layer.inDim + layer.outDim));
      for (let i = 0; i < layer.inDim * layer.outDim; i++) init[layer.w + i] = random.uniform(-limit, limit);
    }
    this.view(this.params).set(init);
    this.view(this.grads).fill(0);
    this.view(this.adamM).fill(0);
    this.view(this.adamV).fill(0);
  }

  get inDim(): number {
    return this.sizes[0]!;
  }

  get outDim(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  /** batch × outDim outputs for batch × inDim inputs (row-major); keeps activations for `backward`. */
  forward(input: ArrayLike<number>, batch: number): Float32Array {
    this.check();
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`mlp: batch must be a positive integer, got ${batch}`);
    if (input.length !== batch * this.inDim) throw new RangeError(`mlp: input holds ${input.length} floats, batch×inDim needs ${batch * this.inDim}`);
    this.reserve(batch);
    const e = this.core.exports;
    new Float32Array(e.memory.buffer, this.acts[0]!, batch * this.inDim).set(input);
    for (const [l, layer] of this.layout.entries()) {
      const out = this.acts[l + 1]!;
      e.nnDenseForward(this.acts[l]!, this.params + layer.w * 4, this.params + layer.b * 4, out, batch, layer.inDim, layer.outDim);
      if (l + 1 < this.layout.length) {
        if (this.activation === 'relu') e.nnReluForward(out, out, batch * layer.outDim);
        else if (this.activation === 'fast-tanh') e.nnFastTanhForward(out, out, batch * layer.outDim);
        else e.nnTanhForward(out, out, batch * layer.outDim);
      }
    }
    this.lastBatch = batch;
    return new Float32Array(e.memory.buffer, this.acts[this.layout.length]!, batch * this.outDim).slice();
  }

  /** Adds ∂loss/∂params into the gradients, given ∂loss/∂outputs of the last forward batch. */
  backward(gradOutputs: ArrayLike<number>): void {
    this.check();
    const batch = this.lastBatch;
    if (gradOutputs.length !== batch * this.outDim) throw new RangeError(`mlp: ${gradOutputs.length} output gradients, the last batch needs ${batch * this.outDim}`);
    const e = this.core.exports;
    new Float32Array(e.memory.buffer, this.dA, gradOutputs.length).set(gradOutputs);
    let dy = this.dA;
    let dx = this.dB;
    for (let l = this.layout.length - 1; l >= 0; l--) {
      const layer = this.layout[l]!;
      if (l + 1 < this.layout.length) {
        const y = this.acts[l + 1]!;
        if (this.activation === 'relu') e.nnReluBackward(y, dy, dy, batch * layer.outDim);
        else e.nnTanhBackward(y, dy, dy, batch * layer.outDim);
      }
      e.nnDenseBackward(this.acts[l]!, this.params + layer.w * 4, dy, this.grads + layer.w * 4, this.grads + layer.b * 4, l > 0 ? dx : 0, batch, layer.inDim, layer.outDim);
      [dy, dx] = [dx, dy];
    }
  }

  zeroGrad(): void {
    this.view(this.grads).fill(0);
  }

  /** Scales the gradients so their global L2 norm is at most maxNorm; returns the norm before. */
  clipGradNorm(maxNorm: number): number {
    const norm = Math.sqrt(this.core.exports.nnSumSquares(this.grads, this.paramCount));
    if (norm > maxNorm && norm > 0) this.core.exports.nnScale(this.grads, this.paramCount, maxNorm / norm);
    return norm;
  }

  adamStep(options: AdamOptions): void {
    this.check();
    this.step++;
    this.core.exports.nnAdamStep(this.params, this.grads, this.adamM, this.adamV, this.paramCount, options.learningRate, options.beta1 ?? 0.9, options.beta2 ?? 0.999, options.epsilon ?? 1e-8, this.step);
  }

  getParams(): Float32Array {
    return this.view(this.params).slice();
  }

  setParams(values: ArrayLike<number>): void {
    if (values.length !== this.paramCount) throw new RangeError(`mlp: ${values.length} parameters given, the network has ${this.paramCount}`);
    this.view(this.params).set(values);
  }

  getGrads(): Float32Array {
    return this.view(this.grads).slice();
  }

  /** Adam's step count and moments, for checkpoints that resume training exactly. */
  getOptimizerState(): { step: number; m: Float32Array; v: Float32Array } {
    return { step: this.step, m: this.view(this.adamM).slice(), v: this.view(this.adamV).slice() };
  }

  setOptimizerState(state: { step: number; m: ArrayLike<number>; v: ArrayLike<number> }): void {
    this.step = state.step;
    this.view(this.adamM).set(state.m);
    this.view(this.adamV).set(state.v);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const ptr of [this.params, this.grads, this.adamM, this.adamV, ...this.acts, this.dA, this.dB]) if (ptr) this.core.exports.free(ptr);
  }

  private reserve(batch: number): void {
    if (batch <= this.cap) return;
    const e = this.core.exports;
    for (const ptr of [...this.acts, this.dA, this.dB]) if (ptr) e.free(ptr);
    const cap = Math.max(batch, this.cap * 2, 16);
    this.acts = this.sizes.map((size) => this.alloc(cap * size));
    const widest = Math.max(...this.sizes);
    this.dA = this.alloc(cap * widest);
    this.dB = this.alloc(cap * widest);
    this.cap = cap;
  }

  private alloc(floats: number): number {
    return this.core.exports.alloc(Math.max(floats, 1) * 4);
  }

  private view(ptr: number): Float32Array {
    return new Float32Array(this.core.exports.memory.buffer, ptr, this.paramCount);
  }

  private check(): void {
    if (this.disposed) throw new Error('mlp used after dispose');
  }
}

/**
 * Softmax within groups of a flat logit vector (group g = rows groupStart[g] … groupStart[g+1]−1).
 * A group lists only the allowed actions, so masking is by construction.
 */
export function groupSoftmax(core: Core, logits: Float32Array, groupStart: Int32Array): Float32Array {
  return withBlocks(core, [4 * logits.length, 4 * groupStart.length, 4 * logits.length], ([lg, gs, pr]) => {
    const e = core.exports;
    new Float32Array(e.memory.buffer, lg, logits.length).set(logits);
    new Int32Array(e.memory.buffer, gs, groupStart.length).set(groupStart);
    e.nnGroupSoftmax(lg, pr, gs, groupStart.length - 1);
    return new Float32Array(e.memory.buffer, pr, logits.length).slice();
  });
}

/**
 * Weighted cross-entropy of group softmaxes: loss = Σ_g weight[g]·−log p[target[g]] (target
 * indexes within the group) and ∂loss/∂logits = weight[g]·(p − onehot). With weight = an
 * advantage this is the REINFORCE gradient of −A·log π(a).
 */
export function groupCrossEntropy(core: Core, probs: Float32Array, groupStart: Int32Array, target: Int32Array, weight: Float32Array): { loss: number; gradLogits: Float32Array } {
  const groups = groupStart.length - 1;
  if (target.length !== groups || weight.length !== groups) throw new RangeError('groupCrossEntropy: target and weight need one entry per group');
  if (groupStart[groups] !== probs.length) throw new RangeError(`groupCrossEntropy: groups cover ${groupStart[groups]} rows of ${probs.length}`);
  return withBlocks(core, [4 * probs.length, 4 * groupStart.length, 4 * groups, 4 * groups, 4 * probs.length], ([pr, gs, tg, wt, dl]) => {
    const e = core.exports;
    new Float32Array(e.memory.buffer, pr, probs.length).set(probs);
    new Int32Array(e.memory.buffer, gs, groupStart.length).set(groupStart);
    new Int32Array(e.memory.buffer, tg, groups).set(target);
    new Float32Array(e.memory.buffer, wt, groups).set(weight);
    const loss = e.nnGroupXentBackward(pr, tg, wt, dl, gs, groups);
    return { loss, gradLogits: new Float32Array(e.memory.buffer, dl, probs.length).slice() };
  });
}

/** Row softmax of logits[rows×cols] where mask[r·cols+c] = 0 forbids an action (probability 0). */
export function maskedSoftmax(core: Core, logits: Float32Array, mask: Uint8Array, rows: number, cols: number): Float32Array {
  if (logits.length !== rows * cols || mask.length !== rows * cols) throw new RangeError('maskedSoftmax: logits and mask need rows×cols entries');
  return withBlocks(core, [4 * logits.length, mask.length, 4 * logits.length], ([lg, mk, pr]) => {
    const e = core.exports;
    new Float32Array(e.memory.buffer, lg, logits.length).set(logits);
    new Uint8Array(e.memory.buffer, mk, mask.length).set(mask);
    e.nnMaskedSoftmax(lg, mk, pr, rows, cols);
    return new Float32Array(e.memory.buffer, pr, logits.length).slice();
  });
}
