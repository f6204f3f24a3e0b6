// What a measurement returns, real kernel run or simulator alike. A failure is data (an error
// code and its text), never an exception inside the search loop.
import type { Point } from './search-space.js';

export const ErrorCode = {
  none: 0,
  /** The configuration is not legal for the task (does not fit, breaks a constraint). */
  invalidConfig: 1,
  /** The kernel ran but its output disagreed with the reference. */
  wrongAnswer: 2,
  /** The candidate exceeded its time limit and was killed. */
  timeout: 3,
  /** The candidate threw or trapped while running. */
  runtimeError: 4,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function errorCodeName(code: ErrorCode): string {
  return Object.entries(ErrorCode).find(([, value]) => value === code)?.[0] ?? `unknown(${code})`;
}

export interface MeasureResult {
  /** One cost per timed repeat (seconds for real runs, cycles or seconds for simulators); empty on error. */
  readonly costs: readonly number[];
  readonly errorCode: ErrorCode;
  readonly errorText?: string;
  /** Milliseconds since the epoch when the measurement finished. */
  readonly timestamp: number;
}

/** The cost a tuner compares: the median of the repeats, or +∞ for a failed measurement. */
export function resultCost(result: MeasureResult): number {
  if (result.errorCode !== ErrorCode.none || result.costs.length === 0) return Number.POSITIVE_INFINITY;
  const sorted = [...result.costs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** The judge of a batch of points: a simulator or a real kernel run, interchangeably. */
export interface Measurer {
  measure(points: readonly Point[]): Promise<MeasureResult[]>;
}
