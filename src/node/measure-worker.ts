// The worker thread of the Node measurer (src/node/measurer.ts).
import { parentPort } from 'node:worker_threads';
import './index.js';
import { serveMeasurements, type ToWorker } from '../tune/measure-isolated.js';

const port = parentPort!;
const handle = serveMeasurements((message) => port.postMessage(message));
port.on('message', (message: ToWorker) => handle(message));
