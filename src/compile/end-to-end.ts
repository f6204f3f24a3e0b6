// The whole network's inference time on this machine, with the kernels' default schedules and
// with the tuned ones from a log: what the tuning papers judge tuning by. A model imported
// without weights (a zoo model, a weight-stripped file) runs on seeded weights of sensible
// scale; latency does not depend on their values.
import type { Graph } from '../graph/types.js';
import { Random } from '../helpers/random.js';
import { createSession, type Session } from '../run/index.js';
import type { TuningRecord } from '../tune/records.js';

export interface EndToEnd {
  /** Median milliseconds of one inference, over interleaved rounds. */
  readonly defaultMs: number;
  readonly tunedMs: number;
  /** Conv layers that ran a tuned configuration. */
  readonly tunedLayers: readonly string[];
  readonly rounds: number;
}

/** Seeded weights for every weight and data-less constant the graph reads. */
export function placeholderWeights(graph: Graph, seed = 1): Record<string, Float32Array> {
  const random = new Random(seed);
  const weights: Record<string, Float32Array> = {};
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (!i || i.kind === 'activation' || i.value || weights[i.name]) continue;
      const count = i.shape.reduce((a, d) => a * d, 1);
      // Kernels as He-scaled noise; vectors (biases, BatchNorm statistics) positive, near 1.
      const fanIn = i.shape.length >= 2 ? count / i.shape[0]! : 0;
      weights[i.name] = fanIn > 0 ? random.floats(count, -Math.sqrt(3 / fanIn), Math.sqrt(3 / fanIn)) : random.floats(count, 0.5, 1.5);
    }
  }
  return weights;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Times the network with default and with tuned kernels, alternating runs so both see the same machine. */
export async function endToEndLatency(graph: Graph, records: readonly TuningRecord[], rounds = 5): Promise<EndToEnd> {
  const weights = placeholderWeights(graph);
  const sessions: Session[] = [];
  try {
    sessions.push(await createSession(graph, { weights }), await createSession(graph, { weights, records }));
    const feeds = Object.fromEntries(sessions[0]!.inputs.map((i) => [i.name, new Random(2).floats(i.shape.reduce((a, d) => a * d, 1))]));
    const times: number[][] = [[], []];
    for (const s of sessions) await s.run(feeds); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const [k, s] of sessions.entries()) {
        const start = performance.now();
        await s.run(feeds);
        times[k]!.push(performance.now() - start);
      }
    }
    return { defaultMs: median(times[0]!), tunedMs: median(times[1]!), tunedLayers: sessions[1]!.tunedLayers, rounds };
  } finally {
    for (const s of sessions) s.dispose();
  }
}
