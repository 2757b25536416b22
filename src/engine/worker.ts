// A worker thread of the bulk runner: imports the handler module once (which loads the
// transforms once), then runs each task it is sent and posts the result back.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

interface Data {
  handlerFile: string;
  handlerData: unknown;
}

const port = parentPort;
if (!port) throw new Error('src/engine/worker.ts runs only as a worker thread');
const { handlerFile, handlerData } = workerData as Data;

try {
  const mod = (await import(pathToFileURL(handlerFile).href)) as { createHandler(data: unknown): Promise<(task: unknown) => unknown> };
  const handler = await mod.createHandler(handlerData);
  port.on('message', (message: { type: 'task'; index: number; task: unknown }) => {
    port.postMessage({ type: 'result', index: message.index, result: handler(message.task) });
  });
  port.postMessage({ type: 'ready' });
} catch (error) {
  port.postMessage({ type: 'fatal', message: `worker could not start: ${(error as Error).stack ?? error}` });
}
