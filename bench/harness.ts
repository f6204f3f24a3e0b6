// What every benchmark shares: the row shape, timing, and printing (a table, or with
// --json exactly one JSON array of the same rows on stdout).
import { table } from '../cli/output.js';

export type Row = Record<string, string | number | boolean | null | object>;

export interface BenchOptions {
  json: boolean;
  /** Every flag given after the bench's name, parsed by yargs (kebab- and camelCase). */
  args: Record<string, unknown>;
  /** Progress and notes; goes to stderr so --json output stays clean. */
  log: (text: string) => void;
}

export interface Bench {
  describe: string;
  run(options: BenchOptions): Promise<Row[]>;
}

export interface Timing {
  medianSeconds: number;
  minSeconds: number;
  runs: number;
}

/**
 * Times `fn` after one warm-up call: runs it at least `minRuns` times and until
 * `minSeconds` have passed, and reports the median and the minimum.
 */
export function time(fn: () => void, { minRuns = 3, minSeconds = 0.25, maxRuns = 1000 } = {}): Timing {
  fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < maxRuns && (samples.length < minRuns || performance.now() - start < minSeconds * 1000)) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((x, y) => x - y);
  return { medianSeconds: samples[samples.length >> 1]!, minSeconds: samples[0]!, runs: samples.length };
}

export function printRows(rows: Row[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('(no rows)\n');
    return;
  }
  const header = [...new Set(rows.flatMap((row) => Object.keys(row)))]; // rows of different kinds share one table
  const cells = rows.map((row) =>
    header.map((key) => {
      const value = row[key];
      if (typeof value === 'number') return value;
      if (value !== null && typeof value === 'object') return JSON.stringify(value);
      return value === undefined ? '' : String(value);
    }),
  );
  process.stdout.write(`${table(header, cells)}\n`);
}
