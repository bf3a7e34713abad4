/**
 * Entry of a fit worker in the packaged app: the same worker as core's, which
 * serves the worker protocol under a utility process (`process.parentPort`,
 * or the port main hands it to talk to the service host: see
 * main/host/fit-workers.ts), a worker thread or a forked child, whichever
 * started it.
 */
import { createKernel } from '@samfire/core';
import { startWorker } from '@samfire/core/node';

startWorker(createKernel);
