// `mapwise workers`: the live workers with their device keys, hosts and pids, and each queue's
// depth while jobs wait (two slow workers, three jobs: two running, one waiting); and a worker's
// --concurrency holding over all its queues.
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getCore } from '../../src/core/load.js';
import { QUEUE_PREFIX, MAPPING_QUEUE, defaultDeviceKey } from '../../src/node/dist/queues.js';
import { loadModel } from '../../src/node/models.js';
import { workerTuningJobs } from '../../src/node/tuning-jobs.js';
import type { MappingSpace } from '../../src/sim/mapping-space.js';
import { configFields } from '../../src/node/dist/jobs.js';
import { queueEventsFrom } from '../../src/node/dist/coordinator.js';
import { startRedis, startWorker, type RedisServer, type WorkerProcess } from '../helpers/redis.js';

let redis: RedisServer;
let workers: WorkerProcess[];
beforeAll(async () => {
  redis = await startRedis();
  workers = await Promise.all([startWorker(redis.url, '--device', 'lab-board-a', '--synthetic-ms', '3000'), startWorker(redis.url, '--synthetic-ms', '3000')]);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await redis?.stop();
});

interface Status {
  workers: { device: string; host: string; pid: number; concurrency: number }[];
  queues: { queue: string; workers: number; waiting: number; active: number }[];
}
const status = async (): Promise<Status> => JSON.parse((await promisify(execFile)('node', ['bin/mapwise.js', 'workers', '--redis', redis.url, '--json'])).stdout);

it('lists the workers with device keys and the depth of every queue they serve', async () => {
  const idle = await status();
  const device = defaultDeviceKey();
  expect(idle.workers.map((w) => [w.device, w.pid, w.concurrency, w.host])).toEqual(
    [['lab-board-a', workers[0]!.child.pid, 1, hostname()], [device, workers[1]!.child.pid, 1, hostname()]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
  const depth = (s: Status, queue: string) => s.queues.find((q) => q.queue === queue);
  expect(depth(idle, 'measure-host.lab-board-a')).toMatchObject({ workers: 1, waiting: 0, active: 0 });
  expect(depth(idle, `measure-host.${device}`)).toMatchObject({ workers: 1 });
  expect(depth(idle, MAPPING_QUEUE)).toMatchObject({ workers: 2, waiting: 0, active: 0 });

  const job = workerTuningJobs(await getCore(), await loadModel('alexnetconvs'), 'systolic:eyeriss')[0]!;
  const space = job.space as MappingSpace;
  const queue = new Queue(MAPPING_QUEUE, { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
  try {
    for (const point of [[0, 0, 0, 0, 1], [1, 0, 0, 0, 1], [2, 0, 0, 0, 1]]) {
      await queue.add('measure-mapping', { kind: 'measure-mapping', groups: [{ workload: job.workload, layer: space.layer, config: configFields(space.target.config), dramBytesPerCycle: 10, points: [point] }] });
    }
    let busy = await status();
    for (let i = 0; i < 50 && depth(busy, MAPPING_QUEUE)!.active < 2; i++) busy = await status();
    expect(depth(busy, MAPPING_QUEUE)).toMatchObject({ workers: 2, waiting: 1, active: 2 });
  } finally {
    await queue.close();
  }
});

it('a worker runs at most --concurrency jobs at once over all its queues (a host timing shares its cores with nothing)', async () => {
  const own = await startRedis();
  const worker = await startWorker(own.url, '--device', 'slots-test', '--synthetic-ms', '700');
  const options = { connection: { url: own.url }, prefix: QUEUE_PREFIX };
  const [mappingQueue, hostQueue] = [new Queue(MAPPING_QUEUE, options), new Queue('measure-host.slots-test', options)];
  const events = await Promise.all([queueEventsFrom(mappingQueue, options), queueEventsFrom(hostQueue, options)]);
  try {
    const core = await getCore();
    const graph = await loadModel('alexnetconvs');
    const mapping = workerTuningJobs(core, graph, 'systolic:eyeriss')[0]!;
    const space = mapping.space as MappingSpace;
    const host = workerTuningJobs(core, graph, 'host')[4]!; // a small layer: its timing is short beside 700 ms
    const task = (host.space as unknown as { task: unknown }).task;
    const started = performance.now();
    const jobs = await Promise.all([
      mappingQueue.add('measure-mapping', { kind: 'measure-mapping', groups: [{ workload: mapping.workload, layer: space.layer, config: configFields(space.target.config), dramBytesPerCycle: 10, points: [[0, 0, 0, 0, 1]] }] }),
      hostQueue.add('measure-host', { kind: 'measure-host', workload: host.workload, task, points: [host.defaultPoint] }),
    ]);
    await Promise.all(jobs.map((job, i) => job.waitUntilFinished(events[i]!, 30_000)));
    // One after the other: two 700 ms waits take at least 1.4 s (at once they would take about 0.7 s).
    expect(performance.now() - started).toBeGreaterThan(1400);
    expect(worker.log().match(/, done$/gm)).toHaveLength(2);
  } finally {
    await Promise.all([...events.map((e) => e.close()), mappingQueue.close(), hostQueue.close()]);
    await worker.kill();
    await own.stop();
  }
});
