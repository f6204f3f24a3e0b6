// Options checked where they enter the library: every facade, target, kernel shape or session
// describes its options as a table of field → expected kind, and one call rejects unknown keys by
// name and wrong types naming the field and what was expected. Errors are `OptionsError`, a
// UserError naming the field, so callers can tell a bad call from a failed computation.
import { UserError } from './errors.js';

export class OptionsError extends UserError {
  override name = 'OptionsError';
}

/** What a field may hold. `oneOf` lists the allowed strings; `integer` ranges are inclusive. */
export type FieldKind =
  | { type: 'string'; oneOf?: readonly string[] }
  | { type: 'number'; min?: number; max?: number; integer?: boolean }
  | { type: 'boolean' }
  | { type: 'function' }
  | { type: 'object' }
  | { type: 'array' }
  | { type: 'signal' }
  | { type: 'string|object'; oneOf?: readonly string[] }
  /** Any value: the caller checks it where it is used (a value with a richer form than these). */
  | { type: 'any' };

export type OptionSpec = Readonly<Record<string, FieldKind>>;

function describe(kind: FieldKind): string {
  switch (kind.type) {
    case 'string':
      return kind.oneOf ? `one of ${kind.oneOf.map((s) => `'${s}'`).join(', ')}` : 'a string';
    case 'number': {
      const what = kind.integer ? 'an integer' : 'a finite number';
      if (kind.min !== undefined && kind.max !== undefined) return `${what} from ${kind.min} to ${kind.max}`;
      if (kind.min !== undefined) return `${what} ≥ ${kind.min}`;
      return what;
    }
    case 'boolean':
      return 'true or false';
    case 'function':
      return 'a function';
    case 'object':
      return 'a plain object';
    case 'array':
      return 'an array';
    case 'signal':
      return 'an AbortSignal';
    case 'string|object':
      return kind.oneOf ? `one of ${kind.oneOf.map((s) => `'${s}'`).join(', ')} or a plain object` : 'a string or a plain object';
    case 'any':
      return 'anything';
  }
}

function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function fits(kind: FieldKind, value: unknown): boolean {
  switch (kind.type) {
    case 'string':
      return typeof value === 'string' && (!kind.oneOf || kind.oneOf.includes(value));
    case 'number':
      return (
        typeof value === 'number' && Number.isFinite(value) && (!kind.integer || Number.isInteger(value)) &&
        (kind.min === undefined || value >= kind.min) && (kind.max === undefined || value <= kind.max)
      );
    case 'boolean':
      return typeof value === 'boolean';
    case 'function':
      return typeof value === 'function';
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'signal':
      return typeof value === 'object' && value !== null && typeof (value as AbortSignal).aborted === 'boolean' && typeof (value as AbortSignal).addEventListener === 'function';
    case 'string|object':
      return (typeof value === 'string' && (!kind.oneOf || kind.oneOf.includes(value))) || isPlainObject(value);
    case 'any':
      return true;
  }
}

/** A spec that takes any value for each key: for callers that check the values themselves. */
export function anyValues(keys: Iterable<string>): OptionSpec {
  return Object.fromEntries([...keys].map((key) => [key, { type: 'any' }]));
}

/**
 * Checks `options` against `spec` and returns it typed. `where` names the call in messages
 * ("schedule: option 'cores' must be an integer from 1 to 8, got 9"); `noun` is what the keys
 * are called there ('field' for the fields of a target or a table). Undefined values count as absent.
 */
export function checkOptions<T>(where: string, options: unknown, spec: OptionSpec, noun: 'option' | 'field' = 'option'): T {
  if (options === undefined) return {} as T;
  if (!isPlainObject(options)) throw new OptionsError(`${where}: ${noun}s must be a plain object, got ${shown(options)}`);
  for (const [key, value] of Object.entries(options)) {
    const kind = Object.hasOwn(spec, key) ? spec[key] : undefined; // not 'constructor' from the prototype
    if (!kind) throw new OptionsError(`${where}: unknown ${noun} '${key}'; expected one of: ${Object.keys(spec).join(', ')}`, { field: key });
    if (value !== undefined && !fits(kind, value)) throw new OptionsError(`${where}: ${noun} '${key}' must be ${describe(kind)}, got ${shown(value)}`, { field: key });
  }
  return options as T;
}
