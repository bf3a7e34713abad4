/**
 * Entry of a fit worker in the packaged app: the same worker as core's, which
 * serves the worker protocol under a utility process (`process.parentPort`),
 * a worker thread or a forked child, whichever started it.
 */
import { createKernel } from '../../core/src/pool/node/kernel-loader.js';
import { startWorker } from '../../core/src/pool/node/ports.js';

startWorker(createKernel);
