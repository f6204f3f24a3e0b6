// The worker thread of the Node measurer (src/node/measurer.ts): builds the task's fixture
// once, then measures each schedule it is sent and posts the result back.
import { parentPort, workerData } from 'node:worker_threads';
import './index.js';
import { getCore } from '../core/load.js';
import { Kernels } from '../core/kernels.js';
import { Fixture, measureSchedule } from '../tune/measure.js';
import type { MeasureRequest, WorkerData, WorkerMessage } from './measurer.js';

const data = workerData as WorkerData;
const port = parentPort!;
const post = (message: WorkerMessage): void => port.postMessage(message);

try {
  const core = await getCore(data.flavour);
  const fixture = new Fixture(new Kernels(core), data.task, data.options.seed ?? 1);
  fixture.reference();
  port.on('message', (request: MeasureRequest) => {
    post({ type: 'result', id: request.id, result: measureSchedule(fixture, request.schedule, data.options, request.fault) });
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', text: String((error as Error).stack ?? error) });
}
