// `zooModels()`: the built-in models with their graphs' totals beside the published figures, what
// `mapwise zoo` and the edge's GET /models list. The totals come from the generated table (kept
// equal to the built graphs by test/graph/zoo.test.ts), so listing the zoo builds no graph.
import { ZOO_ENTRIES } from '../graph/zoo/entries.js';
import { ZOO_TOTALS, type ZooTotals } from '../graph/zoo/generated/totals.js';

export interface ZooModel extends ZooTotals {
  name: string;
  description: string;
  /** The input size it is built at, or null for a fixed-size model. */
  size: number | null;
  /** The smallest input size it accepts (`NAME@SIZE`), or null. */
  minSize: number | null;
  /** Parameters and MACs as its source publishes them (rounded there), and the source. */
  publishedParams: number;
  publishedMacs: number | null;
  source: string;
}

export function zooModels(): ZooModel[] {
  return ZOO_ENTRIES.map((e) => ({
    name: e.name,
    description: e.description,
    size: e.size ?? null,
    minSize: e.minSize ?? null,
    ...ZOO_TOTALS[e.name]!,
    publishedParams: e.params,
    publishedMacs: e.macs ?? null,
    source: e.source,
  }));
}
