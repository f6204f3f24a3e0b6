import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { Random } from '../../src/helpers/random.js';
import { gae } from '../../src/rl/gae.js';
import { clippedSurrogate, PpoAgent } from '../../src/rl/ppo.js';

describe('GAE', () => {
  it('equals the direct sum Σ_l (γλ)^l δ_{t+l}', () => {
    const random = new Random(1);
    const rewards = Array.from({ length: 9 }, () => random.uniform(-1, 1));
    const values = Array.from({ length: 10 }, () => random.uniform(-1, 1));
    const [gamma, lambda] = [0.9, 0.99];
    const { advantages, returns } = gae(rewards, values, gamma, lambda);
    const delta = rewards.map((r, t) => r + gamma * values[t + 1]! - values[t]!);
    delta.forEach((_, t) => {
      let direct = 0;
      for (let l = 0; t + l < delta.length; l++) direct += (gamma * lambda) ** l * delta[t + l]!;
      expect(advantages[t]).toBeCloseTo(direct, 12);
      expect(returns[t]).toBeCloseTo(direct + values[t]!, 12);
    });
  });

  it('with λ = 1 and a terminal state gives discounted returns', () => {
    const { returns } = gae([1, 2, 3], [0.5, -1, 2, 0], 0.5, 1);
    expect(returns).toEqual([1 + 0.5 * 2 + 0.25 * 3, 2 + 0.5 * 3, 3]);
  });
});

describe('PPO', () => {
  it('the clipped surrogate gradient matches finite differences, clipped and unclipped', () => {
    const random = new Random(2);
    const heads = [3, 3, 2];
    const n = 6;
    const logits = Array.from({ length: n * 8 }, () => random.uniform(-1, 1));
    const actions = Array.from({ length: n }, () => heads.map((h) => random.int(h)));
    // Old log-probabilities near and far from the current ones, so some ratios clip.
    const inputs = { actions, oldLogProbs: actions.map((_, b) => -3 + (b % 3) * 0.4), advantages: actions.map(() => random.uniform(-1, 1)), clip: 0.2, entropyCoef: 0.3, temperature: 0.7 };
    const { gradLogits, clipFraction } = clippedSurrogate(logits, heads, inputs);
    expect(clipFraction).toBeGreaterThan(0);
    expect(clipFraction).toBeLessThan(1);
    const h = 1e-6;
    logits.forEach((_, i) => {
      const plus = [...logits];
      const minus = [...logits];
      plus[i]! += h;
      minus[i]! -= h;
      const numeric = (clippedSurrogate(plus, heads, inputs).loss - clippedSurrogate(minus, heads, inputs).loss) / (2 * h);
      expect(gradLogits[i]).toBeCloseTo(numeric, 5);
    });
  });

  it('learns a contextual bandit: the rewarded action becomes the likely one', async () => {
    const core = await getCore();
    const agent = new PpoAgent(core, 2, [3], 7, { entropyCoef: 0.01, learningRate: 3e-3 });
    const random = new Random(8);
    // State [1,0] pays for action 0, state [0,1] for action 2.
    const states = Array.from({ length: 256 }, (_, i) => (i % 2 ? [0, 1] : [1, 0]));
    const rewardOf = (s: number[], a: number) => (a === (s[0] ? 0 : 2) ? 1 : 0);
    const meanReward = () => {
      const { actions } = agent.act(states, random, true);
      return actions.reduce((sum, a, i) => sum + rewardOf(states[i]!, a[0]!), 0) / states.length;
    };
    for (let iteration = 0; iteration < 15; iteration++) {
      const { actions, logProbs, values } = agent.act(states, random);
      const rewards = actions.map((a, i) => rewardOf(states[i]!, a[0]!));
      agent.update({ states, actions, logProbs, advantages: rewards.map((r, i) => r - values[i]!), returns: rewards }, random);
    }
    expect(meanReward()).toBe(1);
    agent.dispose();
  });
});
