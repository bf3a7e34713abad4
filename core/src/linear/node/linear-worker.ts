/**
 * Entry file of a linear-fit worker thread (LinearThreadPool,
 * linear-threads.ts): solves the chunks of pixels it is sent into the
 * shared output arrays, and answers each with 'done' or 'error'.
 */
import { parentPort } from 'node:worker_threads';
import { solveLinearPixels } from '../linear-kernel.js';
import type { LinearFromWorker, LinearToWorker } from './linear-threads.js';

const port = parentPort;
if (!port) throw new Error('linear-worker: not started as a worker thread');
port.on('message', (message: LinearToWorker) => {
  if (message.type === 'stop') {
    port.close();
    return;
  }
  let reply: LinearFromWorker;
  try {
    solveLinearPixels(message.spec, message.pixels, message.from, message.to, message.out);
    reply = { type: 'done', id: message.id };
  } catch (e) {
    reply = { type: 'error', id: message.id, message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
