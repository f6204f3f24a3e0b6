// Generalised advantage estimation (Schulman et al. 2016) as an explicit reversed loop.

/**
 * Advantages and returns for one trajectory. `values` has one entry per step plus the value
 * of the state after the last step (0 when the episode ended there).
 */
export function gae(rewards: readonly number[], values: readonly number[], gamma: number, lambda: number): { advantages: number[]; returns: number[] } {
  if (values.length !== rewards.length + 1) throw new RangeError(`gae: ${rewards.length} rewards need ${rewards.length + 1} values, got ${values.length}`);
  const advantages = new Array<number>(rewards.length);
  let running = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    const delta = rewards[t]! + gamma * values[t + 1]! - values[t]!;
    running = delta + gamma * lambda * running;
    advantages[t] = running;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]!) };
}
