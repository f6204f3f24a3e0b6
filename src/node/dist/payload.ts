// Checks of a job's payload, field by field: a payload comes from the network, so nothing in it
// is trusted (never code, never a path) and only the fields named here reach the code that runs.
import { validateLayer } from '../../sim/simulate.js';
import type { ConvLayer } from '../../sim/types.js';

/** A payload that is not one of the job kinds, naming the field at fault. Never retried. */
export class PayloadError extends Error {
  override name = 'PayloadError';
}

/** An object with exactly `keys`. */
export function object(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PayloadError(`field '${field}' must be an object`);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!keys.includes(key)) throw new PayloadError(`field '${field}.${key}' is not part of the job`);
  for (const key of keys) if (!(key in record)) throw new PayloadError(`field '${field}.${key}' is missing`);
  return record;
}

export function string(value: unknown, field: string, maxLength = 512): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) throw new PayloadError(`field '${field}' must be a string of 1 to ${maxLength} characters`);
  return value;
}

/** A positive number (an integer when asked, at most `max`); 'infinite' where JSON cannot say Infinity and `infinite` allows it. */
export function positive(value: unknown, field: string, options: { integer?: boolean; max?: number; infinite?: boolean } = {}): number {
  if (options.infinite && value === 'infinite') return Number.POSITIVE_INFINITY;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !(value > 0 && value <= max) || (options.integer && !Number.isInteger(value))) {
    throw new PayloadError(`field '${field}' must be a positive ${options.integer ? 'integer' : 'number'} up to ${max}${options.infinite ? " or 'infinite'" : ''}`);
  }
  return value;
}

/** Infinity as a payload carries it. */
export const finiteOr = (x: number): number | 'infinite' => (Number.isFinite(x) ? x : 'infinite');

/** Runs a validator that throws its own message, prefixing the field. */
export function checked<T>(field: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new PayloadError(`field '${field}': ${(error as Error).message}`);
  }
}

const LAYER_KEYS: readonly (keyof ConvLayer)[] = ['name', 'ifmapHeight', 'ifmapWidth', 'filterHeight', 'filterWidth', 'channels', 'numFilters', 'strideHeight', 'strideWidth'];

/** A simulator layer: its fields only (its N:M `sparsity` when it has one), each checked as the simulator checks them. */
export function layer(value: unknown, field: string): ConvLayer {
  const pruned = value !== null && typeof value === 'object' && 'sparsity' in value;
  const raw = object(value, field, pruned ? [...LAYER_KEYS, 'sparsity'] : LAYER_KEYS);
  const fields = Object.fromEntries(LAYER_KEYS.map((key) => [key, raw[key]]));
  if (pruned) {
    const ratio = object(raw.sparsity, `${field}.sparsity`, ['n', 'm']);
    const m = positive(ratio.m, `${field}.sparsity.m`, { integer: true, max: 1024 });
    fields.sparsity = Object.freeze({ n: positive(ratio.n, `${field}.sparsity.n`, { integer: true, max: m }), m });
  }
  const result = fields as unknown as ConvLayer;
  string(result.name, `${field}.name`);
  checked(field, () => validateLayer(result));
  return Object.freeze(result);
}
