// What `mapwise workers` shows: the live workers (every worker listens on the shared mapping
// queue, so its client list names them all) with their device keys, and the depth of every queue
// they serve. A worker names its connections `mapwise-worker~device~host~pid~concurrency`.
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import { JOB_KINDS } from './jobs.js';
import { connectionOptions, MAPPING_QUEUE, QUEUE_PREFIX, queueName, within } from './queues.js';

export interface WorkerStatus {
  device: string;
  host: string;
  pid: number;
  concurrency: number;
  /** Its address as Redis sees it. */
  address: string;
  connectedSeconds: number;
  idleSeconds: number;
}

export interface QueueStatus {
  queue: string;
  workers: number;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

const NAME_PREFIX = 'mapwise-worker';

/** The name a worker's connections carry (no spaces nor ':', as Redis and BullMQ want). */
export function workerName(device: string, concurrency: number): string {
  return [NAME_PREFIX, device, hostname().replace(/[^\w.-]/g, '_'), process.pid, concurrency].join('~');
}

export function parseWorker(client: Record<string, string>): WorkerStatus | undefined {
  const [prefix, device, host, pid, concurrency] = (client.rawname ?? '').split(':w:').at(-1)!.split('~');
  if (prefix !== NAME_PREFIX || !device) return undefined;
  return { device, host: host ?? '?', pid: Number(pid), concurrency: Number(concurrency), address: client.addr ?? '?', connectedSeconds: Number(client.age), idleSeconds: Number(client.idle) };
}

export async function clusterStatus(redis: string): Promise<{ workers: WorkerStatus[]; queues: QueueStatus[] }> {
  const connection = connectionOptions(redis);
  const open = (name: string): Queue => {
    const queue = new Queue(name, { connection, prefix: QUEUE_PREFIX });
    queue.on('error', () => {});
    return queue;
  };
  const mapping = open(MAPPING_QUEUE);
  const queues: Queue[] = [mapping];
  try {
    await within(mapping.waitUntilReady(), 15_000, redis, mapping);
    const workers = (await mapping.getWorkers()).map(parseWorker).filter((w): w is WorkerStatus => w !== undefined);
    const devices = [...new Set(workers.map((w) => w.device))].sort();
    const names = [...JOB_KINDS.filter((kind) => kind !== 'measure-host').map((kind) => queueName(kind, '')), ...devices.map((device) => queueName('measure-host', device))];
    queues.push(...names.filter((name) => name !== MAPPING_QUEUE).map(open));
    const depths = await Promise.all(
      queues.map(async (queue): Promise<QueueStatus> => {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
        return {
          queue: queue.name,
          workers: await queue.getWorkersCount(),
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          completed: counts.completed ?? 0,
        };
      }),
    );
    workers.sort((a, b) => a.device.localeCompare(b.device) || a.host.localeCompare(b.host) || a.pid - b.pid);
    return { workers, queues: depths };
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
  }
}
