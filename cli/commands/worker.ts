import type { CommandParts } from './lazy.js';
import { getCore } from '../../src/core/load.js';
import { message } from '../output.js';

interface WorkerArgs {
  redis: string;
  concurrency: number;
  device?: string;
  'stall-timeout': number;
  'synthetic-ms'?: number;
  'synthetic-error'?: string;
}

export const workerCommand: CommandParts<WorkerArgs> = {
  builder: (y) =>
    y
      .option('redis', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host[:port][/db] or rediss://… of the queue' })
      .option('concurrency', { type: 'number', default: 1, describe: 'jobs at once (host measurements at once share the cores they time)' })
      .option('device', { type: 'string', describe: 'the device key host jobs must name to come here (default: runtime, CPU model and core flavour)' })
      .option('stall-timeout', { type: 'number', default: 30, describe: 'seconds a job\'s lock lasts unrenewed: a dead worker\'s jobs go to another after about 1.5× this' })
      .option('synthetic-ms', { type: 'number', hidden: true, describe: 'benchmarks and tests: wait this long per point, a device of known speed' })
      .option('synthetic-error', { type: 'string', hidden: true, describe: 'tests: a broken device, whose every measurement job throws this' })
      .check((argv) => {
        if (!Number.isInteger(argv.concurrency) || argv.concurrency < 1) throw new Error(`--concurrency must be a positive integer, got ${argv.concurrency}`);
        if (!(argv['stall-timeout'] > 0)) throw new Error(`--stall-timeout must be positive, got ${argv['stall-timeout']}`);
        return true;
      })
      .example('$0 worker --redis redis://10.0.0.5:6379 --concurrency 2', 'measure for tune --redis runs queued on that server') as never,
  handler: async (argv) => {
    // BullMQ loads here, so no other command pays for it.
    const { startWorker } = await import('../../src/node/dist/worker.js');
    const { redactUrl } = await import('../../src/node/dist/queues.js');
    const worker = await startWorker(await getCore(), {
      redis: argv.redis,
      concurrency: argv.concurrency,
      device: argv.device,
      stallTimeoutMs: argv['stall-timeout'] * 1000,
      syntheticMsPerPoint: argv['synthetic-ms'],
      syntheticError: argv['synthetic-error'],
      onJob: (e) => {
        const unit = ({ 'codesign-slice': 'array shape', 'teacher-label': 'instance', 'tune-mapping': 'trial' } as Record<string, string>)[e.kind] ?? 'point';
        message(`${e.id} ${e.workload || e.kind}: ${e.points} ${unit}${e.points === 1 ? '' : 's'} in ${e.ms} ms, ${e.outcome}`);
      },
      onError: (text) => message(`worker: ${text}`),
    });
    message(`worker ${process.pid} on device ${worker.device}, taking jobs from ${worker.queues.join(' and ')} at ${redactUrl(argv.redis)}`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        message('worker: finishing the jobs in hand');
        void worker.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};
