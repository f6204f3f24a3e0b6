// Where jobs go. Simulated measurements are the same everywhere, so they share one queue; host
// measurements are timings of one kind of machine, so each device key has its own queue and only
// the workers of that device take from it (AutoTVM's tracker keys).
import { cpus } from 'node:os';
import { features, runtimeName } from '../../core/load.js';
import { bestFlavour, type Flavour } from '../../core/flavour.js';
import type { JobKind } from './jobs.js';

/** Redis key prefix of every mapwise queue. */
export const QUEUE_PREFIX = 'mapwise';
export const MAPPING_QUEUE = 'measure-mapping';

/** A device key as queues may hold it: lower case letters, digits, '.', '_' and '-' (BullMQ refuses ':'). */
export function checkDeviceKey(key: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,127}$/.test(key)) {
    throw new RangeError(`device key '${key.slice(0, 140)}' must be 1 to 128 of a-z, 0-9, '.', '_', '-', starting with a letter or digit`);
  }
  return key;
}

/** This process's device: runtime and major version, CPU model, and the core flavour its measurements load. */
export function defaultDeviceKey(flavour: Flavour = bestFlavour(features())): string {
  const runtime = `${runtimeName()}${process.versions.node.split('.')[0]}`;
  const cpu = cpus()[0]?.model ?? 'unknown-cpu';
  const slug = (text: string): string => text.toLowerCase().replace(/\([rR]\)|\(tm\)/gi, '').replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');
  return checkDeviceKey(`${slug(runtime)}-${slug(cpu).slice(0, 80)}-${flavour}`);
}

/** The queue a job kind goes to: host measurements by device, every other kind to its one shared queue. */
export function queueName(kind: JobKind, device: string): string {
  return kind === 'measure-host' ? `measure-host.${checkDeviceKey(device)}` : kind;
}

/** A Redis URL as logs may show it: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable Redis URL>';
  }
}

/** Checks a Redis URL's scheme; returns BullMQ's connection options (it builds one ioredis client per use). */
export function connectionOptions(url: string): { url: string; maxRetriesPerRequest: null; lazyConnect?: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`--redis: '${redactUrl(url)}' is not a URL; expected redis://[user:password@]host[:port][/db] or rediss://…`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new RangeError(`--redis: scheme '${parsed.protocol}' is not redis: or rediss:`);
  // Workers block on Redis, so ioredis must retry a command for as long as the connection takes to come back.
  return { url, maxRetriesPerRequest: null };
}

/**
 * Rejects after `ms` unless `promise` settles first, with a message naming the server (without
 * its password) and the last connection error `emitter` reported (a wrong password, TLS refused).
 */
export function within<T>(promise: Promise<T>, ms: number, url: string, emitter?: { on(event: 'error', listener: (error: Error) => void): unknown }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let last: Error | undefined;
  emitter?.on('error', (error) => (last = error));
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis at ${redactUrl(url)} did not answer within ${ms / 1000} s${last ? `: ${last.message}` : ''}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
