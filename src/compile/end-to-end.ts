// The whole network's inference time on this machine, with the kernels' default schedules and
// with the tuned ones from a log: what the tuning papers judge tuning by. A model imported
// without weights (a zoo model, a weight-stripped file) runs on seeded weights of sensible
// scale (placeholderWeights); latency does not depend on their values.
import type { Graph } from '../graph/types.js';
import { Random } from '../helpers/random.js';
import { createSession, placeholderWeights, type Session } from '../run/index.js';
import type { TuningRecord } from '../tune/records.js';

export interface EndToEnd {
  /** Median milliseconds of one inference, over interleaved rounds. */
  readonly defaultMs: number;
  readonly tunedMs: number;
  /** Conv layers that ran a tuned configuration. */
  readonly tunedLayers: readonly string[];
  readonly rounds: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Median milliseconds of one inference with each tuning log (an empty log: default schedules),
 * all sessions timed in the same interleaved rounds; the first of each round rotates, so none
 * always runs after the same neighbour.
 */
export async function interleavedLatency(graph: Graph, logs: readonly (readonly TuningRecord[])[], rounds: number): Promise<{ ms: number; tunedLayers: readonly string[] }[]> {
  const weights = placeholderWeights(graph);
  const sessions: Session[] = [];
  try {
    for (const records of logs) sessions.push(await createSession(graph, { weights, records }));
    const feeds = Object.fromEntries(sessions[0]!.inputs.map((i) => [i.name, new Random(2).floats(i.shape.reduce((a, d) => a * d, 1))]));
    for (const s of sessions) await s.run(feeds); // warm-up
    const times = sessions.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < sessions.length; k++) {
        const index = (r + k) % sessions.length;
        const start = performance.now();
        await sessions[index]!.run(feeds);
        times[index]!.push(performance.now() - start);
      }
    }
    return sessions.map((s, k) => ({ ms: median(times[k]!), tunedLayers: s.tunedLayers }));
  } finally {
    for (const s of sessions) s.dispose();
  }
}

/** Times the network with default and with tuned kernels, in the same interleaved rounds. */
export async function endToEndLatency(graph: Graph, records: readonly TuningRecord[], rounds = 5): Promise<EndToEnd> {
  const [base, tuned] = await interleavedLatency(graph, [[], records], rounds);
  return { defaultMs: base!.ms, tunedMs: tuned!.ms, tunedLayers: tuned!.tunedLayers, rounds };
}
