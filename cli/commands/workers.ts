import type { CommandParts } from './lazy.js';
import { report, table } from '../output.js';

interface WorkersArgs {
  redis: string;
  json?: boolean;
}

export const workersCommand: CommandParts<WorkersArgs> = {
  builder: (y) =>
    y
      .option('redis', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host[:port][/db] or rediss://… of the queue' })
      .example('$0 workers --redis redis://10.0.0.5:6379', 'who measures, on which device, and how many jobs wait') as never,
  handler: async (argv) => {
    // BullMQ loads here, so no other command pays for it.
    const { clusterStatus } = await import('../../src/node/dist/status.js');
    const { redactUrl } = await import('../../src/node/dist/queues.js');
    const status = await clusterStatus(argv.redis);
    report(argv, { redis: redactUrl(argv.redis), ...status }, (s) =>
      [
        `${s.workers.length} worker${s.workers.length === 1 ? '' : 's'} at ${s.redis}`,
        table(['device', 'host', 'pid', 'concurrency', 'address', 'connected s', 'idle s'], s.workers.map((w) => [w.device, w.host, String(w.pid), w.concurrency, w.address, w.connectedSeconds, w.idleSeconds])),
        '',
        table(['queue', 'workers', 'waiting', 'active', 'delayed', 'failed', 'completed'], s.queues.map((q) => [q.queue, q.workers, q.waiting, q.active, q.delayed, q.failed, q.completed])),
      ].join('\n'),
    );
  },
};
