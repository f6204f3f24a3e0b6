// Tuning records: one JSON object per line per trial, versioned, each naming its workload.
// They are the log of a run, the state to resume from, and the input for warm starts.
// This module formats and parses; writing files is the runtime's job (src/node/records-file.ts).
import { placeInMessage, UserError } from '../base/errors.js';
import { ErrorCode, type MeasureResult, resultCost } from '../base/result.js';
import type { Point } from '../base/search-space.js';

export const RECORD_VERSION = 1;

export interface TuningRecord {
  readonly v: typeof RECORD_VERSION;
  /** Names the task: op, shape and target, e.g. `conv2d:1x64x56x56:64x3x3:s1p1@host`. */
  readonly workload: string;
  readonly tuner: string;
  readonly seed: number;
  /** Which batch of the run this trial belonged to (replay feeds batches back whole). */
  readonly batch: number;
  readonly config: {
    readonly point: Point;
    readonly index: number;
    readonly knobs?: Record<string, number | string>;
  };
  readonly result: MeasureResult;
}

export function formatRecord(record: TuningRecord): string {
  return JSON.stringify(record);
}

export interface ParsedRecords {
  records: TuningRecord[];
  /** Lines skipped, e.g. a half-written last line after a crash. */
  warnings: string[];
}

const errorCodes = new Set<number>(Object.values(ErrorCode));

function checkRecord(value: unknown, where: string): TuningRecord {
  const fail = (field: string, expected: string): never => {
    throw new UserError(`${where}: field '${field}' ${expected}`, { ...placeInMessage(`${where}: `), field });
  };
  if (value === null || typeof value !== 'object') fail('(record)', 'must be a JSON object');
  const r = value as Record<string, any>;
  if (r.v !== RECORD_VERSION) fail('v', `must be ${RECORD_VERSION}, got ${JSON.stringify(r.v)}`);
  if (typeof r.workload !== 'string' || r.workload === '') fail('workload', 'must be a non-empty string');
  if (typeof r.tuner !== 'string') fail('tuner', 'must be a string');
  if (!Number.isInteger(r.seed)) fail('seed', 'must be an integer');
  if (!Number.isInteger(r.batch) || r.batch < 0) fail('batch', 'must be a non-negative integer');
  if (!r.config || !Array.isArray(r.config.point) || !r.config.point.every((x: unknown) => Number.isInteger(x) && (x as number) >= 0)) {
    fail('config.point', 'must be an array of non-negative integers');
  }
  if (!Number.isInteger(r.config.index)) fail('config.index', 'must be an integer');
  const result = r.result;
  if (!result || !Array.isArray(result.costs) || !result.costs.every((x: unknown) => typeof x === 'number')) fail('result.costs', 'must be an array of numbers');
  if (!errorCodes.has(result.errorCode)) fail('result.errorCode', `must be one of ${[...errorCodes].join(', ')}`);
  if (typeof result.timestamp !== 'number') fail('result.timestamp', 'must be a number');
  return r as TuningRecord;
}

/**
 * Parses a log. A malformed last line is what a crash mid-write leaves: it is skipped with a
 * warning. A malformed line anywhere else means the log is damaged: that is an error naming
 * the file and line.
 */
export function parseRecords(text: string, source = 'records'): ParsedRecords {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const records: TuningRecord[] = [];
  const warnings: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) {
        warnings.push(`${where}: skipped a half-written last line`);
        return;
      }
      throw new UserError(`${where}: not a JSON object (the log is damaged before its last line)`, { file: source, line: i + 1 });
    }
    records.push(checkRecord(value, where));
  });
  return { records, warnings };
}

/** The lowest-cost successful record of each workload. */
export function bestPerWorkload(records: readonly TuningRecord[]): Map<string, TuningRecord> {
  const best = new Map<string, TuningRecord>();
  for (const record of records) {
    const cost = resultCost(record.result);
    if (!Number.isFinite(cost)) continue;
    const current = best.get(record.workload);
    if (!current || cost < resultCost(current.result)) best.set(record.workload, record);
  }
  return best;
}

/** Records of one workload grouped by batch, in order, for replay through `Tuner.update`. */
export function batchesOf(records: readonly TuningRecord[], workload: string): TuningRecord[][] {
  const batches = new Map<number, TuningRecord[]>();
  for (const record of records) {
    if (record.workload !== workload) continue;
    const batch = batches.get(record.batch) ?? [];
    batch.push(record);
    batches.set(record.batch, batch);
  }
  return [...batches.entries()].sort(([a], [b]) => a - b).map(([, batch]) => batch);
}
