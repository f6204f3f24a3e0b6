// The one tuning loop: ask the tuner for a batch, measure it, hand the results back, log
// them. Resuming replays earlier records through `update` first and measures nothing twice.
import { type Measurer, type MeasureResult, resultCost } from '../base/result.js';
import { batchesOf, RECORD_VERSION, type TuningRecord } from './records.js';
import { type Point, pointIndex, pointKey, type SearchSpace, spaceSize } from '../base/search-space.js';
import type { Tuner } from './tuner.js';

export interface TuneProgress {
  trials: number;
  budget: number;
  bestCost: number;
  seconds: number;
}

export interface TuningLoopOptions {
  workload: string;
  space: SearchSpace;
  measurer: Measurer;
  tuner: Tuner;
  /** Total trials, counting those replayed from `previous`. */
  trials: number;
  /** Points measured per batch. */
  batchSize?: number;
  /** Stop after this many trials without a new best. */
  earlyStopping?: number;
  seed: number;
  /** Points measured first, before the tuner's own proposals (e.g. the default schedule). */
  initialPoints?: readonly Point[];
  /** Earlier records (any workload) to resume from. */
  previous?: readonly TuningRecord[];
  /** Receives each measured batch's records; flush them before resolving (append-only log). */
  onRecords?: (records: TuningRecord[]) => void | Promise<void>;
  onProgress?: (progress: TuneProgress) => void;
  /** Checked between batches; returning true stops the run cleanly (e.g. on Ctrl-C). */
  shouldStop?: () => boolean;
}

export interface HistoryPoint {
  trial: number;
  point: Point;
  cost: number;
  bestCost: number;
  /** Seconds from the start of the run (search and measurement together) to the end of this trial's measurement. */
  seconds: number;
}

export interface TuneResult {
  workload: string;
  tuner: string;
  best: { point: Point; cost: number; knobs?: Record<string, number | string> } | undefined;
  trials: number;
  /** Trials replayed from earlier records rather than measured in this run. */
  replayed: number;
  history: HistoryPoint[];
  seconds: number;
  stoppedEarly: boolean;
}

/** The record of one trial: its run, batch, point (with its flat index and knobs) and result. */
export function trialRecord(space: SearchSpace, run: Pick<TuningRecord, 'workload' | 'tuner' | 'seed'>, batch: number, point: Point, result: MeasureResult): TuningRecord {
  // A point's flat index where it is exact; -1 in spaces too large for one (co-design's joint space).
  const index = spaceSize(space) <= Number.MAX_SAFE_INTEGER ? pointIndex(space, point) : -1;
  return { v: RECORD_VERSION, workload: run.workload, tuner: run.tuner, seed: run.seed, batch, config: { point, index, knobs: space.describe?.(point) }, result };
}

export async function runTuning(options: TuningLoopOptions): Promise<TuneResult> {
  const { workload, space, measurer, tuner, seed } = options;
  const batchSize = options.batchSize ?? 64;
  const started = performance.now();
  const startedEpochMs = Date.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const seen = new Set<string>();
  const history: HistoryPoint[] = [];
  let best: TuneResult['best'];
  let sinceImprovement = 0;
  let batchNumber = 0;

  // A trial's time is when its own measurement finished (its result's timestamp, kept within
  // the batch's window because clocks differ in resolution), not when its whole batch did.
  const account = (points: readonly Point[], results: readonly MeasureResult[], batchStarted: number): void => {
    const batchEnded = elapsed();
    points.forEach((point, i) => {
      const finished = (results[i]!.timestamp - startedEpochMs) / 1000;
      const cost = resultCost(results[i]!);
      seen.add(pointKey(point));
      if (cost < (best?.cost ?? Number.POSITIVE_INFINITY)) {
        best = { point, cost, knobs: space.describe?.(point) };
        sinceImprovement = 0;
      } else {
        sinceImprovement++;
      }
      const seconds = Math.min(batchEnded, Math.max(batchStarted, finished));
      history.push({ trial: history.length + 1, point, cost, bestCost: best?.cost ?? Number.POSITIVE_INFINITY, seconds });
    });
  };

  // A resumed run must be the run that wrote the log: another tuner or seed would be fed trials it never proposed.
  const foreign = (options.previous ?? []).find((r) => r.workload === workload && (r.tuner !== tuner.name || r.seed !== options.seed));
  if (foreign) {
    throw new Error(`cannot resume ${workload}: the log's trials come from tuner ${foreign.tuner} with seed ${foreign.seed}, this run is tuner ${tuner.name} with seed ${options.seed}; resume with the log's --tuner and --seed, or log to another file`);
  }
  for (const batch of batchesOf(options.previous ?? [], workload)) {
    const points = batch.map((record) => record.config.point);
    const results = batch.map((record) => record.result);
    tuner.update(points, results);
    account(points, results, elapsed());
    batchNumber = Math.max(batchNumber, batch[0]!.batch + 1);
  }
  const replayed = history.length;
  let stoppedEarly = false;

  while (history.length < options.trials) {
    if (options.shouldStop?.()) break;
    if (options.earlyStopping !== undefined && sinceImprovement >= options.earlyStopping) {
      stoppedEarly = true;
      break;
    }
    const wanted = Math.min(batchSize, options.trials - history.length);
    const initial = (options.initialPoints ?? []).filter((point) => !seen.has(pointKey(point))).slice(0, wanted);
    const initialKeys = new Set(initial.map(pointKey));
    const proposed = tuner.nextBatch(wanted - initial.length).filter((point) => !seen.has(pointKey(point)) && !initialKeys.has(pointKey(point)));
    const points = [...initial, ...proposed];
    if (points.length === 0) break; // the space is exhausted
    const measureStarted = elapsed();
    const results = await measurer.measure(points);
    if (results.length !== points.length) throw new Error(`measurer returned ${results.length} results for ${points.length} points`);
    tuner.update(points, results);
    account(points, results, measureStarted);
    await options.onRecords?.(points.map((point, i) => trialRecord(space, { workload, tuner: tuner.name, seed }, batchNumber, point, results[i]!)));
    batchNumber++;
    options.onProgress?.({ trials: history.length, budget: options.trials, bestCost: best?.cost ?? Number.POSITIVE_INFINITY, seconds: elapsed() });
  }
  return { workload, tuner: tuner.name, best, trials: history.length, replayed, history, seconds: elapsed(), stoppedEarly };
}
