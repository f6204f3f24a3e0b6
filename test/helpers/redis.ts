// Scale-out in tests: src/node/dist/local.ts with workers started from the build.
import { startWorker as start, type WorkerProcess } from '../../src/node/dist/local.js';

export { type RedisServer, type RedisSetup, startRedis, type WorkerProcess } from '../../src/node/dist/local.js';

export const startWorker = (url: string, ...args: string[]): Promise<WorkerProcess> => start('bin/mapwise.js', url, ...args);
