// What a schedule's figures mean for a deployment, in plain words: unused cores, parameters that
// stream from the host on every inference, transfers that more cores cannot shorten, and where
// the input image is charged.
import type { PipelineCost, ScheduleProblem } from './problem.js';

const MiB = 1024 * 1024;
const ms = (seconds: number): string => `${(seconds * 1e3).toFixed(seconds < 1e-3 ? 3 : 2)} ms`;
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(2)} MiB`;
const list = (xs: number[]): string => (xs.length === 1 ? `stage ${xs[0]}` : `stages ${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);

export function scheduleNotes(problem: ScheduleProblem, cost: PipelineCost): string[] {
  const { target } = problem;
  const notes: string[] = [];
  const empty = cost.stages.flatMap((s, i) => (s.nodes.length === 0 ? [i] : []));
  if (empty.length > 0) {
    const forwarding = empty.filter((i) => cost.stages[i]!.transferSeconds > 0);
    notes.push(
      `${list(empty)} ${empty.length === 1 ? 'holds' : 'hold'} no nodes: the schedule runs on ${problem.cores - empty.length} of ${problem.cores} cores` +
        (forwarding.length > 0 ? `, and ${list(forwarding)} only ${forwarding.length === 1 ? 'forwards' : 'forward'} tensors through the host` : '') + '.',
    );
  }
  cost.stages.forEach((s, i) => {
    if (s.paramBytes <= target.onChipParamBytes) return;
    notes.push(
      `Stage ${i}'s parameters (${mib(s.paramBytes)}) overflow the ${mib(target.onChipParamBytes)} on-chip cache: ` +
        `${mib(s.paramBytes - target.onChipParamBytes)} stream from the host on every inference (${ms(s.streamSeconds)}).`,
    );
  });
  const slowest = cost.stages.reduce((a, s) => (s.totalSeconds > a.totalSeconds ? s : a));
  if (problem.cores > 1 && slowest.transferSeconds > slowest.computeSeconds + slowest.streamSeconds) {
    notes.push(
      `Transfers dominate: the slowest stage (${cost.stages.indexOf(slowest)}) spends ${ms(slowest.transferSeconds)} of its ${ms(slowest.totalSeconds)} ` +
        `sending tensors over the host link and ${ms(slowest.computeSeconds)} computing, so more cores will not make this model faster.`,
    );
  }
  const input = new Float64Array(problem.cores);
  for (const [i, s] of cost.stages.entries()) for (const v of s.nodes) input[i]! += problem.inputSeconds[v]!;
  const fed = [...input.keys()].filter((i) => input[i]! > 0);
  if (fed.length > 0) {
    const bytes = [...input].reduce((a, b) => a + b, 0) * target.hostLinkBytesPerSecond;
    notes.push(`The host sends the input (${(bytes / 1024).toFixed(0)} KiB, ${ms(bytes / target.hostLinkBytesPerSecond)}) to ${list(fed)}, counted in its transfer time.`);
  }
  return notes;
}
